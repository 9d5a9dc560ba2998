//go:build amd64 && !purego

package kernels

import (
	"flag"
	"testing"
)

var tune = flag.Bool("tune", false, "run BenchmarkGemmTune (blocking parameter sweep)")

// BenchmarkGemmTune sweeps the AVX-512 blocking parameters (go test
// -bench GemmTune -tune).
func BenchmarkGemmTune(b *testing.B) {
	if !*tune {
		b.Skip("needs -tune")
	}
	for _, kc := range []int{128, 192, 256, 384} {
		for _, nc := range []int{256, 512, 1024} {
			g := avx512Gemm
			g.kc, g.nc = kc, nc
			for _, sz := range []int{512, 1024} {
				b.Run("kc="+itoa(kc)+"/nc="+itoa(nc)+"/"+itoa(sz), func(b *testing.B) {
					benchGemm(b, &g, 1, false, false, sz, sz, sz)
				})
			}
		}
	}
}
