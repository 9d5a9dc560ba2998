package bisect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"tangent/verify/merkle"
)

// Side is a party of the game.
type Side uint8

const (
	Challenger Side = iota + 1 // disputes the defendant's result
	Defendant                  // the solver whose result is disputed
)

func (s Side) String() string {
	switch s {
	case Challenger:
		return "challenger"
	case Defendant:
		return "defendant"
	}
	return "nobody"
}

// Limits on moves: they bound every move's encoding (MaxMoveSize), so a move
// always fits in a transaction.
const (
	MaxArity  = 256 // largest Params.Arity
	MaxInputs = 16  // largest number of operator inputs (Op.Inputs)
	MaxReads  = 16  // largest number of elements a map element reads
)

// Move is one of Split, Pick, OpenOp, Reveal, OpenElement, OpenFMA.
type Move interface {
	tag() byte
}

// Open is the challenger's opening of a dispute: segment i of the
// defendant's commitment, with the defendant's checkpoints c_i and c_{i+1}
// (state roots) and their proof against the commitment.
type Open struct {
	Segment    uint64
	Start, End merkle.Hash
	Proof      merkle.RangeProof
}

// Split (defendant) gives the defendant's values at the interior split
// points of the disputed range: state roots at the step and operator
// levels (Hashes), partial sums at the FMA level (Floats).
type Split struct {
	Hashes []merkle.Hash
	Floats []float32
}

// Pick (challenger) chooses: after a Split, sub-range Index (the one whose
// left end it agrees with and whose right end it disputes); after a Reveal
// of nodes, node Index of the output tree; after a Reveal of a chunk,
// element Index of that chunk.
type Pick struct{ Index uint64 }

// SlotProof opens one slot of a machine state.
type SlotProof struct {
	Tensor Tensor
	Path   merkle.InclusionProof
}

// OpenOp (defendant) opens the disputed operator: its input slots in the
// agreed state, and its output slot before (Old, in the agreed state) and
// after (New, in the disputed state), both proven by the same audit path, so
// that the operator changed nothing else.
type OpenOp struct {
	Inputs   []SlotProof
	Old, New Tensor
	OutPath  merkle.InclusionProof
}

// Reveal (defendant) opens the disputed node of its output tensor's Merkle
// tree: while the node spans several chunks, the hashes of its descendants
// down to RevealDepth levels (Nodes, left to right; see Frontier); once it
// is a single leaf, the chunk itself (Chunk, non-empty).
type Reveal struct {
	Nodes []merkle.Hash
	Chunk []byte
}

// OpenElement (defendant) opens the input elements the disputed output
// element reads: for a map op every element Program.Element lists, for a
// reduction only the initial accumulator (if it is an input element).
type OpenElement struct {
	Inputs []ElementProof
}

// OpenFMA (defendant) opens the two factors of the disputed multiply-add.
type OpenFMA struct {
	A, B ElementProof
}

const (
	tagOpen        = 0x10
	tagSplit       = 0x11
	tagPick        = 0x12
	tagOpenOp      = 0x13
	tagReveal      = 0x14
	tagOpenElement = 0x15
	tagOpenFMA     = 0x16
)

func (Split) tag() byte       { return tagSplit }
func (Pick) tag() byte        { return tagPick }
func (OpenOp) tag() byte      { return tagOpenOp }
func (Reveal) tag() byte      { return tagReveal }
func (OpenElement) tag() byte { return tagOpenElement }
func (OpenFMA) tag() byte     { return tagOpenFMA }

// Maximum encoded sizes.
const (
	maxTensorSize       = binary.MaxVarintLen64 + merkle.HashSize
	maxPathSize         = binary.MaxVarintLen64 + merkle.MaxInclusionProofSize
	maxElementProofSize = binary.MaxVarintLen64 + ChunkSize + maxPathSize
	// MaxMoveSize bounds the encoding of any move: the largest is an
	// OpenElement with MaxReads full chunks (about 100 KB); typical moves
	// are tens of bytes (Split, Pick, Reveal of children) to a few KB
	// (a chunk and its path).
	MaxMoveSize = 1 + binary.MaxVarintLen64 + MaxReads*maxElementProofSize
)

