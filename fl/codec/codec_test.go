package codec

import (
	"bytes"
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func randUpdate(r *rand.Rand, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * math.Exp(r.NormFloat64()))
	}
	return x
}

// refTopK is the simple twin of TopK: sort every index by (|x| desc, index
// asc), keep k, sort ascending.
func refTopK(x []float32, k int) []uint32 {
	idx := make([]uint32, len(x))
	for i := range idx {
		idx[i] = uint32(i)
	}
	slices.SortStableFunc(idx, func(a, b uint32) int {
		va, vb := math.Abs(float64(x[a])), math.Abs(float64(x[b]))
		switch {
		case va > vb:
			return -1
		case va < vb:
			return 1
		}
		return 0
	})
	out := slices.Clone(idx[:k])
	slices.Sort(out)
	return out
}

func TestTopKMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for trial := range 300 {
		n := 1 + r.IntN(3000)
		x := randUpdate(r, n)
		switch trial % 4 {
		case 1: // many exact ties, both signs, zeros
			for i := range x {
				x[i] = float32(r.IntN(5) - 2)
			}
		case 2: // ties in the high 16 bits only
			for i := range x {
				x[i] = math.Float32frombits(0x3f800000 | uint32(r.IntN(1<<16)))
				if r.IntN(2) == 0 {
					x[i] = -x[i]
				}
			}
		case 3:
			clear(x)
		}
		k := r.IntN(n + 1)
		if got, want := TopK(x, k), refTopK(x, k); !slices.Equal(got, want) {
			t.Fatalf("trial %d n=%d k=%d: TopK differs from reference\n got %v\nwant %v", trial, n, k, got, want)
		}
	}
}

func equalSparse(a, b Sparse) bool {
	if a.Dim != b.Dim || math.Float32bits(a.Scale) != math.Float32bits(b.Scale) || !slices.Equal(a.Index, b.Index) || len(a.Value) != len(b.Value) {
		return false
	}
	for k := range a.Value {
		if math.Float32bits(a.Value[k]) != math.Float32bits(b.Value[k]) {
			return false
		}
	}
	return true
}

func TestRoundTripExact(t *testing.T) {
	r := rand.New(rand.NewPCG(2, 2))
	for _, dim := range []int{1, 7, 8, 9, 1000, 100_000} {
		for _, frac := range []float64{0, 0.001, 0.01, 0.1, 0.2, 0.5, 1} {
			k := int(float64(dim) * frac)
			c, err := NewCompressor(dim, Config{K: max(k, 1)})
			if err != nil {
				t.Fatal(err)
			}
			u := randUpdate(r, dim)
			s, err := c.Compress(u)
			if err != nil {
				t.Fatal(err)
			}
			b, err := Encode(s)
			if err != nil {
				t.Fatal(err)
			}
			if len(b) != EncodedSize(s) {
				t.Fatalf("dim %d k %d: EncodedSize %d, Encode wrote %d", dim, k, EncodedSize(s), len(b))
			}
			got, err := Decode(b, DefaultLimits())
			if err != nil {
				t.Fatalf("dim %d k %d: %v", dim, k, err)
			}
			if !equalSparse(got, s) {
				t.Fatalf("dim %d k %d: decode(encode(x)) != x", dim, k)
			}
			// Unquantized: the sent values are exactly the top-k of the update.
			for j, i := range s.Index {
				if math.Float32bits(s.Value[j]) != math.Float32bits(u[i]) {
					t.Fatalf("value %d changed", i)
				}
			}
		}
	}
}

func TestQuantizedErrorBound(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 3))
	dim := 50_000
	c, _ := NewCompressor(dim, Config{K: 500, Quantize: true})
	u := randUpdate(r, dim)
	s, err := c.Compress(u)
	if err != nil {
		t.Fatal(err)
	}
	if s.Scale == 0 {
		t.Fatal("not quantized")
	}
	b, _ := Encode(s)
	got, err := Decode(b, DefaultLimits())
	if err != nil || !equalSparse(got, s) {
		t.Fatalf("quantized round trip: %v", err)
	}
	want := refTopK(u, 500)
	if !slices.Equal(s.Index, want) {
		t.Fatal("quantized message has other indices than the top-k")
	}
	res := c.Residual()
	for k, i := range s.Index {
		errAbs := math.Abs(float64(s.Value[k]) - float64(u[i]))
		bound := 0.5*float64(s.Scale) + math.Abs(float64(u[i]))*0x1p-23
		if errAbs > bound {
			t.Fatalf("entry %d: |error| %g > bound %g (scale %g)", i, errAbs, bound, s.Scale)
		}
		// The rounding error is kept for the next round.
		if res[i] != u[i]-s.Value[k] {
			t.Fatalf("residual at %d is %g, want %g", i, res[i], u[i]-s.Value[k])
		}
	}
	if len(b) != 2+3+2+deltaIndexBytes(s.Index)+4+500 {
		t.Fatalf("quantized size %d", len(b))
	}
}

