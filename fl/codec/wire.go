package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"

	"tangent/fl/vec"
)

// Version is the wire format version Encode writes and Decode accepts.
const Version = 1

const (
	flagQuantized = 1 << 0
	flagBitmap    = 1 << 1
	flagsKnown    = flagQuantized | flagBitmap
)

// Limits bound what Decode accepts.
type Limits struct {
	MaxDim   int // largest model dimension accepted
	MaxBytes int // largest encoded message accepted
}

// DefaultLimits accept models up to 2^28 parameters and messages up to 64 MiB.
func DefaultLimits() Limits { return Limits{MaxDim: 1 << 28, MaxBytes: 64 << 20} }

// ErrTooLarge is returned by Decode for a message or dimension over Limits.
var ErrTooLarge = errors.New("codec: update exceeds the size limits")

// FormatError reports a malformed or non-canonical message: what is wrong
// and at which byte offset.
type FormatError struct {
	Offset int
	Reason string
}

func (e *FormatError) Error() string {
	return fmt.Sprintf("codec: malformed update at byte %d: %s", e.Offset, e.Reason)
}

func uvarintLen(x uint64) int { return (bits.Len64(x|1) + 6) / 7 }

// deltaIndexBytes is the size of the delta index encoding.
func deltaIndexBytes(idx []uint32) int {
	n := 0
	prev := int64(-1)
	for _, i := range idx {
		n += uvarintLen(uint64(int64(i) - prev - 1))
		prev = int64(i)
	}
	return n
}

func bitmapBytes(dim int) int { return (dim + 7) / 8 }

// EncodedSize returns len(Encode(s)) for a valid s.
func EncodedSize(s Sparse) int {
	n := 2 + uvarintLen(uint64(s.Dim)) + uvarintLen(uint64(len(s.Index)))
	n += min(deltaIndexBytes(s.Index), bitmapBytes(s.Dim))
	if s.Scale != 0 {
		return n + 4 + len(s.Index)
	}
	return n + 4*len(s.Index)
}

// DenseSize is the size in bytes of the same update sent dense: 4 bytes per
// float32 parameter.
func DenseSize(dim int) int { return 4 * dim }

// Encode returns the canonical version-1 encoding of s.
func Encode(s Sparse) ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	out := make([]byte, 0, EncodedSize(s))
	flags := byte(0)
	if s.Scale != 0 {
		flags |= flagQuantized
	}
	bitmap := bitmapBytes(s.Dim) < deltaIndexBytes(s.Index)
	if bitmap {
		flags |= flagBitmap
	}
	out = append(out, Version, flags)
	out = binary.AppendUvarint(out, uint64(s.Dim))
	out = binary.AppendUvarint(out, uint64(len(s.Index)))
	if bitmap {
		start := len(out)
		out = append(out, make([]byte, bitmapBytes(s.Dim))...)
		for _, i := range s.Index {
			out[start+int(i/8)] |= 1 << (i % 8)
		}
	} else {
		prev := int64(-1)
		for _, i := range s.Index {
			out = binary.AppendUvarint(out, uint64(int64(i)-prev-1))
			prev = int64(i)
		}
	}
	if s.Scale != 0 {
		out = binary.LittleEndian.AppendUint32(out, math.Float32bits(s.Scale))
		for _, v := range s.Value {
			q, _ := quantOf(v, s.Scale)
			out = append(out, byte(q))
		}
	} else {
		for _, v := range s.Value {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
		}
	}
	return out, nil
}

type reader struct {
	b   []byte
	off int
}

func (r *reader) fail(format string, args ...any) error {
	return &FormatError{Offset: r.off, Reason: fmt.Sprintf(format, args...)}
}

func (r *reader) uvarint(what string) (uint64, error) {
	v, n := binary.Uvarint(r.b[r.off:])
	if n <= 0 {
		return 0, r.fail("%s: truncated or overlong varint", what)
	}
	if n != uvarintLen(v) {
		return 0, r.fail("%s: varint is not minimally encoded", what)
	}
	r.off += n
	return v, nil
}

func (r *reader) need(n int, what string) error {
	if len(r.b)-r.off < n {
		return r.fail("%s: need %d bytes, %d left", what, n, len(r.b)-r.off)
	}
	return nil
}

