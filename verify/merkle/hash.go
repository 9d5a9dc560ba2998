package merkle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
)

// HashSize is the size of every hash in a tree (SHA-256).
const HashSize = sha256.Size

// Chunk sizes of the two committed byte strings of Tangent (see the package
// comment). They are conventions of the callers, repeated here so that all of
// them agree.
const (
	TensorChunkSize = 4096    // ML trace: little-endian float32 tensor bytes
	BlobChunkSize   = 1 << 20 // blob store
)

// Domain-separation prefixes of RFC 6962 §2.1.
const (
	leafPrefix = 0x00
	nodePrefix = 0x01
)

// Hash is a SHA-256 digest: a leaf hash, a node hash or a root.
type Hash [HashSize]byte

// String returns the hash in lowercase hex.
func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash decodes 64 hex digits.
func ParseHash(s string) (Hash, error) {
	var h Hash
	if len(s) != 2*HashSize {
		return h, fmt.Errorf("merkle: hash %q has %d hex digits, want %d", s, len(s), 2*HashSize)
	}
	if _, err := hex.Decode(h[:], []byte(s)); err != nil {
		return h, fmt.Errorf("merkle: hash %q: %w", s, err)
	}
	return h, nil
}

// EmptyRoot returns the root of the tree with no leaves: SHA-256("").
func EmptyRoot() Hash { return sha256.Sum256(nil) }

// LeafHash returns SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	d := sha256.New()
	d.Write([]byte{leafPrefix})
	d.Write(data)
	var h Hash
	d.Sum(h[:0])
	return h
}

// NodeHash returns SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*HashSize]byte
	buf[0] = nodePrefix
	copy(buf[1:], left[:])
	copy(buf[1+HashSize:], right[:])
	return sha256.Sum256(buf[:])
}
