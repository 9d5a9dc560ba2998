package train

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"tangent/ml/data"
	"tangent/ml/kernels"
	"tangent/ml/model"
	"tangent/ml/optim"
	"tangent/ml/trace"
)

var (
	fmOnce          sync.Once
	fmTrain, fmTest *data.Dataset
	fmErr           error
)

// fashion returns the installed Fashion-MNIST (CI installs the Debian
// package dataset-fashion-mnist; see .ci/run). The golden hashes are pinned
// on it, so its absence is a failure, not a skip.
func fashion(t testing.TB) (*data.Dataset, *data.Dataset) {
	t.Helper()
	fmOnce.Do(func() { fmTrain, fmTest, fmErr = data.Load(data.DefaultDir) })
	if fmErr != nil {
		t.Fatalf("these tests need Fashion-MNIST: %v", fmErr)
	}
	return fmTrain, fmTest
}

func spec(t testing.TB, name string) *model.Spec {
	t.Helper()
	s, ok := model.Builtin(name)
	if ok {
		return s
	}
	s, err := model.Parse([]byte(name))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// dropSpec is a small MLP with dropout, so that the dropout stream is
// covered by the determinism tests.
const dropSpec = `{"input":[1,28,28],"classes":10,"layers":[{"type":"flatten"},{"type":"dense","out":64},{"type":"relu"},{"type":"dropout","rate":0.25},{"type":"dense","out":10}]}`

// goldens are the runs TestGolden pins; testdata/golden.txt holds their
// checkpoint hashes ("name hash" per line).
var goldens = []struct {
	name  string
	cfg   func(t testing.TB) Config
	steps int
}{
	{"cnn-small-sgd", func(t testing.TB) Config {
		return Config{Spec: spec(t, "cnn-small"), Optim: optim.Config{Name: "sgd", LR: 0.05, Momentum: 0.9}, Batch: 32, Seed: 1}
	}, 10},
	{"mlp-dropout-adam", func(t testing.TB) Config {
		return Config{Spec: spec(t, dropSpec), Optim: optim.Config{Name: "adamw", LR: 0.001, WeightDecay: 0.01}, Batch: 50, Seed: 7}
	}, 10},
}

func run(t testing.TB, cfg Config, steps int) *Trainer {
	t.Helper()
	tr, _ := fashion(t)
	tn, err := New(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < steps; i++ {
		if _, err := tn.Step(); err != nil {
			t.Fatal(err)
		}
	}
	return tn
}

// TestGolden pins the checkpoint hash after a few steps. A change here means
// training no longer gives the bits it gave: every stored checkpoint and
// trace hash is then orphaned. Update the hashes only for a deliberate
// change of the numerics or of the checkpoint format.
//
// go test -run '^TestGolden$' -update rewrites testdata/golden.txt.
func TestGolden(t *testing.T) {
	want := map[string]string{}
	b, err := os.ReadFile("testdata/golden.txt")
	if err != nil && !*update {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) == 2 && !strings.HasPrefix(line, "#") {
			want[f[0]] = f[1]
		}
	}
	out := "# checkpoint hashes after the runs of TestGolden (ml/train/train_test.go)\n"
	for _, g := range goldens {
		got := Hash(run(t, g.cfg(t), g.steps).Checkpoint())
		out += g.name + " " + got + "\n"
		if got != want[g.name] && !*update {
			t.Errorf("%s: checkpoint hash after %d steps = %s, want %s", g.name, g.steps, got, want[g.name])
		}
	}
	if *update {
		if err := os.WriteFile("testdata/golden.txt", []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

var update = flag.Bool("update", false, "rewrite testdata/golden.txt")

// TestDeterminismThreads: the same hash for any worker count and GOMAXPROCS.
func TestDeterminismThreads(t *testing.T) {
	defer kernels.SetWorkers(kernels.SetWorkers(0))
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(0))
	for _, g := range goldens {
		var first string
		for _, procs := range []int{1, 2, 8} {
			for _, w := range []int{0, 1, 3} {
				runtime.GOMAXPROCS(procs)
				kernels.SetWorkers(w)
				h := Hash(run(t, g.cfg(t), 6).Checkpoint())
				if first == "" {
					first = h
				} else if h != first {
					t.Fatalf("%s: GOMAXPROCS=%d workers=%d gives %s, first run %s", g.name, procs, w, h, first)
				}
			}
		}
	}
}

// TestResume: stopping, encoding, decoding and restoring gives the same
// checkpoint as training straight through, across an epoch boundary too.
func TestResume(t *testing.T) {
	tr, _ := fashion(t)
	for _, g := range goldens {
		cfg := g.cfg(t)
		full := Hash(run(t, cfg, 9).Checkpoint())
		half := run(t, cfg, 4).Checkpoint()
		f, err := DecodeFile(half.Encode())
		if err != nil {
			t.Fatal(err)
		}
		oc, err := OptionsFrom(f)
		if err != nil {
			t.Fatal(err)
		}
		tn, err := Restore(oc, tr, f)
		if err != nil {
			t.Fatal(err)
		}
		if Hash(tn.Checkpoint()) != Hash(half) {
			t.Fatalf("%s: restored checkpoint differs from the saved one", g.name)
		}
		for i := 0; i < 5; i++ {
			if _, err := tn.Step(); err != nil {
				t.Fatal(err)
			}
		}
		if got := Hash(tn.Checkpoint()); got != full {
			t.Fatalf("%s: resumed run %s, continuous %s", g.name, got, full)
		}
	}
	// Across an epoch boundary, on a small subset.
	idx := make([]int, 100)
	for i := range idx {
		idx[i] = i * 7
	}
	sub := tr.Subset(idx)
	cfg := goldens[0].cfg(t)
	cfg.Batch = 30 // 3 steps per epoch, 10 examples dropped
	a, _ := New(cfg, sub)
	for range 7 {
		a.Step()
	}
	b, _ := New(cfg, sub)
	for range 2 {
		b.Step()
	}
	f, _ := DecodeFile(b.Checkpoint().Encode())
	c, err := Restore(cfg, sub, f)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		c.Step()
	}
	if Hash(a.Checkpoint()) != Hash(c.Checkpoint()) || c.Cursor().Epoch != 2 {
		t.Fatal("resume across epochs differs")
	}
}

func TestRestoreErrors(t *testing.T) {
	tr, _ := fashion(t)
	cfg := goldens[0].cfg(t)
	f := run(t, cfg, 1).Checkpoint()
	other := cfg
	other.Spec = spec(t, "mlp")
	_, err := Restore(other, tr, f)
	var sm *SpecMismatchError
	if !errors.As(err, &sm) || !strings.Contains(err.Error(), "written for model cnn-small") || !strings.Contains(err.Error(), "--model cnn-small") {
		t.Fatalf("other spec: %v", err)
	}
	bad := cfg
	bad.Batch = 64
	if _, err := Restore(bad, tr, f); err == nil || !strings.Contains(err.Error(), "--batch 32") {
		t.Fatalf("other batch: %v", err)
	}
	bad = cfg
	bad.Optim = optim.Config{Name: "adam", LR: 0.001}
	if _, err := Restore(bad, tr, f); err == nil || !strings.Contains(err.Error(), "same optimizer") {
		t.Fatalf("other optimizer: %v", err)
	}
	if _, err := Restore(cfg, tr.Subset([]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33}), f); err == nil || !strings.Contains(err.Error(), "other data") {
		t.Fatalf("other data: %v", err)
	}
	delete(f.Tensors, "layers.0.bias")
	if _, err := Restore(cfg, tr, f); err == nil || !strings.Contains(err.Error(), "no tensor layers.0.bias") {
		t.Fatalf("missing tensor: %v", err)
	}
}

func TestDiverged(t *testing.T) {
	tr, _ := fashion(t)
	cfg := goldens[0].cfg(t)
	cfg.Optim.LR = 1e30
	tn, err := New(cfg, tr)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20; i++ {
		if _, err = tn.Step(); err != nil {
			break
		}
	}
	var de *DivergedError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "lower the learning rate") || !strings.Contains(err.Error(), fmt.Sprintf("step %d:", de.Step+1)) {
		t.Fatalf("got %v", err)
	}
}

