package agg

import "testing"

// The aggregation benchmark of issue 5: N updates of P floats, against a
// plain copy of the same input bytes measured in the same run
// (bench/fl.sh runs both and records bench/results/fl.json).
const benchN, benchP = 10, 1 << 20

func benchUpdates() [][]float32 { return genUpdates(1, benchN, benchP, 1) }

func BenchmarkWeightedMean(b *testing.B) {
	xs := benchUpdates()
	w := []uint64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	dst := make([]float32, benchP)
	b.SetBytes(int64(4 * benchN * benchP))
	b.ResetTimer()
	for range b.N {
		if _, err := WeightedMean(dst, xs, w); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCopy copies the same N·P·4 input bytes (update by update into one
// destination of the same total size): the memory-bandwidth baseline.
func BenchmarkCopy(b *testing.B) {
	xs := benchUpdates()
	dst := make([]float32, benchN*benchP)
	b.SetBytes(int64(4 * benchN * benchP))
	b.ResetTimer()
	for range b.N {
		for i, x := range xs {
			copy(dst[i*benchP:], x)
		}
	}
}

func BenchmarkMedian(b *testing.B) {
	xs := benchUpdates()
	dst := make([]float32, benchP)
	b.SetBytes(int64(4 * benchN * benchP))
	b.ResetTimer()
	for range b.N {
		if _, err := Median(dst, xs); err != nil {
			b.Fatal(err)
		}
	}
}
