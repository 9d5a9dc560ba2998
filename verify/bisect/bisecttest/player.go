package bisecttest

import (
	"crypto/sha256"
	"fmt"
	"math"

	"tangent/verify/audit"
	"tangent/verify/bisect"
	"tangent/verify/merkle"
)

// Player answers for one side of a game from its own Run: a defendant
// defends its run, a challenger picks where its run (its view of the truth)
// disagrees with the defendant's claims.
type Player struct {
	Side bisect.Side
	Run  *Run
}

// slotsAt returns the slots after op i of step s.
func (r *Run) slotsAt(s, i uint64) [][]float32 { return r.States[s][i] }

// stateRoot returns the state root at position p of the current chain level.
func (r *Run) stateRoot(pos bisect.Position, p uint64) merkle.Hash {
	if pos.Level == bisect.LevelStep {
		return r.StepRoots[p].Root
	}
	if p == uint64(len(r.States[pos.Step])-1) {
		// The end of a step is the start of the next (as claimed).
		return r.StepRoots[pos.Step+1].Root
	}
	return bisect.StateRoot(commit(r.slotsAt(pos.Step, p)))
}

// partialSum returns acc_p of the disputed reduction element, in this run.
func (r *Run) partialSum(pos bisect.Position, p uint64) float32 {
	f := r.Fault
	faulty := f.Kind == FaultFMA && f.Step == pos.Step && f.Elem == pos.Element
	chain := r.Toy.accChain(r.slotsAt(pos.Step, pos.Op), pos.Element, faulty, f.Term)
	return chain[p]
}

// value returns this run's value at chain position p.
func (r *Run) value(pos bisect.Position, p uint64) (merkle.Hash, float32) {
	if pos.Level == bisect.LevelFMA {
		return merkle.Hash{}, r.partialSum(pos, p)
	}
	return r.stateRoot(pos, p), 0
}

// Opening builds the defendant's job commitment over `segments` segments in
// which the run is segment `seg` (the other checkpoints are filler hashes),
// and the challenger's opening of that segment.
func Opening(def *Run, segments, seg uint64) (audit.Commitment, bisect.Open) {
	cps := make([]merkle.Hash, segments+1)
	for i := range cps {
		cps[i] = sha256.Sum256([]byte(fmt.Sprintf("checkpoint %d", i)))
	}
	cps[seg], cps[seg+1] = def.StepRoots[0].Root, def.StepRoots[len(def.StepRoots)-1].Root
	tree := merkle.NewTree(merkle.LeafHashesOf(cps))
	p, _ := audit.SegmentProof(tree, seg)
	return audit.Commit(cps), bisect.Open{Segment: seg, Start: cps[seg], End: cps[seg+1], Proof: p}
}

// Move returns this player's move for the current position, computed from
// its run. A cheater's run may make a move the game rejects (it cannot prove
// what it claimed): that is the point.
func (p Player) Move(g *bisect.Game) (m bisect.Move, err error) {
	pos := g.Position()
	r := p.Run
	switch pos.Phase {
	case bisect.PhaseSplit:
		var s bisect.Split
		for _, pt := range pos.Points {
			h, f := r.value(pos, pt)
			if pos.Level == bisect.LevelFMA {
				s.Floats = append(s.Floats, f)
			} else {
				s.Hashes = append(s.Hashes, h)
			}
		}
		return s, nil
	case bisect.PhasePick:
		return p.pick(g, pos), nil
	case bisect.PhaseOpenOp:
		return r.openOp(pos)
	case bisect.PhaseReveal:
		return r.reveal(g, pos, p.depth(g))
	case bisect.PhaseOpenElement:
		return r.openElement(g, pos)
	case bisect.PhaseOpenFMA:
		return r.openFMA(g, pos)
	}
	return nil, fmt.Errorf("bisecttest: no move in phase %v", pos.Phase)
}

