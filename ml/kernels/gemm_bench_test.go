package kernels

import (
	"strconv"
	"testing"

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
	a := kernelstest.Slice(r, m*k)
	bm := kernelstest.Slice(r, k*n)
	c := make([]float32, m*n)
	prev := SetWorkers(threads)
	defer SetWorkers(prev)
	old := activeGemm
	activeGemm = g
	defer func() { activeGemm = old }()
	b.ResetTimer()
	for b.Loop() {
		Gemm(tA, tB, m, n, k, a, lda, bm, ldb, c, n, false)
	}
	b.ReportMetric(2*float64(m)*float64(n)*float64(k)*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
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
