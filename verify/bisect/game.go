package bisect

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"math/bits"

	"tangent/verify/audit"
	"tangent/verify/merkle"
)

// Params are the rules' two numbers, fixed per chain (genesis).
type Params struct {
	// Arity is how many sub-ranges a Split cuts a range into (2 <= Arity
	// <= MaxArity): the defendant posts Arity-1 values per round, and a
	// range of n positions takes ceil(log_Arity n) rounds.
	Arity uint64
	// Window is how many blocks the side to move has: a move at height h
	// is accepted while h <= the height that gave it the turn + Window.
	Window uint64
}

// Validate reports whether the parameters are usable.
func (p Params) Validate() error {
	if p.Arity < 2 || p.Arity > MaxArity {
		return fmt.Errorf("bisect: arity %d outside [2, %d]", p.Arity, MaxArity)
	}
	if p.Window == 0 {
		return errors.New("bisect: window must be at least one block")
	}
	return nil
}

// Level is how deep the dispute has gone.
type Level uint8

const (
	LevelStep    Level = iota + 1 // which training step of the segment
	LevelOp                       // which operator of that step
	LevelElement                  // which element of the operator's output
	LevelFMA                      // which multiply-add of that element's reduction
)

func (l Level) String() string {
	switch l {
	case LevelStep:
		return "step"
	case LevelOp:
		return "op"
	case LevelElement:
		return "element"
	case LevelFMA:
		return "fma"
	}
	return fmt.Sprintf("Level(%d)", uint8(l))
}

// Phase is the move the game waits for.
type Phase uint8

const (
	PhaseSplit       Phase = iota + 1 // defendant: Split
	PhasePick                         // challenger: Pick
	PhaseOpenOp                       // defendant: OpenOp
	PhaseReveal                       // defendant: Reveal
	PhaseOpenElement                  // defendant: OpenElement
	PhaseOpenFMA                      // defendant: OpenFMA
	PhaseDone                         // nobody: see Outcome
)

func (p Phase) String() string {
	switch p {
	case PhaseSplit:
		return "split"
	case PhasePick:
		return "pick"
	case PhaseOpenOp:
		return "open-op"
	case PhaseReveal:
		return "reveal"
	case PhaseOpenElement:
		return "open-element"
	case PhaseOpenFMA:
		return "open-fma"
	case PhaseDone:
		return "done"
	}
	return fmt.Sprintf("Phase(%d)", uint8(p))
}

// Outcome is how a game ended.
type Outcome struct {
	Winner Side
	Reason string
	Height uint64 // height of the deciding move or timeout
}

// Errors returned by Apply. A rejected move changes nothing: the side keeps
// its turn until its deadline.
var (
	// ErrOver: the game has ended.
	ErrOver = errors.New("bisect: the game is over")
	// ErrNotYourTurn: the move is from the side that is not to move.
	ErrNotYourTurn = errors.New("bisect: not this side's turn")
	// ErrLate: the move comes after the deadline (call Timeout).
	ErrLate = errors.New("bisect: move after the deadline")
	// ErrWrongMove: the move is not the kind the phase expects.
	ErrWrongMove = errors.New("bisect: wrong kind of move for this phase")
	// ErrRejected: the move failed its checks (bad proof, wrong count,
	// index out of range). Errors wrap it with the reason.
	ErrRejected = errors.New("bisect: move rejected")
)

// Game is one dispute. It is a pure state machine: Apply and Timeout are its
// only transitions, and the caller (the ledger) supplies heights. A Game is
// not safe for concurrent use.
type Game struct {
	params  Params
	prog    Program
	segment uint64
	steps   uint64

	level    Level
	phase    Phase
	turn     Side
	deadline uint64
	outcome  *Outcome
	moves    int

	// The disputed range [lo, hi) of the current level: the sides agree on
	// the value at lo and the challenger disputes the defendant's at hi.
	lo, hi   uint64
	loH, hiH merkle.Hash // LevelStep, LevelOp: state roots
	loF, hiF float32     // LevelFMA: partial sums

	// The last Split (PhasePick at a chain level).
	points []uint64
	splitH []merkle.Hash
	splitF []float32

	step, opIndex uint64
	op            Op
	inputs        []Tensor
	output        Tensor

	// LevelElement: the disputed node [lo, hi) of the output tree (in
	// chunks) has hash node; nodes holds the last Reveal of descendants,
	// chunk the last Reveal of a leaf.
	node  merkle.Hash
	nodes []merkle.Hash
	chunk []byte

	elem    uint64
	element Element
	value   float32 // the defendant's value of output element elem
}

