package audit

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/big"

	"tangent/verify/merkle"
	"tangent/verify/seedrand"
)

// Commitment is what a solver posts: the Merkle root over its checkpoint
// hashes and how many there are (a root means nothing without its size).
type Commitment struct {
	Root  merkle.Hash
	Count uint64 // checkpoints c_0..c_n: n+1
}

// Commit returns the commitment to checkpoint hashes c_0..c_n.
func Commit(checkpoints []merkle.Hash) Commitment {
	return Commitment{Root: merkle.RootOfHashes(checkpoints), Count: uint64(len(checkpoints))}
}

// Segments returns how many segments the commitment covers (Count-1, or 0).
func (c Commitment) Segments() uint64 {
	if c.Count == 0 {
		return 0
	}
	return c.Count - 1
}

// ErrNoSegment is returned for a segment index outside the commitment.
var ErrNoSegment = errors.New("audit: segment index outside the commitment")

// SegmentProof proves checkpoints c_i and c_{i+1}, the two ends of segment
// i, against the tree built over all checkpoint hashes (merkle.NewTree of
// merkle.LeafHashesOf(checkpoints)).
func SegmentProof(tree *merkle.Tree, i uint64) (merkle.RangeProof, error) {
	if tree.Size() < 2 || i >= tree.Size()-1 {
		return merkle.RangeProof{}, fmt.Errorf("%w: segment %d of %d checkpoints", ErrNoSegment, i, tree.Size())
	}
	return tree.RangeProof(i, i+2)
}

// VerifySegment checks that start and end are checkpoints c_i and c_{i+1} of
// the commitment.
func (c Commitment) VerifySegment(i uint64, start, end merkle.Hash, p merkle.RangeProof) error {
	if i >= c.Segments() {
		return fmt.Errorf("%w: segment %d of %d", ErrNoSegment, i, c.Segments())
	}
	if p.Begin != i || p.End != i+2 || p.Size != c.Count {
		return fmt.Errorf("audit: proof covers leaves [%d, %d) of %d, want [%d, %d) of %d", p.Begin, p.End, p.Size, i, i+2, c.Count)
	}
	return p.Verify(merkle.LeafHashesOf([]merkle.Hash{start, end}), c.Root)
}

// sampleDomain separates audit sampling from every other use of a seed.
const sampleDomain = "tangent/audit/sample/v1"

// Sample returns s distinct segment indices in [0, n), in the order drawn,
// chosen uniformly without replacement from seed. If s >= n it returns all n
// indices (in a seeded order). Memory is O(s), whatever n.
func Sample(seed []byte, n, s uint64) []uint64 {
	s = min(s, n)
	st := seedrand.New(sampleDomain, seed)
	// Partial Fisher-Yates over a virtual identity array; swapped holds the
	// entries that differ from the identity (only looked up, never ranged
	// over, so map order does not matter).
	swapped := make(map[uint64]uint64, 2*s)
	at := func(i uint64) uint64 {
		if v, ok := swapped[i]; ok {
			return v
		}
		return i
	}
	out := make([]uint64, 0, s)
	for i := range s {
		j := i + st.Below(n-i)
		vi, vj := at(i), at(j)
		out = append(out, vj)
		swapped[j] = vi
		swapped[i] = vj
	}
	return out
}

// VerifierSeed derives the seed of one verifier's sample from a shared seed
// (e.g. the block hash after the commitment) and the verifier's address, so
// that verifiers draw independent samples and each can compute its own.
func VerifierSeed(seed, verifier []byte) []byte {
	in := binary.BigEndian.AppendUint32(nil, uint32(len(seed))) // unambiguous: len(seed) || seed || verifier
	in = append(append(in, seed...), verifier...)
	st := seedrand.New("tangent/audit/verifier/v1", in)
	out := make([]byte, 0, 32)
	for range 4 {
		w := st.Uint64()
		out = binary.BigEndian.AppendUint64(out, w)
	}
	return out
}

// Assign returns each verifier's sample of s segments out of n: verifier i
// samples with VerifierSeed(seed, verifiers[i]), independently of the
// others (so samples may overlap, and each verifier can compute its own
// assignment from public data alone).
func Assign(seed []byte, n, s uint64, verifiers [][]byte) [][]uint64 {
	out := make([][]uint64, len(verifiers))
	for i, v := range verifiers {
		out[i] = Sample(VerifierSeed(seed, v), n, s)
	}
	return out
}

// Detection returns the probability that a sample of s distinct segments out
// of n contains at least one of c corrupted ones: 1 - C(n-c, s)/C(n, s),
// exactly. It returns an error unless c <= n and s <= n.
func Detection(n, c, s uint64) (*big.Rat, error) {
	miss, err := Miss(n, c, s)
	if err != nil {
		return nil, err
	}
	return miss.Sub(big.NewRat(1, 1), miss), nil
}

// Miss returns C(n-c, s)/C(n, s) = prod_{i<s} (n-c-i)/(n-i): the probability
// that one sample misses every corrupted segment.
func Miss(n, c, s uint64) (*big.Rat, error) {
	if c > n || s > n {
		return nil, fmt.Errorf("audit: need c <= n and s <= n, got n=%d c=%d s=%d", n, c, s)
	}
	if s > n-c {
		return new(big.Rat), nil // every sample hits a corrupted segment
	}
	num, den := big.NewInt(1), big.NewInt(1)
	var t big.Int
	for i := range s {
		num.Mul(num, t.SetUint64(n-c-i))
		den.Mul(den, t.SetUint64(n-i))
	}
	return new(big.Rat).SetFrac(num, den), nil
}

// DetectionIndependent returns 1 - Miss(n, c, s)^v: the probability that at
// least one of v verifiers with independent samples finds a corrupted
// segment.
func DetectionIndependent(n, c, s, v uint64) (*big.Rat, error) {
	miss, err := Miss(n, c, s)
	if err != nil {
		return nil, err
	}
	num := new(big.Int).Exp(miss.Num(), new(big.Int).SetUint64(v), nil)
	den := new(big.Int).Exp(miss.Denom(), new(big.Int).SetUint64(v), nil)
	return new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).SetFrac(num, den)), nil
}

// FixedOne is the fixed-point unit of DetectionFixed: 10^18 stands for 1.
const FixedOne uint64 = 1_000_000_000_000_000_000

// Fixed converts a probability in [0, 1] to fixed point, rounding down (so a
// guarantee stated in fixed point is never stronger than the truth).
func Fixed(p *big.Rat) uint64 {
	q := new(big.Int).Mul(p.Num(), new(big.Int).SetUint64(FixedOne))
	q.Quo(q, p.Denom())
	return q.Uint64()
}

// DetectionFixed is Detection as a fixed-point integer (FixedOne = 1).
func DetectionFixed(n, c, s uint64) (uint64, error) {
	p, err := Detection(n, c, s)
	if err != nil {
		return 0, err
	}
	return Fixed(p), nil
}

// MinSamples returns the smallest s such that one verifier's sample of s
// segments detects c corrupted segments out of n with probability at least
// target (a fixed-point fraction of FixedOne). It returns n when even n
// falls short (only possible for c = 0).
func MinSamples(n, c, target uint64) (uint64, error) {
	if c > n {
		return 0, fmt.Errorf("audit: c=%d > n=%d", c, n)
	}
	// Detection grows with s: binary search.
	lo, hi := uint64(0), n
	for lo < hi {
		mid := lo + (hi-lo)/2
		d, _ := DetectionFixed(n, c, mid)
		if d >= target {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return lo, nil
}
