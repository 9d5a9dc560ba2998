package merkle

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
)

// refRoot is the RFC 6962 §2.1 definition, written as literally as possible:
// the simple twin every faster path is checked against.
func refRoot(leaves [][]byte) Hash {
	n := len(leaves)
	switch n {
	case 0:
		return sha256.Sum256(nil)
	case 1:
		return sha256.Sum256(append([]byte{0}, leaves[0]...))
	}
	k := largestPow2Below(n)
	l, r := refRoot(leaves[:k]), refRoot(leaves[k:])
	return sha256.Sum256(append(append([]byte{1}, l[:]...), r[:]...))
}

// refPath is RFC 6962 §2.1.1 PATH(m, D[n]).
func refPath(m int, leaves [][]byte) []Hash {
	n := len(leaves)
	if n <= 1 {
		return nil
	}
	k := largestPow2Below(n)
	if m < k {
		return append(refPath(m, leaves[:k]), refRoot(leaves[k:]))
	}
	return append(refPath(m-k, leaves[k:]), refRoot(leaves[:k]))
}

func largestPow2Below(n int) int {
	k := 1
	for k<<1 < n {
		k <<= 1
	}
	return k
}

func testLeaves(n int) [][]byte {
	out := make([][]byte, n)
	for i := range out {
		out[i] = []byte(fmt.Sprintf("leaf-%d", i))
	}
	return out
}

func hashLeaves(leaves [][]byte) []Hash {
	out := make([]Hash, len(leaves))
	for i, l := range leaves {
		out[i] = LeafHash(l)
	}
	return out
}

type vectors struct {
	leaves [][]byte
	roots  map[int]Hash
	paths  []vectorPath
}

type vectorPath struct {
	index, size uint64
	path        []Hash
}

func loadVectors(t *testing.T) vectors {
	t.Helper()
	f, err := os.Open("testdata/rfc6962.txt")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	v := vectors{roots: map[int]Hash{}}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 0 || strings.HasPrefix(fs[0], "#") {
			continue
		}
		switch fs[0] {
		case "leaf":
			var b []byte
			if fs[1] != "-" {
				if b, err = hex.DecodeString(fs[1]); err != nil {
					t.Fatal(err)
				}
			}
			v.leaves = append(v.leaves, b)
		case "root":
			n, _ := strconv.Atoi(fs[1])
			h, err := ParseHash(fs[2])
			if err != nil {
				t.Fatal(err)
			}
			v.roots[n] = h
		case "path":
			i, _ := strconv.ParseUint(fs[1], 10, 64)
			n, _ := strconv.ParseUint(fs[2], 10, 64)
			p := vectorPath{index: i, size: n}
			for _, s := range fs[3:] {
				h, err := ParseHash(s)
				if err != nil {
					t.Fatal(err)
				}
				p.path = append(p.path, h)
			}
			v.paths = append(v.paths, p)
		default:
			t.Fatalf("unknown vector line %q", sc.Text())
		}
	}
	return v
}

func TestRFC6962Vectors(t *testing.T) {
	v := loadVectors(t)
	if len(v.roots) != 9 || len(v.leaves) != 8 || len(v.paths) != 5 {
		t.Fatalf("vectors: %d roots, %d leaves, %d paths", len(v.roots), len(v.leaves), len(v.paths))
	}
	for n, want := range v.roots {
		if got := RootOfLeaves(v.leaves[:n]); got != want {
			t.Errorf("RootOfLeaves(%d leaves) = %v, want %v", n, got, want)
		}
		if got := refRoot(v.leaves[:n]); got != want {
			t.Errorf("refRoot(%d leaves) = %v, want %v", n, got, want)
		}
		if got := NewTree(hashLeaves(v.leaves[:n])).Root(); got != want {
			t.Errorf("Tree(%d leaves).Root = %v, want %v", n, got, want)
		}
	}
	for _, p := range v.paths {
		tree := NewTree(hashLeaves(v.leaves[:p.size]))
		got, err := tree.InclusionProof(p.index)
		if err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(got.Path) != fmt.Sprint(p.path) {
			t.Errorf("path(%d, %d) = %v, want %v", p.index, p.size, got.Path, p.path)
		}
		root := v.roots[int(p.size)]
		if err := got.Verify(LeafHash(v.leaves[p.index]), root); err != nil {
			t.Errorf("path(%d, %d) does not verify: %v", p.index, p.size, err)
		}
	}
	if EmptyRoot().String() != "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855" {
		t.Errorf("EmptyRoot = %v", EmptyRoot())
	}
}