// New opens a dispute over segment o.Segment of commitment c, which spans
// `steps` training steps (the job's checkpoint interval, or fewer for a
// short last segment), at block height `height`. The opening's proof must
// show o.Start and o.End to be checkpoints o.Segment and o.Segment+1 of c.
func New(p Params, prog Program, c audit.Commitment, o Open, steps, height uint64) (*Game, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if steps == 0 {
		return nil, errors.New("bisect: a segment has at least one step")
	}
	if err := c.VerifySegment(o.Segment, o.Start, o.End, o.Proof); err != nil {
		return nil, fmt.Errorf("%w: opening: %v", ErrRejected, err)
	}
	g := &Game{params: p, prog: prog, segment: o.Segment, steps: steps,
		level: LevelStep, lo: 0, hi: steps, loH: o.Start, hiH: o.End}
	g.settle(height)
	return g, nil
}

// settle decides the next phase once a chain range [lo, hi) is set: split
// it while it spans several positions; at one position, descend a level or
// ask for the opening of the last piece.
func (g *Game) settle(height uint64) {
	if g.hi-g.lo >= 2 {
		g.give(PhaseSplit, Defendant, height)
		return
	}
	switch g.level {
	case LevelStep:
		// One step: its operators form the next chain, with the same two
		// state roots at its ends.
		g.step = g.lo
		n := g.prog.NumOps(g.step)
		if n == 0 {
			g.decide(g.loH == g.hiH, height, "step %d has no operators: the state must not change", g.step)
			return
		}
		g.level, g.lo, g.hi = LevelOp, 0, n
		g.settle(height)
	case LevelOp:
		g.opIndex = g.lo
		g.give(PhaseOpenOp, Defendant, height)
	case LevelFMA:
		g.give(PhaseOpenFMA, Defendant, height)
	}
}

func (g *Game) give(p Phase, s Side, height uint64) {
	g.phase, g.turn, g.deadline = p, s, height+g.params.Window
}

// decide ends the game: the defendant wins if ok, the challenger otherwise.
func (g *Game) decide(ok bool, height uint64, format string, args ...any) {
	w := Challenger
	if ok {
		w = Defendant
	}
	g.outcome = &Outcome{Winner: w, Reason: fmt.Sprintf(format, args...), Height: height}
	g.phase, g.turn = PhaseDone, 0
}

func reject(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrRejected}, args...)...)
}

// Apply plays move m for side `from` at block height `height`.
func (g *Game) Apply(from Side, m Move, height uint64) error {
	if g.outcome != nil {
		return ErrOver
	}
	if height > g.deadline {
		return fmt.Errorf("%w: height %d > deadline %d", ErrLate, height, g.deadline)
	}
	if from != g.turn {
		return fmt.Errorf("%w: %v moved, %v is to move (%v)", ErrNotYourTurn, from, g.turn, g.phase)
	}
	var err error
	switch mv := m.(type) {
	case Split:
		err = want(g.phase, PhaseSplit, m)
		if err == nil {
			err = g.split(mv, height)
		}
	case Pick:
		err = want(g.phase, PhasePick, m)
		if err == nil {
			err = g.pick(mv, height)
		}
	case OpenOp:
		err = want(g.phase, PhaseOpenOp, m)
		if err == nil {
			err = g.openOp(mv, height)
		}
	case Reveal:
		err = want(g.phase, PhaseReveal, m)
		if err == nil {
			err = g.reveal(mv, height)
		}
	case OpenElement:
		err = want(g.phase, PhaseOpenElement, m)
		if err == nil {
			err = g.openElement(mv, height)
		}
	case OpenFMA:
		err = want(g.phase, PhaseOpenFMA, m)
		if err == nil {
			err = g.openFMA(mv, height)
		}
	default:
		err = fmt.Errorf("%w: %T", ErrWrongMove, m)
	}
	if err == nil {
		g.moves++
	}
	return err
}

func want(have, need Phase, m Move) error {
	if have != need {
		return fmt.Errorf("%w: %T in phase %v", ErrWrongMove, m, have)
	}
	return nil
}

