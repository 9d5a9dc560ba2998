package agg

import (
	"encoding/hex"
	"errors"
	"math"
	"slices"
	"testing"

	"tangent/fl/internal/splitmix"
	"tangent/fl/vec"
)

func TestCombineMatchesReference(t *testing.T) {
	s := splitmix.Gen(7)
	for _, n := range []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 13} {
		for _, p := range []int{1, 5, block - 1, block, block + 3, 3*block + 17} {
			xs := genUpdates(s.Next(), n, p, 10)
			coef := make([]float64, n)
			for i := range coef {
				coef[i] = float64(s.Float(3))
			}
			coef[0] = 0 // a zero coefficient still goes through the sum
			want := refCombine(xs, coef, 2.5)
			got := make([]float32, p)
			if bad := combine(got, xs, coef, 2.5); bad >= 0 {
				t.Fatalf("n=%d p=%d: combine reports non-finite at %d", n, p, bad)
			}
			if i := bitsEqual(got, want); i >= 0 {
				t.Fatalf("n=%d p=%d: combine differs from reference at %d: %v vs %v", n, p, i, got[i], want[i])
			}
		}
	}
}

// TestAccumulateMatchesReference compares the float64 sums themselves, bit
// for bit, with coefficients whose products are inexact: an implicit fused
// multiply-add in accumulate (a missing float64(...) conversion) fails here
// under GOARCH=arm64 or GOAMD64=v3, where the float32 outputs of the golden
// tests would almost always hide it.
func TestAccumulateMatchesReference(t *testing.T) {
	s := splitmix.Gen(8)
	for _, n := range []int{1, 2, 3, 4, 5, 7, 9} {
		xs := genUpdates(s.Next(), n, 300, 10)
		coef := make([]float64, n)
		for i := range coef {
			coef[i] = float64(s.Float(3)) / 7
		}
		a := make([]float64, 250)
		accumulate(a, xs, coef, 50)
		for j := range a {
			want := 0.0
			for i := range xs {
				want = want + float64(coef[i]*float64(xs[i][50+j]))
			}
			if math.Float64bits(a[j]) != math.Float64bits(want) {
				t.Fatalf("n=%d coordinate %d: %v, reference %v", n, 50+j, a[j], want)
			}
		}
	}
}

func TestRulesMatchReference(t *testing.T) {
	s := splitmix.Gen(11)
	for _, n := range []int{3, 4, 5, 7, 10, 11} {
		xs := genUpdates(s.Next(), n, 2*block+5, 1)
		w := make([]uint64, n)
		for i := range w {
			w[i] = 1 + s.Next()%1000
		}
		got, err := WeightedMean(nil, xs, w)
		if err != nil {
			t.Fatal(err)
		}
		if i := bitsEqual(got, refWeightedMean(xs, w)); i >= 0 {
			t.Fatalf("n=%d: WeightedMean differs at %d", n, i)
		}
		got, err = Median(nil, xs)
		if err != nil {
			t.Fatal(err)
		}
		if i := bitsEqual(got, refMedian(xs)); i >= 0 {
			t.Fatalf("n=%d: Median differs at %d", n, i)
		}
		for b := 0; 2*b < n; b++ {
			got, err = TrimmedMean(nil, xs, b)
			if err != nil {
				t.Fatal(err)
			}
			if i := bitsEqual(got, refTrimmedMean(xs, b)); i >= 0 {
				t.Fatalf("n=%d b=%d: TrimmedMean differs at %d", n, b, i)
			}
		}
		for f := 0; 2*f+3 <= n; f++ {
			for _, m := range []int{1, n - f, n} {
				got, sel, err := MultiKrum(nil, xs, nil, f, m)
				if err != nil {
					t.Fatal(err)
				}
				want, wantSel := refMultiKrum(xs, f, m)
				if !slices.Equal(sel, wantSel) {
					t.Fatalf("n=%d f=%d m=%d: selected %v, reference %v", n, f, m, sel, wantSel)
				}
				if i := bitsEqual(got, want); i >= 0 {
					t.Fatalf("n=%d f=%d m=%d: MultiKrum differs at %d", n, f, m, i)
				}
			}
		}
		g0 := genUpdates(s.Next(), 1, len(xs[0]), 1)[0]
		// Make some updates agree with the reference so trust is non-trivial.
		for j := range xs[0] {
			xs[0][j] = g0[j] + xs[0][j]/4
		}
		got, trust, err := FLTrust(nil, xs, g0)
		if err != nil {
			t.Fatal(err)
		}
		if trust[0] <= 0 {
			t.Fatalf("aligned update got trust %v", trust[0])
		}
		if i := bitsEqual(got, refFLTrust(xs, g0)); i >= 0 {
			t.Fatalf("n=%d: FLTrust differs at %d", n, i)
		}
	}
}

