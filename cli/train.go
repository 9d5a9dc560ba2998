package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"tangent/ml/data"
	"tangent/ml/kernels"
	"tangent/ml/model"
	"tangent/ml/optim"
	"tangent/ml/trace"
	"tangent/ml/train"
)

// trainFlags are the options of `tangent train`.
type trainFlags struct {
	model, dataDir, out, resume string
	epochs, steps, batch        int
	lr, momentum, weightDecay   float64
	nesterov                    bool
	optimizer, lrDecay          string
	seed                        uint64
	threads                     int
	jsonOut, quiet, noEval      bool
	cpuProfile, traceOut        string
}

// trainResult is the JSON object `tangent train --json` prints.
type trainResult struct {
	Model          string  `json:"model"`
	SpecHash       string  `json:"spec_hash"`
	Params         int     `json:"params"`
	Steps          int64   `json:"steps"`
	StepsRun       int     `json:"steps_run"`
	Epochs         float64 `json:"epochs"`
	Batch          int     `json:"batch"`
	Optimizer      string  `json:"optimizer"`
	Seed           uint64  `json:"seed"`
	Threads        int     `json:"threads"`
	FinalLoss      float64 `json:"final_loss"`
	LastLoss       float64 `json:"last_loss"`
	TestAccuracy   float64 `json:"test_accuracy"`
	TestLoss       float64 `json:"test_loss"`
	SamplesPerSec  float64 `json:"samples_per_sec"`
	TrainSeconds   float64 `json:"train_seconds"`
	CPUSeconds     float64 `json:"cpu_seconds"` // process CPU time (user+system) of the training loop
	Checkpoint     string  `json:"checkpoint,omitempty"`
	CheckpointHash string  `json:"checkpoint_hash"`
	Interrupted    bool    `json:"interrupted,omitempty"`
}

