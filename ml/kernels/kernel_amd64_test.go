//go:build amd64 && !purego

package kernels

import (
	"testing"

	"tangent/ml/kernels/kernelstest"
)

// BenchmarkMicroKernel runs the largest AVX-512 and AVX2 tiles on panels
// that fit in L1, to separate the kernel's own speed from memory effects.
func BenchmarkMicroKernel(b *testing.B) {
	r := kernelstest.Rand(1)
	for _, kc := range []int{64, 256} {
		if hasAVX512 {
			b.Run("avx512/14x32/kc="+itoa(kc), func(b *testing.B) {
				ap, bp, c := kernelstest.Uniform(r, 14*kc), kernelstest.Uniform(r, 32*kc), make([]float32, 14*32)
				meter := startMeter(b)
				for b.Loop() {
					avx512Gemm.tile(kc, ap, 14, bp, c, 32, 14, 32, true)
				}
				meter.report(b, 2*14*32*float64(kc), 1)
			})
		}
		if hasAVX2 {
			b.Run("avx2/6x16/kc="+itoa(kc), func(b *testing.B) {
				ap, bp, c := kernelstest.Uniform(r, 6*kc), kernelstest.Uniform(r, 16*kc), make([]float32, 6*16)
				meter := startMeter(b)
				for b.Loop() {
					avx2Gemm.tile(kc, ap, 6, bp, c, 16, 6, 16, true)
				}
				meter.report(b, 2*6*16*float64(kc), 1)
			})
		}
	}
}
