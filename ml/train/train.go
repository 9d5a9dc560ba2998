package train

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"strconv"

	"tangent/ml/data"
	"tangent/ml/model"
	"tangent/ml/nn"
	"tangent/ml/optim"
	"tangent/ml/tensor"
	"tangent/ml/trace"
)

// Format is the metadata "format" value of Tangent checkpoints.
const Format = "tangent.checkpoint/1"

// Config is what a training run is a function of (with the dataset).
type Config struct {
	Spec  *model.Spec
	Optim optim.Config
	Batch int
	Seed  uint64
}

// Validate checks the configuration, saying what to change.
func (c Config) Validate() error {
	if c.Spec == nil {
		return errors.New("no model spec")
	}
	if _, err := c.Spec.Shapes(); err != nil {
		return err
	}
	if c.Batch <= 0 || c.Batch > 1<<16 {
		return fmt.Errorf("batch size %d: use a value between 1 and 65536 (64 is usual)", c.Batch)
	}
	return c.Optim.Validate()
}

// DivergedError is returned by Step when the loss is not finite.
type DivergedError struct {
	Step int64 // 0-based index of the step that produced the loss
	Loss float32
	LR   float64
}

func (e *DivergedError) Error() string {
	return fmt.Sprintf("step %d: the loss is %v: training diverged; lower the learning rate (--lr %g now, try %.3g)", e.Step+1, e.Loss, e.LR, e.LR/10)
}

// Trainer is the training state machine. It is not safe for concurrent use.
type Trainer struct {
	cfg      Config
	net      *nn.Network
	opt      *optim.Optimizer
	loader   *data.Loader
	drop     tensor.RNG
	step     int64
	dataHash string

	x    *tensor.Tensor
	y    []int32
	ws   [][]float32
	gs   [][]float32
	pred []int
}

// DataHash returns the hex SHA-256 of a dataset's images followed by its
// labels: checkpoints record it so that a run cannot silently resume on other
// data.
func DataHash(d *data.Dataset) string {
	h := sha256.New()
	h.Write(d.Images)
	h.Write(d.Labels)
	return hex.EncodeToString(h.Sum(nil))
}

// New returns a trainer at step 0 with parameters initialized from the seed.
func New(cfg Config, train *data.Dataset) (*Trainer, error) {
	return newTrainer(cfg, train, DataHash(train))
}

func newTrainer(cfg Config, train *data.Dataset, dataHash string) (*Trainer, error) {
	cfg.Optim = cfg.Optim.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	in := cfg.Spec.Input
	if in[0] != 1 || in[1] != train.Rows || in[2] != train.Cols {
		return nil, fmt.Errorf("model %s takes %s inputs but the dataset has 1×%d×%d images", cfg.Spec.DisplayName(), tensor.ShapeString(in), train.Rows, train.Cols)
	}
	if cfg.Spec.Classes < train.Classes {
		return nil, fmt.Errorf("model %s has %d classes but the dataset has %d", cfg.Spec.DisplayName(), cfg.Spec.Classes, train.Classes)
	}
	net, err := nn.Build(cfg.Spec)
	if err != nil {
		return nil, err
	}
	net.Init(cfg.Seed)
	loader, err := data.NewLoader(train, cfg.Batch, cfg.Seed)
	if err != nil {
		return nil, err
	}
	t := &Trainer{cfg: cfg, net: net, loader: loader, dataHash: dataHash,
		drop: tensor.RNG{Seed: cfg.Seed, Stream: tensor.StreamDropout}}
	sizes := make([]int, len(net.Params))
	for i, p := range net.Params {
		sizes[i] = len(p.W)
		t.ws = append(t.ws, p.W)
		t.gs = append(t.gs, p.G)
	}
	t.opt = optim.New(cfg.Optim, sizes)
	t.x = tensor.New(append([]int{cfg.Batch}, in...)...)
	t.y = make([]int32, cfg.Batch)
	return t, nil
}