// TestErrorFeedbackConservesMass checks the point of error feedback: after
// T rounds, everything sent plus the residual equals the sum of the updates
// (up to float32 rounding of the running sums), and a coordinate that is
// never large enough alone is eventually sent.
func TestErrorFeedbackConservesMass(t *testing.T) {
	for _, quant := range []bool{false, true} {
		r := rand.New(rand.NewPCG(4, 4))
		dim, k := 2000, 20
		c, _ := NewCompressor(dim, Config{K: k, Quantize: quant})
		sumU := make([]float64, dim)
		sumSent := make([]float64, dim)
		sentCount := make([]int, dim)
		for range 400 {
			u := randUpdate(r, dim)
			u[dim-1] = 0.1 // small but steady: must get through eventually
			for i, v := range u {
				sumU[i] += float64(v)
			}
			s, err := c.Compress(u)
			if err != nil {
				t.Fatal(err)
			}
			for j, i := range s.Index {
				sumSent[i] += float64(s.Value[j])
				sentCount[i]++
			}
		}
		res := c.Residual()
		for i := range sumU {
			if d := math.Abs(sumSent[i] + float64(res[i]) - sumU[i]); d > 1e-3*(1+math.Abs(sumU[i])) {
				t.Fatalf("quant=%v coord %d: sent+residual = %g, updates sum %g", quant, i, sumSent[i]+float64(res[i]), sumU[i])
			}
		}
		if sentCount[dim-1] == 0 {
			t.Errorf("quant=%v: the steady small coordinate was never sent", quant)
		}
	}
}

// TestSizeRatios is the compression claim of DESIGN.md §1.1 step 2: at
// k = 0.5 % a 1M-parameter update costs ≤ 1 % of its dense bytes.
func TestSizeRatios(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 5))
	dim := 1 << 20
	u := randUpdate(r, dim)
	cases := []struct {
		ppm      int
		quantize bool
		maxRatio float64
	}{
		{5000, false, 0.0100},
		{5000, true, 0.0050},
		{1000, false, 0.0025},
		{1000, true, 0.0010},
		{10000, true, 0.0060},
	}
	for _, c := range cases {
		comp, _ := NewCompressor(dim, Config{K: KForFraction(dim, c.ppm), Quantize: c.quantize})
		s, err := comp.Compress(u)
		if err != nil {
			t.Fatal(err)
		}
		ratio := float64(EncodedSize(s)) / float64(DenseSize(dim))
		t.Logf("k = %.2f %%, quantize=%v: %d bytes = %.3f %% of dense", float64(c.ppm)/1e4, c.quantize, EncodedSize(s), 100*ratio)
		if ratio > c.maxRatio {
			t.Errorf("k = %d ppm quantize=%v: %.4f of dense, want ≤ %.4f", c.ppm, c.quantize, ratio, c.maxRatio)
		}
	}
}

func TestBitmapChosenWhenDenser(t *testing.T) {
	dim := 1000
	s := Sparse{Dim: dim}
	for i := 0; i < dim; i += 2 {
		s.Index = append(s.Index, uint32(i))
		s.Value = append(s.Value, 1)
	}
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if b[1]&flagBitmap == 0 {
		t.Fatal("bitmap not chosen at 50 % density")
	}
	if want := 2 + 2 + 2 + 125 + 4*500; len(b) != want {
		t.Fatalf("size %d want %d", len(b), want)
	}
	got, err := Decode(b, DefaultLimits())
	if err != nil || !equalSparse(got, s) {
		t.Fatalf("bitmap round trip: %v", err)
	}
}

