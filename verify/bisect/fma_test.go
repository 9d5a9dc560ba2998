package bisect

import (
	"math"
	"math/big"
	"testing"

	"tangent/verify/seedrand"
)

// fmaBig is the definition: the exact a*b+c in math/big, rounded once to
// float32 (big.Float's Float32 rounds to nearest even, subnormals included).
func fmaBig(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(2000).SetFloat64(float64(a))
	y := new(big.Float).SetPrec(2000).SetFloat64(float64(b))
	z := new(big.Float).SetPrec(2000).SetFloat64(float64(c))
	x.Mul(x, y)
	x.Add(x, z)
	if x.Sign() == 0 {
		// Exact zero: IEEE sign rules (round to nearest): -0 only if both
		// addends are -0.
		p := float64(a) * float64(b)
		return float32(p + float64(c))
	}
	f, _ := x.Float32()
	return f
}

func same(a, b float32) bool {
	return math.Float32bits(a) == math.Float32bits(b) || (a != a && b != b)
}

func TestFMA32Table(t *testing.T) {
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	tiny := float32(math.SmallestNonzeroFloat32)
	for _, tc := range []struct{ a, b, c, want float32 }{
		{2, 3, 4, 10},
		{0, 5, 0, 0},
		{-0.0, 5, 0, 0},
		{float32(math.Copysign(0, -1)), 5, float32(math.Copysign(0, -1)), float32(math.Copysign(0, -1))},
		{inf, 0, 1, nan},
		{inf, 1, float32(math.Inf(-1)), nan},
		{inf, 2, 1, inf},
		{nan, 1, 1, nan},
		{math.MaxFloat32, 2, -math.MaxFloat32, math.MaxFloat32},
		{math.MaxFloat32, 2, 0, inf},
		{tiny, 0.5, 0, 0},        // exactly half the smallest subnormal: ties to even (0)
		{tiny, 0.75, 0, tiny},    // above the midpoint
		{tiny, 1.5, 0, 2 * tiny}, // 1.5 ulp: ties to even (2)
		// 1 + 2^-24 is a float32 midpoint between 1 and 1+2^-23; the tiny
		// product breaks the tie upward only when fused.
		{1.0 / (1 << 12), 1.0 / (1 << 12), 1, 1},
		{1 + 1.0/(1<<23), 1.0 / (1 << 24), 1, 1 + 1.0/(1<<23)},
		// 4097^2 = 2^24+8193 is a float32 midpoint; adding 2^-30 is lost in
		// float64, so float32(float64 sum) would tie to even (2^24+8192),
		// but the exact sum is above the midpoint: 2^24+8194.
		{4097, 4097, 1.0 / (1 << 30), 16785410},
		{4097, 4097, -1.0 / (1 << 30), 16785408},
	} {
		got := FMA32(tc.a, tc.b, tc.c)
		if !same(got, tc.want) {
			t.Errorf("FMA32(%g, %g, %g) = %g (%08x), want %g (%08x)", tc.a, tc.b, tc.c, got, math.Float32bits(got), tc.want, math.Float32bits(tc.want))
		}
		if !math.IsNaN(float64(tc.want)) && !math.IsInf(float64(tc.want), 0) && !math.IsInf(float64(tc.a), 0) {
			if ref := fmaBig(tc.a, tc.b, tc.c); !same(ref, tc.want) {
				t.Errorf("table entry (%g, %g, %g) disagrees with math/big: %g", tc.a, tc.b, tc.c, ref)
			}
		}
	}
}

func TestFMA32AgainstBig(t *testing.T) {
	st := seedrand.New("test/fma32", nil)
	randF := func() float32 {
		switch st.Below(4) {
		case 0: // any finite bit pattern
			for {
				f := math.Float32frombits(uint32(st.Uint64()))
				if !math.IsInf(float64(f), 0) && !math.IsNaN(float64(f)) {
					return f
				}
			}
		case 1: // ordinary magnitudes
			return float32(int64(st.Below(1<<24))-1<<23) / float32(uint64(1)<<st.Below(30))
		case 2: // subnormal range
			return math.Float32frombits(uint32(st.Below(1<<23)) | uint32(st.Below(2))<<31)
		default: // near one
			return 1 + float32(int64(st.Below(1<<10))-512)/(1<<23)
		}
	}
	n := 200000
	if testing.Short() {
		n = 20000
	}
	hard := 0
	for i := range n {
		a, b := randF(), randF()
		var c float32
		switch i % 3 {
		case 0:
			c = randF()
		case 1: // cancellation: c close to -a*b
			c = -float32(float64(a)*float64(b)) * (1 + float32(int64(st.Below(5))-2)/(1<<23))
		case 2: // c makes the sum land on or near a float32 midpoint
			c = float32(float64(a) * float64(b))
			hard++
		}
		got, want := FMA32(a, b, c), fmaBig(a, b, c)
		if !same(got, want) {
			t.Fatalf("FMA32(%08x, %08x, %08x) = %08x, want %08x", math.Float32bits(a), math.Float32bits(b), math.Float32bits(c), math.Float32bits(got), math.Float32bits(want))
		}
	}
}

func TestFMA32MatchesHardware(t *testing.T) {
	// math.FMA on float64 computes a*b+c exactly rounded to float64; with
	// float32 inputs that is the same double-rounded value FMA32 corrects.
	// Where the float64 result is exact, both must agree.
	st := seedrand.New("test/fma32/hw", nil)
	for range 10000 {
		a := float32(int32(st.Below(1<<16))) / 256
		b := float32(int32(st.Below(1<<16))) / 256
		c := float32(int32(st.Below(1<<16))) / 256
		if got, want := FMA32(a, b, c), float32(math.FMA(float64(a), float64(b), float64(c))); !same(got, want) {
			t.Fatalf("FMA32(%g,%g,%g) = %g, math.FMA gives %g", a, b, c, got, want)
		}
	}
}