// ErrMalformed is returned by DecodeMove and DecodeOpen for bytes that are
// not the canonical encoding of a move.
var ErrMalformed = errors.New("bisect: malformed move encoding")

// EncodeOpen returns the canonical bytes of an opening.
func EncodeOpen(o Open) []byte {
	b := []byte{tagOpen}
	b = binary.AppendUvarint(b, o.Segment)
	b = append(b, o.Start[:]...)
	b = append(b, o.End[:]...)
	p := o.Proof.Encode()
	b = binary.AppendUvarint(b, uint64(len(p)))
	return append(b, p...)
}

// DecodeOpen parses EncodeOpen's output.
func DecodeOpen(data []byte) (Open, error) {
	r := reader{b: data}
	var o Open
	r.expect(tagOpen)
	o.Segment = r.uvarint()
	o.Start = r.hash()
	o.End = r.hash()
	pb := r.bytes(merkle.MaxRangeProofSize)
	if r.err == nil {
		var err error
		if o.Proof, err = merkle.DecodeRangeProof(pb); err != nil {
			r.fail("%v", err)
		}
	}
	return o, r.done()
}

// EncodeMove returns the canonical bytes of a move.
func EncodeMove(m Move) []byte {
	b := []byte{m.tag()}
	switch m := m.(type) {
	case Split:
		if len(m.Floats) > 0 || len(m.Hashes) == 0 {
			b = append(b, 4)
			b = binary.AppendUvarint(b, uint64(len(m.Floats)))
			for _, f := range m.Floats {
				b = binary.LittleEndian.AppendUint32(b, math.Float32bits(f))
			}
		} else {
			b = append(b, merkle.HashSize)
			b = binary.AppendUvarint(b, uint64(len(m.Hashes)))
			for _, h := range m.Hashes {
				b = append(b, h[:]...)
			}
		}
	case Pick:
		b = binary.AppendUvarint(b, m.Index)
	case Reveal:
		if len(m.Chunk) > 0 {
			b = append(b, 1)
			b = binary.AppendUvarint(b, uint64(len(m.Chunk)))
			b = append(b, m.Chunk...)
		} else {
			b = append(b, 0)
			b = binary.AppendUvarint(b, uint64(len(m.Nodes)))
			for _, h := range m.Nodes {
				b = append(b, h[:]...)
			}
		}
	case OpenOp:
		b = binary.AppendUvarint(b, uint64(len(m.Inputs)))
		for _, in := range m.Inputs {
			b = appendTensor(b, in.Tensor)
			b = appendPath(b, in.Path)
		}
		b = appendTensor(b, m.Old)
		b = appendTensor(b, m.New)
		b = appendPath(b, m.OutPath)
	case OpenElement:
		b = binary.AppendUvarint(b, uint64(len(m.Inputs)))
		for _, p := range m.Inputs {
			b = appendElementProof(b, p)
		}
	case OpenFMA:
		b = appendElementProof(b, m.A)
		b = appendElementProof(b, m.B)
	default:
		panic(fmt.Sprintf("bisect: unknown move %T", m))
	}
	return b
}

