package kernels

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"

	"tangent/ml/kernels/kernelstest"
)

// fmaExact is an independent FMA32: the exact a*b+c in math/big (1100 bits
// hold any sum of a float32 product and a float32 exactly), rounded once
// to float32 by big.Float.Float32 (nearest, ties to even, with subnormals
// and overflow). Non-finite inputs follow float64 arithmetic, which is
// exact for them.
func fmaExact(a, b, c float32) float32 {
	if isInfNaN(a) || isInfNaN(b) || isInfNaN(c) {
		return float32(float64(float64(a)*float64(b)) + float64(c))
	}
	x := new(big.Float).SetPrec(1100).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(1100).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(1100).SetFloat64(float64(c)))
	f, _ := x.Float32()
	if f == 0 {
		// big.Float does not keep IEEE's sign of an exact zero sum:
		// +0 unless both terms are -0 (round to nearest).
		p := float64(a) * float64(b)
		if p == 0 && c == 0 && math.Signbit(p) && math.Signbit(float64(c)) {
			return float32(math.Copysign(0, -1))
		}
		if x.Sign() == 0 {
			return 0
		}
	}
	return f
}

func isInfNaN(x float32) bool { return x != x || math.IsInf(float64(x), 0) }

// fmaTriple draws test inputs from several families: random bit patterns
// (all exponents, subnormals, Inf, NaN), ordinary values, near-cancelling
// sums, sums landing near a float32 midpoint (the double-rounding trap),
// and results near the subnormal and overflow boundaries.
func fmaTriple(r *rand.Rand) (a, b, c float32) {
	bitsF := func() float32 { return math.Float32frombits(r.Uint32()) }
	switch r.IntN(8) {
	case 0:
		return bitsF(), bitsF(), bitsF()
	case 1:
		return kernelstest.Value(r), kernelstest.Value(r), kernelstest.Value(r)
	case 2: // cancellation: c ≈ -a*b
		a, b = kernelstest.Value(r), kernelstest.Value(r)
		c = -float32(float64(a) * float64(b))
		c = math.Float32frombits(math.Float32bits(c) + uint32(r.IntN(5)) - 2)
		return a, b, c
	case 3, 4: // a*b+c near a float32 midpoint
		a = math.Float32frombits(r.Uint32()&0x807fffff | uint32(100+r.IntN(60))<<23)
		b = math.Float32frombits(r.Uint32()&0x807fffff | uint32(100+r.IntN(60))<<23)
		p := float64(a) * float64(b)
		rp := float32(p)
		if math.IsInf(float64(rp), 0) || rp == 0 {
			return a, b, 0
		}
		ulp := float64(math.Nextafter32(rp, float32(math.Inf(1)))) - float64(rp)
		mid := float64(rp) + ulp/2
		c = float32(mid - p)
		c = math.Float32frombits(math.Float32bits(c) + uint32(r.IntN(3)) - 1)
		return a, b, c
	case 5: // tiny results: subnormal range
		a = math.Float32frombits(r.Uint32()&0x807fffff | uint32(r.IntN(80))<<23)
		b = math.Float32frombits(r.Uint32()&0x807fffff | uint32(1+r.IntN(126))<<23)
		c = math.Float32frombits(r.Uint32()&0x807fffff | uint32(r.IntN(3))<<23)
		return a, b, c
	case 6: // huge results: overflow boundary
		a = math.Float32frombits(r.Uint32()&0x807fffff | uint32(190+r.IntN(64))<<23)
		b = math.Float32frombits(r.Uint32()&0x807fffff | uint32(127+r.IntN(3))<<23)
		c = math.Float32frombits(r.Uint32()&0x807fffff | uint32(250+r.IntN(5))<<23)
		return a, b, c
	default: // exact products and small integers
		return float32(r.IntN(2001) - 1000), float32(r.IntN(2001)-1000) / 1024, float32(r.IntN(2001) - 1000)
	}
}

