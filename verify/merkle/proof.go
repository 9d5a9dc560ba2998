package merkle

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// MaxSize is the largest tree size a proof may claim (2^62 leaves), so that
// size arithmetic never overflows.
const MaxSize = 1 << 62

// maxLevels bounds the height of any tree of at most MaxSize leaves.
const maxLevels = 62

// Errors returned by the Verify methods.
var (
	// ErrRootMismatch: the proof is well formed but recomputes a different
	// root: the leaf (or range) is not in the tree, or the proof is forged.
	ErrRootMismatch = errors.New("merkle: proof does not lead to the expected root")
	// ErrProofSize: the proof has the wrong number of hashes for its
	// index and tree size.
	ErrProofSize = errors.New("merkle: wrong number of hashes in proof")
	// ErrMalformed is returned by the decoders for bytes that are not the
	// canonical encoding of a proof.
	ErrMalformed = errors.New("merkle: malformed proof encoding")
)

// IndexError reports a leaf index or range [Begin, End) that does not fit a
// tree of Size leaves (or a Size above MaxSize).
type IndexError struct {
	Begin, End, Size uint64
}

func (e *IndexError) Error() string {
	if e.End == e.Begin+1 {
		return fmt.Sprintf("merkle: leaf %d is not in a tree of %d leaves", e.Begin, e.Size)
	}
	return fmt.Sprintf("merkle: leaf range [%d, %d) is not a non-empty range of a tree of %d leaves", e.Begin, e.End, e.Size)
}

// InclusionProof is the RFC 9162 §2.1.3 audit path of leaf Index in a tree of
// Size leaves: the sibling hashes from the leaf up to the root.
type InclusionProof struct {
	Index, Size uint64
	Path        []Hash
}

// RootFromLeaf recomputes the root from the leaf's hash following RFC 9162
// §2.1.3.2, after checking the shape of the proof.
func (p InclusionProof) RootFromLeaf(leafHash Hash) (Hash, error) {
	if p.Index >= p.Size || p.Size > MaxSize {
		return Hash{}, &IndexError{Begin: p.Index, End: p.Index + 1, Size: p.Size}
	}
	if len(p.Path) != inclusionPathLen(p.Index, p.Size) {
		return Hash{}, ErrProofSize
	}
	fn, sn := p.Index, p.Size-1
	r := leafHash
	for _, h := range p.Path {
		if sn == 0 {
			return Hash{}, ErrProofSize
		}
		if fn&1 == 1 || fn == sn {
			r = NodeHash(h, r)
			if fn&1 == 0 {
				for fn&1 == 0 && fn != 0 {
					fn >>= 1
					sn >>= 1
				}
			}
		} else {
			r = NodeHash(r, h)
		}
		fn >>= 1
		sn >>= 1
	}
	if sn != 0 {
		return Hash{}, ErrProofSize
	}
	return r, nil
}

// Verify checks that leafHash is leaf Index of the tree with the given root.
func (p InclusionProof) Verify(leafHash, root Hash) error {
	r, err := p.RootFromLeaf(leafHash)
	if err != nil {
		return err
	}
	if r != root {
		return ErrRootMismatch
	}
	return nil
}

// RangeProof proves that leaves [Begin, End) of a tree of Size leaves have
// given hashes. Hashes lists, level by level from the leaves up, the left
// neighbour of the range (when the range starts at an odd position) and then
// its right neighbour (when it ends at an odd position that is not the last
// of the level): the only nodes a verifier holding the range cannot compute.
type RangeProof struct {
	Begin, End, Size uint64
	Hashes           []Hash
}

// RootFromLeaves recomputes the root from the leaf hashes of the range
// (len(leafHashes) must be End-Begin).
func (p RangeProof) RootFromLeaves(leafHashes []Hash) (Hash, error) {
	if p.Begin >= p.End || p.End > p.Size || p.Size > MaxSize {
		return Hash{}, &IndexError{Begin: p.Begin, End: p.End, Size: p.Size}
	}
	if uint64(len(leafHashes)) != p.End-p.Begin {
		return Hash{}, fmt.Errorf("merkle: range [%d, %d) needs %d leaf hashes, got %d", p.Begin, p.End, p.End-p.Begin, len(leafHashes))
	}
	if len(p.Hashes) != rangeProofLen(p.Begin, p.End, p.Size) {
		return Hash{}, ErrProofSize
	}
	cur := append([]Hash(nil), leafHashes...)
	proof := p.Hashes
	lo, hi, n := p.Begin, p.End, p.Size
	for n > 1 {
		if lo&1 == 1 {
			cur = append([]Hash{proof[0]}, cur...)
			proof = proof[1:]
		}
		if hi&1 == 1 && hi < n {
			cur = append(cur, proof[0])
			proof = proof[1:]
		}
		next := cur[:0]
		for i := 0; i < len(cur); i += 2 {
			if i+1 < len(cur) {
				next = append(next, NodeHash(cur[i], cur[i+1]))
			} else {
				next = append(next, cur[i]) // lone last node of the level
			}
		}
		cur = next
		lo, hi, n = lo>>1, (hi+1)>>1, (n+1)>>1
	}
	return cur[0], nil
}

// Verify checks that leafHashes are leaves [Begin, End) of the tree with the
// given root.
func (p RangeProof) Verify(leafHashes []Hash, root Hash) error {
	r, err := p.RootFromLeaves(leafHashes)
	if err != nil {
		return err
	}
	if r != root {
		return ErrRootMismatch
	}
	return nil
}

