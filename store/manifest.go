package store

import (
	"fmt"

	"github.com/ipfs/go-cid"

	"tangent/verify/merkle"
)

// Sizes that bound what a peer can make us hold in memory.
const (
	// DefaultChunkSize is the chunk size of every blob Put writes: 1 MiB.
	DefaultChunkSize = 1 << 20
	// MinChunkSize and MaxChunkSize bound a manifest's chunk size, which must
	// also be a power of two.
	MinChunkSize = 4 << 10
	MaxChunkSize = 1 << 20
	// MaxManifestSize bounds an encoded manifest: 1 MiB holds MaxChunks
	// chunk links (41 bytes each), so a blob of 1 MiB chunks is at most
	// about 24 GiB.
	MaxManifestSize = 1 << 20
	// MaxBlockSize is the largest block (chunk or manifest) the store keeps
	// or a peer may send.
	MaxBlockSize = 1 << 20
	// MaxChunks is the most chunks a manifest may list.
	MaxChunks = 25000
)

// ManifestType is the "type" field of a blob manifest.
const ManifestType = "tangent/blob/v1"

// Manifest describes a blob larger than one chunk. Its canonical encoding
// (Encode) is DAG-CBOR, a map with exactly these keys in DAG-CBOR's
// length-first order:
//
//	"root"      bytes(32)   RFC 6962 Merkle root over the chunks' sha2-256 digests
//	"size"      uint        total blob size in bytes
//	"type"      text        "tangent/blob/v1"
//	"chunks"    [link]      each chunk's CID (CIDv1, raw, sha2-256), tag 42
//	"chunkSize" uint        bytes in every chunk but the last (1..chunkSize)
//
// The blob's CID is the CID of these bytes with codec dag-cbor. A blob of at
// most one chunk has no manifest: its CID is the raw CID of its bytes, so the
// same bytes always get the same CID. The root is redundant with the chunk
// list (DecodeManifest checks it) and is what availability proofs and ledger
// commitments use.
type Manifest struct {
	Size      int64
	ChunkSize int
	Chunks    []Digest // sha2-256 of each chunk; chunk i's CID is raw with this digest
	Root      Digest
}

// ManifestError says why a manifest is invalid.
type ManifestError struct{ Reason string }

func (e *ManifestError) Error() string { return "store: invalid manifest: " + e.Reason }

func manifestErr(format string, args ...any) error {
	return &ManifestError{Reason: fmt.Sprintf(format, args...)}
}

// NewManifest builds the manifest of a blob of size bytes whose chunks (of
// chunkSize bytes, the last one shorter or equal) hash to chunks. It takes
// ownership of chunks.
func NewManifest(size int64, chunkSize int, chunks []Digest) (Manifest, error) {
	m := Manifest{Size: size, ChunkSize: chunkSize, Chunks: chunks}
	if err := m.checkShape(); err != nil {
		return Manifest{}, err
	}
	m.Root = ChunkRoot(chunks)
	return m, nil
}

// ChunkRoot is the RFC 6962 Merkle root over chunk digests, as
// merkle.RootOfHashes commits a list of hashes: leaf i is
// SHA-256(0x00 || digest_i). (It is not merkle.RootOfChunks of the blob's
// bytes: committing digests lets anyone holding the manifest recompute the
// root and check a proof without the chunks.)
func ChunkRoot(chunks []Digest) Digest {
	return Digest(merkle.Root(chunkLeaves(chunks)))
}

// chunkLeaves returns the leaf hashes of the tree ChunkRoot commits to.
func chunkLeaves(chunks []Digest) []merkle.Hash {
	leaves := make([]merkle.Hash, len(chunks))
	for i, d := range chunks {
		leaves[i] = merkle.LeafHash(d[:])
	}
	return leaves
}

// NumChunks returns how many chunks a blob of size bytes has (at least one).
func NumChunks(size int64, chunkSize int) int64 {
	if size <= 0 {
		return 1
	}
	return (size + int64(chunkSize) - 1) / int64(chunkSize)
}

func validChunkSize(cs int) bool {
	return cs >= MinChunkSize && cs <= MaxChunkSize && cs&(cs-1) == 0
}