func TestFMA32Exact(t *testing.T) {
	n := 2_000_000
	if testing.Short() {
		n = 200_000
	}
	r := kernelstest.Rand(10)
	for i := 0; i < n; i++ {
		a, b, c := fmaTriple(r)
		got, want := FMA32(a, b, c), fmaExact(a, b, c)
		if !kernelstest.Same(got, want) {
			t.Fatalf("FMA32(%g, %g, %g) = %g (%#08x), want %g (%#08x)", a, b, c,
				got, math.Float32bits(got), want, math.Float32bits(want))
		}
	}
}

func TestFMA32Table(t *testing.T) {
	inf := float32(math.Inf(1))
	negz := float32(math.Copysign(0, -1))
	const tiny = math.SmallestNonzeroFloat32
	for _, tc := range []struct{ a, b, c, want float32 }{
		{2, 3, 4, 10},
		{1, 1, 1 << 24, 1<<24 + 0},          // tie to even
		{1, 3, 1 << 24, 1<<24 + 4},          // 2**24+3 rounds up to +4
		{negz, 1, negz, negz},               // -0 + -0
		{negz, 1, 0, 0},                     // -0 + +0
		{2, 3, -6, 0},                       // exact cancellation gives +0
		{inf, 0, 1, float32(math.NaN())},    // Inf*0
		{inf, 1, -inf, float32(math.NaN())}, // Inf-Inf
		{inf, -1, 1, -inf},                  //
		{math.MaxFloat32, 2, 0, inf},        // overflow
		{math.MaxFloat32, 2, -math.MaxFloat32, math.MaxFloat32},
		{tiny, 0.5, 0, 0},     // 2**-150 ties to even (0)
		{tiny, 0.75, 0, tiny}, // 0.75*2**-149 rounds up
		// Double-rounding trap: 1 + 2**-24 + 2**-60 is just above the
		// float32 midpoint; rounding to float64 first would land on it and
		// then round to even (1).
		{1 + 1.0/(1<<23), 1.0 / (1 << 24), 1, 1 + 1.0/(1<<23)},
	} {
		if got := FMA32(tc.a, tc.b, tc.c); !kernelstest.Same(got, tc.want) {
			t.Errorf("FMA32(%g, %g, %g) = %g, want %g", tc.a, tc.b, tc.c, got, tc.want)
		}
		if got := fmaExact(tc.a, tc.b, tc.c); !kernelstest.Same(got, tc.want) {
			t.Errorf("fmaExact(%g, %g, %g) = %g, want %g", tc.a, tc.b, tc.c, got, tc.want)
		}
	}
}

func TestSqrt32(t *testing.T) {
	r := kernelstest.Rand(11)
	for i := 0; i < 100000; i++ {
		x := math.Float32frombits(r.Uint32() &^ (1 << 31))
		if isInfNaN(x) || x == 0 {
			continue
		}
		got := Sqrt32(x)
		want, _ := new(big.Float).SetPrec(200).Sqrt(new(big.Float).SetFloat64(float64(x))).Float32()
		if got != want {
			t.Fatalf("Sqrt32(%g) = %g, want %g", x, got, want)
		}
	}
}

// TestFMAFastPathChecks checks the two fast-path predicates against
// FMA32 on the adversarial triples: whenever fma32Fast or fmaSlowFlag
// (used by the pure-Go Gemm tile) accept float32(s), it must be FMA32's
// result, and the two predicates must agree except on exact zeros.
func TestFMAFastPathChecks(t *testing.T) {
	r := kernelstest.Rand(13)
	n := 1_000_000
	if testing.Short() {
		n = 100_000
	}
	for i := 0; i < n; i++ {
		a, b, c := fmaTriple(r)
		want := FMA32(a, b, c)
		s := float64(float64(float64(a)*float64(b)) + float64(c))
		if fmaSlowFlag(s)>>63 == 0 && !kernelstest.Same(float32(s), want) {
			t.Fatalf("fmaSlowFlag accepts s=%g for (%g, %g, %g), float32(s)=%g, FMA32=%g", s, a, b, c, float32(s), want)
		}
		if r, ok := fma32Fast(a, b, c); ok && !kernelstest.Same(r, want) {
			t.Fatalf("fma32Fast accepts (%g, %g, %g): %g, FMA32=%g", a, b, c, r, want)
		}
	}
}
