package merkle

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Root returns the RFC 6962 root over leaves that are already leaf hashes
// (outputs of LeafHash). It allocates O(log n) memory.
func Root(leafHashes []Hash) Hash {
	var b Builder
	for _, h := range leafHashes {
		b.Append(h)
	}
	return b.Root()
}

// RootOfLeaves returns the root over leaves given as raw bytes: leaf i's hash
// is LeafHash(leaves[i]).
func RootOfLeaves(leaves [][]byte) Hash {
	var b Builder
	for _, l := range leaves {
		b.Append(LeafHash(l))
	}
	return b.Root()
}

// RootOfHashes commits a list of 32-byte hashes (for example a job's
// checkpoint hashes): each hash is the bytes of one leaf, so leaf i's hash is
// LeafHash(hashes[i][:]).
func RootOfHashes(hashes []Hash) Hash {
	return Root(LeafHashesOf(hashes))
}

// LeafHashesOf returns LeafHash(h[:]) for each h: the leaf hashes of the tree
// RootOfHashes builds.
func LeafHashesOf(hashes []Hash) []Hash {
	out := make([]Hash, len(hashes))
	for i := range hashes {
		out[i] = LeafHash(hashes[i][:])
	}
	return out
}

// ChunkCount returns how many chunks of chunkSize bytes cover n bytes (the
// last one possibly short). It panics if chunkSize <= 0.
func ChunkCount(n, chunkSize int) int {
	checkChunkSize(chunkSize)
	return (n + chunkSize - 1) / chunkSize
}

// Chunk returns chunk i of data: data[i*chunkSize : min((i+1)*chunkSize, len)].
// The result aliases data.
func Chunk(data []byte, chunkSize, i int) []byte {
	checkChunkSize(chunkSize)
	lo := i * chunkSize
	hi := min(lo+chunkSize, len(data))
	return data[lo:hi]
}

// ChunkLeafHashes returns the leaf hash of every chunk of data.
func ChunkLeafHashes(data []byte, chunkSize int) []Hash {
	n := ChunkCount(len(data), chunkSize)
	out := make([]Hash, n)
	for i := range n {
		out[i] = LeafHash(Chunk(data, chunkSize, i))
	}
	return out
}

// RootOfChunks returns the root over data cut into chunkSize-byte chunks (the
// last one may be shorter; empty data gives EmptyRoot). It panics if
// chunkSize <= 0.
func RootOfChunks(data []byte, chunkSize int) Hash {
	n := ChunkCount(len(data), chunkSize)
	var b Builder
	for i := range n {
		b.Append(LeafHash(Chunk(data, chunkSize, i)))
	}
	return b.Root()
}

// Float32Bytes appends the little-endian IEEE-754 bytes of xs to dst: the byte
// string the ML trace commits for a float32 tensor.
func Float32Bytes(dst []byte, xs []float32) []byte {
	for _, x := range xs {
		dst = binary.LittleEndian.AppendUint32(dst, math.Float32bits(x))
	}
	return dst
}

// RootOfFloat32s returns RootOfChunks(Float32Bytes(nil, xs), chunkSize)
// without materialising the whole byte string.
func RootOfFloat32s(xs []float32, chunkSize int) Hash {
	checkChunkSize(chunkSize)
	if chunkSize%4 != 0 {
		return RootOfChunks(Float32Bytes(nil, xs), chunkSize)
	}
	per := chunkSize / 4
	buf := make([]byte, 0, chunkSize)
	var b Builder
	for lo := 0; lo < len(xs); lo += per {
		buf = Float32Bytes(buf[:0], xs[lo:min(lo+per, len(xs))])
		b.Append(LeafHash(buf))
	}
	return b.Root()
}

func checkChunkSize(chunkSize int) {
	if chunkSize <= 0 {
		panic(fmt.Sprintf("merkle: chunk size %d must be positive", chunkSize))
	}
}

// Builder computes a root incrementally from leaf hashes appended in order,
// keeping only O(log n) hashes: the roots of the perfect subtrees that the
// RFC 6962 split rule makes of the leaves seen so far. The zero value is an
// empty tree.
type Builder struct {
	n     uint64
	stack []Hash // roots of perfect subtrees, largest (leftmost) first
}

// Append adds the next leaf hash.
func (b *Builder) Append(leafHash Hash) {
	b.stack = append(b.stack, leafHash)
	b.n++
	// Each trailing zero bit of the new count closes one perfect subtree.
	for c := b.n; c&1 == 0; c >>= 1 {
		k := len(b.stack)
		b.stack[k-2] = NodeHash(b.stack[k-2], b.stack[k-1])
		b.stack = b.stack[:k-1]
	}
}

// Size returns the number of leaves appended.
func (b *Builder) Size() uint64 { return b.n }

// Root returns the root over the leaves appended so far. It does not change
// the builder.
func (b *Builder) Root() Hash {
	if len(b.stack) == 0 {
		return EmptyRoot()
	}
	r := b.stack[len(b.stack)-1]
	for i := len(b.stack) - 2; i >= 0; i-- {
		r = NodeHash(b.stack[i], r)
	}
	return r
}

// Chunker is an io.Writer that commits the bytes written to it as
// RootOfChunks(all bytes, chunkSize) does, in O(chunkSize + log n) memory.
type Chunker struct {
	size int
	buf  []byte
	b    Builder
}