// Steps returns the number of steps done.
func (t *Trainer) Steps() int64 { return t.step }

// Config returns the trainer's configuration (optimizer defaults filled in).
func (t *Trainer) Config() Config { return t.cfg }

// Network returns the trainer's network (its parameters are the trainer's).
func (t *Trainer) Network() *nn.Network { return t.net }

// Cursor returns the data loader's position.
func (t *Trainer) Cursor() data.Cursor { return t.loader.Cursor }

// StepsPerEpoch returns the number of steps in one pass over the data.
func (t *Trainer) StepsPerEpoch() int { return t.loader.StepsPerEpoch() }

// Step trains on the next batch and returns its loss (before the update).
// A non-finite loss returns a *DivergedError and leaves the parameters
// unchanged (the trainer should then be discarded).
func (t *Trainer) Step() (float32, error) { return t.step1(nil) }

// labelsF returns class ids as float32 values, as traces commit them.
func labelsF(y []int32) []float32 {
	f := make([]float32, len(y))
	for i, v := range y {
		f[i] = float32(v)
	}
	return f
}

// Replay re-executes one traced operator alone and checks its recorded
// output roots: "data.batch" against the training set d (which must have the
// recorded data_hash), every other kind with nn.Replay.
func Replay(op trace.Op, fetch func(trace.Root) ([]float32, bool), d *data.Dataset) error {
	if op.Kind != "data.batch" {
		return nn.Replay(op, fetch)
	}
	a := op.Attrs
	seed, err1 := strconv.ParseUint(a["seed"], 10, 64)
	epoch, err2 := strconv.ParseUint(a["epoch"], 10, 64)
	pos, err3 := strconv.Atoi(a["pos"])
	batch, err4 := strconv.Atoi(a["batch"])
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		return fmt.Errorf("op %d (data.batch): bad attributes: %v", op.Index, err)
	}
	if a["data_hash"] != DataHash(d) {
		return fmt.Errorf("op %d (data.batch): recorded for data %.12s…, this dataset is %.12s…", op.Index, a["data_hash"], DataHash(d))
	}
	l, err := data.NewLoader(d, batch, seed)
	if err != nil {
		return fmt.Errorf("op %d (data.batch): %v", op.Index, err)
	}
	if err := l.SetCursor(data.Cursor{Epoch: epoch, Pos: pos}); err != nil {
		return fmt.Errorf("op %d (data.batch): %v", op.Index, err)
	}
	x := make([]float32, batch*d.Rows*d.Cols)
	y := make([]int32, batch)
	d.Gather(l.Next(), x, y)
	if len(op.Outputs) != 2 {
		return fmt.Errorf("op %d (data.batch): %d outputs recorded, want x and labels", op.Index, len(op.Outputs))
	}
	for i, got := range []trace.Root{trace.TensorRoot(x), trace.TensorRoot(labelsF(y))} {
		if got != op.Outputs[i].Root {
			return &nn.MismatchError{Op: op.Index, Kind: op.Kind, Output: op.Outputs[i].Name, Got: got, Want: op.Outputs[i].Root}
		}
	}
	return nil
}

// StepTrace is Step recording every operator into rec: the batch
// ("data.batch", re-executed by Replay from the dataset), the forward and
// backward ops of ml/nn, the loss, and one "optim.update" per parameter
// (attributes optimizer and step; inputs w, g and the slots; outputs the new
// w and slots).
func (t *Trainer) StepTrace(rec *trace.Recorder) (float32, error) {
	rec.Trace.Step = t.step
	return t.step1(rec)
}

