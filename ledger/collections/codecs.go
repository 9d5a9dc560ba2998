package collections

import (
	"encoding/binary"
	"fmt"

	"tangent/ledger/chain"
	"tangent/ledger/codec"
)

// KeyCodec encodes keys so that byte order is a useful order. A key in the
// last position of a composite key is encoded "terminal" (it may use the rest
// of the bytes); in an earlier position it must be self-delimiting.
type KeyCodec[K any] interface {
	// AppendKey appends k in terminal position.
	AppendKey(dst []byte, k K) []byte
	// DecodeKey decodes a terminal key from all of b.
	DecodeKey(b []byte) (K, error)
	// AppendKeyNonTerminal appends k in a non-terminal position.
	AppendKeyNonTerminal(dst []byte, k K) []byte
	// DecodeKeyNonTerminal decodes a non-terminal key from the start of b
	// and returns the number of bytes it used.
	DecodeKeyNonTerminal(b []byte) (K, int, error)
}

// ValueCodec encodes values canonically.
type ValueCodec[V any] interface {
	AppendValue(dst []byte, v V) []byte
	DecodeValue(b []byte) (V, error)
}

// ---- keys ----

type addressKey struct{}

// AddressKey encodes an address as its 20 bytes.
var AddressKey KeyCodec[chain.Address] = addressKey{}

func (addressKey) AppendKey(dst []byte, k chain.Address) []byte { return append(dst, k[:]...) }
func (addressKey) DecodeKey(b []byte) (chain.Address, error) {
	var a chain.Address
	if len(b) != chain.AddressLen {
		return a, fmt.Errorf("address key has %d bytes, want %d", len(b), chain.AddressLen)
	}
	copy(a[:], b)
	return a, nil
}
func (c addressKey) AppendKeyNonTerminal(dst []byte, k chain.Address) []byte {
	return c.AppendKey(dst, k)
}
func (c addressKey) DecodeKeyNonTerminal(b []byte) (chain.Address, int, error) {
	if len(b) < chain.AddressLen {
		return chain.Address{}, 0, fmt.Errorf("address key truncated")
	}
	a, err := c.DecodeKey(b[:chain.AddressLen])
	return a, chain.AddressLen, err
}

type uint64Key struct{}

// Uint64Key encodes a uint64 as 8 big-endian bytes (numeric order).
var Uint64Key KeyCodec[uint64] = uint64Key{}

func (uint64Key) AppendKey(dst []byte, k uint64) []byte { return binary.BigEndian.AppendUint64(dst, k) }
func (uint64Key) DecodeKey(b []byte) (uint64, error) {
	if len(b) != 8 {
		return 0, fmt.Errorf("uint64 key has %d bytes, want 8", len(b))
	}
	return binary.BigEndian.Uint64(b), nil
}
func (c uint64Key) AppendKeyNonTerminal(dst []byte, k uint64) []byte { return c.AppendKey(dst, k) }
func (c uint64Key) DecodeKeyNonTerminal(b []byte) (uint64, int, error) {
	if len(b) < 8 {
		return 0, 0, fmt.Errorf("uint64 key truncated")
	}
	v, err := c.DecodeKey(b[:8])
	return v, 8, err
}

type byteKey struct{}

// ByteKey encodes a uint8 (e.g. an enum) as one byte.
var ByteKey KeyCodec[uint8] = byteKey{}

func (byteKey) AppendKey(dst []byte, k uint8) []byte { return append(dst, k) }
func (byteKey) DecodeKey(b []byte) (uint8, error) {
	if len(b) != 1 {
		return 0, fmt.Errorf("byte key has %d bytes, want 1", len(b))
	}
	return b[0], nil
}
func (c byteKey) AppendKeyNonTerminal(dst []byte, k uint8) []byte { return append(dst, k) }
func (c byteKey) DecodeKeyNonTerminal(b []byte) (uint8, int, error) {
	if len(b) < 1 {
		return 0, 0, fmt.Errorf("byte key truncated")
	}
	return b[0], 1, nil
}

