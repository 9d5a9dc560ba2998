package trace

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
)

// ChunkSize is the number of bytes per Merkle leaf of a tensor commitment.
const ChunkSize = 4096

// Root is a SHA-256 Merkle root.
type Root [32]byte

// String returns the root in lower-case hex.
func (r Root) String() string { return hex.EncodeToString(r[:]) }

func leafHash(b []byte) Root {
	h := sha256.New()
	h.Write([]byte{0})
	h.Write(b)
	var r Root
	h.Sum(r[:0])
	return r
}

func nodeHash(l, r Root) Root {
	var buf [65]byte
	buf[0] = 1
	copy(buf[1:], l[:])
	copy(buf[33:], r[:])
	return sha256.Sum256(buf[:])
}

// RootOfLeaves returns the RFC 6962 Merkle Tree Hash of the leaves.
func RootOfLeaves(leaves [][]byte) Root {
	if len(leaves) == 0 {
		return sha256.Sum256(nil)
	}
	hs := make([]Root, len(leaves))
	for i, l := range leaves {
		hs[i] = leafHash(l)
	}
	return mth(hs)
}

// mth combines leaf hashes by the RFC 6962 split rule.
func mth(hs []Root) Root {
	if len(hs) == 1 {
		return hs[0]
	}
	k := 1
	for k<<1 < len(hs) {
		k <<= 1
	}
	return nodeHash(mth(hs[:k]), mth(hs[k:]))
}

// RootOfChunks returns the Merkle Tree Hash of b cut into chunks of size
// bytes (the last may be shorter; empty b has no leaves).
func RootOfChunks(b []byte, size int) Root {
	if len(b) == 0 {
		return sha256.Sum256(nil)
	}
	n := (len(b) + size - 1) / size
	hs := make([]Root, n)
	for i := range hs {
		hs[i] = leafHash(b[i*size : min((i+1)*size, len(b))])
	}
	return mth(hs)
}

// Bytes returns the little-endian bytes of x.
func Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// TensorRoot commits a float32 tensor: RootOfChunks of its little-endian
// bytes with ChunkSize.
func TensorRoot(x []float32) Root {
	if len(x) == 0 {
		return sha256.Sum256(nil)
	}
	const per = ChunkSize / 4
	n := (len(x) + per - 1) / per
	hs := make([]Root, n)
	var buf [ChunkSize]byte
	for i := range hs {
		c := x[i*per : min((i+1)*per, len(x))]
		for j, v := range c {
			binary.LittleEndian.PutUint32(buf[4*j:], math.Float32bits(v))
		}
		hs[i] = leafHash(buf[:4*len(c)])
	}
	return mth(hs)
}