// Timeout ends the game against the side to move if `height` is past its
// deadline, and reports whether it did.
func (g *Game) Timeout(height uint64) bool {
	if g.outcome != nil || height <= g.deadline {
		return false
	}
	loser := g.turn
	g.decide(loser == Challenger, height, "%v did not %v by height %d", loser, g.phase, g.deadline)
	return true
}

// splitPoints returns the m+1 boundaries lo = p_0 < p_1 < ... < p_m = hi of
// the m = min(Arity, hi-lo) sub-ranges: p_i = lo + floor(i*(hi-lo)/m).
func (g *Game) splitPoints() []uint64 {
	span := g.hi - g.lo
	m := min(g.params.Arity, span)
	pts := make([]uint64, m+1)
	for i := range m + 1 {
		h, l := bits.Mul64(i, span)
		q, _ := bits.Div64(h, l, m)
		pts[i] = g.lo + q
	}
	return pts
}

func (g *Game) split(s Split, height uint64) error {
	pts := g.splitPoints()
	n := len(pts) - 2
	if g.level == LevelFMA {
		if len(s.Floats) != n || len(s.Hashes) != 0 {
			return reject("an FMA-level split needs %d partial sums, got %d floats and %d hashes", n, len(s.Floats), len(s.Hashes))
		}
	} else if len(s.Hashes) != n || len(s.Floats) != 0 {
		return reject("a %v-level split needs %d state roots, got %d hashes and %d floats", g.level, n, len(s.Hashes), len(s.Floats))
	}
	g.points, g.splitH, g.splitF = pts, s.Hashes, s.Floats
	g.give(PhasePick, Challenger, height)
	return nil
}

func (g *Game) pick(p Pick, height uint64) error {
	if g.level == LevelElement {
		return g.pickElement(p, height)
	}
	m := uint64(len(g.points) - 1)
	if p.Index >= m {
		return reject("sub-range %d of %d", p.Index, m)
	}
	i := p.Index
	if i > 0 {
		g.loH, g.loF = g.valueAt(i - 1)
	}
	if i < m-1 {
		g.hiH, g.hiF = g.valueAt(i)
	}
	g.lo, g.hi = g.points[i], g.points[i+1]
	g.points, g.splitH, g.splitF = nil, nil, nil
	g.settle(height)
	return nil
}

// valueAt returns the defendant's value at interior split point j+1.
func (g *Game) valueAt(j uint64) (merkle.Hash, float32) {
	if g.level == LevelFMA {
		return merkle.Hash{}, g.splitF[j]
	}
	return g.splitH[j], 0
}

func (g *Game) openOp(o OpenOp, height uint64) error {
	op, err := g.prog.Op(g.step, g.opIndex)
	if err != nil {
		return reject("program has no op %d of step %d: %v", g.opIndex, g.step, err)
	}
	slots := g.prog.Slots()
	if err := checkOp(op, slots); err != nil {
		return reject("op %d of step %d: %v", g.opIndex, g.step, err)
	}
	if len(o.Inputs) != len(op.Inputs) {
		return reject("op has %d inputs, move opens %d", len(op.Inputs), len(o.Inputs))
	}
	for i, in := range o.Inputs {
		if in.Path.Index != op.Inputs[i] || in.Path.Size != slots {
			return reject("input %d: path for slot %d of %d, want slot %d of %d", i, in.Path.Index, in.Path.Size, op.Inputs[i], slots)
		}
		if err := in.Path.Verify(in.Tensor.LeafHash(), g.loH); err != nil {
			return reject("input %d is not slot %d of the agreed state: %v", i, op.Inputs[i], err)
		}
		if in.Tensor.Len != op.InLens[i] {
			return reject("input %d has %d elements, the op reads %d", i, in.Tensor.Len, op.InLens[i])
		}
	}
	if o.OutPath.Index != op.Output || o.OutPath.Size != slots {
		return reject("output: path for slot %d of %d, want slot %d of %d", o.OutPath.Index, o.OutPath.Size, op.Output, slots)
	}
	if err := o.OutPath.Verify(o.Old.LeafHash(), g.loH); err != nil {
		return reject("old output is not slot %d of the agreed state: %v", op.Output, err)
	}
	if err := o.OutPath.Verify(o.New.LeafHash(), g.hiH); err != nil {
		return reject("the disputed state is not the agreed state with only slot %d changed: %v", op.Output, err)
	}
	// The opening is valid: the defendant is bound to o.New as its output.
	g.op, g.output = op, o.New
	g.inputs = make([]Tensor, len(o.Inputs))
	for i, in := range o.Inputs {
		g.inputs[i] = in.Tensor
	}
	switch op.Kind {
	case OpFree:
		g.decide(o.New == EmptyTensor(), height, "op %d of step %d frees slot %d: output must be empty", g.opIndex, g.step, op.Output)
		return nil
	case OpCopy:
		g.decide(o.New == g.inputs[0], height, "op %d of step %d copies slot %d to slot %d: output must equal input", g.opIndex, g.step, op.Inputs[0], op.Output)
		return nil
	}
	if o.New.Len != op.OutLen {
		g.decide(false, height, "op %d of step %d makes %d elements, defendant's output has %d", g.opIndex, g.step, op.OutLen, o.New.Len)
		return nil
	}
	if op.OutLen == 0 {
		g.decide(o.New == EmptyTensor(), height, "op %d of step %d has an empty output", g.opIndex, g.step)
		return nil
	}
	g.level, g.lo, g.hi, g.node = LevelElement, 0, chunkCount(op.OutLen), o.New.Root
	g.give(PhaseReveal, Defendant, height)
	return nil
}

