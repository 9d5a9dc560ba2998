package kernels

import "math"

// FMA32 returns a*b+c computed exactly and rounded once to the nearest
// float32 (ties to even): the IEEE 754 fusedMultiplyAdd on binary32, the
// result of the hardware's VFMADD231SS (amd64) and FMADD Sd (arm64).
//
// Every multiply-accumulate in this package is FMA32. It is written in pure
// Go with explicit roundings, so it gives the same bits on every platform
// and with every GOAMD64 level:
//
//   - p = float64(a)*float64(b) is exact (24+24 significant bits ≤ 53).
//   - s = p + float64(c) is p+c rounded to float64. Rounding s again to
//     float32 can only be wrong (double rounding) when s lands exactly on a
//     midpoint between two float32 values while p+c is not that midpoint.
//   - In that rare case (and for results in float32's subnormal range, whose
//     midpoints sit elsewhere) the TwoSum error e = (p+c) - s is computed
//     exactly and s is moved to the neighbouring float64 on e's side when its
//     last bit is even ("round to odd"). A round-to-odd float64 rounds to the
//     correct float32 because 53 ≥ 24+2.
//
// Infinities and NaNs propagate as in IEEE arithmetic; a NaN result is a
// quiet NaN whose payload is unspecified.
func FMA32(a, b, c float32) float32 {
	if r, ok := fma32Fast(a, b, c); ok {
		return r
	}
	return fma32Slow(a, b, c)
}

// fma32Fast returns float32(s) for s = a*b+c rounded to float64, and
// whether that is the correctly rounded FMA32 result. It is small enough to
// inline into hot loops, which call fma32Slow when ok is false.
//
// a*b is exact in float64, so s has a single rounding; float32(s) is then
// correct unless s is exactly a float32 midpoint (the low 29 of its 52
// fraction bits are exactly 1<<28) or |s| is below float32's smallest
// normal (biased exponent < 1023-126), where float32 midpoints sit
// elsewhere. Inf and NaN are handled correctly by the fast path.
func fma32Fast(a, b, c float32) (r float32, ok bool) {
	s := float64(float64(float64(a)*float64(b)) + float64(c))
	bits := math.Float64bits(s)
	return float32(s), bits&(1<<29-1) != 1<<28 && bits<<1 >= (1023-126)<<53
}

// fma32Slow rounds a*b+c to float32 through a round-to-odd float64.
func fma32Slow(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b)) // exact
	cd := float64(c)
	s := float64(p + cd)
	if math.IsInf(s, 0) || math.IsNaN(s) {
		return float32(s)
	}
	// TwoSum (Knuth): e = (p+c) - s exactly.
	bb := float64(s - p)
	e := float64(float64(p-float64(s-bb)) + float64(cd-bb))
	if e != 0 {
		bits := math.Float64bits(s)
		if bits&1 == 0 {
			// Move s one float64 ulp toward p+c, to its odd neighbour.
			if (e > 0) == (s > 0) {
				bits++
			} else {
				bits--
			}
			s = math.Float64frombits(bits)
		}
	}
	return float32(s)
}

// Sqrt32 returns the correctly rounded float32 square root of x. Rounding
// the float64 root again is exact for square roots (53 ≥ 2*24+2), so the
// result is the same on every platform.
func Sqrt32(x float32) float32 {
	return float32(math.Sqrt(float64(x)))
}