// pick chooses the first sub-range whose right end this run disagrees with.
func (p Player) pick(g *bisect.Game, pos bisect.Position) bisect.Pick {
	r := p.Run
	if pos.Level == bisect.LevelElement {
		data := r.output(g, pos)
		if len(pos.Chunk) == 0 {
			tree := merkle.NewTreeOfChunks(data, bisect.ChunkSize)
			f := bisect.Frontier(pos.Lo, pos.Hi, p.depth(g))
			for i, r := range f {
				if h, _ := tree.Node(r[0], r[1]); h != pos.Nodes[i] {
					return bisect.Pick{Index: uint64(i)}
				}
			}
			return bisect.Pick{Index: uint64(len(f) - 1)}
		}
		mine := merkle.Chunk(data, bisect.ChunkSize, int(pos.Lo))
		for i := 0; i+4 <= len(pos.Chunk); i += 4 {
			if i+4 > len(mine) || string(mine[i:i+4]) != string(pos.Chunk[i:i+4]) {
				return bisect.Pick{Index: uint64(i / 4)}
			}
		}
		return bisect.Pick{Index: 0}
	}
	m := uint64(len(pos.Points) - 1)
	for i := range m - 1 {
		h, f := r.value(pos, pos.Points[i+1])
		if pos.Level == bisect.LevelFMA {
			if !same(f, pos.Split.Floats[i]) {
				return bisect.Pick{Index: i}
			}
		} else if h != pos.Split.Hashes[i] {
			return bisect.Pick{Index: i}
		}
	}
	return bisect.Pick{Index: m - 1}
}

func same(a, b float32) bool { return math.Float32bits(a) == math.Float32bits(b) }

// output returns this run's bytes of the disputed op's output.
func (r *Run) output(g *bisect.Game, pos bisect.Position) []byte {
	op := g.CurrentOp()
	return merkle.Float32Bytes(nil, r.slotsAt(pos.Step, pos.Op+1)[op.Output])
}

func stateTree(slots [][]float32) (*merkle.Tree, []bisect.Tensor) {
	ts := commit(slots)
	leaves := make([]merkle.Hash, len(ts))
	for i, t := range ts {
		leaves[i] = t.LeafHash()
	}
	return merkle.NewTree(leaves), ts
}

func (r *Run) openOp(pos bisect.Position) (bisect.Move, error) {
	op, err := r.Toy.Op(pos.Step, pos.Op)
	if err != nil {
		return nil, err
	}
	before, tb := stateTree(r.slotsAt(pos.Step, pos.Op))
	_, ta := stateTree(r.slotsAt(pos.Step, pos.Op+1))
	var o bisect.OpenOp
	for _, s := range op.Inputs {
		p, _ := before.InclusionProof(s)
		o.Inputs = append(o.Inputs, bisect.SlotProof{Tensor: tb[s], Path: p})
	}
	o.OutPath, _ = before.InclusionProof(op.Output)
	o.Old, o.New = tb[op.Output], ta[op.Output]
	return o, nil
}

func (r *Run) reveal(g *bisect.Game, pos bisect.Position, depth int) (bisect.Move, error) {
	data := r.output(g, pos)
	if pos.Hi-pos.Lo == 1 {
		return bisect.Reveal{Chunk: append([]byte(nil), merkle.Chunk(data, bisect.ChunkSize, int(pos.Lo))...)}, nil
	}
	tree := merkle.NewTreeOfChunks(data, bisect.ChunkSize)
	var v bisect.Reveal
	for _, n := range bisect.Frontier(pos.Lo, pos.Hi, depth) {
		h, _ := tree.Node(n[0], n[1])
		v.Nodes = append(v.Nodes, h)
	}
	return v, nil
}

// depth is the game's reveal depth.
func (p Player) depth(g *bisect.Game) int { return g.Params().RevealDepth() }

// proveInput opens element a of the disputed op's inputs in this run.
func (r *Run) proveInput(g *bisect.Game, pos bisect.Position, a bisect.Access) (bisect.ElementProof, error) {
	op := g.CurrentOp()
	data := merkle.Float32Bytes(nil, r.slotsAt(pos.Step, pos.Op)[op.Inputs[a.Input]])
	return bisect.ProveElement(merkle.NewTreeOfChunks(data, bisect.ChunkSize), data, a.Index)
}

func (r *Run) openElement(g *bisect.Game, pos bisect.Position) (bisect.Move, error) {
	el, err := r.Toy.Element(g.CurrentOp(), pos.Element)
	if err != nil {
		return nil, err
	}
	var o bisect.OpenElement
	reads := el.Reads
	if el.HasInit {
		reads = []bisect.Access{el.Init}
	}
	for _, a := range reads {
		p, err := r.proveInput(g, pos, a)
		if err != nil {
			return nil, err
		}
		o.Inputs = append(o.Inputs, p)
	}
	return o, nil
}

func (r *Run) openFMA(g *bisect.Game, pos bisect.Position) (bisect.Move, error) {
	a, b, err := r.Toy.Term(g.CurrentOp(), pos.Element, pos.Lo)
	if err != nil {
		return nil, err
	}
	pa, err := r.proveInput(g, pos, a)
	if err != nil {
		return nil, err
	}
	pb, err := r.proveInput(g, pos, b)
	return bisect.OpenFMA{A: pa, B: pb}, err
}
