//go:build amd64 && !purego

package kernels

import (
	"math"
	"testing"

	"tangent/ml/kernels/kernelstest"
)

// TestFMA32Hardware compares FMA32 with the CPU's VFMADD231SS on many
// millions of triples from the same families as TestFMA32Exact.
func TestFMA32Hardware(t *testing.T) {
	if !hasAVX2 {
		t.Skip("no FMA instructions")
	}
	n := 20_000_000
	if testing.Short() {
		n = 1_000_000
	}
	const chunk = 1 << 16
	r := kernelstest.Rand(12)
	a, b, c := make([]float32, chunk), make([]float32, chunk), make([]float32, chunk)
	hw := make([]float32, chunk)
	for done := 0; done < n; done += chunk {
		for i := range a {
			a[i], b[i], c[i] = fmaTriple(r)
		}
		fmaSS(&hw[0], &a[0], &b[0], &c[0], chunk)
		for i := range a {
			if got := FMA32(a[i], b[i], c[i]); !kernelstest.Same(got, hw[i]) {
				t.Fatalf("FMA32(%g, %g, %g) = %g (%#08x), VFMADD231SS gives %g (%#08x)", a[i], b[i], c[i],
					got, math.Float32bits(got), hw[i], math.Float32bits(hw[i]))
			}
		}
	}
}
