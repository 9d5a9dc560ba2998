// Package kernelstest has helpers for testing code built on ml/kernels:
// seeded random inputs that exercise rounding (mixed magnitudes, zeros,
// exact ties) and bitwise comparison of float32 results.
package kernelstest

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
)

// Rand returns a deterministic generator for seed.
func Rand(seed uint64) *rand.Rand {
	return rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
}

// Slice returns n values drawn by Value.
func Slice(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = Value(r)
	}
	return s
}

// Uniform returns n values uniform in [-1, 1) with full 24-bit
// significands, like trained weights and activations; benchmarks use it
// (Slice's exact ties and zeros are for tests).
func Uniform(r *rand.Rand, n int) []float32 {
	s := make([]float32, n)
	for i := range s {
		s[i] = float32(r.Float64()*2 - 1)
	}
	return s
}

// Value returns a float32 that is usually in [-1, 1) with a random
// 24-bit significand, sometimes a small integer or ±0 (which makes exact
// ties and signed-zero cases common), and sometimes a value of a different
// magnitude (2**±20) so that long FMA chains round in interesting ways.
func Value(r *rand.Rand) float32 {
	switch u := r.IntN(16); {
	case u == 0:
		return 0
	case u == 1:
		return float32(math.Copysign(0, -1))
	case u <= 3:
		return float32(r.IntN(9) - 4)
	case u == 4:
		return float32(r.Float64()*2-1) * float32(math.Ldexp(1, r.IntN(41)-20))
	default:
		return float32(r.Float64()*2 - 1)
	}
}

// Same reports whether a and b have the same bits, treating any two NaNs
// as the same.
func Same(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}

// Diff returns a description of the first index where got and want differ
// in bits (NaNs compare equal), or "" when they are the same.
func Diff(got, want []float32) string {
	if len(got) != len(want) {
		return fmt.Sprintf("length %d, want %d", len(got), len(want))
	}
	for i := range got {
		if !Same(got[i], want[i]) {
			return fmt.Sprintf("element %d: got %v (%#08x), want %v (%#08x)", i,
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
	return ""
}

// Hasher accumulates a SHA-256 over float32 and integer values, for
// golden tests.
type Hasher struct{ buf []byte }

// Floats appends the little-endian bits of s.
func (h *Hasher) Floats(s []float32) {
	for _, v := range s {
		h.buf = binary.LittleEndian.AppendUint32(h.buf, math.Float32bits(v))
	}
}

// Int32s appends the little-endian bits of s.
func (h *Hasher) Int32s(s []int32) {
	for _, v := range s {
		h.buf = binary.LittleEndian.AppendUint32(h.buf, uint32(v))
	}
}

// Sum returns the hex SHA-256 of everything appended.
func (h *Hasher) Sum() string {
	s := sha256.Sum256(h.buf)
	return fmt.Sprintf("%x", s)
}