func newTrainCmd() *cobra.Command {
	f := &trainFlags{}
	cmd := &cobra.Command{
		Use:   "train",
		Short: "Train a model centrally and deterministically; write a safetensors checkpoint",
		Long: `train runs bit-exact training of a built-in model (` + fmt.Sprint(model.Names()) + `) or of a
JSON spec file on an IDX dataset such as Fashion-MNIST. The same flags give the
same checkpoint bits on every run, thread count and machine; checkpoint_hash is
the SHA-256 of the written file.

Progress goes to stderr. With --json, one JSON object goes to stdout with
steps, final_loss (mean training loss over the last 100 steps), test_accuracy,
samples_per_sec (training only, excluding data loading and evaluation) and
checkpoint_hash.

Ctrl-C stops after the current step and still writes the checkpoint.`,
		Example: `  tangent train --model cnn-small --epochs 3 --out cnn-small.safetensors
  tangent train --model mlp --steps 2000 --optimizer adam --lr 0.001 --json
  tangent train --resume cnn-small.safetensors --epochs 1 --out more.safetensors`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error { return runTrain(cmd, f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.model, "model", "cnn-small", "built-in model name or JSON spec file")
	fl.StringVar(&f.dataDir, "data", data.DefaultDir, "directory with the four IDX files (train/t10k images and labels, .gz or raw)")
	fl.IntVar(&f.epochs, "epochs", 1, "passes over the training set (ignored when --steps is set)")
	fl.IntVar(&f.steps, "steps", 0, "number of steps to run (overrides --epochs)")
	fl.IntVar(&f.batch, "batch", 64, "batch size")
	fl.StringVar(&f.optimizer, "optimizer", "sgd", "sgd, adam or adamw")
	fl.Float64Var(&f.lr, "lr", 0, "learning rate (default 0.05 for sgd, 0.001 for adam/adamw)")
	fl.Float64Var(&f.momentum, "momentum", 0.9, "SGD momentum (0 for plain SGD)")
	fl.BoolVar(&f.nesterov, "nesterov", false, "Nesterov momentum (sgd)")
	fl.StringVar(&f.lrDecay, "lr-decay", "none", "learning-rate schedule: none, or linear (to 0 at the end of this run)")
	fl.Float64Var(&f.weightDecay, "weight-decay", 0, "weight decay (L2 for sgd/adam, decoupled for adamw)")
	fl.Uint64Var(&f.seed, "seed", 1, "seed of initialization, data order and dropout")
	fl.IntVar(&f.threads, "threads", runtime.NumCPU(), "worker threads (results do not depend on it)")
	fl.StringVar(&f.out, "out", "", "checkpoint file to write (safetensors)")
	fl.StringVar(&f.resume, "resume", "", "continue from this checkpoint (model, batch, seed and optimizer default to its own)")
	fl.BoolVar(&f.jsonOut, "json", false, "print one JSON object with the results on stdout")
	fl.BoolVar(&f.quiet, "quiet", false, "no progress bar")
	fl.BoolVar(&f.noEval, "no-eval", false, "skip the test-set evaluation (test_accuracy is then -1)")
	fl.StringVar(&f.traceOut, "trace", "", "write the operator trace of the last step (JSON: each op with Merkle roots of its tensors) to this file")
	fl.StringVar(&f.cpuProfile, "cpuprofile", "", "write a CPU profile of the training loop to this file (for go tool pprof)")
	return cmd
}

func runTrain(cmd *cobra.Command, f *trainFlags) error {
	stderr := cmd.ErrOrStderr()
	changed := cmd.Flags().Changed
	if f.threads < 1 {
		return fmt.Errorf("--threads %d: use at least 1", f.threads)
	}
	if changed("steps") && f.steps < 0 || !changed("steps") && f.epochs < 1 {
		return fmt.Errorf("nothing to train: use --epochs ≥ 1 or --steps ≥ 0")
	}
	runtime.GOMAXPROCS(f.threads)
	kernels.SetWorkers(f.threads)

	// The configuration: from the flags, or from the checkpoint to resume.
	var ck *train.File
	cfg := train.Config{Batch: f.batch, Seed: f.seed}
	if f.resume != "" {
		b, err := os.ReadFile(f.resume)
		if err != nil {
			return fmt.Errorf("--resume: %w", err)
		}
		if ck, err = train.DecodeFile(b); err != nil {
			return fmt.Errorf("--resume %s: %w; pass a checkpoint written by tangent train", f.resume, err)
		}
		old, err := train.OptionsFrom(ck)
		if err != nil {
			return fmt.Errorf("--resume %s: %w", f.resume, err)
		}
		cfg = old
		if changed("batch") {
			cfg.Batch = f.batch
		}
		if changed("seed") {
			cfg.Seed = f.seed
		}
	}
	if f.resume == "" || changed("model") {
		spec, err := model.Resolve(f.model)
		if err != nil {
			return err
		}
		cfg.Spec = spec
	}
	setOptim := f.resume == "" || changed("optimizer") || changed("lr") || changed("momentum") || changed("nesterov") || changed("weight-decay") || changed("lr-decay")
	if f.lrDecay != "none" && f.lrDecay != "linear" {
		return fmt.Errorf("--lr-decay %q: use none or linear", f.lrDecay)
	}
	if setOptim {
		oc := optim.Config{Name: f.optimizer, LR: f.lr, WeightDecay: f.weightDecay, Nesterov: f.nesterov}
		if oc.Name == optim.SGD {
			oc.Momentum = f.momentum
		}
		if oc.LR == 0 {
			oc.LR = 0.05
			if oc.Name != optim.SGD {
				oc.LR = 0.001
			}
		}
		cfg.Optim = oc.WithDefaults()
		if err := cfg.Optim.Validate(); err != nil {
			return fmt.Errorf("--optimizer/--lr/--momentum: %w", err)
		}
	}
	if f.out != "" {
		if st, err := os.Stat(filepath.Dir(f.out)); err != nil || !st.IsDir() {
			return fmt.Errorf("--out %s: directory %s does not exist", f.out, filepath.Dir(f.out))
		}
	}

	trainSet, testSet, err := data.Load(f.dataDir)
	if err != nil {
		return err
	}
	if cfg.Batch < 1 || cfg.Batch > trainSet.N {
		return fmt.Errorf("--batch %d: use a value between 1 and the %d training examples", cfg.Batch, trainSet.N)
	}
	steps := f.steps
	if !changed("steps") {
		steps = f.epochs * (trainSet.N / cfg.Batch)
	}
	if setOptim && f.lrDecay == "linear" {
		done := int64(0)
		if ck != nil {
			done, _ = strconv.ParseInt(ck.Metadata["step"], 10, 64)
		}
		cfg.Optim.DecaySteps = done + int64(steps)
	}
	var tr *train.Trainer
	if ck != nil {
		tr, err = train.Restore(cfg, trainSet, ck)
		if err != nil {
			return fmt.Errorf("--resume %s: %w", f.resume, err)
		}
	} else if tr, err = train.New(cfg, trainSet); err != nil {
		return err
	}
	cfg = tr.Config()

	bar := progressbar.NewOptions(steps,
		progressbar.OptionSetWriter(stderr),
		progressbar.OptionSetVisibility(!f.quiet),
		progressbar.OptionSetDescription(cfg.Spec.DisplayName()),
		progressbar.OptionShowCount(),
		progressbar.OptionSetItsString("steps"),
		progressbar.OptionShowIts(),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetWidth(30),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	logf := func(format string, a ...any) {
		if !f.quiet {
			bar.Clear()
			fmt.Fprintf(stderr, format+"\n", a...)
		}
	}
	logf("training %s (%d parameters, spec %.12s…) with %s, batch %d, seed %d, %d threads: %d steps",
		cfg.Spec.DisplayName(), tr.Network().NumParams(), cfg.Spec.Hash(), cfg.Optim.Encode(), cfg.Batch, cfg.Seed, f.threads, steps)

	ctx := cmd.Context()
	res := trainResult{Model: cfg.Spec.DisplayName(), SpecHash: cfg.Spec.Hash(), Params: tr.Network().NumParams(),
		Batch: cfg.Batch, Optimizer: cfg.Optim.Encode(), Seed: cfg.Seed, Threads: f.threads, TestAccuracy: -1, TestLoss: -1}
	recent := make([]float64, 0, 100)
	if f.cpuProfile != "" {
		pf, err := os.Create(f.cpuProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pf.Close()
		if err := pprof.StartCPUProfile(pf); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	var elapsed, cpu time.Duration
	start, cpuStart := time.Now(), processCPUTime()
	for i := 0; i < steps; i++ {
		if ctx != nil && ctx.Err() != nil {
			res.Interrupted = true
			logf("interrupted after %d steps; writing the checkpoint", res.StepsRun)
			break
		}
		var loss float32
		var err error
		if f.traceOut != "" && i == steps-1 {
			rec := &trace.Recorder{}
			loss, err = tr.StepTrace(rec)
			if err == nil {
				err = writeTrace(f.traceOut, &rec.Trace)
			}
		} else {
			loss, err = tr.Step()
		}
		if err != nil {
			var de *train.DivergedError
			if errors.As(err, &de) {
				return err
			}
			return fmt.Errorf("step %d: %w", tr.Steps()+1, err)
		}
		res.StepsRun++
		res.LastLoss = float64(loss)
		if len(recent) == cap(recent) {
			recent = append(recent[:0], recent[1:]...)
		}
		recent = append(recent, float64(loss))
		bar.Describe(fmt.Sprintf("%s loss %.4f", cfg.Spec.DisplayName(), loss))
		bar.Add(1)
		// End of an epoch: report test accuracy when training by epochs.
		if !changed("steps") && !f.noEval && tr.Cursor().Pos == 0 && i+1 < steps {
			elapsed += time.Since(start)
			cpu += processCPUTime() - cpuStart
			ev := tr.Evaluate(testSet)
			logf("epoch %d: train loss %.4f (last 100 steps), test accuracy %.2f%%, test loss %.4f", tr.Cursor().Epoch, mean(recent), 100*ev.Accuracy, ev.Loss)
			start, cpuStart = time.Now(), processCPUTime()
		}
	}
	elapsed += time.Since(start)
	cpu += processCPUTime() - cpuStart
	bar.Finish()
	res.Steps = tr.Steps()
	res.Epochs = float64(tr.Steps()) / float64(tr.StepsPerEpoch())
	res.FinalLoss = mean(recent)
	res.TrainSeconds = elapsed.Seconds()
	res.CPUSeconds = cpu.Seconds()
	if elapsed > 0 {
		res.SamplesPerSec = float64(res.StepsRun*cfg.Batch) / elapsed.Seconds()
	}
	if !f.noEval {
		ev := tr.Evaluate(testSet)
		res.TestAccuracy, res.TestLoss = ev.Accuracy, ev.Loss
	}
	file := tr.Checkpoint()
	enc := file.Encode()
	res.CheckpointHash = train.Hash(file)
	if f.out != "" {
		if err := writeFileAtomic(f.out, enc); err != nil {
			return fmt.Errorf("--out: %w", err)
		}
		res.Checkpoint = f.out
	}
	if !f.quiet {
		fmt.Fprintf(stderr, "%s: %d steps (%.2f epochs), final loss %.4f, test accuracy %.2f%%, %.0f samples/s, checkpoint %s (sha256 %s)\n",
			res.Model, res.Steps, res.Epochs, res.FinalLoss, 100*res.TestAccuracy, res.SamplesPerSec, orNone(res.Checkpoint), res.CheckpointHash)
	}
	if f.jsonOut {
		return writeJSON(cmd.OutOrStdout(), res)
	}
	return nil
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := 0.0
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

func orNone(s string) string {
	if s == "" {
		return "not written (no --out)"
	}
	return s
}

// writeJSON prints v as one JSON object and a newline.
func writeJSON(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// writeTrace writes a step's trace as JSON: {"step", "root", "ops"}.
func writeTrace(path string, tr *trace.Trace) error {
	b, err := json.MarshalIndent(struct {
		Step int64      `json:"step"`
		Root string     `json:"root"`
		Ops  []trace.Op `json:"ops"`
	}{tr.Step, tr.Root().String(), tr.Ops}, "", " ")
	if err != nil {
		return err
	}
	if err := writeFileAtomic(path, append(b, '\n')); err != nil {
		return fmt.Errorf("--trace: %w", err)
	}
	return nil
}

// writeFileAtomic writes b to path through a temporary file and a rename, so
// an interrupted write never leaves a truncated checkpoint.
func writeFileAtomic(path string, b []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
