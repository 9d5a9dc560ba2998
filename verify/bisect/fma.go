package bisect

import "math"

// FMA32 returns a*b + c rounded once to float32 (round to nearest, ties to
// even), as IEEE 754 fusedMultiplyAdd does: the operation every
// multiply-accumulate of Tangent's kernels performs, acc = FMA32(a, b, acc).
//
// How, in pure Go without relying on hardware FMA: the product of two
// float32s is exact in float64 (24+24 bits <= 53). The sum s = p + c is
// rounded to float64; TwoSum gives its exact error e. If e != 0 and s's last
// significand bit is even, s is moved one ulp toward e: that is "round to
// odd", which keeps the sticky information a second rounding needs. Rounding
// a round-to-odd float64 to float32 (which has 29 fewer bits, more than the
// 2 required) then equals rounding the exact sum once.
func FMA32(a, b, c float32) float32 {
	p := float64(float64(a) * float64(b)) // exact (explicit conversion: never fused)
	cd := float64(c)
	s := p + cd
	if math.IsInf(s, 0) || math.IsNaN(s) || s == 0 {
		// Infinities and NaNs propagate as in IEEE fma (p cannot overflow
		// float64); an exact zero needs no correction and has the IEEE sign.
		return float32(s)
	}
	// TwoSum (Knuth): s + e == p + cd exactly.
	bv := s - p
	e := (p - (s - bv)) + (cd - bv)
	if e != 0 {
		bits := math.Float64bits(s)
		if bits&1 == 0 {
			if (e > 0) == (s > 0) {
				bits++ // away from zero, toward e
			} else {
				bits-- // toward zero, toward e
			}
			s = math.Float64frombits(bits)
		}
	}
	return float32(s)
}
