package kernels

import (
	"runtime"
	"testing"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"

	"tangent/ml/kernels/kernelstest"
)

// BenchmarkGemmGonum is the baseline: gonum's float32 GEMM (pure Go,
// parallel over GOMAXPROCS) on the shapes of BenchmarkGemm. Its threads
// are set with GOMAXPROCS.
func BenchmarkGemmGonum(b *testing.B) {
	for _, s := range gemmShapes {
		for _, th := range []int{1, 2} {
			b.Run(s.name+"/gonum/threads="+itoa(th), func(b *testing.B) {
				r := kernelstest.Rand(1)
				ra, ca, rb, cb := s.m, s.k, s.k, s.n
				ta, tb := blas.NoTrans, blas.NoTrans
				if s.tA {
					ra, ca, ta = ca, ra, blas.Trans
				}
				if s.tB {
					rb, cb, tb = cb, rb, blas.Trans
				}
				a := blas32.General{Rows: ra, Cols: ca, Stride: ca, Data: kernelstest.Uniform(r, ra*ca)}
				bm := blas32.General{Rows: rb, Cols: cb, Stride: cb, Data: kernelstest.Uniform(r, rb*cb)}
				c := blas32.General{Rows: s.m, Cols: s.n, Stride: s.n, Data: make([]float32, s.m*s.n)}
				prev := runtime.GOMAXPROCS(th)
				defer runtime.GOMAXPROCS(prev)
				meter := startMeter(b)
				var mt minTimer
				for b.Loop() {
					mt.start()
					blas32.Gemm(ta, tb, 1, a, bm, 0, c)
					mt.stop()
				}
				flops := 2 * float64(s.m) * float64(s.n) * float64(s.k)
				meter.report(b, flops, th)
				mt.report(b, flops)
			})
		}
	}
}
