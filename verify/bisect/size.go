package bisect

import (
	"encoding/binary"
	"math/bits"

	"tangent/verify/merkle"
)

// Shape bounds the computation a job can dispute: everything the size of a
// dispute depends on.
type Shape struct {
	Segments  uint64 // segments of the job (checkpoints - 1)
	Steps     uint64 // training steps per segment
	Ops       uint64 // operators per step
	Slots     uint64 // slots of the machine state
	Inputs    uint64 // most inputs of one operator
	MaxTensor uint64 // elements of the largest tensor (input or output)
	Reads     uint64 // most input elements one map element reads
	Terms     uint64 // longest reduction (multiply-adds per output element)
}

// MaxDisputeBytes returns an upper bound on the bytes of all moves of one
// dispute (the opening included) and on the number of moves, for the worst
// path through the game. It grows with the logarithm of every dimension of
// the shape: a model 1000 times larger adds only a few rounds of fixed-size
// moves.
func MaxDisputeBytes(p Params, s Shape) (bytes, moves uint64) {
	// Opening: segment index, two checkpoints, a two-leaf range proof.
	bytes = 1 + uv(s.Segments) + 2*merkle.HashSize + rangeProofSize(s.Segments+1)
	b, m := chainBytes(p.Arity, s.Steps, merkle.HashSize)
	bytes, moves = bytes+b, moves+m
	b, m = chainBytes(p.Arity, s.Ops, merkle.HashSize)
	bytes, moves = bytes+b, moves+m
	// The operator's opening.
	slotPath := pathSize(s.Slots)
	tensor := uv(s.MaxTensor) + merkle.HashSize
	bytes += 1 + uv(s.Inputs) + s.Inputs*(tensor+slotPath) + 2*tensor + slotPath
	moves++
	// Descent of the output tree to a chunk, then to an element: each round
	// reveals at most 2^d nodes d levels down and picks one.
	chunks := (s.MaxTensor*4 + ChunkSize - 1) / ChunkSize
	depth := treeDepth(chunks)
	d := uint64(p.RevealDepth())
	rounds := (depth + d - 1) / d
	fan := uint64(1) << d
	bytes += rounds * ((1 + 1 + uv(fan) + fan*merkle.HashSize) + (1 + uv(fan-1)))
	bytes += (1 + 1 + uv(ChunkSize) + ChunkSize) + (1 + uv(ChunkSize/4-1))
	moves += 2*rounds + 2
	elemProof := uv(ChunkSize) + ChunkSize + pathSize(chunks)
	// A map element: one opening of its reads.
	mapBytes := 1 + uv(s.Reads) + s.Reads*elemProof
	// A reduction: the initial accumulator, the partial-sum chain, one FMA.
	fb, fm := chainBytes(p.Arity, s.Terms, 4)
	redBytes := (1 + 1 + elemProof) + fb + (1 + 2*elemProof)
	if redBytes > mapBytes {
		return bytes + redBytes, moves + 2 + fm
	}
	return bytes + mapBytes, moves + 1
}

// chainBytes bounds the split/pick rounds over a chain of n positions whose
// values have `width` bytes.
func chainBytes(k, n, width uint64) (bytes, moves uint64) {
	for span := n; span >= 2; {
		m := min(k, span)
		bytes += (1 + 1 + uv(m-1) + (m-1)*width) + (1 + uv(m-1))
		moves += 2
		span = (span + m - 1) / m
	}
	return bytes, moves
}

// treeDepth is the height of the RFC 6962 tree over n leaves.
func treeDepth(n uint64) uint64 {
	if n <= 1 {
		return 0
	}
	return uint64(bits.Len64(n - 1))
}

func uv(v uint64) uint64 { return uint64(len(binary.AppendUvarint(nil, v))) }

// pathSize bounds a length-prefixed encoded inclusion proof in a tree of n
// leaves.
func pathSize(n uint64) uint64 {
	enc := 1 + 2*uv(n) + treeDepth(n)*merkle.HashSize
	return uv(enc) + enc
}

func rangeProofSize(n uint64) uint64 {
	enc := 1 + 3*uv(n) + 2*treeDepth(n)*merkle.HashSize
	return uv(enc) + enc
}