func (t *Trainer) step1(rec *trace.Recorder) (float32, error) {
	cur := t.loader.Cursor
	idx := t.loader.Next()
	t.loader.Data.Gather(idx, t.x.Data, t.y)
	if rec != nil {
		rec.Record("data.batch", -1, trace.Attrs{
			"seed": strconv.FormatUint(t.cfg.Seed, 10), "epoch": strconv.FormatUint(cur.Epoch, 10),
			"pos": strconv.Itoa(cur.Pos), "batch": strconv.Itoa(t.cfg.Batch), "data_hash": t.dataHash,
		}, nil, []trace.Named{{Name: "x", Shape: t.x.Shape, Data: t.x.Data}, {Name: "labels", Shape: []int{len(t.y)}, Data: labelsF(t.y)}})
	}
	pass := nn.Pass{Train: true, Dropout: &t.drop, Rec: rec}
	logits := t.net.Forward(t.x, pass)
	loss, d := t.net.Loss(logits, t.y, rec)
	if math.IsNaN(float64(loss)) || math.IsInf(float64(loss), 0) {
		return loss, &DivergedError{Step: t.step, Loss: loss, LR: t.cfg.Optim.LR}
	}
	t.net.Backward(d, pass)
	if rec == nil {
		t.opt.Update(t.ws, t.gs)
	} else {
		t.updateTraced(rec)
	}
	t.step++
	return loss, nil
}

func (t *Trainer) updateTraced(rec *trace.Recorder) {
	c := t.opt.Config
	sc := c.ScalarsAt(t.opt.Step)
	attrs := trace.Attrs{"optimizer": c.Encode(), "step": strconv.FormatInt(t.opt.Step, 10)}
	names := c.SlotNames()
	for i, p := range t.net.Params {
		in := []trace.Named{{Name: "w", Shape: p.Shape, Data: append([]float32(nil), p.W...)}, {Name: "g", Shape: p.Shape, Data: p.G}}
		for j, s := range t.opt.Slots[i] {
			in = append(in, trace.Named{Name: names[j], Shape: p.Shape, Data: append([]float32(nil), s...)})
		}
		optim.UpdateTensor(c, sc, p.W, p.G, t.opt.Slots[i])
		out := []trace.Named{{Name: "w", Shape: p.Shape, Data: p.W}}
		for j, s := range t.opt.Slots[i] {
			out = append(out, trace.Named{Name: names[j], Shape: p.Shape, Data: s})
		}
		rec.Record("optim.update", -1, attrs, in, out)
	}
	t.opt.Step++
}

// Eval is the result of Evaluate.
type Eval struct {
	Accuracy float64 // fraction of correct arg-max predictions
	Loss     float64 // mean softmax cross-entropy (float64 mean of float32 batch means, weighted)
	N        int
}

// evalBatch is the number of examples Evaluate runs at once.
const evalBatch = 250

// Evaluate runs the model (dropout off) over all of d in order.
func (t *Trainer) Evaluate(d *data.Dataset) Eval {
	in := t.cfg.Spec.Input
	x := tensor.New(append([]int{evalBatch}, in...)...)
	y := make([]int32, evalBatch)
	if cap(t.pred) < evalBatch {
		t.pred = make([]int, evalBatch)
	}
	idx := make([]int, evalBatch)
	correct, lossSum := 0, 0.0
	for lo := 0; lo < d.N; lo += evalBatch {
		n := min(evalBatch, d.N-lo)
		for i := range n {
			idx[i] = lo + i
		}
		xb := tensor.FromData(x.Data[:n*tensor.Numel(in)], append([]int{n}, in...)...)
		d.Gather(idx[:n], xb.Data, y[:n])
		logits := t.net.Forward(xb, nn.Pass{})
		loss, _ := t.net.Loss(logits, y[:n], nil)
		lossSum += float64(float64(loss) * float64(n))
		nn.Predict(logits, t.pred[:n])
		for i := range n {
			if t.pred[i] == int(y[i]) {
				correct++
			}
		}
	}
	if d.N == 0 {
		return Eval{}
	}
	return Eval{Accuracy: float64(correct) / float64(d.N), Loss: lossSum / float64(d.N), N: d.N}
}
