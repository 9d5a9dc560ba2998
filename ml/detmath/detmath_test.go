package detmath

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"testing"
)

func ulpDiff(a, b float64) uint64 {
	x, y := math.Float64bits(a), math.Float64bits(b)
	if x > y {
		return x - y
	}
	return y - x
}

// inputs returns n deterministic inputs spread over [lo, hi].
func inputs(n int, lo, hi float64) []float64 {
	xs := make([]float64, n)
	s := uint64(0x9e3779b97f4a7c15)
	for i := range xs {
		s ^= s << 13
		s ^= s >> 7
		s ^= s << 17
		u := float64(s>>11) / (1 << 53)
		xs[i] = lo + float64(u*(hi-lo))
	}
	return xs
}

func TestExpClose(t *testing.T) {
	for _, x := range append(inputs(20000, -745, 709), 0, 1, -1, 1e-300, 0.5, -0.5, 88.7, -103.9) {
		got, want := Exp(x), math.Exp(x)
		// math.Exp's FMA assembly (GOAMD64=v3) is itself 1 ulp off at times.
		if d := ulpDiff(got, want); d > 2 {
			t.Fatalf("Exp(%v) = %v, math.Exp = %v (%d ulp)", x, got, want, d)
		}
	}
	if !math.IsInf(Exp(1000), 1) || Exp(-1000) != 0 || !math.IsNaN(Exp(math.NaN())) {
		t.Fatal("Exp special cases")
	}
}

func TestLogClose(t *testing.T) {
	xs := append(inputs(20000, 1e-300, 10), inputs(20000, 0, 1e300)...)
	for _, x := range append(xs, 1, 2, 0.5, 0x1p-1022, math.MaxFloat64) {
		if x <= 0 {
			continue
		}
		got, want := Log(x), math.Log(x)
		if d := ulpDiff(got, want); d > 1 {
			t.Fatalf("Log(%v) = %v, math.Log = %v (%d ulp)", x, got, want, d)
		}
	}
	// Subnormals: math.Log's amd64 assembly gets them wrong with GOAMD64=v3.
	if got := Log(math.SmallestNonzeroFloat64); got != -744.4400719213812 {
		t.Fatalf("Log(min subnormal) = %v", got)
	}
	if !math.IsInf(Log(0), -1) || !math.IsNaN(Log(-1)) || !math.IsInf(Log(math.Inf(1)), 1) {
		t.Fatal("Log special cases")
	}
}

func TestPowInt(t *testing.T) {
	if PowInt(0.9, 0) != 1 || PowInt(0.9, 1) != 0.9 || PowInt(2, 10) != 1024 {
		t.Fatal("PowInt")
	}
	if d := ulpDiff(PowInt(0.999, 1000), math.Pow(0.999, 1000)); d > 1000 {
		t.Fatalf("PowInt(0.999, 1000) off by %d ulp", d)
	}
}

// TestGoldenBits pins the exact bits of Exp and Log over fixed inputs: a
// platform (arm64, GOAMD64=v3, ...) that gives other bits fails here.
func TestGoldenBits(t *testing.T) {
	h := sha256.New()
	var b [8]byte
	for _, x := range inputs(50000, -700, 700) {
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(Exp(x)))
		h.Write(b[:])
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(Log(math.Abs(x))))
		h.Write(b[:])
		binary.LittleEndian.PutUint64(b[:], math.Float64bits(Pow(math.Abs(x)+1e-3, 0.37)))
		h.Write(b[:])
	}
	got := hex.EncodeToString(h.Sum(nil))
	const want = "671fb0a89973b8f35cee517aaba4fbc3cfb13be752f0bb1784b1297973b8fb13"
	if got != want {
		t.Fatalf("golden bits hash = %s, want %s", got, want)
	}
}