// TestTraceReplay: every operator of a traced cnn-small step (forward,
// loss, backward, optimizer) re-executed alone gives the recorded roots, and
// the traced step leaves the same state as an untraced one.
func TestTraceReplay(t *testing.T) {
	cfg := goldens[0].cfg(t)
	a := run(t, cfg, 2)
	b := run(t, cfg, 2)
	rec := &trace.Recorder{KeepData: true}
	if _, err := a.StepTrace(rec); err != nil {
		t.Fatal(err)
	}
	b.Step()
	if Hash(a.Checkpoint()) != Hash(b.Checkpoint()) {
		t.Fatal("tracing changed the step's result")
	}
	updates := 0
	tr, _ := fashion(t)
	if rec.Trace.Ops[0].Kind != "data.batch" || rec.Trace.Ops[1].Inputs[0].Root != rec.Trace.Ops[0].Outputs[0].Root {
		t.Fatal("the trace does not start with the batch feeding the first layer")
	}
	for _, op := range rec.Trace.Ops {
		if err := Replay(op, rec.Data, tr); err != nil {
			t.Fatal(err)
		}
		if op.Kind == "optim.update" {
			updates++
		}
	}
	if updates != len(a.Network().Params) || rec.Trace.Step != 2 {
		t.Fatalf("%d optimizer ops for %d params, step %d", updates, len(a.Network().Params), rec.Trace.Step)
	}
	// A wrong batch is caught.
	bad := rec.Trace.Ops[0]
	bad.Attrs = trace.Attrs{"seed": "1", "epoch": "0", "pos": "32", "batch": "32", "data_hash": bad.Attrs["data_hash"]}
	if err := Replay(bad, rec.Data, tr); err == nil {
		t.Fatal("another batch passed as this step's")
	}
	// The trace's last weights are the checkpoint's.
	ck := a.Checkpoint()
	last := rec.Trace.Ops[len(rec.Trace.Ops)-1]
	p := a.Network().Params[len(a.Network().Params)-1]
	if last.Outputs[0].Root != trace.TensorRoot(ck.Tensors[p.Name].Data) {
		t.Fatal("trace output root is not the checkpoint's tensor")
	}
}