func (m *Manifest) checkShape() error {
	if !validChunkSize(m.ChunkSize) {
		return manifestErr("chunk size %d is not a power of two in [%d, %d]", m.ChunkSize, MinChunkSize, MaxChunkSize)
	}
	if m.Size <= int64(m.ChunkSize) {
		return manifestErr("size %d fits in one chunk of %d: such a blob is named by its raw CID, not a manifest", m.Size, m.ChunkSize)
	}
	n := NumChunks(m.Size, m.ChunkSize)
	if n > MaxChunks {
		return manifestErr("%d chunks, over the limit of %d", n, MaxChunks)
	}
	if int64(len(m.Chunks)) != n {
		return manifestErr("%d chunk links for %d bytes in chunks of %d (want %d)", len(m.Chunks), m.Size, m.ChunkSize, n)
	}
	return nil
}

// ChunkLen returns the length of chunk i.
func (m *Manifest) ChunkLen(i int) int {
	if i == len(m.Chunks)-1 {
		return int(m.Size - int64(i)*int64(m.ChunkSize))
	}
	return m.ChunkSize
}

// ChunkCID returns chunk i's CID.
func (m *Manifest) ChunkCID(i int) cid.Cid { return cidFromDigest(CodecRaw, m.Chunks[i]) }

// Encode returns the canonical DAG-CBOR encoding.
func (m *Manifest) Encode() []byte {
	b := make([]byte, 0, 64+len(ManifestType)+40*len(m.Chunks))
	b = appendHead(b, majMap, 5)
	b = appendText(b, "root")
	b = appendBytes(b, m.Root[:])
	b = appendText(b, "size")
	b = appendHead(b, majUint, uint64(m.Size))
	b = appendText(b, "type")
	b = appendText(b, ManifestType)
	b = appendText(b, "chunks")
	b = appendHead(b, majArray, uint64(len(m.Chunks)))
	for i := range m.Chunks {
		b = appendLink(b, m.ChunkCID(i))
	}
	b = appendText(b, "chunkSize")
	b = appendHead(b, majUint, uint64(m.ChunkSize))
	return b
}

// CID returns the blob's CID: the dag-cbor CID of Encode().
func (m *Manifest) CID() cid.Cid { return CIDOf(CodecManifest, m.Encode()) }

// chunkLinkSize is the encoded size of one chunk link: tag(2) + bytes head(2)
// + 0x00 + CIDv1 raw sha2-256 (36).
const chunkLinkSize = 41

// DecodeManifest parses and validates a manifest: canonical encoding only
// (DecodeManifest(b).Encode() equals b), a consistent chunk count, raw chunk
// CIDs and the Merkle root matching the chunk list. It does not keep b.
func DecodeManifest(b []byte) (Manifest, error) {
	if len(b) > MaxManifestSize {
		return Manifest{}, manifestErr("%d bytes, over the limit of %d", len(b), MaxManifestSize)
	}
	r := &cborReader{b: b}
	if n := r.head(majMap); r.err == nil && n != 5 {
		r.fail("map of %d entries, want 5", n)
	}
	var m Manifest
	r.key("root")
	root := r.bytes()
	if r.err == nil && len(root) != len(m.Root) {
		r.fail("root of %d bytes, want 32", len(root))
	}
	copy(m.Root[:], root)
	r.key("size")
	size := r.uint()
	r.key("type")
	if t := r.text(); r.err == nil && t != ManifestType {
		r.fail("type %q, want %q", t, ManifestType)
	}
	r.key("chunks")
	n := r.head(majArray)
	if r.err == nil && n > uint64(r.remaining()/chunkLinkSize) {
		r.fail("%d chunk links cannot fit in %d bytes", n, r.remaining())
	}
	if r.err == nil {
		m.Chunks = make([]Digest, n)
	}
	for i := range m.Chunks {
		c := r.link()
		if r.err != nil {
			break
		}
		if c.Type() != CodecRaw {
			r.fail("chunk %d has codec 0x%x, want raw", i, c.Type())
			break
		}
		m.Chunks[i], _ = DigestOf(c)
	}
	r.key("chunkSize")
	cs := r.uint()
	r.end()
	if r.err != nil {
		return Manifest{}, &ManifestError{Reason: r.err.Error()}
	}
	if size > 1<<62 || cs > MaxChunkSize {
		return Manifest{}, manifestErr("size %d or chunk size %d out of range", size, cs)
	}
	m.Size, m.ChunkSize = int64(size), int(cs)
	if err := m.checkShape(); err != nil {
		return Manifest{}, err
	}
	if ChunkRoot(m.Chunks) != m.Root {
		return Manifest{}, manifestErr("Merkle root does not match the chunk list")
	}
	return m, nil
}