func TestRootsAgree(t *testing.T) {
	for n := 0; n <= 70; n++ {
		leaves := testLeaves(n)
		want := refRoot(leaves)
		lh := hashLeaves(leaves)
		if got := Root(lh); got != want {
			t.Fatalf("n=%d: Root = %v, want %v", n, got, want)
		}
		if got := RootOfLeaves(leaves); got != want {
			t.Fatalf("n=%d: RootOfLeaves mismatch", n)
		}
		if got := NewTree(lh).Root(); got != want {
			t.Fatalf("n=%d: Tree.Root mismatch", n)
		}
		var b Builder
		for i, h := range lh {
			b.Append(h)
			if got := b.Root(); got != refRoot(leaves[:i+1]) {
				t.Fatalf("n=%d: Builder prefix %d mismatch", n, i+1)
			}
		}
	}
}

func TestRootOfHashes(t *testing.T) {
	hs := []Hash{sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b")), sha256.Sum256([]byte("c"))}
	leaves := [][]byte{hs[0][:], hs[1][:], hs[2][:]}
	if RootOfHashes(hs) != refRoot(leaves) {
		t.Fatal("RootOfHashes is not the root over the hashes as leaf bytes")
	}
}

func TestChunks(t *testing.T) {
	data := make([]byte, 1000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	for _, size := range []int{1, 3, 7, 64, 100, 999, 1000, 1001, 4096} {
		for _, n := range []int{0, 1, 99, 100, 101, 1000} {
			d := data[:n]
			var chunks [][]byte
			for lo := 0; lo < n; lo += size {
				chunks = append(chunks, d[lo:min(lo+size, n)])
			}
			want := refRoot(chunks)
			if got := RootOfChunks(d, size); got != want {
				t.Fatalf("RootOfChunks(%d bytes, %d) mismatch", n, size)
			}
			if got := NewTreeOfChunks(d, size).Root(); got != want {
				t.Fatalf("NewTreeOfChunks(%d bytes, %d) mismatch", n, size)
			}
			if ChunkCount(n, size) != len(chunks) {
				t.Fatalf("ChunkCount(%d, %d) = %d, want %d", n, size, ChunkCount(n, size), len(chunks))
			}
			// The Chunker gives the same root whatever the write sizes.
			for _, w := range []int{1, 5, size, 333} {
				c := NewChunker(size)
				for lo := 0; lo < n; lo += w {
					c.Write(d[lo:min(lo+w, n)])
				}
				if got := c.Root(); got != want {
					t.Fatalf("Chunker(%d bytes, chunk %d, writes of %d) mismatch", n, size, w)
				}
			}
		}
	}
}

func TestFloat32s(t *testing.T) {
	xs := make([]float32, 3000)
	for i := range xs {
		xs[i] = float32(i)*0.25 - 17
	}
	b := Float32Bytes(nil, xs)
	if len(b) != 4*len(xs) || binary.LittleEndian.Uint32(b[4:]) != 0xc1860000 { // -16.75
		t.Fatalf("Float32Bytes: little-endian float32 expected, got % x", b[4:8])
	}
	for _, size := range []int{TensorChunkSize, 4, 6, 400} {
		if RootOfFloat32s(xs, size) != RootOfChunks(b, size) {
			t.Fatalf("RootOfFloat32s(%d) != RootOfChunks", size)
		}
	}
}

// refNodes lists every node of the RFC tree over leaves[lo:hi] with its hash.
func refNodes(leaves [][]byte, lo, hi int, out map[[2]int]Hash) {
	out[[2]int{lo, hi}] = refRoot(leaves[lo:hi])
	if hi-lo > 1 {
		k := lo + largestPow2Below(hi-lo)
		refNodes(leaves, lo, k, out)
		refNodes(leaves, k, hi, out)
	}
}

func TestNode(t *testing.T) {
	for n := 1; n <= 40; n++ {
		leaves := testLeaves(n)
		tree := NewTree(hashLeaves(leaves))
		nodes := map[[2]int]Hash{}
		refNodes(leaves, 0, n, nodes)
		for b := 0; b < n; b++ {
			for e := b + 1; e <= n; e++ {
				h, ok := tree.Node(uint64(b), uint64(e))
				want, isNode := nodes[[2]int{b, e}]
				if ok != isNode || ok && h != want {
					t.Fatalf("n=%d Node(%d, %d) = %v, %v; want %v, %v", n, b, e, h, ok, want, isNode)
				}
			}
		}
		if n > 1 && int(Split(uint64(n))) != largestPow2Below(n) {
			t.Fatalf("Split(%d) = %d", n, Split(uint64(n)))
		}
	}
}

func TestInclusionProofs(t *testing.T) {
	for n := 1; n <= 40; n++ {
		leaves := testLeaves(n)
		lh := hashLeaves(leaves)
		tree := NewTree(lh)
		root := tree.Root()
		for i := 0; i < n; i++ {
			p, err := tree.InclusionProof(uint64(i))
			if err != nil {
				t.Fatal(err)
			}
			if fmt.Sprint(p.Path) != fmt.Sprint(refPath(i, leaves)) {
				t.Fatalf("n=%d i=%d: path differs from RFC PATH(m, D[n])", n, i)
			}
			if err := p.Verify(lh[i], root); err != nil {
				t.Fatalf("n=%d i=%d: %v", n, i, err)
			}
			// A one-leaf range proof is the same audit path.
			rp, _ := tree.RangeProof(uint64(i), uint64(i+1))
			if fmt.Sprint(rp.Hashes) != fmt.Sprint(p.Path) {
				t.Fatalf("n=%d i=%d: one-leaf range proof differs from audit path", n, i)
			}
			for _, bad := range corruptInclusion(p) {
				if err := bad.p.Verify(lh[i], root); err == nil {
					t.Fatalf("n=%d i=%d: corrupted proof (%s) verified", n, i, bad.desc)
				}
			}
			if err := p.Verify(LeafHash([]byte("other")), root); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("n=%d i=%d: wrong leaf: %v", n, i, err)
			}
			if err := p.Verify(lh[i], EmptyRoot()); !errors.Is(err, ErrRootMismatch) {
				t.Fatalf("n=%d i=%d: wrong root: %v", n, i, err)
			}
		}
		if _, err := tree.InclusionProof(uint64(n)); err == nil {
			t.Fatal("proof of a leaf past the end")
		}
	}
}

type badInclusion struct {
	desc string
	p    InclusionProof
}

func corruptInclusion(p InclusionProof) []badInclusion {
	var out []badInclusion
	with := func(desc string, f func(q *InclusionProof)) {
		q := InclusionProof{Index: p.Index, Size: p.Size, Path: append([]Hash(nil), p.Path...)}
		f(&q)
		out = append(out, badInclusion{desc, q})
	}
	if p.Size > 1 {
		with("index+1", func(q *InclusionProof) { q.Index = (q.Index + 1) % q.Size })
		with("size*2", func(q *InclusionProof) { q.Size *= 2 })
		with("dropped", func(q *InclusionProof) { q.Path = q.Path[:len(q.Path)-1] })
	}
	with("index=size", func(q *InclusionProof) { q.Index = q.Size })
	with("appended", func(q *InclusionProof) { q.Path = append(q.Path, Hash{}) })
	for j := range p.Path {
		with(fmt.Sprintf("bit flip in %d", j), func(q *InclusionProof) { q.Path[j][5] ^= 8 })
	}
	return out
}

func TestRangeProofs(t *testing.T) {
	for n := 1; n <= 24; n++ {
		leaves := testLeaves(n)
		lh := hashLeaves(leaves)
		tree := NewTree(lh)
		root := tree.Root()
		levels := 0
		for l := n; l > 1; l = (l + 1) / 2 {
			levels++
		}
		for b := 0; b < n; b++ {
			for e := b + 1; e <= n; e++ {
				p, err := tree.RangeProof(uint64(b), uint64(e))
				if err != nil {
					t.Fatal(err)
				}
				if len(p.Hashes) > 2*levels {
					t.Fatalf("n=%d [%d,%d): %d hashes > 2*%d levels", n, b, e, len(p.Hashes), levels)
				}
				if err := p.Verify(lh[b:e], root); err != nil {
					t.Fatalf("n=%d [%d,%d): %v", n, b, e, err)
				}
				// Any changed leaf, changed proof hash or shifted range fails.
				for j := b; j < e; j++ {
					bad := append([]Hash(nil), lh[b:e]...)
					bad[j-b][0] ^= 1
					if p.Verify(bad, root) == nil {
						t.Fatalf("n=%d [%d,%d): changed leaf %d verified", n, b, e, j)
					}
				}
				for j := range p.Hashes {
					q := p
					q.Hashes = append([]Hash(nil), p.Hashes...)
					q.Hashes[j][31] ^= 0x80
					if q.Verify(lh[b:e], root) == nil {
						t.Fatalf("n=%d [%d,%d): changed proof hash %d verified", n, b, e, j)
					}
				}
				if e < n {
					q := p
					q.Begin, q.End = p.Begin+1, p.End+1
					if q.Verify(lh[b:e], root) == nil {
						t.Fatalf("n=%d [%d,%d): shifted range verified", n, b, e)
					}
				}
			}
		}
	}
	tree := NewTree(hashLeaves(testLeaves(5)))
	for _, r := range [][2]uint64{{0, 0}, {3, 2}, {0, 6}, {5, 6}} {
		if _, err := tree.RangeProof(r[0], r[1]); err == nil {
			t.Errorf("RangeProof(%d, %d) of 5 leaves succeeded", r[0], r[1])
		}
	}
}

func TestEncodeDecode(t *testing.T) {
	tree := NewTree(hashLeaves(testLeaves(1000)))
	for _, i := range []uint64{0, 1, 500, 999} {
		p, _ := tree.InclusionProof(i)
		b := p.Encode()
		q, err := DecodeInclusionProof(b)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(q.Encode(), b) || q.Verify(tree.LeafHash(i), tree.Root()) != nil {
			t.Fatalf("inclusion proof %d does not round-trip", i)
		}
		if len(b) > MaxInclusionProofSize {
			t.Fatalf("encoded inclusion proof of %d bytes > %d", len(b), MaxInclusionProofSize)
		}
	}
	p, _ := tree.InclusionProof(500)
	b := p.Encode()
	t.Logf("inclusion proof, 1000 leaves: %d bytes", len(b))
	for _, bad := range [][]byte{nil, {tagRange}, b[:len(b)-1], append(b[:len(b):len(b)], 0),
		append([]byte{tagInclusion, 0xf4, 0x83, 0x80, 0x00}, b[3:]...)} { // 500 as a non-minimal varint
		if _, err := DecodeInclusionProof(bad); !errors.Is(err, ErrMalformed) {
			t.Errorf("DecodeInclusionProof(% x...) = %v, want ErrMalformed", bad[:min(len(bad), 6)], err)
		}
	}
	rp, _ := tree.RangeProof(123, 456)
	rb := rp.Encode()
	rq, err := DecodeRangeProof(rb)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(rq.Encode(), rb) || rq.Verify(tree.levels[0][123:456], tree.Root()) != nil {
		t.Fatal("range proof does not round-trip")
	}
	t.Logf("range proof [123,456) of 1000 leaves: %d bytes", len(rb))
	if _, err := DecodeRangeProof(rb[:len(rb)-32]); !errors.Is(err, ErrMalformed) {
		t.Errorf("short range proof: %v", err)
	}
}

func FuzzDecodeInclusionProof(f *testing.F) {
	tree := NewTree(hashLeaves(testLeaves(37)))
	for _, i := range []uint64{0, 17, 36} {
		p, _ := tree.InclusionProof(i)
		f.Add(p.Encode())
	}
	f.Add([]byte{tagInclusion, 0, 1})
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeInclusionProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Encode(), b) {
			t.Fatalf("decode-encode changed % x to % x", b, p.Encode())
		}
		if _, err := p.RootFromLeaf(Hash{}); err != nil {
			t.Fatalf("decoded proof has a bad shape: %v", err)
		}
	})
}

func FuzzDecodeRangeProof(f *testing.F) {
	tree := NewTree(hashLeaves(testLeaves(37)))
	for _, r := range [][2]uint64{{0, 1}, {3, 30}, {0, 37}} {
		p, _ := tree.RangeProof(r[0], r[1])
		f.Add(p.Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := DecodeRangeProof(b)
		if err != nil {
			return
		}
		if !bytes.Equal(p.Encode(), b) {
			t.Fatalf("decode-encode changed % x to % x", b, p.Encode())
		}
		if p.End-p.Begin <= 1<<16 {
			if _, err := p.RootFromLeaves(make([]Hash, p.End-p.Begin)); err != nil {
				t.Fatalf("decoded proof has a bad shape: %v", err)
			}
		}
	})
}

func BenchmarkRootOfChunks(b *testing.B) {
	data := make([]byte, 16<<20)
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		RootOfChunks(data, TensorChunkSize)
	}
}
