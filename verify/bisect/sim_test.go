package bisect_test

import (
	"bytes"
	"fmt"
	"testing"

	"tangent/verify/bisect"
	"tangent/verify/bisect/bisecttest"
	"tangent/verify/seedrand"
)

// TestSimulation plays seeded random disputes (sizes, arity, fault kind and
// place all drawn from the seed, printed on failure for replay):
//   - an honest defendant always wins, whatever the challenger believes;
//   - a faulty defendant whose fault reaches its committed checkpoint always
//     loses to an honest challenger.
func TestSimulation(t *testing.T) {
	n := 150
	if testing.Short() {
		n = 30
	}
	kinds := []bisecttest.FaultKind{bisecttest.FaultFMA, bisecttest.FaultElem, bisecttest.FaultCopy, bisecttest.FaultSkip, bisecttest.FaultCheck}
	caught := map[bisecttest.FaultKind]int{}
	defer func() { t.Logf("faults that reached the checkpoint and were caught: %v", caught) }()
	for i := range n {
		seed := fmt.Sprintf("sim-%d", i)
		st := seedrand.New("bisect/sim", []byte(seed))
		toy := bisecttest.Toy{R: 1 + st.Below(12), C: 1 + st.Below(40)}
		if st.Below(8) == 0 {
			toy.R = 30 + st.Below(60) // tensors of several chunks
		}
		steps := 1 + st.Below(9)
		p := bisect.Params{Arity: 2 + st.Below(7), Window: 1 + st.Below(5)}
		ops := []uint64{1, 2, 4}
		f := bisecttest.Fault{Kind: kinds[st.Below(uint64(len(kinds)))], Step: st.Below(steps),
			Op: ops[st.Below(3)], Elem: st.Below(toy.R), Term: st.Below(toy.C)}
		if f.Op == 2 {
			f.Elem = st.Below(toy.R * toy.C)
		}
		honest := bisecttest.Fault{Kind: bisecttest.Honest}
		init := toy.Initial(seed)
		faultyEnd := toy.Execute(init, steps, f).StepRoots[steps]
		trueEnd := toy.Execute(init, steps, honest).StepRoots[steps]

		out, _, _ := playOutFrom(t, toy, init, p, steps, honest, f)
		if out == nil || out.Winner != bisect.Defendant {
			t.Fatalf("seed %s: honest defendant vs %+v challenger (%+v, %d steps, %+v): %+v", seed, f, toy, steps, p, out)
		}
		out, _, _ = playOutFrom(t, toy, init, p, steps, f, honest)
		if faultyEnd != trueEnd {
			if out == nil || out.Winner != bisect.Challenger {
				t.Fatalf("seed %s: %+v defendant vs honest challenger (%+v, %d steps, %+v): %+v", seed, f, toy, steps, p, out)
			}
			caught[f.Kind]++
		}
	}
}

func playOutFrom(t *testing.T, toy bisecttest.Toy, init [][]float32, p bisect.Params, steps uint64, df, cf bisecttest.Fault) (*bisect.Outcome, int, int) {
	t.Helper()
	def := toy.Execute(init, steps, df)
	chal := toy.Execute(init, steps, cf)
	c, o := bisecttest.Opening(def, 4, 2)
	g, err := bisect.New(p, toy, c, o, steps, 1)
	if err != nil {
		t.Fatal(err)
	}
	players := map[bisect.Side]bisecttest.Player{
		bisect.Defendant:  {Side: bisect.Defendant, Run: def},
		bisect.Challenger: {Side: bisect.Challenger, Run: chal},
	}
	total, moves := 0, 0
	for h := uint64(2); g.Outcome() == nil; h++ {
		side := g.Position().Turn
		m, err := players[side].Move(g)
		if err != nil {
			t.Fatal(err)
		}
		enc := bisect.EncodeMove(m)
		dec, err := bisect.DecodeMove(enc)
		if err != nil || !bytes.Equal(bisect.EncodeMove(dec), enc) {
			t.Fatalf("move %T does not round-trip: %v", m, err)
		}
		if err := g.Apply(side, dec, h); err != nil {
			g.Timeout(g.Position().Deadline + 1)
			break
		}
		total += len(enc)
		moves++
		// The ledger stores the game between blocks: continue from the
		// decoded state.
		state := g.Encode()
		if g, err = bisect.Decode(toy, state); err != nil {
			t.Fatalf("decode state after %T: %v", dec, err)
		}
		if !bytes.Equal(g.Encode(), state) {
			t.Fatalf("state does not round-trip after %T", dec)
		}
	}
	return g.Outcome(), total, moves
}

