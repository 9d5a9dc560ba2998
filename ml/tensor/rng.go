package tensor

import "math/bits"

// Philox4x32-10 constants (Random123).
const (
	philoxM0 = 0xD2511F53
	philoxM1 = 0xCD9E8D57
	philoxW0 = 0x9E3779B9
	philoxW1 = 0xBB67AE85
)

// Philox returns the Philox4x32-10 block for a 64-bit key and a 128-bit
// counter (c0 is the lowest word).
func Philox(key uint64, c0, c1, c2, c3 uint32) [4]uint32 {
	k0, k1 := uint32(key), uint32(key>>32)
	for r := 0; r < 10; r++ {
		hi0, lo0 := bits.Mul32(philoxM0, c0)
		hi1, lo1 := bits.Mul32(philoxM1, c2)
		c0, c1, c2, c3 = hi1^c1^k0, lo1, hi0^c3^k1, lo0
		k0 += philoxW0
		k1 += philoxW1
	}
	return [4]uint32{c0, c1, c2, c3}
}

// Stream ids separate the random streams drawn from one seed.
const (
	StreamInit    uint32 = 1 // parameter initialization
	StreamShuffle uint32 = 2 // data order (counter high word = epoch)
	StreamDropout uint32 = 3 // dropout masks
	StreamData    uint32 = 4 // federated partitioning
)

// RNG is a position in one Philox stream: block i of the stream is
// Philox(Seed, uint32(i), uint32(i>>32), Stream, 0). Its whole state is these
// three values; the zero Counter is the start of the stream. Methods that
// draw advance Counter by the number of blocks they consume.
type RNG struct {
	Seed    uint64
	Stream  uint32
	Counter uint64
}

// NewRNG returns the start of stream id of seed.
func NewRNG(seed uint64, stream uint32) *RNG { return &RNG{Seed: seed, Stream: stream} }

// Block returns block i of the stream without changing the RNG.
func (r *RNG) Block(i uint64) [4]uint32 {
	return Philox(r.Seed, uint32(i), uint32(i>>32), r.Stream, 0)
}

// Uint32At returns the j-th 32-bit word after the current counter (word j
// lives in block Counter + j/4) without advancing: parallel fillers use it.
func (r *RNG) Uint32At(j uint64) uint32 {
	return r.Block(r.Counter + j/4)[j%4]
}

// Skip advances the counter past the blocks that n words occupy.
func (r *RNG) Skip(n uint64) { r.Counter += (n + 3) / 4 }

// Uint64 draws one block and returns its first two words as a uint64.
func (r *RNG) Uint64() uint64 {
	b := r.Block(r.Counter)
	r.Counter++
	return uint64(b[0]) | uint64(b[1])<<32
}

// Float64 draws a uniform float64 in [0, 1) with 53 random bits.
func (r *RNG) Float64() float64 {
	return float64(r.Uint64()>>11) * (1.0 / (1 << 53))
}

// IntN draws a uniform integer in [0, n) (Lemire's multiply-and-reject;
// exact, no modulo bias). It panics if n <= 0.
func (r *RNG) IntN(n int) int {
	if n <= 0 {
		panic("tensor: IntN of n <= 0")
	}
	un := uint64(n)
	for {
		hi, lo := bits.Mul64(r.Uint64(), un)
		if lo < un {
			thresh := -un % un
			if lo < thresh {
				continue
			}
		}
		return int(hi)
	}
}

// Unit32 maps a random word to a float32 in [0, 1) with 24 random bits
// (exact: the result is a multiple of 2**-24).
func Unit32(w uint32) float32 { return float32(w>>8) * (1.0 / (1 << 24)) }

// FillUniform fills dst with values uniform in [-bound, bound): word j gives
// float32(2*Unit32(w)-1) * bound (both operations exactly rounded float32,
// the first exact). It advances the RNG by the blocks consumed.
func (r *RNG) FillUniform(dst []float32, bound float32) {
	for j := range dst {
		u := float32(2*Unit32(r.Uint32At(uint64(j)))) - 1 // 2*u is exact
		dst[j] = float32(u * bound)
	}
	r.Skip(uint64(len(dst)))
}

// Perm returns a uniform random permutation of [0, n) (Fisher-Yates, drawing
// IntN from i = n-1 down to 1).
func (r *RNG) Perm(n int) []int {
	p := make([]int, n)
	for i := range p {
		p[i] = i
	}
	r.Shuffle(p)
	return p
}

// Shuffle permutes p in place with Fisher-Yates.
func (r *RNG) Shuffle(p []int) {
	for i := len(p) - 1; i > 0; i-- {
		j := r.IntN(i + 1)
		p[i], p[j] = p[j], p[i]
	}
}