func checkOp(op Op, slots uint64) error {
	if len(op.Inputs) != len(op.InLens) || len(op.Inputs) > MaxInputs {
		return fmt.Errorf("%d inputs with %d lengths (at most %d)", len(op.Inputs), len(op.InLens), MaxInputs)
	}
	if op.Output >= slots {
		return fmt.Errorf("output slot %d of %d", op.Output, slots)
	}
	for i, s := range op.Inputs {
		if s >= slots {
			return fmt.Errorf("input slot %d of %d", s, slots)
		}
		if op.InLens[i] > MaxTensorLen {
			return fmt.Errorf("input of %d elements", op.InLens[i])
		}
	}
	if op.OutLen > MaxTensorLen {
		return fmt.Errorf("output of %d elements", op.OutLen)
	}
	switch op.Kind {
	case OpFree, OpMap, OpReduce:
	case OpCopy:
		if len(op.Inputs) != 1 {
			return fmt.Errorf("copy with %d inputs", len(op.Inputs))
		}
	default:
		return fmt.Errorf("unknown kind %v", op.Kind)
	}
	return nil
}

func chunkCount(elems uint64) uint64 { return (elems*4 + ChunkSize - 1) / ChunkSize }

// RevealDepth is how many tree levels one Reveal descends: log2(Arity)
// rounded down, so a Reveal has at most Arity nodes, like a Split.
func (p Params) RevealDepth() int {
	return bits.Len64(p.Arity) - 1
}

// Frontier returns the nodes of the RFC 6962 tree found by splitting node
// [lo, hi) `depth` times (a single leaf is not split further), left to
// right, as [begin, end) leaf ranges: the nodes a Reveal lists.
func Frontier(lo, hi uint64, depth int) [][2]uint64 {
	if depth == 0 || hi-lo == 1 {
		return [][2]uint64{{lo, hi}}
	}
	k := lo + merkle.Split(hi-lo)
	return append(Frontier(lo, k, depth-1), Frontier(k, hi, depth-1)...)
}

// combine recomputes the hash of node [lo, hi) from its frontier's hashes.
func combine(lo, hi uint64, depth int, hs []merkle.Hash) (merkle.Hash, []merkle.Hash) {
	if depth == 0 || hi-lo == 1 {
		return hs[0], hs[1:]
	}
	k := lo + merkle.Split(hi-lo)
	l, hs := combine(lo, k, depth-1, hs)
	r, hs := combine(k, hi, depth-1, hs)
	return merkle.NodeHash(l, r), hs
}

