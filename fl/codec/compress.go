package codec

import (
	"errors"
	"fmt"
	"math"

	"tangent/fl/vec"
)

// Config says how a Compressor compresses.
type Config struct {
	K        int  // entries sent per message, 1 ≤ K ≤ dim
	Quantize bool // send 8-bit values with one float32 scale per message
}

// KForFraction returns the K that keeps ppm parts per million of dim
// coordinates (rounded down, at least 1): KForFraction(1_000_000, 5000) is
// 5000, i.e. 0.5 %.
func KForFraction(dim int, ppm int) int {
	return max(1, int(int64(dim)*int64(ppm)/1_000_000))
}

// Compressor is a trainer's top-k compressor with error feedback. It keeps
// the residual between rounds; it is not safe for concurrent use.
type Compressor struct {
	cfg      Config
	residual []float32
	acc      []float32
	hist     []uint32
}

// NewCompressor returns a compressor for dim-long updates with a zero residual.
func NewCompressor(dim int, cfg Config) (*Compressor, error) {
	if dim < 1 || uint64(dim) > 1<<32 {
		return nil, fmt.Errorf("codec: dim %d out of range [1, 2^32]", dim)
	}
	if cfg.K < 1 || cfg.K > dim {
		return nil, fmt.Errorf("codec: K = %d must be between 1 and dim = %d", cfg.K, dim)
	}
	return &Compressor{
		cfg:      cfg,
		residual: make([]float32, dim),
		acc:      make([]float32, dim),
		hist:     make([]uint32, 1<<16),
	}, nil
}

// Residual returns a copy of the current residual: what has been computed
// but not sent yet.
func (c *Compressor) Residual() []float32 {
	out := make([]float32, len(c.residual))
	copy(out, c.residual)
	return out
}

// ErrNonFinite is returned by Compress when the update has a NaN or ±Inf.
var ErrNonFinite = errors.New("codec: update has a non-finite element")

// Compress folds update into the residual, selects the top K entries and
// returns them as a Sparse (quantized if configured); what is not sent
// stays in the residual. update is not modified or kept. On error the
// residual is unchanged.
func (c *Compressor) Compress(update []float32) (Sparse, error) {
	if len(update) != len(c.residual) {
		return Sparse{}, fmt.Errorf("codec: update has %d elements, compressor has %d", len(update), len(c.residual))
	}
	if j := vec.FirstNonFinite(update); j >= 0 {
		return Sparse{}, fmt.Errorf("%w (element %d)", ErrNonFinite, j)
	}
	acc := c.acc
	for i, u := range update {
		acc[i] = u + c.residual[i]
	}
	if j := vec.FirstNonFinite(acc); j >= 0 {
		return Sparse{}, fmt.Errorf("%w: update plus residual overflows at element %d", ErrNonFinite, j)
	}
	idx := topK(acc, c.cfg.K, c.hist)
	s := Sparse{Dim: len(acc), Index: idx, Value: make([]float32, len(idx))}
	var maxAbs float32
	for k, i := range idx {
		s.Value[k] = acc[i]
		maxAbs = max(maxAbs, abs32(acc[i]))
	}
	if c.cfg.Quantize {
		if scale := maxAbs / 127; validScale(scale) {
			s.Scale = scale
			for k, v := range s.Value {
				s.Value[k] = dequant(quantize(v, scale), scale)
			}
		}
	}
	copy(c.residual, acc)
	for k, i := range idx {
		c.residual[i] = acc[i] - s.Value[k]
	}
	return s, nil
}

func abs32(v float32) float32 { return math.Float32frombits(math.Float32bits(v) &^ (1 << 31)) }

// TopK returns, in increasing order, the indices of the k entries of x with
// the largest magnitude; among equal magnitudes the lower index wins. x must
// be finite and 0 ≤ k ≤ len(x).
func TopK(x []float32, k int) []uint32 {
	return topK(x, k, make([]uint32, 1<<16))
}

// topK is a two-pass radix select on the magnitude bits (for finite floats,
// the order of |x| is the order of its bits with the sign cleared): the high
// 16 bits locate the bucket of the k-th largest, the low 16 bits the exact
// threshold T. Entries above T are taken, and entries equal to T in
// increasing index order until k are taken. hist is scratch of 2^16 counts.
func topK(x []float32, k int, hist []uint32) []uint32 {
	out := make([]uint32, 0, k)
	if k == 0 {
		return out
	}
	key := func(v float32) uint32 { return math.Float32bits(v) &^ (1 << 31) }
	clear(hist)
	for _, v := range x {
		hist[key(v)>>16]++
	}
	need := uint32(k) // entries still to find at or below the current bucket
	hi := 0xffff
	for ; hi >= 0; hi-- {
		if hist[hi] >= need {
			break
		}
		need -= hist[hi]
	}
	clear(hist)
	for _, v := range x {
		if kv := key(v); int(kv>>16) == hi {
			hist[kv&0xffff]++
		}
	}
	lo := 0xffff
	for ; lo >= 0; lo-- {
		if hist[lo] >= need {
			break
		}
		need -= hist[lo]
	}
	threshold := uint32(hi)<<16 | uint32(lo)
	ties := need // how many entries equal to the threshold to take
	for i, v := range x {
		kv := key(v)
		if kv > threshold {
			out = append(out, uint32(i))
		} else if kv == threshold && ties > 0 {
			out = append(out, uint32(i))
			ties--
		}
	}
	return out
}
