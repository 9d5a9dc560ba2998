package kernels

import (
	"strconv"
	"testing"
	"time"

	"tangent/ml/kernels/kernelstest"
)

func itoa(i int) string { return strconv.Itoa(i) }

// gemmShapes are the benchmarked shapes: square sizes, and the dense
// layers of the mlp model at batch 64 (forward, and the two backward GEMMs).
var gemmShapes = []struct {
	name    string
	tA, tB  bool
	m, n, k int
}{
	{"sq256", false, false, 256, 256, 256},
	{"sq512", false, false, 512, 512, 512},
	{"sq1024", false, false, 1024, 1024, 1024},
	{"mlp_fwd_64x784x200", false, true, 64, 200, 784},
	{"mlp_dW_200x784x64", true, false, 200, 784, 64},
	{"mlp_dX_64x784x200", false, false, 64, 784, 200},
}

func benchGemm(b *testing.B, g *gemmKernel, threads int, tA, tB bool, m, n, k int) {
	r := kernelstest.Rand(1)
	lda, ldb := k, n
	if tA {
		lda = m
	}
	if tB {
		ldb = k
	}
	a := kernelstest.Uniform(r, m*k)
	bm := kernelstest.Uniform(r, k*n)
	c := make([]float32, m*n)
	prev := SetWorkers(threads)
	defer SetWorkers(prev)
	old := activeGemm
	activeGemm = g
	defer func() { activeGemm = old }()
	meter := startMeter(b)
	var mt minTimer
	for b.Loop() {
		mt.start()
		Gemm(tA, tB, m, n, k, a, lda, bm, ldb, c, n, false)
		mt.stop()
	}
	meter.report(b, 2*float64(m)*float64(n)*float64(k), threads)
	mt.report(b, 2*float64(m)*float64(n)*float64(k))
}

// BenchmarkGemm runs every Gemm path on every shape with 1 and 2 threads.
func BenchmarkGemm(b *testing.B) {
	for _, s := range gemmShapes {
		for _, g := range gemmPaths() {
			for _, th := range []int{1, 2} {
				if g.name == "go" && s.m*s.n*s.k > 512*512*512 {
					continue // minutes per iteration
				}
				b.Run(s.name+"/"+g.name+"/threads="+itoa(th), func(b *testing.B) {
					benchGemm(b, g, th, s.tA, s.tB, s.m, s.n, s.k)
				})
			}
		}
	}
}

// minTimer records the fastest single iteration: on a shared machine the
// least disturbed iteration is the best estimate of quiet-machine speed.
type minTimer struct {
	min time.Duration
	t0  time.Time
}

func (m *minTimer) start() { m.t0 = time.Now() }
func (m *minTimer) stop() {
	if d := time.Since(m.t0); m.min == 0 || d < m.min {
		m.min = d
	}
}

// report adds the best-iteration metrics for an op of flopsPerOp.
func (m *minTimer) report(b *testing.B, flopsPerOp float64) {
	if m.min > 0 {
		b.ReportMetric(float64(m.min.Nanoseconds()), "min-ns/op")
		b.ReportMetric(flopsPerOp/m.min.Seconds()/1e9, "best-GFLOP/s")
	}
}

// flopsMeter reports GFLOP/s per wall-second and per CPU-second (divided
// by the number of threads) for a benchmark that does flopsPerOp per
// iteration.
type flopsMeter struct{ cpu0 time.Duration }

func startMeter(b *testing.B) flopsMeter {
	b.ResetTimer()
	return flopsMeter{cpuTime()}
}

func (m flopsMeter) report(b *testing.B, flopsPerOp float64, threads int) {
	total := flopsPerOp * float64(b.N)
	b.ReportMetric(total/b.Elapsed().Seconds()/1e9, "GFLOP/s")
	if cpu := cpuTime() - m.cpu0; cpu > 0 {
		b.ReportMetric(total/(cpu.Seconds()/float64(threads))/1e9, "GFLOP/cpu-s")
	}
}
