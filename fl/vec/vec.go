package vec

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
)

// IsFinite reports whether v is neither NaN nor ±Inf.
func IsFinite(v float32) bool {
	return math.Float32bits(v)&0x7f800000 != 0x7f800000
}

// FirstNonFinite returns the index of the first NaN or ±Inf element of x, or
// -1 when every element is finite.
func FirstNonFinite(x []float32) int {
	for i, v := range x {
		if math.Float32bits(v)&0x7f800000 == 0x7f800000 {
			return i
		}
	}
	return -1
}

// Dot returns Σ x[i]·y[i] in float64, in the four-lane order of the package
// doc. It panics if the lengths differ (a broken invariant in the caller).
func Dot(x, y []float32) float64 {
	if len(x) != len(y) {
		panic("vec.Dot: length mismatch")
	}
	var s0, s1, s2, s3 float64
	n := len(x) &^ 3
	for i := 0; i < n; i += 4 {
		xs := x[i : i+4 : i+4]
		ys := y[i : i+4 : i+4]
		s0 = s0 + float64(float64(xs[0])*float64(ys[0]))
		s1 = s1 + float64(float64(xs[1])*float64(ys[1]))
		s2 = s2 + float64(float64(xs[2])*float64(ys[2]))
		s3 = s3 + float64(float64(xs[3])*float64(ys[3]))
	}
	for i := n; i < len(x); i++ {
		p := float64(float64(x[i]) * float64(y[i]))
		switch i & 3 {
		case 0:
			s0 = s0 + p
		case 1:
			s1 = s1 + p
		case 2:
			s2 = s2 + p
		}
	}
	return (s0 + s1) + (s2 + s3)
}

// Norm2 returns ‖x‖² = Dot(x, x).
func Norm2(x []float32) float64 { return Dot(x, x) }

// Norm returns ‖x‖ = sqrt(Norm2(x)) (IEEE square root, correctly rounded).
func Norm(x []float32) float64 { return math.Sqrt(Dot(x, x)) }

// Dist2 returns ‖x − y‖² in float64: each difference float64(x[i])-float64(y[i])
// is rounded to float64, squared with an explicit rounding, and summed in the
// four-lane order. It panics if the lengths differ.
func Dist2(x, y []float32) float64 {
	if len(x) != len(y) {
		panic("vec.Dist2: length mismatch")
	}
	var s0, s1, s2, s3 float64
	n := len(x) &^ 3
	for i := 0; i < n; i += 4 {
		xs := x[i : i+4 : i+4]
		ys := y[i : i+4 : i+4]
		d0 := float64(xs[0]) - float64(ys[0])
		d1 := float64(xs[1]) - float64(ys[1])
		d2 := float64(xs[2]) - float64(ys[2])
		d3 := float64(xs[3]) - float64(ys[3])
		s0 = s0 + float64(d0*d0)
		s1 = s1 + float64(d1*d1)
		s2 = s2 + float64(d2*d2)
		s3 = s3 + float64(d3*d3)
	}
	for i := n; i < len(x); i++ {
		d := float64(x[i]) - float64(y[i])
		p := float64(d * d)
		switch i & 3 {
		case 0:
			s0 = s0 + p
		case 1:
			s1 = s1 + p
		case 2:
			s2 = s2 + p
		}
	}
	return (s0 + s1) + (s2 + s3)
}

// Hash returns SHA-256 over the little-endian IEEE-754 bits of x, prefixed
// by the domain string "tangent/fl/vec/v1" and the length as a uint64. Two
// vectors hash equal exactly when they are bit-identical (so +0 and -0, or
// two NaN payloads, hash differently).
func Hash(x []float32) [32]byte {
	h := sha256.New()
	h.Write([]byte("tangent/fl/vec/v1"))
	var buf [8 * 512]byte
	binary.LittleEndian.PutUint64(buf[:8], uint64(len(x)))
	h.Write(buf[:8])
	for len(x) > 0 {
		n := min(len(x), len(buf)/4)
		for i, v := range x[:n] {
			binary.LittleEndian.PutUint32(buf[4*i:], math.Float32bits(v))
		}
		h.Write(buf[:4*n])
		x = x[n:]
	}
	var out [32]byte
	h.Sum(out[:0])
	return out
}

// OrderKey maps a float32 to a uint32 whose unsigned order is IEEE total
// order on the finite values and infinities: -Inf < … < -0 < +0 < … < +Inf.
// Sorting by OrderKey is therefore deterministic whatever the sort
// algorithm, including for ±0.
func OrderKey(v float32) uint32 {
	b := math.Float32bits(v)
	if b&0x80000000 != 0 {
		return ^b
	}
	return b | 0x80000000
}

// FromOrderKey inverts OrderKey.
func FromOrderKey(k uint32) float32 {
	if k&0x80000000 != 0 {
		return math.Float32frombits(k &^ 0x80000000)
	}
	return math.Float32frombits(^k)
}
