package kernels

import (
	"testing"

	"tangent/ml/kernels/kernelstest"
)

// BenchmarkPool times cnn-small's two 2×2 max-pooling layers (batch 64),
// forward and backward, with 1 and 2 threads.
func BenchmarkPool(b *testing.B) {
	for _, l := range []struct {
		name string
		s    PoolShape
	}{
		{"pool1_6x24x24", PoolShape{N: 64, C: 6, H: 24, W: 24, R: 2, S: 2, StrideH: 2, StrideW: 2}},
		{"pool2_16x8x8", PoolShape{N: 64, C: 16, H: 8, W: 8, R: 2, S: 2, StrideH: 2, StrideW: 2}},
	} {
		s := l.s
		r := kernelstest.Rand(1)
		x, dy := kernelstest.Uniform(r, s.InLen()), kernelstest.Uniform(r, s.OutLen())
		y, arg, dx := make([]float32, s.OutLen()), make([]int32, s.OutLen()), make([]float32, s.InLen())
		for _, th := range []int{1, 2} {
			for _, pass := range []struct {
				name string
				fn   func()
			}{
				{"fwd", func() { MaxPool2D(s, x, y, arg) }},
				{"bwd", func() { MaxPool2DBackward(s, dy, arg, dx) }},
			} {
				b.Run(l.name+"/"+pass.name+"/threads="+itoa(th), func(b *testing.B) {
					prev := SetWorkers(th)
					defer SetWorkers(prev)
					var mt minTimer
					for b.Loop() {
						mt.start()
						pass.fn()
						mt.stop()
					}
					mt.report(b, 0)
				})
			}
		}
	}
}