func (g *Game) reveal(r Reveal, height uint64) error {
	if g.hi-g.lo > 1 {
		if len(r.Chunk) != 0 {
			return reject("node [%d, %d) spans several chunks: reveal its descendants", g.lo, g.hi)
		}
		d := g.params.RevealDepth()
		if n := len(Frontier(g.lo, g.hi, d)); len(r.Nodes) != n {
			return reject("node [%d, %d) has %d descendants %d levels down, move reveals %d", g.lo, g.hi, n, d, len(r.Nodes))
		}
		if h, _ := combine(g.lo, g.hi, d, r.Nodes); h != g.node {
			return reject("revealed nodes do not hash to the disputed node")
		}
		g.nodes, g.chunk = append([]merkle.Hash(nil), r.Nodes...), nil
	} else {
		want := min(ChunkSize, g.op.OutLen*4-g.lo*ChunkSize)
		if uint64(len(r.Chunk)) != want {
			return reject("chunk %d has %d bytes, want %d", g.lo, len(r.Chunk), want)
		}
		if merkle.LeafHash(r.Chunk) != g.node {
			return reject("chunk does not hash to the disputed leaf")
		}
		g.chunk = append([]byte(nil), r.Chunk...)
	}
	g.give(PhasePick, Challenger, height)
	return nil
}

func (g *Game) pickElement(p Pick, height uint64) error {
	if g.chunk == nil {
		f := Frontier(g.lo, g.hi, g.params.RevealDepth())
		if p.Index >= uint64(len(f)) {
			return reject("node %d of %d", p.Index, len(f))
		}
		g.lo, g.hi, g.node = f[p.Index][0], f[p.Index][1], g.nodes[p.Index]
		g.nodes = nil
		g.give(PhaseReveal, Defendant, height)
		return nil
	}
	n := uint64(len(g.chunk) / 4)
	if p.Index >= n {
		return reject("element %d of a chunk of %d", p.Index, n)
	}
	g.elem = g.lo*(ChunkSize/4) + p.Index
	g.value = math.Float32frombits(binary.LittleEndian.Uint32(g.chunk[4*p.Index:]))
	el, err := g.prog.Element(g.op, g.elem)
	if err != nil {
		return reject("program has no element %d: %v", g.elem, err)
	}
	if err := g.checkElement(el); err != nil {
		return reject("element %d: %v", g.elem, err)
	}
	g.element = el
	g.give(PhaseOpenElement, Defendant, height)
	return nil
}

func (g *Game) checkAccess(a Access) error {
	if a.Input < 0 || a.Input >= len(g.inputs) || a.Index >= g.inputs[a.Input].Len {
		return fmt.Errorf("access to element %d of input %d", a.Index, a.Input)
	}
	return nil
}

func (g *Game) checkElement(el Element) error {
	if g.op.Kind == OpMap {
		if len(el.Reads) > MaxReads {
			return fmt.Errorf("%d reads (at most %d)", len(el.Reads), MaxReads)
		}
		for _, a := range el.Reads {
			if err := g.checkAccess(a); err != nil {
				return err
			}
		}
		return nil
	}
	if el.HasInit {
		return g.checkAccess(el.Init)
	}
	return nil
}

// open returns the value of input element a opened by p.
func (g *Game) open(p ElementProof, a Access) (float32, error) {
	v, err := p.Value(g.inputs[a.Input], a.Index)
	if err != nil {
		return 0, fmt.Errorf("element %d of input %d: %v", a.Index, a.Input, err)
	}
	return v, nil
}

func (g *Game) openElement(o OpenElement, height uint64) error {
	el := g.element
	if g.op.Kind == OpMap {
		if len(o.Inputs) != len(el.Reads) {
			return reject("element reads %d inputs, move opens %d", len(el.Reads), len(o.Inputs))
		}
		in := make([]float32, len(o.Inputs))
		for j, p := range o.Inputs {
			v, err := g.open(p, el.Reads[j])
			if err != nil {
				return reject("%v", err)
			}
			in[j] = v
		}
		want, err := g.prog.Eval(g.op, g.elem, in)
		if err != nil {
			return reject("re-execution failed: %v", err)
		}
		g.decide(sameBits(want, g.value), height, "element %d of op %d of step %d re-executed: %v, defendant claimed %v",
			g.elem, g.opIndex, g.step, want, g.value)
		return nil
	}
	acc := float32(0)
	if el.HasInit {
		if len(o.Inputs) != 1 {
			return reject("reduction starts from one input element, move opens %d", len(o.Inputs))
		}
		v, err := g.open(o.Inputs[0], el.Init)
		if err != nil {
			return reject("%v", err)
		}
		acc = v
	} else if len(o.Inputs) != 0 {
		return reject("reduction starts from +0, move opens %d elements", len(o.Inputs))
	}
	if el.Terms == 0 {
		g.decide(sameBits(acc, g.value), height, "element %d of op %d of step %d is an empty sum: %v, defendant claimed %v",
			g.elem, g.opIndex, g.step, acc, g.value)
		return nil
	}
	g.level, g.lo, g.hi, g.loF, g.hiF = LevelFMA, 0, el.Terms, acc, g.value
	g.settle(height)
	return nil
}