// TestGoldenHashes pins each rule's output bits on a fixed input. A change
// means every node would compute a different model: it must be deliberate.
// CI runs this with the default GOAMD64 and with GOAMD64=v3 (FMA available).
// testdata/golden_check.py recomputes the WeightedMean and Median hashes
// independently, in Python, from the formulas in doc.go.
func TestGoldenHashes(t *testing.T) {
	xs := genUpdates(2024, 7, 3000, 0.01)
	xs[6] = slices.Clone(xs[6])
	for j := range xs[6] {
		xs[6][j] *= -50 // an attacker
	}
	w := []uint64{600, 1200, 50, 7, 999, 4242, 1}
	g0 := genUpdates(99, 1, 3000, 0.01)[0]
	for j := range g0 {
		g0[j] = g0[j]/8 + xs[1][j]
	}
	run := map[string]func() ([]float32, error){
		"WeightedMean": func() ([]float32, error) { return WeightedMean(nil, xs, w) },
		"Median":       func() ([]float32, error) { return Median(nil, xs) },
		"TrimmedMean":  func() ([]float32, error) { return TrimmedMean(nil, xs, 2) },
		"MultiKrum": func() ([]float32, error) {
			out, _, err := MultiKrum(nil, xs, w, 2, 5)
			return out, err
		},
		"FLTrust": func() ([]float32, error) {
			out, _, err := FLTrust(nil, xs, g0)
			return out, err
		},
	}
	golden := map[string]string{
		"WeightedMean": "20c8123c964f8c68e9f405093def6126553a29e6a25c4bc137d56158f2620344",
		"Median":       "53513d67c01b7fd11abc1f7ff1a3c5c544dea2438369f0db91cc77d59d0f0581",
		"TrimmedMean":  "24720c343cb0f1d358c836cd7eaa410903072bbbefb3d4f4ad09ff2aefd8d341",
		"MultiKrum":    "03e7205bea9eb69a43a18eb7d3fae2ba5df1ebdf70ed6d8eae296dec5bf2133a",
		"FLTrust":      "e947272b0ee7a56f6521122f851b68fdeb406cbdc572adab1205639230251208",
	}
	for _, name := range []string{"WeightedMean", "Median", "TrimmedMean", "MultiKrum", "FLTrust"} {
		out, err := run[name]()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		h := vec.Hash(out)
		if got := hex.EncodeToString(h[:]); got != golden[name] {
			t.Errorf("%s: hash %s, golden %s", name, got, golden[name])
		}
	}
}

func TestWeightedMeanExactCases(t *testing.T) {
	xs := [][]float32{{1, 2, -4}, {3, 6, 4}}
	got, err := WeightedMean(nil, xs, []uint64{3, 1})
	if err != nil {
		t.Fatal(err)
	}
	if want := []float32{1.5, 3, -2}; !slices.Equal(got, want) {
		t.Errorf("got %v want %v", got, want)
	}
	dst := make([]float32, 3)
	got, _ = WeightedMean(dst, xs, []uint64{0, 5})
	if &got[0] != &dst[0] || !slices.Equal(got, xs[1]) {
		t.Errorf("dst not used or zero weight not excluded: %v", got)
	}
}

