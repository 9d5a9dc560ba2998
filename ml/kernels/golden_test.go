package kernels

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"tangent/ml/kernels/kernelstest"
)

var rewriteGolden = flag.Bool("rewrite", false, "rewrite testdata/golden.sha256")

const goldenFile = "testdata/golden.sha256"

// goldenWorkload runs a fixed, seeded workload through every kernel and
// returns the SHA-256 of all outputs. Any change of any output bit, on any
// machine, build setting or worker count, changes the hash.
func goldenWorkload() string {
	r := kernelstest.Rand(2024)
	var h kernelstest.Hasher
	for _, c := range []gemmCase{
		{m: 37, n: 45, k: 300},
		{m: 64, n: 200, k: 784, transB: true},
		{m: 200, n: 33, k: 64, transA: true, acc: true},
		{m: 17, n: 130, k: 129, transA: true, transB: true, padA: 3, padC: 1},
		{m: 1, n: 1, k: 1000},
	} {
		a, lda, b, ldb, cm, ldc := c.operands(r)
		Gemm(c.transA, c.transB, c.m, c.n, c.k, a, lda, b, ldb, cm, ldc, c.acc)
		h.Floats(cm)
	}
	for _, s := range []ConvShape{
		{N: 4, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, StrideH: 1, StrideW: 1},
		{N: 4, C: 6, H: 12, W: 12, K: 16, R: 5, S: 5, StrideH: 1, StrideW: 1},
		{N: 3, C: 3, H: 11, W: 9, K: 5, R: 3, S: 2, StrideH: 2, StrideW: 1, PadH: 1, PadW: 2},
	} {
		x, w, b := kernelstest.Slice(r, s.InLen()), kernelstest.Slice(r, s.WeightLen()), kernelstest.Slice(r, s.K)
		dy := kernelstest.Slice(r, s.OutLen())
		y, dx := make([]float32, s.OutLen()), make([]float32, s.InLen())
		dw, db := make([]float32, s.WeightLen()), make([]float32, s.K)
		Conv2D(s, x, w, b, y)
		Conv2DBackwardData(s, dy, w, dx)
		Conv2DBackwardFilter(s, x, dy, dw, db)
		h.Floats(y)
		h.Floats(dx)
		h.Floats(dw)
		h.Floats(db)
	}
	ps := PoolShape{N: 3, C: 4, H: 9, W: 8, R: 2, S: 3, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	x, dy := kernelstest.Slice(r, ps.InLen()), kernelstest.Slice(r, ps.OutLen())
	y, arg, dx := make([]float32, ps.OutLen()), make([]int32, ps.OutLen()), make([]float32, ps.InLen())
	MaxPool2D(ps, x, y, arg)
	MaxPool2DBackward(ps, dy, arg, dx)
	h.Floats(y)
	h.Int32s(arg)
	h.Floats(dx)

	const m, n = 50, 13
	v := kernelstest.Slice(r, m*n)
	for i := range v {
		v[i] *= 30
	}
	out := make([]float32, m*n)
	SoftmaxRows(m, n, v, n, out, n)
	h.Floats(out)
	lse := make([]float32, m)
	LogSumExpRows(m, n, v, n, lse)
	h.Floats(lse)
	col := make([]float32, n)
	SumColumns(m, n, v, n, col)
	h.Floats(col)
	e := make([]float32, len(v))
	for i, x := range v {
		e[i] = Exp32(x)
		out[i] = Log32(e[i]) + Sqrt32(float32(max(x, 0)))
	}
	h.Floats(e)
	h.Floats(out)
	z := kernelstest.Slice(r, len(v))
	Axpy(0.37, v, z)
	h.Floats(z)
	h.Floats([]float32{Sum(v), Dot(v, z)})
	return h.Sum()
}

// TestGolden checks the golden workload's hash against testdata, under
// every Gemm path and several worker counts (go test -run TestGolden
// -rewrite updates the file).
func TestGolden(t *testing.T) {
	want, err := os.ReadFile(goldenFile)
	if err != nil && !*rewriteGolden {
		t.Fatal(err)
	}
	var first string
	for _, g := range gemmPaths() {
		for _, w := range []int{1, 2, 8} {
			prev := SetWorkers(w)
			var got string
			withGemm(g, func() { got = goldenWorkload() })
			SetWorkers(prev)
			if first == "" {
				first = got
			}
			if got != first {
				t.Errorf("path %s, %d workers: hash %s differs from %s", g.name, w, got, first)
			}
		}
	}
	if *rewriteGolden {
		if err := os.WriteFile(goldenFile, []byte(first+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if first != strings.TrimSpace(string(want)) {
		t.Errorf("golden hash %s, want %s (%s); if the change is intended, rerun with -rewrite", first, strings.TrimSpace(string(want)), goldenFile)
	}
	t.Logf("golden %s over paths %v, GOARCH=%s", first, pathNames(), runtime.GOARCH)
}

func pathNames() []string {
	var ns []string
	for _, g := range gemmPaths() {
		ns = append(ns, g.name)
	}
	return ns
}

// TestGoldenBuilds rebuilds the package with other code-generation
// settings and runs TestGolden in each: the other GOAMD64 level (v3, where
// the compiler may fuse x*y+z, when this test runs at the default v1; v1
// when it runs at v3 or above) and the purego tag (no assembly at all). All must hit the pinned
// hash, which shows that no implicit FMA contraction changes any result.
// Cross-architecture runs (GOARCH=arm64) need an arm64 machine or emulator:
// run `go test -run TestGolden ./ml/kernels` there.
func TestGoldenBuilds(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package three times")
	}
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		t.Skipf("no go command: %v", err)
	}
	type build struct {
		name string
		env  []string
		args []string
	}
	builds := []build{{name: "purego", args: []string{"-tags", "purego"}}}
	if runtime.GOARCH == "amd64" {
		// This binary was built with one GOAMD64 level and TestGolden has
		// run in it; rebuild with the other one (v3 allows fusion).
		other := "v3"
		if out, err := exec.Command(goBin, "env", "GOAMD64").Output(); err == nil && strings.TrimSpace(string(out)) >= "v3" {
			other = "v1"
		}
		builds = append(builds, build{name: "GOAMD64=" + other, env: []string{"GOAMD64=" + other}})
	}
	for _, b := range builds {
		t.Run(b.name, func(t *testing.T) {
			args := append([]string{"test", "-count=1", "-run", "^TestGolden$"}, b.args...)
			args = append(args, ".")
			cmd := exec.Command(goBin, args...)
			cmd.Env = append(os.Environ(), b.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("go %s with %v: %v\n%s", strings.Join(args, " "), b.env, err, out)
			}
		})
	}
}
