package bisect_test

import (
	"testing"

	"tangent/verify/bisect"
	"tangent/verify/bisect/bisecttest"
)

// playOut plays a whole game between a defendant with fault df and a
// challenger with fault cf and returns the outcome and the bytes moved.
func playOut(t *testing.T, toy bisecttest.Toy, p bisect.Params, steps, segments, seg uint64, df, cf bisecttest.Fault) (*bisect.Outcome, int, int) {
	t.Helper()
	init := toy.Initial("scenario")
	def := toy.Execute(init, steps, df)
	chal := toy.Execute(init, steps, cf)
	c, o := bisecttest.Opening(def, segments, seg)
	g, err := bisect.New(p, toy, c, o, steps, 1)
	if err != nil {
		t.Fatal(err)
	}
	players := map[bisect.Side]bisecttest.Player{
		bisect.Defendant:  {Side: bisect.Defendant, Run: def},
		bisect.Challenger: {Side: bisect.Challenger, Run: chal},
	}
	total, moves := len(bisect.EncodeOpen(o)), 0
	for h := uint64(2); g.Outcome() == nil; h++ {
		side := g.Position().Turn
		m, err := players[side].Move(g)
		if err != nil {
			t.Fatal(err)
		}
		enc := bisect.EncodeMove(m)
		if err := g.Apply(side, m, h); err != nil {
			g.Timeout(g.Position().Deadline + 1)
			break
		}
		total += len(enc)
		moves++
	}
	return g.Outcome(), total, moves
}

func TestDisputeBytesBound(t *testing.T) {
	// Played games never exceed the bound for their shape.
	for _, tc := range []struct {
		R, C, steps, arity uint64
		f                  bisecttest.Fault
	}{
		{3, 5, 6, 4, bisecttest.Fault{Kind: bisecttest.FaultFMA, Step: 2, Elem: 1, Term: 3}},
		{3, 5, 6, 2, bisecttest.Fault{Kind: bisecttest.FaultFMA, Step: 5, Elem: 2, Term: 4}},
		{40, 60, 3, 4, bisecttest.Fault{Kind: bisecttest.FaultElem, Step: 1, Op: 2, Elem: 2000}},
		{40, 60, 3, 16, bisecttest.Fault{Kind: bisecttest.FaultFMA, Step: 2, Elem: 39, Term: 59}},
		{64, 64, 5, 8, bisecttest.Fault{Kind: bisecttest.FaultElem, Step: 4, Op: 2, Elem: 4095}},
	} {
		toy := bisecttest.Toy{R: tc.R, C: tc.C}
		p := bisect.Params{Arity: tc.arity, Window: 5}
		out, got, moves := playOut(t, toy, p, tc.steps, 10, 3, tc.f, bisecttest.Fault{Kind: bisecttest.Honest})
		if out == nil || out.Winner != bisect.Challenger {
			t.Fatalf("%+v: outcome %+v", tc, out)
		}
		bound, maxMoves := bisect.MaxDisputeBytes(p, bisect.Shape{Segments: 10, Steps: tc.steps, Ops: 7, Slots: 6,
			Inputs: 3, MaxTensor: tc.R * tc.C, Reads: 3, Terms: tc.C})
		if uint64(got) > bound || uint64(moves) > maxMoves {
			t.Errorf("%+v: played %d bytes in %d moves, bound %d bytes in %d moves", tc, got, moves, bound, maxMoves)
		}
		t.Logf("W %dx%d, %d steps, arity %d: %d bytes in %d moves (bound %d in %d)", tc.R, tc.C, tc.steps, tc.arity, got, moves, bound, maxMoves)
	}
}

func TestDisputeBytesGrowLogarithmically(t *testing.T) {
	// One operator holding 1M parameters (a 1000x1000 matrix) against one
	// holding 1B (31623x31623): 100 steps per segment, 500 operators per
	// step, 1000 segments.
	shape := func(side uint64) bisect.Shape {
		return bisect.Shape{Segments: 1000, Steps: 100, Ops: 500, Slots: 256, Inputs: 4,
			MaxTensor: side * side, Reads: 4, Terms: side}
	}
	for _, arity := range []uint64{2, 4, 16, 64} {
		p := bisect.Params{Arity: arity, Window: 100}
		b1M, m1M := bisect.MaxDisputeBytes(p, shape(1000))
		b1B, m1B := bisect.MaxDisputeBytes(p, shape(31623))
		t.Logf("arity %2d: 1M-parameter operator %6d bytes in %2d moves; 1B-parameter operator %6d bytes in %2d moves (x%.3f)",
			arity, b1M, m1M, b1B, m1B, float64(b1B)/float64(b1M))
		// 1000x more parameters: the tree is 10 levels deeper and the
		// reduction ~32x longer: a few more rounds of fixed-size moves
		// (at most a quarter more bytes), never 1000x.
		if b1B > b1M+b1M/4 || m1B > m1M+30 {
			t.Errorf("arity %d: dispute grows from %d to %d bytes (%d to %d moves)", arity, b1M, b1B, m1M, m1B)
		}
		if b1B > 64<<10 {
			t.Errorf("arity %d: a 1B-parameter dispute needs %d bytes", arity, b1B)
		}
	}
}