func TestErrors(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	good := [][]float32{{1, 2}, {3, 4}, {5, 6}, {7, 8}, {9, 10}}
	with := func(i, j int, v float32) [][]float32 {
		xs := make([][]float32, len(good))
		for k := range good {
			xs[k] = slices.Clone(good[k])
		}
		xs[i][j] = v
		return xs
	}
	short := [][]float32{{1, 2}, {3, 4}, {5}, {7, 8}, {9, 10}}
	rules := map[string]func([][]float32) error{
		"WeightedMean": func(xs [][]float32) error {
			_, err := WeightedMean(nil, xs, []uint64{1, 0, 1, 1, 1})
			return err
		},
		"Median":      func(xs [][]float32) error { _, err := Median(nil, xs); return err },
		"TrimmedMean": func(xs [][]float32) error { _, err := TrimmedMean(nil, xs, 1); return err },
		"MultiKrum":   func(xs [][]float32) error { _, _, err := MultiKrum(nil, xs, nil, 1, 3); return err },
		"FLTrust":     func(xs [][]float32) error { _, _, err := FLTrust(nil, xs, []float32{1, 1}); return err },
	}
	cases := []struct {
		name      string
		xs        [][]float32
		wantIndex int
		wantElem  int
	}{
		{"NaN in update 3", with(3, 1, nan), 3, 1},
		{"+Inf in update 1 (weight 0 in WeightedMean)", with(1, 0, inf), 1, 0},
		{"-Inf in update 4", with(4, 1, -inf), 4, 1},
		{"short update 2", short, 2, -1},
	}
	for name, rule := range rules {
		for _, c := range cases {
			err := rule(c.xs)
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Errorf("%s, %s: err = %v, want *InputError", name, c.name, err)
				continue
			}
			if ie.Index != c.wantIndex || ie.Elem != c.wantElem {
				t.Errorf("%s, %s: error names update %d element %d, want %d/%d (%v)", name, c.name, ie.Index, ie.Elem, c.wantIndex, c.wantElem, err)
			}
		}
		if err := rule(nil); !errors.Is(err, ErrNoUpdates) {
			t.Errorf("%s with no updates: %v", name, err)
		}
	}
	var pe *ParamError
	if _, err := WeightedMean(nil, good, []uint64{1, 2}); !errors.As(err, &pe) {
		t.Errorf("weight count: %v", err)
	}
	if _, err := WeightedMean(nil, good, make([]uint64, 5)); !errors.As(err, &pe) {
		t.Errorf("zero weights: %v", err)
	}
	if _, err := WeightedMean(nil, good, []uint64{1 << 52, 1 << 52, 1, 0, 0}); !errors.As(err, &pe) {
		t.Errorf("weights over 2^53: %v", err)
	}
	if _, err := TrimmedMean(nil, good, 3); !errors.As(err, &pe) {
		t.Errorf("trim too large: %v", err)
	}
	if _, _, err := MultiKrum(nil, good, nil, 2, 1); !errors.As(err, &pe) {
		t.Errorf("f too large: %v", err)
	}
	if _, _, err := FLTrust(nil, good, []float32{0, 0}); !errors.As(err, &pe) {
		t.Errorf("zero reference: %v", err)
	}
	big := [][]float32{{math.MaxFloat32}, {math.MaxFloat32}}
	if _, _, err := FLTrust(nil, big, []float32{math.MaxFloat32}); err != nil {
		t.Errorf("FLTrust at float32 max: %v", err)
	}
	if _, err := WeightedMean(nil, big, []uint64{1, 1}); err != nil {
		t.Errorf("mean of two MaxFloat32: %v", err)
	}
}
