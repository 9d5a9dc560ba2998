package store

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	"github.com/ipfs/go-cid"

	"tangent/verify/merkle"
)

// Availability proofs. A provider that committed to hold a blob is
// challenged with a seed it could not predict; the seed names chunk indices
// (Challenge.Indices); the provider answers with those chunks and their RFC
// 6962 audit paths to the committed root (tangent/verify/merkle inclusion
// proofs, the construction every Tangent component uses); CheckProof
// decides. Everything in
// this file is pure: no clock, no I/O, no randomness but the seed. The
// answer's height is an input, so that a late answer is detectable by
// whoever recorded when it arrived (the ledger).

// MaxChallengeCount bounds the chunks one challenge may ask for.
const MaxChallengeCount = 16

// Commitment is what a ledger records about a stored blob: enough to check
// availability proofs without the manifest.
type Commitment struct {
	Root      Digest // RFC 6962 root over the chunks' sha2-256 digests (ChunkRoot)
	Size      int64
	ChunkSize int
}

// CommitmentOf returns the commitment of a chunked blob.
func CommitmentOf(m *Manifest) Commitment {
	return Commitment{Root: m.Root, Size: m.Size, ChunkSize: m.ChunkSize}
}

// RawCommitment returns the commitment of a blob of at most one chunk (a
// raw CID) of size bytes: a one-leaf tree.
func RawCommitment(c cid.Cid, size int64) (Commitment, error) {
	d, err := DigestOf(c)
	if err != nil {
		return Commitment{}, err
	}
	if c.Type() != CodecRaw {
		return Commitment{}, fmt.Errorf("store: %s is not a raw CID", c)
	}
	return Commitment{Root: Digest(merkle.LeafHash(d[:])), Size: size, ChunkSize: int(max(size, 1))}, nil
}

// NumChunks returns how many chunks the blob has.
func (c Commitment) NumChunks() uint64 {
	if c.ChunkSize <= 0 {
		return 0
	}
	return uint64(NumChunks(c.Size, c.ChunkSize))
}

// ChunkLen returns the length of chunk i.
func (c Commitment) ChunkLen(i uint64) int64 {
	n := c.NumChunks()
	if i+1 < n {
		return int64(c.ChunkSize)
	}
	return c.Size - int64(n-1)*int64(c.ChunkSize)
}

// Challenge asks a provider to prove it holds a blob.
type Challenge struct {
	// Seed must be unpredictable to the provider until the challenge is
	// issued (a block hash, a VRF output).
	Seed Digest
	// Count is how many distinct chunks to prove (at most
	// MaxChallengeCount; fewer if the blob has fewer chunks).
	Count int
	// Deadline is the last height at which an answer counts.
	Deadline uint64
}

// Indices returns the distinct chunk indices the challenge names in a blob
// of n chunks, in the order drawn: index k is the first unused value of
// SHA-256("tangent/audit/v1" || seed || counter) read as a big-endian uint64,
// reduced mod n by rejection sampling (no modulo bias).
func (ch Challenge) Indices(n uint64) []uint64 {
	count := uint64(max(0, min(ch.Count, MaxChallengeCount)))
	if n == 0 {
		return nil
	}
	count = min(count, n)
	limit := ^uint64(0) - (^uint64(0)%n+1)%n // largest multiple of n, minus 1
	out := make([]uint64, 0, count)
	var buf [16 + 32 + 8]byte
	copy(buf[:16], "tangent/audit/v1")
	copy(buf[16:48], ch.Seed[:])
	for ctr := uint64(0); uint64(len(out)) < count; ctr++ {
		binary.BigEndian.PutUint64(buf[48:], ctr)
		h := sha256.Sum256(buf[:])
		v := binary.BigEndian.Uint64(h[:8])
		if v > limit {
			continue
		}
		idx := v % n
		dup := false
		for _, o := range out {
			dup = dup || o == idx
		}
		if !dup {
			out = append(out, idx)
		}
	}
	return out
}

// ChunkProof is one challenged chunk with its audit path: Proof.Index is
// the chunk's index and Proof.Size the blob's number of chunks. The leaf
// the path starts from is merkle.LeafHash(SHA-256(Data)).
type ChunkProof struct {
	Data  []byte
	Proof merkle.InclusionProof
}

// Proof answers a Challenge: one ChunkProof per index, in the order of
// Challenge.Indices.
type Proof struct {
	Chunks []ChunkProof
}

// ProofFault classifies a failed availability proof.
type ProofFault uint8