// Decode parses a version-1 message, enforcing lim and canonical form.
func Decode(b []byte, lim Limits) (Sparse, error) {
	if len(b) > lim.MaxBytes {
		return Sparse{}, fmt.Errorf("%w: %d bytes, limit %d", ErrTooLarge, len(b), lim.MaxBytes)
	}
	r := &reader{b: b}
	if err := r.need(2, "header"); err != nil {
		return Sparse{}, err
	}
	if b[0] != Version {
		return Sparse{}, r.fail("version %d, this node reads version %d", b[0], Version)
	}
	flags := b[1]
	if flags&^flagsKnown != 0 {
		r.off = 1
		return Sparse{}, r.fail("unknown flags %#x", flags&^flagsKnown)
	}
	r.off = 2
	dim64, err := r.uvarint("dim")
	if err != nil {
		return Sparse{}, err
	}
	if dim64 == 0 {
		return Sparse{}, r.fail("dim is zero")
	}
	if dim64 > uint64(lim.MaxDim) {
		return Sparse{}, fmt.Errorf("%w: dim %d, limit %d", ErrTooLarge, dim64, lim.MaxDim)
	}
	dim := int(dim64)
	nnz64, err := r.uvarint("nnz")
	if err != nil {
		return Sparse{}, err
	}
	if nnz64 > dim64 {
		return Sparse{}, r.fail("nnz %d exceeds dim %d", nnz64, dim64)
	}
	// Every entry needs at least one value byte: bound allocation by the input.
	if nnz64 > uint64(len(b)-r.off) {
		return Sparse{}, r.fail("nnz %d cannot fit in the %d bytes left", nnz64, len(b)-r.off)
	}
	nnz := int(nnz64)
	quantized := flags&flagQuantized != 0
	if quantized && nnz == 0 {
		return Sparse{}, r.fail("an empty update must not be quantized")
	}
	s := Sparse{Dim: dim, Index: make([]uint32, nnz), Value: make([]float32, nnz)}
	idxStart := r.off
	if flags&flagBitmap != 0 {
		nb := bitmapBytes(dim)
		if err := r.need(nb, "bitmap"); err != nil {
			return Sparse{}, err
		}
		bm := b[r.off : r.off+nb]
		if dim%8 != 0 && bm[nb-1]>>(dim%8) != 0 {
			r.off += nb - 1
			return Sparse{}, r.fail("bitmap padding bits set")
		}
		k := 0
		for byteIdx, v := range bm {
			for v != 0 {
				bit := bits.TrailingZeros8(v)
				v &= v - 1
				if k == nnz {
					r.off += byteIdx
					return Sparse{}, r.fail("bitmap has more than nnz = %d bits set", nnz)
				}
				s.Index[k] = uint32(byteIdx*8 + bit)
				k++
			}
		}
		if k != nnz {
			return Sparse{}, r.fail("bitmap has %d bits set, nnz is %d", k, nnz)
		}
		r.off += nb
		if deltaIndexBytes(s.Index) <= nb {
			r.off = idxStart
			return Sparse{}, r.fail("bitmap index encoding used where delta encoding is not larger (non-canonical)")
		}
	} else {
		prev := int64(-1)
		for k := range s.Index {
			gap, err := r.uvarint("index gap")
			if err != nil {
				return Sparse{}, err
			}
			next := prev + 1 + int64(min(gap, dim64))
			if next >= int64(dim) {
				return Sparse{}, r.fail("index at position %d is not below dim %d", k, dim)
			}
			s.Index[k] = uint32(next)
			prev = next
		}
		if bitmapBytes(dim) < r.off-idxStart {
			r.off = idxStart
			return Sparse{}, r.fail("delta index encoding used where the bitmap is smaller (non-canonical)")
		}
	}
	if quantized {
		if err := r.need(4+nnz, "quantized values"); err != nil {
			return Sparse{}, err
		}
		s.Scale = math.Float32frombits(binary.LittleEndian.Uint32(b[r.off:]))
		if !validScale(s.Scale) {
			return Sparse{}, r.fail("scale %v must be normal, positive and at most MaxFloat32/127", s.Scale)
		}
		r.off += 4
		for k := range s.Value {
			q := int8(b[r.off])
			if q == -128 {
				return Sparse{}, r.fail("quantized value -128 (range is [-127, 127])")
			}
			s.Value[k] = dequant(q, s.Scale)
			r.off++
		}
	} else {
		if err := r.need(4*nnz, "values"); err != nil {
			return Sparse{}, err
		}
		for k := range s.Value {
			v := math.Float32frombits(binary.LittleEndian.Uint32(b[r.off:]))
			if !vec.IsFinite(v) {
				return Sparse{}, r.fail("value at position %d is not finite", k)
			}
			s.Value[k] = v
			r.off += 4
		}
	}
	if r.off != len(b) {
		return Sparse{}, r.fail("%d trailing bytes", len(b)-r.off)
	}
	return s, nil
}