// DecodeMove parses EncodeMove's output. It rejects anything else with an
// error wrapping ErrMalformed: unknown tags, counts above the limits,
// non-minimal varints, malformed proofs, trailing bytes.
func DecodeMove(data []byte) (Move, error) {
	if len(data) > MaxMoveSize {
		return nil, fmt.Errorf("%w: %d bytes > %d", ErrMalformed, len(data), MaxMoveSize)
	}
	r := reader{b: data}
	var m Move
	switch t := r.byte(); t {
	case tagSplit:
		var s Split
		width := r.byte()
		n := r.count(MaxArity - 1)
		switch width {
		case 4:
			for range n {
				s.Floats = append(s.Floats, math.Float32frombits(r.uint32()))
			}
		case merkle.HashSize:
			if n == 0 {
				r.fail("empty hash split must use width 4")
			}
			for range n {
				s.Hashes = append(s.Hashes, r.hash())
			}
		default:
			r.fail("split value width %d", width)
		}
		m = s
	case tagPick:
		m = Pick{Index: r.uvarint()}
	case tagReveal:
		var v Reveal
		switch form := r.byte(); form {
		case 0:
			n := r.count(MaxArity)
			if r.err == nil && n < 2 {
				r.fail("reveal of %d nodes", n)
			}
			for range n {
				v.Nodes = append(v.Nodes, r.hash())
			}
		case 1:
			c := r.bytes(ChunkSize)
			if r.err == nil && len(c) == 0 {
				r.fail("empty chunk")
			}
			v.Chunk = append([]byte(nil), c...)
		default:
			r.fail("reveal form %d", form)
		}
		m = v
	case tagOpenOp:
		var o OpenOp
		n := r.count(MaxInputs)
		for range n {
			o.Inputs = append(o.Inputs, SlotProof{Tensor: r.tensor(), Path: r.path()})
		}
		o.Old = r.tensor()
		o.New = r.tensor()
		o.OutPath = r.path()
		m = o
	case tagOpenElement:
		var o OpenElement
		n := r.count(MaxReads)
		for range n {
			o.Inputs = append(o.Inputs, r.elementProof())
		}
		m = o
	case tagOpenFMA:
		m = OpenFMA{A: r.elementProof(), B: r.elementProof()}
	default:
		r.fail("unknown move tag 0x%02x", t)
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return m, nil
}

func appendTensor(b []byte, t Tensor) []byte {
	b = binary.AppendUvarint(b, t.Len)
	return append(b, t.Root[:]...)
}

func appendPath(b []byte, p merkle.InclusionProof) []byte {
	e := p.Encode()
	b = binary.AppendUvarint(b, uint64(len(e)))
	return append(b, e...)
}

func appendElementProof(b []byte, p ElementProof) []byte {
	b = binary.AppendUvarint(b, uint64(len(p.Chunk)))
	b = append(b, p.Chunk...)
	return appendPath(b, p.Path)
}

// reader decodes with sticky errors.
type reader struct {
	b   []byte
	err error
}

func (r *reader) fail(format string, args ...any) {
	if r.err == nil {
		r.err = fmt.Errorf("%w: "+format, append([]any{ErrMalformed}, args...)...)
	}
}

func (r *reader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if uint64(len(r.b)) < n {
		r.fail("truncated")
		return nil
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) byte() byte {
	if b := r.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (r *reader) expect(t byte) {
	if got := r.byte(); r.err == nil && got != t {
		r.fail("tag 0x%02x, want 0x%02x", got, t)
	}
}

func (r *reader) uvarint() uint64 {
	if r.err != nil {
		return 0
	}
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail("bad varint")
		return 0
	}
	if n != len(binary.AppendUvarint(nil, v)) {
		r.fail("non-minimal varint")
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *reader) count(max uint64) uint64 {
	n := r.uvarint()
	if n > max {
		r.fail("count %d above limit %d", n, max)
		return 0
	}
	return n
}

func (r *reader) uint32() uint32 {
	if b := r.take(4); b != nil {
		return binary.LittleEndian.Uint32(b)
	}
	return 0
}

func (r *reader) hash() merkle.Hash {
	var h merkle.Hash
	copy(h[:], r.take(merkle.HashSize))
	return h
}

func (r *reader) bytes(max uint64) []byte {
	n := r.count(max)
	return r.take(n)
}

func (r *reader) tensor() Tensor {
	t := Tensor{Len: r.uvarint()}
	t.Root = r.hash()
	return t
}

func (r *reader) path() merkle.InclusionProof {
	b := r.bytes(merkle.MaxInclusionProofSize)
	if r.err != nil {
		return merkle.InclusionProof{}
	}
	p, err := merkle.DecodeInclusionProof(b)
	if err != nil {
		r.fail("%v", err)
	}
	return p
}

func (r *reader) elementProof() ElementProof {
	var p ElementProof
	c := r.bytes(ChunkSize)
	if c != nil {
		p.Chunk = append([]byte{}, c...)
	}
	p.Path = r.path()
	return p
}

func (r *reader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.fail("%d trailing bytes", len(r.b))
	}
	return r.err
}
