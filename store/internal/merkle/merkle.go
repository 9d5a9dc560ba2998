package merkle

import (
	"crypto/sha256"
	"errors"
)

// Hash is a SHA-256 digest.
type Hash = [sha256.Size]byte

// LeafHash returns SHA-256(0x00 || data).
func LeafHash(data []byte) Hash {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(data)
	var out Hash
	h.Sum(out[:0])
	return out
}

// NodeHash returns SHA-256(0x01 || left || right).
func NodeHash(left, right Hash) Hash {
	var buf [1 + 2*sha256.Size]byte
	buf[0] = 1
	copy(buf[1:], left[:])
	copy(buf[1+sha256.Size:], right[:])
	return sha256.Sum256(buf[:])
}

// split returns the largest power of two strictly less than n (n >= 2).
func split(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

// RootFromLeafHashes returns the Merkle Tree Hash of leaves already hashed
// with LeafHash. It does not keep or modify leaves.
func RootFromLeafHashes(leaves []Hash) Hash {
	switch len(leaves) {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return leaves[0]
	}
	k := split(len(leaves))
	return NodeHash(RootFromLeafHashes(leaves[:k]), RootFromLeafHashes(leaves[k:]))
}

// Root returns the Merkle Tree Hash of the data items.
func Root(items [][]byte) Hash {
	leaves := make([]Hash, len(items))
	for i, it := range items {
		leaves[i] = LeafHash(it)
	}
	return RootFromLeafHashes(leaves)
}

// Proof returns the RFC 6962 audit path for leaf index i, ordered from the
// leaf's sibling up to the root's child. It panics if i is out of range.
func Proof(leaves []Hash, i int) []Hash {
	if i < 0 || i >= len(leaves) {
		panic("merkle: proof index out of range")
	}
	var path []Hash
	return proof(leaves, i, path)
}

func proof(leaves []Hash, i int, path []Hash) []Hash {
	if len(leaves) <= 1 {
		return path
	}
	k := split(len(leaves))
	if i < k {
		path = proof(leaves[:k], i, path)
		return append(path, RootFromLeafHashes(leaves[k:]))
	}
	path = proof(leaves[k:], i-k, path)
	return append(path, RootFromLeafHashes(leaves[:k]))
}

// ErrBadProof is returned by Verify when the path does not lead from the leaf
// to the root, or has the wrong length for (index, size).
var ErrBadProof = errors.New("merkle: audit path does not match the root")

// RootFromProof recomputes the root from a leaf hash, its index, the tree
// size and an audit path (RFC 9162 section 2.1.3.2's verification algorithm).
func RootFromProof(leaf Hash, index, size uint64, path []Hash) (Hash, error) {
	if index >= size {
		return Hash{}, ErrBadProof
	}
	fn, sn := index, size-1
	r := leaf
	for _, p := range path {
		if sn == 0 {
			return Hash{}, ErrBadProof
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(p, r)
			for fn&1 == 0 && fn != 0 {
				fn >>= 1
				sn >>= 1
			}
		} else {
			r = NodeHash(r, p)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return Hash{}, ErrBadProof
	}
	return r, nil
}

// Verify reports whether path proves that leaf is at index in a tree of size
// leaves with the given root. It returns nil or ErrBadProof.
func Verify(root, leaf Hash, index, size uint64, path []Hash) error {
	r, err := RootFromProof(leaf, index, size, path)
	if err != nil {
		return err
	}
	if r != root {
		return ErrBadProof
	}
	return nil
}