func TestEvaluate(t *testing.T) {
	_, te := fashion(t)
	tn := run(t, goldens[0].cfg(t), 30)
	sub := te.Subset([]int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 97, 98, 99})
	ev := tn.Evaluate(sub)
	if ev.N != 100 || ev.Accuracy < 0.2 || ev.Loss <= 0 {
		t.Fatalf("after 30 steps: %+v", ev)
	}
	// Evaluation does not change the training state.
	h := Hash(tn.Checkpoint())
	tn.Evaluate(sub)
	if Hash(tn.Checkpoint()) != h {
		t.Fatal("Evaluate changed the state")
	}
}

// TestGoldenAcrossBuilds rebuilds this package with GOAMD64=v1 and v3 (where
// the compiler may fuse a*b+c into an FMA) and with the purego tag (no SIMD
// kernels), and runs TestGolden in each: every build must give the pinned
// hashes.
func TestGoldenAcrossBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("rebuilds the package three times; skipped with -short")
	}
	if runtime.GOARCH != "amd64" {
		t.Skip("GOAMD64 levels exist on amd64 only")
	}
	gobin := filepath.Join(runtime.GOROOT(), "bin", "go")
	for _, b := range []struct{ env, tags string }{{"GOAMD64=v1", ""}, {"GOAMD64=v3", ""}, {"GOAMD64=v3", "purego"}} {
		args := []string{"test", "-count=1", "-run", "^TestGolden$"}
		if b.tags != "" {
			args = append(args, "-tags", b.tags)
		}
		cmd := exec.Command(gobin, append(args, ".")...)
		cmd.Env = append(os.Environ(), b.env)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Errorf("%s tags=%q: %v\n%s", b.env, b.tags, err, out)
		}
	}
}

// TestGoldenArm64 cross-compiles this package for arm64 and runs TestGolden
// under qemu-aarch64: the same checkpoint hashes on another architecture
// (where the compiler would fuse a*b+c freely). It takes minutes, so it runs
// only with TANGENT_TEST_ARM64=1 and qemu-aarch64 installed:
//
//	TANGENT_TEST_ARM64=1 go test -run TestGoldenArm64 ./ml/train
func TestGoldenArm64(t *testing.T) {
	if os.Getenv("TANGENT_TEST_ARM64") != "1" {
		t.Skip("set TANGENT_TEST_ARM64=1 to run (needs qemu-aarch64; takes minutes)")
	}
	qemu, err := exec.LookPath("qemu-aarch64")
	if err != nil {
		t.Fatal("qemu-aarch64 not found: apt-get install qemu-user")
	}
	bin := filepath.Join(t.TempDir(), "train.test")
	build := exec.Command(filepath.Join(runtime.GOROOT(), "bin", "go"), "test", "-c", "-o", bin, ".")
	build.Env = append(os.Environ(), "GOARCH=arm64")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("cross-compiling: %v\n%s", err, out)
	}
	out, err := exec.Command(qemu, bin, "-test.run", "^TestGolden$", "-test.v").CombinedOutput()
	if err != nil {
		t.Fatalf("arm64: %v\n%s", err, out)
	}
	t.Logf("arm64:\n%s", out)
}