func (g *Game) openFMA(o OpenFMA, height uint64) error {
	a, b, err := g.prog.Term(g.op, g.elem, g.lo)
	if err != nil {
		return reject("program has no term %d: %v", g.lo, err)
	}
	if err := g.checkAccess(a); err != nil {
		return reject("term %d: %v", g.lo, err)
	}
	if err := g.checkAccess(b); err != nil {
		return reject("term %d: %v", g.lo, err)
	}
	va, err := g.open(o.A, a)
	if err != nil {
		return reject("%v", err)
	}
	vb, err := g.open(o.B, b)
	if err != nil {
		return reject("%v", err)
	}
	r := FMA32(va, vb, g.loF)
	g.decide(sameBits(r, g.hiF), height, "term %d of element %d of op %d of step %d: fma32(%v, %v, %v) = %v, defendant claimed %v",
		g.lo, g.elem, g.opIndex, g.step, va, vb, g.loF, r, g.hiF)
	return nil
}

func sameBits(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// Position is a snapshot of the game for players and displays. Slices are
// copies the caller may keep.
type Position struct {
	Level    Level
	Phase    Phase
	Turn     Side   // 0 when the game is over
	Deadline uint64 // last height at which Turn may move
	Moves    int    // accepted moves so far (the opening not counted)

	Segment, Step, Op, Element uint64 // where the dispute is (as far as known)

	// Chain levels (step, op, fma): the disputed range [Lo, Hi) and the
	// values at its ends (LoHash/HiHash at the step and op levels,
	// LoFloat/HiFloat at the fma level).
	Lo, Hi           uint64
	LoHash, HiHash   merkle.Hash
	LoFloat, HiFloat float32
	// PhaseSplit: the positions the defendant must give values for.
	// PhasePick at a chain level: all sub-range boundaries, with the
	// defendant's values at the interior ones in Split.
	Points []uint64
	Split  Split

	// LevelElement: the disputed node [Lo, Hi) (in chunks) of the output
	// tree and its hash; in PhasePick, the revealed Nodes (whose ranges
	// Frontier gives) or Chunk.
	Output Tensor
	Node   merkle.Hash
	Nodes  []merkle.Hash
	Chunk  []byte
	// Value is the defendant's value of the disputed output element, once
	// picked.
	Value float32
}

// Position returns the current position.
func (g *Game) Position() Position {
	p := Position{Level: g.level, Phase: g.phase, Turn: g.turn, Deadline: g.deadline, Moves: g.moves,
		Segment: g.segment, Step: g.step, Op: g.opIndex, Element: g.elem,
		Lo: g.lo, Hi: g.hi, LoHash: g.loH, HiHash: g.hiH, LoFloat: g.loF, HiFloat: g.hiF,
		Output: g.output, Node: g.node, Nodes: append([]merkle.Hash(nil), g.nodes...), Chunk: append([]byte(nil), g.chunk...), Value: g.value}
	switch {
	case g.phase == PhaseSplit:
		pts := g.splitPoints()
		p.Points = pts[1 : len(pts)-1]
	case g.phase == PhasePick && g.level != LevelElement:
		p.Points = append([]uint64(nil), g.points...)
		p.Split = Split{Hashes: append([]merkle.Hash(nil), g.splitH...), Floats: append([]float32(nil), g.splitF...)}
	}
	return p
}

// Outcome returns how the game ended, or nil while it goes on.
func (g *Game) Outcome() *Outcome {
	if g.outcome == nil {
		return nil
	}
	o := *g.outcome
	return &o
}

// Params returns the game's parameters.
func (g *Game) Params() Params { return g.params }

// CurrentOp returns the disputed operator's description, once opened.
func (g *Game) CurrentOp() Op { return g.op }
