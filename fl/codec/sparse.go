package codec

import (
	"errors"
	"fmt"
	"math"

	"tangent/fl/vec"
)

// Sparse is a sparse update of a Dim-long vector: Value[k] at Index[k].
//
// Indices are strictly increasing and below Dim. When Scale is zero the
// values are plain float32; when Scale > 0 the message is quantized and
// every value equals float32(q)·Scale for an integer q in [-127, 127].
type Sparse struct {
	Dim   int
	Index []uint32
	Value []float32
	Scale float32
}

// Dense expands s into a new Dim-long vector.
func (s Sparse) Dense() []float32 {
	out := make([]float32, s.Dim)
	for k, i := range s.Index {
		out[i] = s.Value[k]
	}
	return out
}

// AddTo adds s into dst (dst[i] += value, float32), for a receiver that
// accumulates sparse updates. len(dst) must be s.Dim.
func (s Sparse) AddTo(dst []float32) {
	if len(dst) != s.Dim {
		panic("codec: AddTo length mismatch")
	}
	for k, i := range s.Index {
		dst[i] += s.Value[k]
	}
}

// ErrInvalid is wrapped by every error Encode returns for a Sparse that
// breaks its invariants.
var ErrInvalid = errors.New("codec: invalid sparse update")

// Validate checks s's invariants.
func (s Sparse) Validate() error {
	if s.Dim < 1 || uint64(s.Dim) > 1<<32 {
		return fmt.Errorf("%w: dim %d out of range [1, 2^32]", ErrInvalid, s.Dim)
	}
	if len(s.Index) != len(s.Value) {
		return fmt.Errorf("%w: %d indices but %d values", ErrInvalid, len(s.Index), len(s.Value))
	}
	for k, i := range s.Index {
		if int64(i) >= int64(s.Dim) {
			return fmt.Errorf("%w: index %d at position %d is not below dim %d", ErrInvalid, i, k, s.Dim)
		}
		if k > 0 && i <= s.Index[k-1] {
			return fmt.Errorf("%w: indices not strictly increasing at position %d", ErrInvalid, k)
		}
		if !vec.IsFinite(s.Value[k]) {
			return fmt.Errorf("%w: value at position %d is not finite", ErrInvalid, k)
		}
	}
	if s.Scale != 0 {
		if len(s.Index) == 0 {
			return fmt.Errorf("%w: an empty update cannot be quantized (scale must be 0)", ErrInvalid)
		}
		if !validScale(s.Scale) {
			return fmt.Errorf("%w: scale %v must be normal, positive and at most MaxFloat32/127", ErrInvalid, s.Scale)
		}
		for k, v := range s.Value {
			if _, ok := quantOf(v, s.Scale); !ok {
				return fmt.Errorf("%w: value %v at position %d is not q·scale for an 8-bit q", ErrInvalid, v, k)
			}
		}
	}
	return nil
}

// validScale: normal (so q·scale is exact enough to invert) and small
// enough that 127·scale is finite.
func validScale(s float32) bool {
	return s >= math.SmallestNonzeroFloat32*(1<<23) && s <= math.MaxFloat32/127
}

// quantOf recovers q with float32(q)·scale == v, if there is one in
// [-127, 127]. v/scale is within 127·2^-24 of q, so rounding finds it.
func quantOf(v, scale float32) (int8, bool) {
	r := math.Round(float64(v) / float64(scale))
	if r < -127 || r > 127 {
		return 0, false
	}
	q := int8(r)
	return q, math.Float32bits(dequant(q, scale)) == math.Float32bits(v)
}

func dequant(q int8, scale float32) float32 { return float32(q) * scale }

// quantize rounds v/scale half away from zero and clamps to [-127, 127].
func quantize(v, scale float32) int8 {
	r := math.Round(float64(v) / float64(scale))
	return int8(max(-127, min(127, r)))
}
