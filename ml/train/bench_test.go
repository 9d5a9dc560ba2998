package train

import (
	"testing"

	"tangent/ml/optim"
)

// BenchmarkStep measures one training step (batch 64) of the built-in
// models; samples/s = 64 / (ns/op) * 1e9.
func BenchmarkStep(b *testing.B) {
	for _, name := range []string{"mlp", "cnn-small"} {
		b.Run(name, func(b *testing.B) {
			tr, _ := fashion(b)
			tn, err := New(Config{Spec: spec(b, name), Optim: optim.Config{Name: "sgd", LR: 0.01, Momentum: 0.9}, Batch: 64, Seed: 1}, tr)
			if err != nil {
				b.Fatal(err)
			}
			tn.Step()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := tn.Step(); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(64*float64(b.N)/b.Elapsed().Seconds(), "samples/s")
		})
	}
}