func mustEncode(t *testing.T, s Sparse) []byte {
	t.Helper()
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeRejects(t *testing.T) {
	valid := mustEncode(t, Sparse{Dim: 20, Index: []uint32{3, 7}, Value: []float32{1.5, -2}})
	quant := mustEncode(t, Sparse{Dim: 20, Index: []uint32{3, 7}, Value: []float32{127 * 0.5, -0.5}, Scale: 0.5})
	bitmap := mustEncode(t, Sparse{Dim: 9, Index: []uint32{0, 1, 2, 3, 4, 5, 6, 7, 8}, Value: make([]float32, 9)})
	if bitmap[1]&flagBitmap == 0 {
		t.Fatal("fixture should use the bitmap")
	}
	mod := func(b []byte, f func([]byte) []byte) []byte { return f(slices.Clone(b)) }
	nan := math.Float32bits(float32(math.NaN()))
	cases := []struct {
		name string
		b    []byte
	}{
		{"empty", nil},
		{"version 2", mod(valid, func(b []byte) []byte { b[0] = 2; return b })},
		{"unknown flag", mod(valid, func(b []byte) []byte { b[1] |= 4; return b })},
		{"dim zero", []byte{1, 0, 0, 0}},
		{"non-minimal varint", []byte{1, 0, 0x94, 0x00, 0}},
		{"nnz > dim", []byte{1, 0, 2, 3, 0, 0, 0}},
		{"truncated values", valid[:len(valid)-1]},
		{"trailing byte", append(slices.Clone(valid), 0)},
		{"index >= dim", mod(valid, func(b []byte) []byte { b[5] = 16; return b })},
		{"NaN value", mod(valid, func(b []byte) []byte {
			b[6], b[7], b[8], b[9] = byte(nan), byte(nan>>8), byte(nan>>16), byte(nan>>24)
			return b
		})},
		{"q = -128", mod(quant, func(b []byte) []byte { b[len(b)-1] = 0x80; return b })},
		{"scale zero", mod(quant, func(b []byte) []byte { b[6], b[7], b[8], b[9] = 0, 0, 0, 0; return b })},
		{"bitmap padding", mod(bitmap, func(b []byte) []byte { b[5] |= 0x80; return b })},
		{"quantized empty", []byte{1, 1, 5, 0, 0, 0, 0x80, 0x3f}},
		{"bitmap where delta is smaller", []byte{1, 2, 20, 1, 0x08, 0, 0, 0, 0, 0, 0x80, 0x3f}},
	}
	for _, c := range cases {
		_, err := Decode(c.b, DefaultLimits())
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: err = %v, want *FormatError", c.name, err)
		}
	}
	// Delta where the bitmap is smaller: 9 of 9 entries as gaps (9 bytes) vs a 2-byte bitmap.
	nc := []byte{1, 0, 9, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	nc = append(nc, make([]byte, 36)...)
	if _, err := Decode(nc, DefaultLimits()); err == nil {
		t.Error("non-canonical delta accepted")
	}
	lim := Limits{MaxDim: 19, MaxBytes: 1 << 20}
	if _, err := Decode(valid, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("dim over MaxDim: %v", err)
	}
	lim = Limits{MaxDim: 1 << 20, MaxBytes: len(valid) - 1}
	if _, err := Decode(valid, lim); !errors.Is(err, ErrTooLarge) {
		t.Errorf("bytes over MaxBytes: %v", err)
	}
	// A huge nnz claim must be rejected before allocating.
	if _, err := Decode([]byte{1, 0, 0xff, 0xff, 0xff, 0x7f, 0xff, 0xff, 0xff, 0x7f}, DefaultLimits()); err == nil {
		t.Error("huge nnz accepted")
	}
}

func TestEncodeRejects(t *testing.T) {
	bad := []Sparse{
		{Dim: 0},
		{Dim: 5, Index: []uint32{1}, Value: nil},
		{Dim: 5, Index: []uint32{2, 2}, Value: []float32{1, 1}},
		{Dim: 5, Index: []uint32{5}, Value: []float32{1}},
		{Dim: 5, Index: []uint32{1}, Value: []float32{float32(math.Inf(1))}},
		{Dim: 5, Index: []uint32{1}, Value: []float32{0.3}, Scale: 0.5},
		{Dim: 5, Scale: 0.5},
		{Dim: 5, Index: []uint32{1}, Value: []float32{math.MaxFloat32}, Scale: math.MaxFloat32},
	}
	for i, s := range bad {
		if _, err := Encode(s); !errors.Is(err, ErrInvalid) {
			t.Errorf("case %d: Encode err = %v, want ErrInvalid", i, err)
		}
	}
}

func TestCompressRejects(t *testing.T) {
	if _, err := NewCompressor(10, Config{K: 11}); err == nil {
		t.Error("K > dim accepted")
	}
	c, _ := NewCompressor(3, Config{K: 1})
	if _, err := c.Compress([]float32{1, float32(math.NaN()), 0}); !errors.Is(err, ErrNonFinite) {
		t.Errorf("NaN: %v", err)
	}
	if _, err := c.Compress([]float32{1, 2}); err == nil {
		t.Error("short update accepted")
	}
	if res := c.Residual(); !slices.Equal(res, []float32{0, 0, 0}) {
		t.Errorf("residual changed by failed calls: %v", res)
	}
}

func FuzzDecode(f *testing.F) {
	r := rand.New(rand.NewPCG(9, 9))
	for _, dim := range []int{1, 9, 64, 1000} {
		for _, k := range []int{1, dim / 2, dim} {
			for _, q := range []bool{false, true} {
				c, _ := NewCompressor(dim, Config{K: max(1, k), Quantize: q})
				s, _ := c.Compress(randUpdate(r, dim))
				b, _ := Encode(s)
				f.Add(b)
			}
		}
	}
	f.Add([]byte{1, 0, 1, 0})
	lim := Limits{MaxDim: 1 << 16, MaxBytes: 1 << 16}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Decode(b, lim)
		if err != nil {
			return
		}
		b2, err := Encode(s)
		if err != nil {
			t.Fatalf("decoded update does not re-encode: %v", err)
		}
		if !bytes.Equal(b, b2) {
			t.Fatalf("non-canonical input accepted:\n in %x\nout %x", b, b2)
		}
		s2, err := Decode(b2, lim)
		if err != nil || !equalSparse(s, s2) {
			t.Fatalf("decode(encode(decode(b))) differs: %v", err)
		}
	})
}
