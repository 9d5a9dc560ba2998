package store

import (
	"errors"
	"fmt"
	"math"

	"github.com/ipfs/go-cid"
)

// A minimal canonical CBOR (RFC 8949) writer and a strict reader, enough for
// the DAG-CBOR manifests: unsigned integers, byte and text strings, arrays,
// maps with text keys and tag 42 (CID link). The reader accepts only the
// shortest head encodings and definite lengths, so that a decode followed by
// an encode gives back the same bytes (DAG-CBOR's strictness rules).

const (
	majUint  = 0
	majBytes = 2
	majText  = 3
	majArray = 4
	majMap   = 5
	majTag   = 6
	tagCID   = 42
)

func appendHead(b []byte, major byte, n uint64) []byte {
	m := major << 5
	switch {
	case n < 24:
		return append(b, m|byte(n))
	case n <= math.MaxUint8:
		return append(b, m|24, byte(n))
	case n <= math.MaxUint16:
		return append(b, m|25, byte(n>>8), byte(n))
	case n <= math.MaxUint32:
		return append(b, m|26, byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	default:
		return append(b, m|27, byte(n>>56), byte(n>>48), byte(n>>40), byte(n>>32), byte(n>>24), byte(n>>16), byte(n>>8), byte(n))
	}
}

func appendText(b []byte, s string) []byte {
	b = appendHead(b, majText, uint64(len(s)))
	return append(b, s...)
}

func appendBytes(b []byte, p []byte) []byte {
	b = appendHead(b, majBytes, uint64(len(p)))
	return append(b, p...)
}

func appendLink(b []byte, c cid.Cid) []byte {
	cb := c.Bytes()
	b = appendHead(b, majTag, tagCID)
	b = appendHead(b, majBytes, uint64(len(cb)+1))
	b = append(b, 0) // the multibase identity prefix DAG-CBOR links carry
	return append(b, cb...)
}

var errCBOR = errors.New("not canonical DAG-CBOR")

// cborReader reads from a byte slice; the first error sticks.
type cborReader struct {
	b   []byte
	off int
	err error
}

func (r *cborReader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: at byte %d: %s", errCBOR, r.off, fmt.Sprintf(format, args...))
	}
}

func (r *cborReader) head(major byte) uint64 {
	if r.err != nil {
		return 0
	}
	if r.off >= len(r.b) {
		r.fail("truncated")
		return 0
	}
	ib := r.b[r.off]
	if ib>>5 != major {
		r.fail("major type %d, want %d", ib>>5, major)
		return 0
	}
	ai := ib & 31
	r.off++
	var n uint64
	var size int
	switch {
	case ai < 24:
		return uint64(ai)
	case ai == 24:
		size = 1
	case ai == 25:
		size = 2
	case ai == 26:
		size = 4
	case ai == 27:
		size = 8
	default:
		r.fail("indefinite or reserved length")
		return 0
	}
	if len(r.b)-r.off < size {
		r.fail("truncated")
		return 0
	}
	for i := 0; i < size; i++ {
		n = n<<8 | uint64(r.b[r.off+i])
	}
	r.off += size
	minimal := (size == 1 && n >= 24) || (size == 2 && n > math.MaxUint8) ||
		(size == 4 && n > math.MaxUint16) || (size == 8 && n > math.MaxUint32)
	if !minimal {
		r.fail("non-minimal integer encoding")
		return 0
	}
	return n
}

func (r *cborReader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)-r.off) {
		r.fail("length %d runs past the end", n)
		return nil
	}
	p := r.b[r.off : r.off+int(n)]
	r.off += int(n)
	return p
}

func (r *cborReader) text() string   { return string(r.take(r.head(majText))) }
func (r *cborReader) bytes() []byte  { return r.take(r.head(majBytes)) }
func (r *cborReader) uint() uint64   { return r.head(majUint) }
func (r *cborReader) remaining() int { return len(r.b) - r.off }

// key reads a map key and fails unless it is want (our maps have fixed keys
// in DAG-CBOR's length-first canonical order).
func (r *cborReader) key(want string) {
	if got := r.text(); r.err == nil && got != want {
		r.fail("map key %q, want %q", got, want)
	}
}

// link reads a tag-42 CID link and checks that the CID is one this store
// uses.
func (r *cborReader) link() cid.Cid {
	if tag := r.head(majTag); r.err == nil && tag != tagCID {
		r.fail("tag %d, want 42 (CID)", tag)
	}
	p := r.bytes()
	if r.err != nil {
		return cid.Undef
	}
	if len(p) < 2 || p[0] != 0 {
		r.fail("CID link without its 0x00 prefix")
		return cid.Undef
	}
	c, err := cid.Cast(p[1:])
	if err != nil {
		r.fail("bad CID link: %v", err)
		return cid.Undef
	}
	if _, err := DigestOf(c); err != nil {
		r.fail("CID link %s: %v", c, err)
		return cid.Undef
	}
	if string(c.Bytes()) != string(p[1:]) {
		r.fail("CID link not in canonical form")
		return cid.Undef
	}
	return c
}

func (r *cborReader) end() {
	if r.err == nil && r.off != len(r.b) {
		r.fail("%d trailing bytes", len(r.b)-r.off)
	}
}
