package codec

import (
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf8"
)

// ErrNonCanonical is wrapped by every Reader error: the bytes are not the
// canonical encoding of any value (truncated, over-long, out of range, or
// followed by trailing bytes).
var ErrNonCanonical = errors.New("non-canonical encoding")

// DecodeError says where and why decoding failed. It unwraps to
// ErrNonCanonical.
type DecodeError struct {
	Field  string // what was being read
	Offset int    // byte offset of the field in the input
	Reason string
}

func (e *DecodeError) Error() string {
	return fmt.Sprintf("decode %s at byte %d: %s", e.Field, e.Offset, e.Reason)
}

func (e *DecodeError) Unwrap() error { return ErrNonCanonical }

// AppendUvarint appends v as a minimal unsigned varint (LEB128).
func AppendUvarint(dst []byte, v uint64) []byte {
	return binary.AppendUvarint(dst, v)
}

// UvarintLen is the number of bytes AppendUvarint writes for v.
func UvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

// AppendUint64 appends v as 8 big-endian bytes (keys use this so that byte
// order equals numeric order).
func AppendUint64(dst []byte, v uint64) []byte {
	return binary.BigEndian.AppendUint64(dst, v)
}

// AppendBytes appends a uvarint length followed by b.
func AppendBytes(dst, b []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(b)))
	return append(dst, b...)
}

// AppendString appends a uvarint length followed by s.
func AppendString(dst []byte, s string) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(s)))
	return append(dst, s...)
}

// AppendBool appends 1 for true and 0 for false.
func AppendBool(dst []byte, b bool) []byte {
	if b {
		return append(dst, 1)
	}
	return append(dst, 0)
}

// Reader decodes canonical values from a byte slice. The zero Reader reads
// nothing; use NewReader. After the first error every read returns a zero
// value and Err reports that first error.
type Reader struct {
	b   []byte
	off int
	err error
}

// NewReader returns a Reader over b. Slices it returns alias b.
func NewReader(b []byte) *Reader { return &Reader{b: b} }

// Reset makes r read b from the start, clearing any error.
func (r *Reader) Reset(b []byte) { *r = Reader{b: b} }

// Err returns the first decoding error, or nil.
func (r *Reader) Err() error { return r.err }

// Offset is the number of bytes consumed so far.
func (r *Reader) Offset() int { return r.off }

// Len is the number of bytes not yet consumed.
func (r *Reader) Len() int { return len(r.b) - r.off }

// Fail records err (if no error is recorded yet), for checks a caller makes
// on decoded values.
func (r *Reader) Fail(field, reason string) {
	if r.err == nil {
		r.err = &DecodeError{Field: field, Offset: r.off, Reason: reason}
	}
}

// Done reports the first error, or a DecodeError if bytes remain unread.
func (r *Reader) Done() error {
	if r.err == nil && r.off != len(r.b) {
		r.err = &DecodeError{Field: "end", Offset: r.off, Reason: fmt.Sprintf("%d trailing bytes", len(r.b)-r.off)}
	}
	return r.err
}

// Uvarint reads a minimal unsigned varint.
func (r *Reader) Uvarint(field string) uint64 {
	if r.err != nil {
		return 0
	}
	var v uint64
	var shift uint
	for i := 0; ; i++ {
		if r.off+i >= len(r.b) {
			r.Fail(field, "truncated varint")
			return 0
		}
		c := r.b[r.off+i]
		if i == 9 && c > 1 {
			r.Fail(field, "varint overflows 64 bits")
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			if c == 0 && i > 0 {
				r.Fail(field, "over-long varint")
				return 0
			}
			r.off += i + 1
			return v
		}
		shift += 7
	}
}

// Uint64 reads 8 big-endian bytes.
func (r *Reader) Uint64(field string) uint64 {
	b := r.Fixed(field, 8)
	if b == nil {
		return 0
	}
	return binary.BigEndian.Uint64(b)
}

// Byte reads one byte.
func (r *Reader) Byte(field string) byte {
	b := r.Fixed(field, 1)
	if b == nil {
		return 0
	}
	return b[0]
}

// Bool reads a byte that must be 0 or 1.
func (r *Reader) Bool(field string) bool {
	c := r.Byte(field)
	if c > 1 {
		r.off--
		r.Fail(field, "boolean must be 0 or 1")
		return false
	}
	return c == 1
}

// Fixed reads exactly n bytes. The result aliases the input.
func (r *Reader) Fixed(field string, n int) []byte {
	if r.err != nil {
		return nil
	}
	if n < 0 || n > len(r.b)-r.off {
		r.Fail(field, fmt.Sprintf("need %d bytes, have %d", n, len(r.b)-r.off))
		return nil
	}
	b := r.b[r.off : r.off+n : r.off+n]
	r.off += n
	return b
}

// Bytes reads a length-prefixed byte string of at most max bytes. The result
// aliases the input; it is non-nil (possibly empty) on success.
func (r *Reader) Bytes(field string, max int) []byte {
	start := r.off
	n := r.Uvarint(field + " length")
	if r.err != nil {
		return nil
	}
	if n > uint64(max) {
		r.off = start
		r.Fail(field, fmt.Sprintf("length %d exceeds the limit of %d", n, max))
		return nil
	}
	return r.Fixed(field, int(n))
}

// String reads a length-prefixed string of at most max bytes that must be
// valid UTF-8.
func (r *Reader) String(field string, max int) string {
	b := r.Bytes(field, max)
	if r.err != nil {
		return ""
	}
	if !utf8.Valid(b) {
		r.Fail(field, "not valid UTF-8")
		return ""
	}
	return string(b)
}
