//go:build amd64 && !purego

package kernels

import (
	"sync"
	"testing"
)

// benchPeak measures the FMA throughput of the CPU with independent
// VFMADD231PS chains (12 per iteration) on `threads` goroutines, as
// GFLOP/s (2 flops per lane).
func benchPeak(b *testing.B, fn func(int), lanes, threads int) {
	const iters = 1 << 16
	meter := startMeter(b)
	var mt minTimer
	for b.Loop() {
		mt.start()
		var wg sync.WaitGroup
		for t := 0; t < threads; t++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fn(iters)
			}()
		}
		wg.Wait()
		mt.stop()
	}
	flops := float64(iters) * 12 * float64(lanes) * 2 * float64(threads)
	meter.report(b, flops, threads)
	mt.report(b, flops)
}

func BenchmarkFMAPeak(b *testing.B) {
	for _, th := range []int{1, 2} {
		if hasAVX512 {
			b.Run("zmm/threads="+itoa(th), func(b *testing.B) { benchPeak(b, fmaPeakZMM, 16, th) })
		}
		if hasAVX2 {
			b.Run("ymm/threads="+itoa(th), func(b *testing.B) { benchPeak(b, fmaPeakYMM, 8, th) })
		}
	}
}
