package bisecttest

import (
	"fmt"

	"tangent/verify/bisect"
	"tangent/verify/seedrand"
)

// Slots of the toy machine.
const (
	SlotW     = iota // weights, R x C, row-major
	SlotB            // bias, R
	SlotX            // input, C (constant)
	SlotY            // scratch: y = W x + b
	SlotZ            // scratch: z = relu(y)
	SlotBPrev        // copy of b before its update
	numSlots
)

// Operator codes of the toy (bisect.Op.Code).
const (
	CodeLinear  = iota + 1 // y = W x + b: a reduction
	CodeReLU               // z = relu(y)
	CodeUpdateW            // W -= lr * z x^T
	CodeCopyB              // bprev = b
	CodeUpdateB            // b -= lr * z
	CodeFreeY
	CodeFreeZ
)

// Learning rate of the toy rule (a power of two: exact scaling), and the
// size of an injected fault.
const (
	lr    = float32(1.0 / 256)
	delta = float32(1.0 / 16)
)

// Toy is a linear layer with bias, trained toward relu(Wx+b) = 1, one step =
// 7 operators: y = Wx+b (reduce), z = relu(y) (map), W -= lr (z-1) x^T
// (map), bprev = b (copy), b -= lr (z-1) (map), free y, free z.
type Toy struct {
	R, C uint64
}

var _ bisect.Program = Toy{}

// Slots implements bisect.Program.
func (Toy) Slots() uint64 { return numSlots }

// NumOps implements bisect.Program.
func (Toy) NumOps(step uint64) uint64 { return 7 }

// Op implements bisect.Program.
func (t Toy) Op(step, i uint64) (bisect.Op, error) {
	R, C := t.R, t.C
	switch i {
	case 0:
		return bisect.Op{Kind: bisect.OpReduce, Code: CodeLinear, Inputs: []uint64{SlotW, SlotB, SlotX}, InLens: []uint64{R * C, R, C}, Output: SlotY, OutLen: R}, nil
	case 1:
		return bisect.Op{Kind: bisect.OpMap, Code: CodeReLU, Inputs: []uint64{SlotY}, InLens: []uint64{R}, Output: SlotZ, OutLen: R}, nil
	case 2:
		return bisect.Op{Kind: bisect.OpMap, Code: CodeUpdateW, Inputs: []uint64{SlotW, SlotZ, SlotX}, InLens: []uint64{R * C, R, C}, Output: SlotW, OutLen: R * C}, nil
	case 3:
		return bisect.Op{Kind: bisect.OpCopy, Code: CodeCopyB, Inputs: []uint64{SlotB}, InLens: []uint64{R}, Output: SlotBPrev}, nil
	case 4:
		return bisect.Op{Kind: bisect.OpMap, Code: CodeUpdateB, Inputs: []uint64{SlotB, SlotZ}, InLens: []uint64{R, R}, Output: SlotB, OutLen: R}, nil
	case 5:
		return bisect.Op{Kind: bisect.OpFree, Code: CodeFreeY, Output: SlotY}, nil
	case 6:
		return bisect.Op{Kind: bisect.OpFree, Code: CodeFreeZ, Output: SlotZ}, nil
	}
	return bisect.Op{}, fmt.Errorf("toy: op %d of 7", i)
}

// Element implements bisect.Program.
func (t Toy) Element(op bisect.Op, e uint64) (bisect.Element, error) {
	if e >= op.OutLen {
		return bisect.Element{}, fmt.Errorf("toy: element %d of %d", e, op.OutLen)
	}
	switch op.Code {
	case CodeLinear:
		return bisect.Element{HasInit: true, Init: bisect.Access{Input: 1, Index: e}, Terms: t.C}, nil
	case CodeReLU:
		return bisect.Element{Reads: []bisect.Access{{Input: 0, Index: e}}}, nil
	case CodeUpdateW:
		return bisect.Element{Reads: []bisect.Access{{Input: 0, Index: e}, {Input: 1, Index: e / t.C}, {Input: 2, Index: e % t.C}}}, nil
	case CodeUpdateB:
		return bisect.Element{Reads: []bisect.Access{{Input: 0, Index: e}, {Input: 1, Index: e}}}, nil
	}
	return bisect.Element{}, fmt.Errorf("toy: op code %d has no elements", op.Code)
}

// Term implements bisect.Program: y[i] accumulates W[i,k]*x[k] for k = 0..C-1.
func (t Toy) Term(op bisect.Op, e, k uint64) (a, b bisect.Access, err error) {
	if op.Code != CodeLinear || e >= t.R || k >= t.C {
		return a, b, fmt.Errorf("toy: no term %d of element %d of op code %d", k, e, op.Code)
	}
	return bisect.Access{Input: 0, Index: e*t.C + k}, bisect.Access{Input: 2, Index: k}, nil
}

// Eval implements bisect.Program: the reference of each map op's element,
// with every rounding explicit.
func (t Toy) Eval(op bisect.Op, e uint64, in []float32) (float32, error) {
	switch op.Code {
	case CodeReLU:
		return relu(in[0]), nil
	case CodeUpdateW:
		return updateW(in[0], in[1], in[2]), nil
	case CodeUpdateB:
		return updateB(in[0], in[1]), nil
	}
	return 0, fmt.Errorf("toy: op code %d is not a map", op.Code)
}

func relu(y float32) float32 {
	if y > 0 {
		return y
	}
	return 0
}

