package bisect

import (
	"encoding/binary"
	"fmt"
	"math"

	"tangent/verify/merkle"
)

// stateVersion is the first byte of an encoded game.
const stateVersion = 1

// Encode returns the game's canonical bytes, for the ledger to store between
// blocks. The Program is not part of them: Decode takes it again.
func (g *Game) Encode() []byte {
	w := writer{}
	w.byte(stateVersion)
	w.uv(g.params.Arity)
	w.uv(g.params.Window)
	w.uv(g.segment)
	w.uv(g.steps)
	w.byte(byte(g.level))
	w.byte(byte(g.phase))
	w.byte(byte(g.turn))
	w.uv(g.deadline)
	if g.outcome != nil {
		w.byte(byte(g.outcome.Winner))
		w.bytes([]byte(g.outcome.Reason))
		w.uv(g.outcome.Height)
	} else {
		w.byte(0)
	}
	w.uv(uint64(g.moves))
	w.uv(g.lo)
	w.uv(g.hi)
	w.hash(g.loH)
	w.hash(g.hiH)
	w.f32(g.loF)
	w.f32(g.hiF)
	w.uv(uint64(len(g.points)))
	for _, p := range g.points {
		w.uv(p)
	}
	w.uv(uint64(len(g.splitH)))
	for _, h := range g.splitH {
		w.hash(h)
	}
	w.uv(uint64(len(g.splitF)))
	for _, f := range g.splitF {
		w.f32(f)
	}
	w.uv(g.step)
	w.uv(g.opIndex)
	w.byte(byte(g.op.Kind))
	w.uv(uint64(g.op.Code))
	w.uv(uint64(len(g.op.Inputs)))
	for i := range g.op.Inputs {
		w.uv(g.op.Inputs[i])
		w.uv(g.op.InLens[i])
	}
	w.uv(g.op.Output)
	w.uv(g.op.OutLen)
	w.uv(uint64(len(g.inputs)))
	for _, t := range g.inputs {
		w.tensor(t)
	}
	w.tensor(g.output)
	w.hash(g.node)
	w.uv(uint64(len(g.nodes)))
	for _, h := range g.nodes {
		w.hash(h)
	}
	if g.chunk != nil {
		w.byte(1)
		w.bytes(g.chunk)
	} else {
		w.byte(0)
	}
	w.uv(g.elem)
	w.uv(uint64(len(g.element.Reads)))
	for _, a := range g.element.Reads {
		w.access(a)
	}
	if g.element.HasInit {
		w.byte(1)
		w.access(g.element.Init)
	} else {
		w.byte(0)
	}
	w.uv(g.element.Terms)
	w.f32(g.value)
	return w.b
}

// Decode restores a game from Encode's bytes, with the job's Program. It
// rejects (ErrMalformed) bytes that are not an encoding, but it checks
// syntax only: the ledger must decode only states it encoded itself.
func Decode(prog Program, data []byte) (*Game, error) {
	r := reader{b: data}
	g := &Game{prog: prog}
	if v := r.byte(); r.err == nil && v != stateVersion {
		r.fail("game state version %d", v)
	}
	g.params.Arity = r.uvarint()
	g.params.Window = r.uvarint()
	g.segment = r.uvarint()
	g.steps = r.uvarint()
	g.level = Level(r.byte())
	g.phase = Phase(r.byte())
	g.turn = Side(r.byte())
	g.deadline = r.uvarint()
	if w := Side(r.byte()); w != 0 {
		g.outcome = &Outcome{Winner: w, Reason: string(r.bytes(1 << 12)), Height: r.uvarint()}
	}
	g.moves = int(r.count(math.MaxInt32))
	g.lo = r.uvarint()
	g.hi = r.uvarint()
	g.loH = r.hash()
	g.hiH = r.hash()
	g.loF = math.Float32frombits(r.uint32())
	g.hiF = math.Float32frombits(r.uint32())
	for range r.count(MaxArity + 1) {
		g.points = append(g.points, r.uvarint())
	}
	for range r.count(MaxArity - 1) {
		g.splitH = append(g.splitH, r.hash())
	}
	for range r.count(MaxArity - 1) {
		g.splitF = append(g.splitF, math.Float32frombits(r.uint32()))
	}
	g.step = r.uvarint()
	g.opIndex = r.uvarint()
	g.op.Kind = OpKind(r.byte())
	code := r.uvarint()
	if code > math.MaxUint32 {
		r.fail("op code %d", code)
	}
	g.op.Code = uint32(code)
	for range r.count(MaxInputs) {
		g.op.Inputs = append(g.op.Inputs, r.uvarint())
		g.op.InLens = append(g.op.InLens, r.uvarint())
	}
	g.op.Output = r.uvarint()
	g.op.OutLen = r.uvarint()
	for range r.count(MaxInputs) {
		g.inputs = append(g.inputs, r.tensor())
	}
	g.output = r.tensor()
	g.node = r.hash()
	for range r.count(MaxArity) {
		g.nodes = append(g.nodes, r.hash())
	}
	if r.flag() {
		g.chunk = append([]byte{}, r.bytes(ChunkSize)...)
	}
	g.elem = r.uvarint()
	for range r.count(MaxReads) {
		g.element.Reads = append(g.element.Reads, r.access())
	}
	if r.flag() {
		g.element.HasInit = true
		g.element.Init = r.access()
	}
	g.element.Terms = r.uvarint()
	g.value = math.Float32frombits(r.uint32())
	if err := r.done(); err != nil {
		return nil, err
	}
	if err := g.params.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	return g, nil
}

func (r *reader) flag() bool {
	switch b := r.byte(); b {
	case 0:
		return false
	case 1:
		return true
	default:
		r.fail("flag %d", b)
		return false
	}
}

func (r *reader) access() Access {
	in := r.count(MaxInputs)
	return Access{Input: int(in), Index: r.uvarint()}
}

type writer struct{ b []byte }

func (w *writer) byte(v byte)        { w.b = append(w.b, v) }
func (w *writer) uv(v uint64)        { w.b = binary.AppendUvarint(w.b, v) }
func (w *writer) hash(h merkle.Hash) { w.b = append(w.b, h[:]...) }
func (w *writer) f32(f float32)      { w.b = binary.LittleEndian.AppendUint32(w.b, math.Float32bits(f)) }
func (w *writer) bytes(b []byte) {
	w.uv(uint64(len(b)))
	w.b = append(w.b, b...)
}
func (w *writer) tensor(t Tensor) {
	w.uv(t.Len)
	w.hash(t.Root)
}
func (w *writer) access(a Access) {
	w.uv(uint64(a.Input))
	w.uv(a.Index)
}