// FuzzDecodeState: decode, encode gives the same bytes.
func FuzzDecodeState(f *testing.F) {
	toy := bisecttest.Toy{R: 3, C: 5}
	init := toy.Initial("fuzz")
	def := toy.Execute(init, 3, bisecttest.Fault{Kind: bisecttest.FaultFMA, Step: 1, Elem: 1, Term: 2})
	chal := toy.Execute(init, 3, bisecttest.Fault{Kind: bisecttest.Honest})
	c, o := bisecttest.Opening(def, 2, 0)
	g, _ := bisect.New(bisect.Params{Arity: 3, Window: 9}, toy, c, o, 3, 1)
	f.Add(g.Encode())
	for h := uint64(2); g.Outcome() == nil; h++ {
		side := g.Position().Turn
		run := def
		if side == bisect.Challenger {
			run = chal
		}
		m, _ := bisecttest.Player{Side: side, Run: run}.Move(g)
		if g.Apply(side, m, h) != nil {
			break
		}
		f.Add(g.Encode())
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := bisect.Decode(toy, b)
		if err != nil {
			return
		}
		if !bytes.Equal(g.Encode(), b) {
			t.Fatalf("decode-encode changed % x", b)
		}
	})
}

// FuzzDecodeMove: decode, encode, decode gives the same bytes.
func FuzzDecodeMove(f *testing.F) {
	toy := bisecttest.Toy{R: 3, C: 5}
	init := toy.Initial("fuzz")
	def := toy.Execute(init, 3, bisecttest.Fault{Kind: bisecttest.FaultFMA, Step: 1, Elem: 1, Term: 2})
	chal := toy.Execute(init, 3, bisecttest.Fault{Kind: bisecttest.Honest})
	c, o := bisecttest.Opening(def, 2, 0)
	f.Add(bisect.EncodeOpen(o))
	g, _ := bisect.New(bisect.Params{Arity: 3, Window: 9}, toy, c, o, 3, 1)
	for h := uint64(2); g.Outcome() == nil; h++ {
		side := g.Position().Turn
		run := def
		if side == bisect.Challenger {
			run = chal
		}
		m, _ := bisecttest.Player{Side: side, Run: run}.Move(g)
		f.Add(bisect.EncodeMove(m))
		if g.Apply(side, m, h) != nil {
			break
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if m, err := bisect.DecodeMove(b); err == nil {
			if !bytes.Equal(bisect.EncodeMove(m), b) {
				t.Fatalf("decode-encode changed % x", b)
			}
		}
		if o, err := bisect.DecodeOpen(b); err == nil {
			if !bytes.Equal(bisect.EncodeOpen(o), b) {
				t.Fatalf("open decode-encode changed % x", b)
			}
		}
	})
}

// FuzzGame feeds arbitrary decoded moves from either side into a game in
// progress: the game must never panic, and a rejected move must change
// nothing.
func FuzzGame(f *testing.F) {
	toy := bisecttest.Toy{R: 3, C: 5}
	init := toy.Initial("fuzz")
	def := toy.Execute(init, 4, bisecttest.Fault{Kind: bisecttest.FaultFMA, Step: 2, Elem: 1, Term: 2})
	chal := toy.Execute(init, 4, bisecttest.Fault{Kind: bisecttest.Honest})
	c, o := bisecttest.Opening(def, 2, 1)
	p := bisect.Params{Arity: 3, Window: 1000}
	// Seeds: the honest moves, each prefixed by how many honest moves to
	// play first.
	g, _ := bisect.New(p, toy, c, o, 4, 1)
	for i := byte(0); g.Outcome() == nil; i++ {
		side := g.Position().Turn
		run := def
		if side == bisect.Challenger {
			run = chal
		}
		m, _ := bisecttest.Player{Side: side, Run: run}.Move(g)
		f.Add(i, byte(side), bisect.EncodeMove(m))
		if g.Apply(side, m, 2) != nil {
			break
		}
	}
	f.Fuzz(func(t *testing.T, prefix, side byte, b []byte) {
		m, err := bisect.DecodeMove(b)
		if err != nil {
			return
		}
		g, _ := bisect.New(p, toy, c, o, 4, 1)
		for range prefix % 40 {
			if g.Outcome() != nil {
				return
			}
			s := g.Position().Turn
			run := def
			if s == bisect.Challenger {
				run = chal
			}
			hm, _ := bisecttest.Player{Side: s, Run: run}.Move(g)
			if g.Apply(s, hm, 2) != nil {
				return
			}
		}
		before := fmt.Sprintf("%+v %+v", g.Position(), g.Outcome())
		if err := g.Apply(bisect.Side(side%3), m, 3); err != nil {
			if after := fmt.Sprintf("%+v %+v", g.Position(), g.Outcome()); after != before {
				t.Fatalf("rejected move %T changed the game:\n%s\n%s", m, before, after)
			}
		}
	})
}