func updateW(w, z, x float32) float32 {
	g := float32((z - 1) * x)
	return w - float32(lr*g)
}

func updateB(b, z float32) float32 { return b - float32(lr*(z-1)) }

// Initial returns the initial machine state of a toy of R x C from a seed.
func (t Toy) Initial(seed string) [][]float32 {
	st := seedrand.New("bisecttest/toy", []byte(seed))
	// Values are multiples of 2^-10 in [lo, lo+2): W around 0, b and x
	// positive, so that relu lets most of y through and a fault anywhere
	// reaches the end state.
	r := func(n uint64, lo float32) []float32 {
		out := make([]float32, n)
		for i := range out {
			out[i] = lo + float32(st.Below(2048))/1024
		}
		return out
	}
	s := make([][]float32, numSlots)
	s[SlotW], s[SlotB], s[SlotX] = r(t.R*t.C, -1), r(t.R, 0), r(t.C, 0)
	return s
}

// FaultKind is what a run does wrong.
type FaultKind string

const (
	Honest     FaultKind = "honest"
	FaultFMA   FaultKind = "fma"        // one multiply-add of y = Wx+b is off by 1/16
	FaultElem  FaultKind = "element"    // one element of a map op's output is off by 1/16
	FaultCopy  FaultKind = "copy"       // the copy op copies the wrong slot (x instead of b)
	FaultSkip  FaultKind = "skip"       // a whole step is skipped: its end state claimed = its start state
	FaultCheck FaultKind = "checkpoint" // the segment's final checkpoint is a made-up hash
)

// Fault places a fault: at step Step, operator Op, output element Elem,
// multiply-add Term (the fields a kind does not use are ignored).
type Fault struct {
	Kind                 FaultKind
	Step, Op, Elem, Term uint64
}

// Run is one machine's execution of a segment: every slot after every op of
// every step, as that machine computed (or claims) it.
type Run struct {
	Toy   Toy
	Fault Fault
	// States[s][i] are the slots after the first i ops of step s
	// (States[s][0] is the state at the start of step s).
	States [][][][]float32
	// StepRoots[s] is the state root at the start of step s; StepRoots[K]
	// is the claimed end of the segment.
	StepRoots []bisect.Tensor // Root only; Len unused
}

// Execute runs K steps from initial, applying the fault.
func (t Toy) Execute(initial [][]float32, K uint64, f Fault) *Run {
	run := &Run{Toy: t, Fault: f}
	cur := initial
	for s := range K {
		states := [][][]float32{cur}
		for i := range uint64(7) {
			cur = t.apply(cur, s, i, f)
			states = append(states, cur)
		}
		run.States = append(run.States, states)
		if f.Kind == FaultSkip && f.Step == s {
			cur = states[0] // claims the step changed nothing
		}
	}
	for s := range K {
		run.StepRoots = append(run.StepRoots, bisect.Tensor{Root: bisect.StateRoot(commit(run.States[s][0]))})
	}
	end := bisect.StateRoot(commit(cur))
	if f.Kind == FaultCheck {
		end[0] ^= 0xff // a made-up final checkpoint
	}
	run.StepRoots = append(run.StepRoots, bisect.Tensor{Root: end})
	return run
}

func commit(slots [][]float32) []bisect.Tensor {
	out := make([]bisect.Tensor, len(slots))
	for i, s := range slots {
		out[i] = bisect.CommitTensor(s)
	}
	return out
}

// apply runs op i of step s on state and returns the new state (sharing
// every slot but the output).
func (t Toy) apply(state [][]float32, s, i uint64, f Fault) [][]float32 {
	next := append([][]float32(nil), state...)
	op, _ := t.Op(s, i)
	faulty := f.Step == s && f.Op == i
	var out []float32
	switch op.Kind {
	case bisect.OpFree:
		out = nil
	case bisect.OpCopy:
		src := state[op.Inputs[0]]
		if f.Kind == FaultCopy && f.Step == s {
			src = state[SlotX]
		}
		out = append([]float32(nil), src...)
	case bisect.OpReduce:
		out = make([]float32, op.OutLen)
		for e := range op.OutLen {
			chain := t.accChain(state, e, f.Kind == FaultFMA && f.Step == s && f.Elem == e, f.Term)
			out[e] = chain[len(chain)-1]
		}
	case bisect.OpMap:
		out = make([]float32, op.OutLen)
		for e := range op.OutLen {
			el, _ := t.Element(op, e)
			in := make([]float32, len(el.Reads))
			for j, a := range el.Reads {
				in[j] = state[op.Inputs[a.Input]][a.Index]
			}
			out[e], _ = t.Eval(op, e, in)
			if f.Kind == FaultElem && faulty && f.Elem == e {
				out[e] += delta
			}
		}
	}
	next[op.Output] = out
	return next
}

// accChain returns the partial sums acc_0..acc_C of y[e] = b[e] + sum_k
// W[e,k] x[k] computed from state; if faulty, acc_{term+1} is off by delta.
func (t Toy) accChain(state [][]float32, e uint64, faulty bool, term uint64) []float32 {
	acc := state[SlotB][e]
	chain := []float32{acc}
	for k := range t.C {
		acc = bisect.FMA32(state[SlotW][e*t.C+k], state[SlotX][k], acc)
		if faulty && k == term {
			acc += delta
		}
		chain = append(chain, acc)
	}
	return chain
}
