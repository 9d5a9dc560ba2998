package train

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"

	"tangent/ml/data"
	"tangent/ml/model"
	"tangent/ml/optim"
	"tangent/ml/tensor"
)

// Checkpoint returns the trainer's whole state as a safetensors file. The
// tensors share no memory with the trainer.
func (t *Trainer) Checkpoint() *File {
	f := &File{Tensors: map[string]*tensor.Tensor{}, Metadata: map[string]string{
		"format":          Format,
		"spec":            string(t.cfg.Spec.Canonical()),
		"spec_hash":       t.cfg.Spec.Hash(),
		"step":            strconv.FormatInt(t.step, 10),
		"seed":            strconv.FormatUint(t.cfg.Seed, 10),
		"batch":           strconv.Itoa(t.cfg.Batch),
		"data_epoch":      strconv.FormatUint(t.loader.Cursor.Epoch, 10),
		"data_pos":        strconv.Itoa(t.loader.Cursor.Pos),
		"data_hash":       t.dataHash,
		"dropout_counter": strconv.FormatUint(t.drop.Counter, 10),
		"optimizer":       t.opt.Config.Encode(),
		"optim_step":      strconv.FormatInt(t.opt.Step, 10),
	}}
	slots := t.opt.Config.SlotNames()
	for i, p := range t.net.Params {
		f.Tensors[p.Name] = tensor.FromData(append([]float32(nil), p.W...), p.Shape...)
		for j, s := range t.opt.Slots[i] {
			f.Tensors["optim."+p.Name+"."+slots[j]] = tensor.FromData(append([]float32(nil), s...), p.Shape...)
		}
	}
	return f
}

// Hash returns the checkpoint hash: the hex SHA-256 of f's canonical
// encoding (f.Encode()).
func Hash(f *File) string {
	h := sha256.Sum256(f.Encode())
	return hex.EncodeToString(h[:])
}

// SpecOf returns the model spec a checkpoint was written for.
func SpecOf(f *File) (*model.Spec, error) {
	if f.Metadata["format"] != Format {
		return nil, fmt.Errorf("not a Tangent checkpoint: metadata format is %q, want %q", f.Metadata["format"], Format)
	}
	s, err := model.Parse([]byte(f.Metadata["spec"]))
	if err != nil {
		return nil, fmt.Errorf("checkpoint spec: %w", err)
	}
	if s.Hash() != f.Metadata["spec_hash"] {
		return nil, fmt.Errorf("checkpoint is inconsistent: its spec hashes to %s but its spec_hash says %s", s.Hash(), f.Metadata["spec_hash"])
	}
	for _, n := range model.Names() {
		if b, _ := model.Builtin(n); b.Hash() == s.Hash() {
			s.Name = n
		}
	}
	return s, nil
}

// SpecMismatchError is returned by Restore for a checkpoint of another
// model.
type SpecMismatchError struct {
	Want, Got         string // spec hashes: the run's, the checkpoint's
	WantName, GotName string
}

func (e *SpecMismatchError) Error() string {
	return fmt.Sprintf("the checkpoint was written for model %s (spec %s…) but this run uses model %s (spec %s…): resume with --model %s, or start a new run without the checkpoint",
		e.GotName, e.Got[:12], e.WantName, e.Want[:12], e.GotName)
}

// OptionsFrom returns the configuration a checkpoint was trained with
// (spec, optimizer, batch, seed), so a run can resume without repeating
// its flags.
func OptionsFrom(f *File) (Config, error) {
	spec, err := SpecOf(f)
	if err != nil {
		return Config{}, err
	}
	oc, err := optim.ParseConfig(f.Metadata["optimizer"])
	if err != nil {
		return Config{}, fmt.Errorf("checkpoint optimizer: %w", err)
	}
	batch, err1 := strconv.Atoi(f.Metadata["batch"])
	seed, err2 := strconv.ParseUint(f.Metadata["seed"], 10, 64)
	if err1 != nil || err2 != nil {
		return Config{}, fmt.Errorf("checkpoint metadata: bad batch %q or seed %q", f.Metadata["batch"], f.Metadata["seed"])
	}
	return Config{Spec: spec, Optim: oc, Batch: batch, Seed: seed}, nil
}

