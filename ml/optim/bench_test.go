package optim

import "testing"

func BenchmarkSGDMomentum(b *testing.B) {
	n := 200000
	w, g := make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(i%7) * 0.01
	}
	o := New(Config{Name: SGD, LR: 0.01, Momentum: 0.9}, []int{n})
	b.SetBytes(int64(16 * n))
	for b.Loop() {
		o.Update([][]float32{w}, [][]float32{g})
	}
}

func BenchmarkAdam(b *testing.B) {
	n := 200000
	w, g := make([]float32, n), make([]float32, n)
	for i := range g {
		g[i] = float32(i%7) * 0.01
	}
	o := New(Config{Name: Adam, LR: 0.001}.WithDefaults(), []int{n})
	b.SetBytes(int64(20 * n))
	for b.Loop() {
		o.Update([][]float32{w}, [][]float32{g})
	}
}