// NewChunker returns a Chunker for chunkSize-byte chunks. It panics if
// chunkSize <= 0.
func NewChunker(chunkSize int) *Chunker {
	checkChunkSize(chunkSize)
	return &Chunker{size: chunkSize, buf: make([]byte, 0, chunkSize)}
}

// Write absorbs p. It never fails.
func (c *Chunker) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		take := min(c.size-len(c.buf), len(p))
		c.buf = append(c.buf, p[:take]...)
		p = p[take:]
		if len(c.buf) == c.size {
			c.b.Append(LeafHash(c.buf))
			c.buf = c.buf[:0]
		}
	}
	return n, nil
}

// Root returns the root over everything written so far (a pending short
// chunk counts as the last leaf). It does not change the Chunker.
func (c *Chunker) Root() Hash {
	if len(c.buf) == 0 {
		return c.b.Root()
	}
	b := Builder{n: c.b.n, stack: append([]Hash(nil), c.b.stack...)}
	b.Append(LeafHash(c.buf))
	return b.Root()
}

// Tree is a whole tree kept in memory (about two hashes per leaf) to answer
// proofs in O(log n) time. Level 0 holds the leaf hashes; each level pairs
// adjacent nodes and carries a lone last node up unchanged, which builds
// exactly the RFC 6962 tree.
type Tree struct {
	levels [][]Hash
}

// NewTree builds the tree over leaf hashes. The tree keeps leafHashes as its
// level 0; the caller must not modify it afterwards.
func NewTree(leafHashes []Hash) *Tree {
	t := &Tree{levels: [][]Hash{leafHashes}}
	for cur := leafHashes; len(cur) > 1; {
		next := make([]Hash, (len(cur)+1)/2)
		for i := 0; i+1 < len(cur); i += 2 {
			next[i/2] = NodeHash(cur[i], cur[i+1])
		}
		if len(cur)%2 == 1 {
			next[len(next)-1] = cur[len(cur)-1]
		}
		t.levels = append(t.levels, next)
		cur = next
	}
	return t
}

// NewTreeOfChunks builds the tree RootOfChunks commits to.
func NewTreeOfChunks(data []byte, chunkSize int) *Tree {
	return NewTree(ChunkLeafHashes(data, chunkSize))
}

// Size returns the number of leaves.
func (t *Tree) Size() uint64 { return uint64(len(t.levels[0])) }

// LeafHash returns leaf i's hash.
func (t *Tree) LeafHash(i uint64) Hash { return t.levels[0][i] }

// Root returns the tree's root.
func (t *Tree) Root() Hash {
	top := t.levels[len(t.levels)-1]
	if len(top) == 0 {
		return EmptyRoot()
	}
	return top[0]
}

// Node returns the hash of the subtree over leaves [begin, end), which must
// be a node of the RFC 6962 tree: end-begin is a power of two 2^j with begin
// a multiple of 2^j, or the subtree is the right edge (end = Size) of such a
// node. ok is false for any other range.
func (t *Tree) Node(begin, end uint64) (h Hash, ok bool) {
	if begin >= end || end > t.Size() {
		return Hash{}, false
	}
	j := bits.Len64(end - begin - 1) // level of the node: 2^(j-1) < end-begin <= 2^j
	if begin&(1<<j-1) != 0 || (end-begin != 1<<j && end != t.Size()) {
		return Hash{}, false
	}
	return t.levels[j][begin>>j], true
}

// Split returns where the RFC 6962 rule splits a node of n > 1 leaves: the
// largest power of two smaller than n.
func Split(n uint64) uint64 {
	if n < 2 {
		panic(fmt.Sprintf("merkle: Split(%d)", n))
	}
	return 1 << (bits.Len64(n-1) - 1)
}

// InclusionProof returns the audit path of leaf index.
func (t *Tree) InclusionProof(index uint64) (InclusionProof, error) {
	if index >= t.Size() {
		return InclusionProof{}, &IndexError{Begin: index, End: index + 1, Size: t.Size()}
	}
	p := InclusionProof{Index: index, Size: t.Size()}
	i := index
	for _, level := range t.levels[:len(t.levels)-1] {
		switch {
		case i&1 == 1:
			p.Path = append(p.Path, level[i-1])
		case i+1 < uint64(len(level)):
			p.Path = append(p.Path, level[i+1])
		}
		i >>= 1
	}
	return p, nil
}

// RangeProof returns the proof of leaves [begin, end), begin < end <= Size.
func (t *Tree) RangeProof(begin, end uint64) (RangeProof, error) {
	if begin >= end || end > t.Size() {
		return RangeProof{}, &IndexError{Begin: begin, End: end, Size: t.Size()}
	}
	p := RangeProof{Begin: begin, End: end, Size: t.Size()}
	lo, hi := begin, end
	for _, level := range t.levels[:len(t.levels)-1] {
		if lo&1 == 1 {
			p.Hashes = append(p.Hashes, level[lo-1])
		}
		if hi&1 == 1 && hi < uint64(len(level)) {
			p.Hashes = append(p.Hashes, level[hi])
		}
		lo, hi = lo>>1, (hi+1)>>1
	}
	return p, nil
}
