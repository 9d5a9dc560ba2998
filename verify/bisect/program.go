package bisect

import (
	"encoding/binary"
	"fmt"
	"math"

	"tangent/verify/merkle"
)

// ChunkSize is the Merkle chunk size of committed tensors: a tensor of n
// float32s is committed as merkle.RootOfFloat32s(values, ChunkSize), the
// RFC 6962 tree over 4096-byte chunks of its little-endian bytes.
const ChunkSize = merkle.TensorChunkSize

// MaxTensorLen bounds the element count of a committed tensor (2^60), so that
// byte offsets never overflow.
const MaxTensorLen = 1 << 60

// Tensor is the commitment to one tensor: its Merkle root and its element
// count. The empty tensor (an unused slot) is {EmptyRoot, 0}.
type Tensor struct {
	Root merkle.Hash
	Len  uint64
}

// EmptyTensor is the content of a slot that holds nothing.
func EmptyTensor() Tensor { return Tensor{Root: merkle.EmptyRoot()} }

// CommitTensor returns the commitment to values.
func CommitTensor(values []float32) Tensor {
	return Tensor{Root: merkle.RootOfFloat32s(values, ChunkSize), Len: uint64(len(values))}
}

// LeafHash is the leaf of a machine-state tree for a slot holding t:
// merkle.LeafHash(uint64be(Len) || Root).
func (t Tensor) LeafHash() merkle.Hash {
	var b [8 + merkle.HashSize]byte
	binary.BigEndian.PutUint64(b[:8], t.Len)
	copy(b[8:], t.Root[:])
	return merkle.LeafHash(b[:])
}

// StateRoot returns the root of a machine state: the RFC 6962 tree over its
// slots' leaves, in slot order. The step-level values of the game, and the
// checkpoint hashes a job commits to, are state roots.
func StateRoot(slots []Tensor) merkle.Hash {
	leaves := make([]merkle.Hash, len(slots))
	for i, s := range slots {
		leaves[i] = s.LeafHash()
	}
	return merkle.Root(leaves)
}

// OpKind says how the game checks an operator.
type OpKind uint8

const (
	// OpFree empties its output slot (a tensor's lifetime ended). The game
	// checks it alone: the new output must be EmptyTensor.
	OpFree OpKind = iota + 1
	// OpCopy copies input 0 into the output slot. The game checks it alone:
	// the new output commitment must equal the input's.
	OpCopy
	// OpMap computes each output element from a few input elements
	// (Program.Element lists them); the caller re-executes one element
	// with Program.Eval.
	OpMap
	// OpReduce computes each output element as a fixed-order chain of
	// fused multiply-adds, acc = FMA32(a_k, b_k, acc) for k = 0..Terms-1,
	// starting from +0 or from one input element; the game checks a single
	// FMA32 itself.
	OpReduce
)

func (k OpKind) String() string {
	switch k {
	case OpFree:
		return "free"
	case OpCopy:
		return "copy"
	case OpMap:
		return "map"
	case OpReduce:
		return "reduce"
	}
	return fmt.Sprintf("OpKind(%d)", uint8(k))
}

// Op is the static description of one operator of a training step, as the
// model spec defines it: the slots it reads and writes and their shapes.
type Op struct {
	Kind   OpKind
	Code   uint32   // the caller's operator code (opaque to the game)
	Inputs []uint64 // slots read, in the operator's argument order
	InLens []uint64 // element count of each input
	Output uint64   // slot written
	OutLen uint64   // element count of the output (Map and Reduce)
}

// Access names one element of one of an operator's inputs.
type Access struct {
	Input int    // index into Op.Inputs
	Index uint64 // element index within that input
}

// Element describes how one output element of a Map or Reduce op is computed.
type Element struct {
	// Reads (OpMap): the input elements Program.Eval takes, in order.
	Reads []Access
	// HasInit and Init (OpReduce): the initial accumulator is input element
	// Init if HasInit, +0 otherwise.
	HasInit bool
	Init    Access
	// Terms (OpReduce): the number of multiply-adds; term k reads the two
	// factors Program.Term returns.
	Terms uint64
}

// Program is what the game needs to know about a job's computation; the
// caller implements it from the model spec (the ledger declares it, app
// implements it with ml). Every method must be deterministic; an error
// means the position cannot exist for this job (the move that needs it is
// rejected).
type Program interface {
	// Slots is the number of slots of the machine state.
	Slots() uint64
	// NumOps is the number of operators of training step `step` of the
	// disputed segment (at least 1).
	NumOps(step uint64) uint64
	// Op describes operator t of step `step`.
	Op(step, t uint64) (Op, error)
	// Element describes output element e of op (OpMap or OpReduce).
	Element(op Op, e uint64) (Element, error)
	// Term returns the two factors of multiply-add k of output element e
	// of a reduction.
	Term(op Op, e, k uint64) (a, b Access, err error)
	// Eval re-executes output element e of a map op from the input
	// elements its Element lists: the one-step check the game delegates.
	Eval(op Op, e uint64, in []float32) (float32, error)
}

// ElementProof opens one element of a committed tensor: the 4096-byte chunk
// that holds it (shorter for the last chunk) and the chunk's audit path.
type ElementProof struct {
	Chunk []byte
	Path  merkle.InclusionProof
}

// ProveElement returns the proof of element i of values (a helper for
// players; the ledger only verifies).
func ProveElement(tree *merkle.Tree, data []byte, i uint64) (ElementProof, error) {
	c := i * 4 / ChunkSize
	p, err := tree.InclusionProof(c)
	if err != nil {
		return ElementProof{}, err
	}
	return ElementProof{Chunk: merkle.Chunk(data, ChunkSize, int(c)), Path: p}, nil
}

// Value checks that p opens element i of tensor t and returns the element.
func (p ElementProof) Value(t Tensor, i uint64) (float32, error) {
	if t.Len > MaxTensorLen || i >= t.Len {
		return 0, fmt.Errorf("element %d of a tensor of %d elements", i, t.Len)
	}
	byteLen := t.Len * 4
	c := i * 4 / ChunkSize
	want := min(ChunkSize, byteLen-c*ChunkSize)
	if uint64(len(p.Chunk)) != want {
		return 0, fmt.Errorf("chunk %d has %d bytes, want %d", c, len(p.Chunk), want)
	}
	n := (byteLen + ChunkSize - 1) / ChunkSize
	if p.Path.Index != c || p.Path.Size != n {
		return 0, fmt.Errorf("path for chunk %d of %d, want chunk %d of %d", p.Path.Index, p.Path.Size, c, n)
	}
	if err := p.Path.Verify(merkle.LeafHash(p.Chunk), t.Root); err != nil {
		return 0, err
	}
	off := i * 4 % ChunkSize
	return math.Float32frombits(binary.LittleEndian.Uint32(p.Chunk[off:])), nil
}