const (
	// FaultLate: answered after the deadline.
	FaultLate ProofFault = iota + 1
	// FaultMissing: a challenged chunk is not in the answer.
	FaultMissing
	// FaultWrongChunk: a chunk has the wrong length for its index.
	FaultWrongChunk
	// FaultBadPath: a chunk and its path do not lead to the committed root
	// (wrong bytes or a wrong path).
	FaultBadPath
)

func (f ProofFault) String() string {
	switch f {
	case FaultLate:
		return "late"
	case FaultMissing:
		return "missing chunk"
	case FaultWrongChunk:
		return "wrong chunk"
	case FaultBadPath:
		return "bad Merkle path"
	}
	return "unknown"
}

// ProofError is a failed availability proof.
type ProofError struct {
	Fault  ProofFault
	Index  uint64 // the chunk at fault (not for FaultLate)
	Detail string
}

func (e *ProofError) Error() string {
	if e.Fault == FaultLate {
		return "store: availability proof rejected: late (" + e.Detail + ")"
	}
	return fmt.Sprintf("store: availability proof rejected: %s at chunk %d (%s)", e.Fault, e.Index, e.Detail)
}

// CheckProof checks a provider's answer p to challenge ch for a blob with
// commitment com, answered at height answeredAt. It returns nil or a
// *ProofError. It is pure and deterministic.
func CheckProof(com Commitment, ch Challenge, p Proof, answeredAt uint64) error {
	if answeredAt > ch.Deadline {
		return &ProofError{Fault: FaultLate, Detail: fmt.Sprintf("answered at height %d, deadline %d", answeredAt, ch.Deadline)}
	}
	n := com.NumChunks()
	want := ch.Indices(n)
	for k, idx := range want {
		if k >= len(p.Chunks) || p.Chunks[k].Proof.Index != idx {
			return &ProofError{Fault: FaultMissing, Index: idx, Detail: fmt.Sprintf("answer %d of %d does not prove chunk %d", k, len(want), idx)}
		}
		cp := p.Chunks[k]
		if int64(len(cp.Data)) != com.ChunkLen(idx) {
			return &ProofError{Fault: FaultWrongChunk, Index: idx, Detail: fmt.Sprintf("%d bytes, want %d", len(cp.Data), com.ChunkLen(idx))}
		}
		if cp.Proof.Size != n {
			return &ProofError{Fault: FaultBadPath, Index: idx, Detail: fmt.Sprintf("proof for a tree of %d chunks, the commitment has %d", cp.Proof.Size, n)}
		}
		d := sha256.Sum256(cp.Data)
		if err := cp.Proof.Verify(merkle.LeafHash(d[:]), merkle.Hash(com.Root)); err != nil {
			return &ProofError{Fault: FaultBadPath, Index: idx, Detail: err.Error()}
		}
	}
	if len(p.Chunks) != len(want) {
		return &ProofError{Fault: FaultMissing, Detail: fmt.Sprintf("%d answers for %d challenged chunks", len(p.Chunks), len(want))}
	}
	return nil
}

// Prove answers challenge ch for committed blob c from the store's chunks.
func (s *Store) Prove(c cid.Cid, ch Challenge) (Proof, error) {
	var (
		com   Commitment
		tree  *merkle.Tree
		chunk func(i uint64) cid.Cid
	)
	switch c.Type() {
	case CodecRaw:
		info, err := s.Stat(c)
		if err != nil {
			return Proof{}, err
		}
		if com, err = RawCommitment(c, info.Size); err != nil {
			return Proof{}, err
		}
		tree = merkle.NewTree([]merkle.Hash{merkle.Hash(com.Root)})
		chunk = func(uint64) cid.Cid { return c }
	default:
		m, err := s.Manifest(c)
		if err != nil {
			return Proof{}, err
		}
		com = CommitmentOf(&m)
		tree = merkle.NewTree(chunkLeaves(m.Chunks))
		chunk = func(i uint64) cid.Cid { return m.ChunkCID(int(i)) }
	}
	var p Proof
	for _, idx := range ch.Indices(com.NumChunks()) {
		data, err := s.Block(chunk(idx))
		if err != nil {
			return Proof{}, fmt.Errorf("store: prove chunk %d of %s: %w", idx, c, err)
		}
		ip, err := tree.InclusionProof(idx)
		if err != nil {
			panic("store: challenge index outside the blob: " + err.Error()) // Indices draws below NumChunks
		}
		p.Chunks = append(p.Chunks, ChunkProof{Data: data, Proof: ip})
	}
	return p, nil
}