type stringKey struct{}

// StringKey encodes a string raw in terminal position and length-prefixed
// (uvarint) otherwise.
var StringKey KeyCodec[string] = stringKey{}

func (stringKey) AppendKey(dst []byte, k string) []byte { return append(dst, k...) }
func (stringKey) DecodeKey(b []byte) (string, error)    { return string(b), nil }
func (stringKey) AppendKeyNonTerminal(dst []byte, k string) []byte {
	return codec.AppendString(dst, k)
}
func (stringKey) DecodeKeyNonTerminal(b []byte) (string, int, error) {
	r := codec.NewReader(b)
	s := r.String("string key", len(b))
	return s, r.Offset(), r.Err()
}

// Pair is a two-part key.
type Pair[K1, K2 any] struct {
	K1 K1
	K2 K2
}

// Join builds a Pair.
func Join[K1, K2 any](k1 K1, k2 K2) Pair[K1, K2] { return Pair[K1, K2]{K1: k1, K2: k2} }

type pairKey[K1, K2 any] struct {
	c1 KeyCodec[K1]
	c2 KeyCodec[K2]
}

// PairKey composes two key codecs; iterating a Map with a Pair key by the
// first part's prefix walks all second parts in order.
func PairKey[K1, K2 any](c1 KeyCodec[K1], c2 KeyCodec[K2]) KeyCodec[Pair[K1, K2]] {
	return pairKey[K1, K2]{c1, c2}
}

func (p pairKey[K1, K2]) AppendKey(dst []byte, k Pair[K1, K2]) []byte {
	return p.c2.AppendKey(p.c1.AppendKeyNonTerminal(dst, k.K1), k.K2)
}
func (p pairKey[K1, K2]) DecodeKey(b []byte) (Pair[K1, K2], error) {
	k1, n, err := p.c1.DecodeKeyNonTerminal(b)
	if err != nil {
		return Pair[K1, K2]{}, err
	}
	k2, err := p.c2.DecodeKey(b[n:])
	return Pair[K1, K2]{k1, k2}, err
}
func (p pairKey[K1, K2]) AppendKeyNonTerminal(dst []byte, k Pair[K1, K2]) []byte {
	return p.c2.AppendKeyNonTerminal(p.c1.AppendKeyNonTerminal(dst, k.K1), k.K2)
}
func (p pairKey[K1, K2]) DecodeKeyNonTerminal(b []byte) (Pair[K1, K2], int, error) {
	k1, n, err := p.c1.DecodeKeyNonTerminal(b)
	if err != nil {
		return Pair[K1, K2]{}, 0, err
	}
	k2, m, err := p.c2.DecodeKeyNonTerminal(b[n:])
	return Pair[K1, K2]{k1, k2}, n + m, err
}

// ---- values ----

type uvarintValue struct{}

// Uint64Value encodes a uint64 as a minimal uvarint.
var Uint64Value ValueCodec[uint64] = uvarintValue{}

func (uvarintValue) AppendValue(dst []byte, v uint64) []byte { return codec.AppendUvarint(dst, v) }
func (uvarintValue) DecodeValue(b []byte) (uint64, error) {
	var r codec.Reader
	r.Reset(b)
	v := r.Uvarint("value")
	return v, r.Done()
}

type bytesValue struct{}

// BytesValue stores raw bytes (the decoded slice aliases the store's).
var BytesValue ValueCodec[[]byte] = bytesValue{}

func (bytesValue) AppendValue(dst []byte, v []byte) []byte { return append(dst, v...) }
func (bytesValue) DecodeValue(b []byte) ([]byte, error)    { return b, nil }

type stringValue struct{}

// StringValue stores a raw string.
var StringValue ValueCodec[string] = stringValue{}

func (stringValue) AppendValue(dst []byte, v string) []byte { return append(dst, v...) }
func (stringValue) DecodeValue(b []byte) (string, error)    { return string(b), nil }