// inclusionPathLen is the audit path length of leaf index in a tree of size
// leaves (index < size <= MaxSize).
func inclusionPathLen(index, size uint64) int {
	n := 0
	for i, l := index, size; l > 1; i, l = i>>1, (l+1)>>1 {
		if i&1 == 1 || i+1 < l {
			n++
		}
	}
	return n
}

// rangeProofLen is the number of hashes in the range proof of [begin, end).
func rangeProofLen(begin, end, size uint64) int {
	n := 0
	for lo, hi, l := begin, end, size; l > 1; lo, hi, l = lo>>1, (hi+1)>>1, (l+1)>>1 {
		if lo&1 == 1 {
			n++
		}
		if hi&1 == 1 && hi < l {
			n++
		}
	}
	return n
}

// Encoding tags.
const (
	tagInclusion = 0x01
	tagRange     = 0x02
)

// MaxInclusionProofSize and MaxRangeProofSize bound the encodings.
const (
	MaxInclusionProofSize = 1 + 2*binary.MaxVarintLen64 + maxLevels*HashSize
	MaxRangeProofSize     = 1 + 3*binary.MaxVarintLen64 + 2*maxLevels*HashSize
)

// Encode returns the proof's canonical bytes: 0x01, uvarint Index, uvarint
// Size, then the path hashes (their count follows from Index and Size).
func (p InclusionProof) Encode() []byte {
	b := make([]byte, 0, 1+2*binary.MaxVarintLen64+len(p.Path)*HashSize)
	b = append(b, tagInclusion)
	b = binary.AppendUvarint(b, p.Index)
	b = binary.AppendUvarint(b, p.Size)
	for _, h := range p.Path {
		b = append(b, h[:]...)
	}
	return b
}

// Encode returns the proof's canonical bytes: 0x02, uvarint Begin, uvarint
// End, uvarint Size, then the hashes (their count follows from the header).
func (p RangeProof) Encode() []byte {
	b := make([]byte, 0, 1+3*binary.MaxVarintLen64+len(p.Hashes)*HashSize)
	b = append(b, tagRange)
	b = binary.AppendUvarint(b, p.Begin)
	b = binary.AppendUvarint(b, p.End)
	b = binary.AppendUvarint(b, p.Size)
	for _, h := range p.Hashes {
		b = append(b, h[:]...)
	}
	return b
}

// DecodeInclusionProof parses the output of InclusionProof.Encode. It rejects
// (with an error wrapping ErrMalformed) any other input: a wrong tag,
// non-minimal varints, an index outside the tree, a size above MaxSize, or a
// hash count other than the one the header implies.
func DecodeInclusionProof(b []byte) (InclusionProof, error) {
	var p InclusionProof
	rest, err := expectTag(b, tagInclusion)
	if err != nil {
		return p, err
	}
	if p.Index, rest, err = uvarint(rest); err != nil {
		return p, err
	}
	if p.Size, rest, err = uvarint(rest); err != nil {
		return p, err
	}
	if p.Index >= p.Size || p.Size > MaxSize {
		return p, fmt.Errorf("%w: %w", ErrMalformed, &IndexError{Begin: p.Index, End: p.Index + 1, Size: p.Size})
	}
	p.Path, err = hashes(rest, inclusionPathLen(p.Index, p.Size))
	return p, err
}

// DecodeRangeProof parses the output of RangeProof.Encode, rejecting anything
// else as DecodeInclusionProof does.
func DecodeRangeProof(b []byte) (RangeProof, error) {
	var p RangeProof
	rest, err := expectTag(b, tagRange)
	if err != nil {
		return p, err
	}
	if p.Begin, rest, err = uvarint(rest); err != nil {
		return p, err
	}
	if p.End, rest, err = uvarint(rest); err != nil {
		return p, err
	}
	if p.Size, rest, err = uvarint(rest); err != nil {
		return p, err
	}
	if p.Begin >= p.End || p.End > p.Size || p.Size > MaxSize {
		return p, fmt.Errorf("%w: %w", ErrMalformed, &IndexError{Begin: p.Begin, End: p.End, Size: p.Size})
	}
	p.Hashes, err = hashes(rest, rangeProofLen(p.Begin, p.End, p.Size))
	return p, err
}

func expectTag(b []byte, tag byte) ([]byte, error) {
	if len(b) == 0 {
		return nil, fmt.Errorf("%w: empty input", ErrMalformed)
	}
	if b[0] != tag {
		return nil, fmt.Errorf("%w: tag 0x%02x, want 0x%02x", ErrMalformed, b[0], tag)
	}
	return b[1:], nil
}

// uvarint reads one minimally encoded uvarint.
func uvarint(b []byte) (uint64, []byte, error) {
	v, n := binary.Uvarint(b)
	if n <= 0 {
		return 0, nil, fmt.Errorf("%w: bad varint", ErrMalformed)
	}
	if n != uvarintLen(v) {
		return 0, nil, fmt.Errorf("%w: non-minimal varint", ErrMalformed)
	}
	return v, b[n:], nil
}

func uvarintLen(v uint64) int {
	n := 1
	for v >= 0x80 {
		v >>= 7
		n++
	}
	return n
}

func hashes(b []byte, count int) ([]Hash, error) {
	if len(b) != count*HashSize {
		return nil, fmt.Errorf("%w: %d bytes of hashes, want %d", ErrMalformed, len(b), count*HashSize)
	}
	if count == 0 {
		return nil, nil
	}
	out := make([]Hash, count)
	for i := range out {
		copy(out[i][:], b[i*HashSize:])
	}
	return out, nil
}