// Restore rebuilds a trainer from a checkpoint. cfg must describe the same
// model, batch size and seed as the checkpoint (errors say which differs);
// the optimizer may differ in hyperparameters (for example a lower learning
// rate) but not in kind. train must be the dataset the checkpoint was
// trained on.
func Restore(cfg Config, train *data.Dataset, f *File) (*Trainer, error) {
	ck, err := SpecOf(f)
	if err != nil {
		return nil, err
	}
	if cfg.Spec == nil {
		return nil, fmt.Errorf("no model spec")
	}
	if ck.Hash() != cfg.Spec.Hash() {
		return nil, &SpecMismatchError{Want: cfg.Spec.Hash(), Got: ck.Hash(), WantName: cfg.Spec.DisplayName(), GotName: ck.DisplayName()}
	}
	old, err := OptionsFrom(f)
	if err != nil {
		return nil, err
	}
	if old.Batch != cfg.Batch {
		return nil, fmt.Errorf("the checkpoint was trained with batch size %d, this run asks for %d: use --batch %d to resume", old.Batch, cfg.Batch, old.Batch)
	}
	if old.Seed != cfg.Seed {
		return nil, fmt.Errorf("the checkpoint was trained with seed %d, this run asks for %d: use --seed %d to resume", old.Seed, cfg.Seed, old.Seed)
	}
	cfg.Optim = cfg.Optim.WithDefaults()
	if old.Optim.Name != cfg.Optim.Name || len(old.Optim.SlotNames()) != len(cfg.Optim.SlotNames()) {
		return nil, fmt.Errorf("the checkpoint's optimizer is %q, this run asks for %q: resume with the same optimizer", old.Optim.Encode(), cfg.Optim.Encode())
	}
	dh := DataHash(train)
	if f.Metadata["data_hash"] != dh {
		return nil, fmt.Errorf("the checkpoint was trained on other data (data hash %.12s…, this dataset %.12s…): resume with the same --data", f.Metadata["data_hash"], dh)
	}
	t, err := newTrainer(cfg, train, dh)
	if err != nil {
		return nil, err
	}
	meta := func(k string) uint64 {
		if err != nil {
			return 0
		}
		v, e := strconv.ParseUint(f.Metadata[k], 10, 63)
		if e != nil {
			err = fmt.Errorf("checkpoint metadata %s = %q is not a count", k, f.Metadata[k])
		}
		return v
	}
	step, epoch, pos := meta("step"), meta("data_epoch"), meta("data_pos")
	drop, ostep := meta("dropout_counter"), meta("optim_step")
	if err != nil {
		return nil, err
	}
	if err := t.loader.SetCursor(data.Cursor{Epoch: epoch, Pos: int(pos)}); err != nil {
		return nil, fmt.Errorf("checkpoint: %w", err)
	}
	t.step, t.drop.Counter, t.opt.Step = int64(step), drop, int64(ostep)
	want := map[string]bool{}
	slots := cfg.Optim.SlotNames()
	load := func(name string, shape []int, dst []float32) error {
		want[name] = true
		src, ok := f.Tensors[name]
		if !ok {
			return fmt.Errorf("checkpoint has no tensor %s", name)
		}
		if !tensor.SameShape(src.Shape, shape) {
			return fmt.Errorf("checkpoint tensor %s has shape %v, the model needs %v", name, src.Shape, shape)
		}
		copy(dst, src.Data)
		return nil
	}
	for i, p := range t.net.Params {
		if err := load(p.Name, p.Shape, p.W); err != nil {
			return nil, err
		}
		for j, s := range t.opt.Slots[i] {
			if err := load("optim."+p.Name+"."+slots[j], p.Shape, s); err != nil {
				return nil, err
			}
		}
	}
	for name := range f.Tensors {
		if !want[name] {
			return nil, fmt.Errorf("checkpoint has an unexpected tensor %s", name)
		}
	}
	return t, nil
}
