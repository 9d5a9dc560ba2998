package kernels

import (
	"testing"

	"tangent/ml/kernels/kernelstest"
)

// cnnSmallConvs are the two convolutions of the cnn-small model at batch 64.
var cnnSmallConvs = []struct {
	name string
	s    ConvShape
}{
	{"conv1_1x28x28_6x5x5", ConvShape{N: 64, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, StrideH: 1, StrideW: 1}},
	{"conv2_6x12x12_16x5x5", ConvShape{N: 64, C: 6, H: 12, W: 12, K: 16, R: 5, S: 5, StrideH: 1, StrideW: 1}},
}

// BenchmarkConv times cnn-small's convolutions (batch 64): forward,
// backward to the input, backward to the weights and bias, with 1 and 2
// threads. GFLOP/s counts 2·N·K·OH·OW·C·R·S per pass.
func BenchmarkConv(b *testing.B) {
	for _, l := range cnnSmallConvs {
		s := l.s
		r := kernelstest.Rand(1)
		x := kernelstest.Uniform(r, s.InLen())
		w := kernelstest.Uniform(r, s.WeightLen())
		bias := kernelstest.Uniform(r, s.K)
		y := make([]float32, s.OutLen())
		dy := kernelstest.Uniform(r, s.OutLen())
		dx := make([]float32, s.InLen())
		dw := make([]float32, s.WeightLen())
		db := make([]float32, s.K)
		flops := 2 * float64(s.N*s.K*s.OutH()*s.OutW()*s.C*s.R*s.S)
		for _, th := range []int{1, 2} {
			for _, pass := range []struct {
				name string
				fn   func()
			}{
				{"fwd", func() { Conv2D(s, x, w, bias, y) }},
				{"bwdData", func() { Conv2DBackwardData(s, dy, w, dx) }},
				{"bwdFilter", func() { Conv2DBackwardFilter(s, x, dy, dw, db) }},
			} {
				b.Run(l.name+"/"+pass.name+"/threads="+itoa(th), func(b *testing.B) {
					prev := SetWorkers(th)
					defer SetWorkers(prev)
					meter := startMeter(b)
					var mt minTimer
					for b.Loop() {
						mt.start()
						pass.fn()
						mt.stop()
					}
					meter.report(b, flops, th)
					mt.report(b, flops)
				})
			}
		}
	}
}
