package secagg

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// ErrRange is returned by Encode when a scaled value does not fit in int32.
var ErrRange = errors.New("secagg: scaled value outside int32 (lower the scale)")

// Encode returns round(x[i]·scale) (half away from zero) as two's-complement
// uint32 values.
func Encode(x []float32, scale float64) ([]uint32, error) {
	if !(scale > 0) || math.IsInf(scale, 1) {
		return nil, fmt.Errorf("secagg: scale %v must be positive and finite", scale)
	}
	out := make([]uint32, len(x))
	for i, v := range x {
		q := math.Round(float64(v) * scale)
		if !(q >= math.MinInt32 && q <= math.MaxInt32) {
			return nil, fmt.Errorf("%w: element %d = %v", ErrRange, i, v)
		}
		out[i] = uint32(int32(q))
	}
	return out, nil
}

// Decode maps a (summed) fixed-point vector back to float32: float32(int32(s)/scale).
func Decode(sum []uint32, scale float64) []float32 {
	out := make([]float32, len(sum))
	for i, s := range sum {
		out[i] = float32(float64(int32(s)) / scale)
	}
	return out
}

// Peer is another trainer of the round and the key this trainer shares with it.
type Peer struct {
	ID  uint32
	Key [32]byte
}

// stream fills dst with the mask stream of the pair (lo, hi) for round.
func stream(dst []uint32, key [32]byte, round uint64, lo, hi uint32) {
	h := sha256.New()
	h.Write([]byte("tangent/secagg/v1"))
	h.Write(key[:])
	var b [16]byte
	binary.BigEndian.PutUint64(b[0:], round)
	binary.BigEndian.PutUint32(b[8:], lo)
	binary.BigEndian.PutUint32(b[12:], hi)
	h.Write(b[:])
	k := h.Sum(nil)
	block, err := aes.NewCipher(k)
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	ctr := cipher.NewCTR(block, make([]byte, aes.BlockSize))
	buf := make([]byte, 4*min(len(dst), 4096))
	for len(dst) > 0 {
		n := min(len(dst), len(buf)/4)
		clear(buf[:4*n])
		ctr.XORKeyStream(buf[:4*n], buf[:4*n])
		for i := range n {
			dst[i] = binary.LittleEndian.Uint32(buf[4*i:])
		}
		dst = dst[n:]
	}
}

// Mask adds this trainer's pairwise masks to x in place (mod 2^32): for each
// peer, +m when self < peer.ID, −m when self > peer.ID. Peers must have
// distinct ids different from self.
func Mask(x []uint32, self uint32, peers []Peer, round uint64) error {
	seen := make(map[uint32]bool, len(peers))
	m := make([]uint32, len(x))
	for _, p := range peers {
		if p.ID == self {
			return fmt.Errorf("secagg: trainer %d listed as its own peer", self)
		}
		if seen[p.ID] {
			return fmt.Errorf("secagg: peer %d listed twice", p.ID)
		}
		seen[p.ID] = true
		lo, hi := min(self, p.ID), max(self, p.ID)
		stream(m, p.Key, round, lo, hi)
		if self < p.ID {
			for i := range x {
				x[i] += m[i]
			}
		} else {
			for i := range x {
				x[i] -= m[i]
			}
		}
	}
	return nil
}

// Sum adds masked vectors mod 2^32. All must have the same length.
func Sum(masked [][]uint32) ([]uint32, error) {
	if len(masked) == 0 {
		return nil, errors.New("secagg: nothing to sum")
	}
	out := make([]uint32, len(masked[0]))
	for k, v := range masked {
		if len(v) != len(out) {
			return nil, fmt.Errorf("secagg: vector %d has %d elements, vector 0 has %d", k, len(v), len(out))
		}
		for i, x := range v {
			out[i] += x
		}
	}
	return out, nil
}
