package bisect_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"tangent/verify/audit"
	"tangent/verify/bisect"
	"tangent/verify/bisect/bisecttest"
	"tangent/verify/merkle"
)

// TestScenarios replays the golden dispute scenarios in testdata/scenarios.
// Commands:
//
//	setup rows=R cols=C steps=K [segments=N segment=I] [arity=A] [window=W]
//	      [defendant=KIND] [challenger=KIND] [step=S op=O elem=E term=T]
//	    KIND is honest, fma, element, copy, skip or checkpoint (bisecttest
//	    faults); step/op/elem/term place the fault of the faulty side.
//	open height=H [corrupt]      the challenger opens the dispute
//	move side=S height=H [corrupt] [as=SIDE]
//	    S computes its move from its own run; corrupt flips one byte of
//	    the encoded move; as submits it in the name of another side.
//	run height=H                 both sides play until the game ends (one
//	    block per move); a side whose move is rejected goes silent.
//	timeout height=H
//	bytes                        total encoded bytes of accepted moves
//
// Run with -rewrite to regenerate the expected output.
func TestScenarios(t *testing.T) {
	datadriven.Walk(t, "testdata/scenarios", func(t *testing.T, path string) {
		var sc *scenario
		datadriven.RunTest(t, path, func(t *testing.T, d *datadriven.TestData) string {
			if d.Cmd != "setup" && sc == nil {
				d.Fatalf(t, "%s before setup", d.Cmd)
			}
			switch d.Cmd {
			case "setup":
				sc = setup(t, d)
				return sc.describe()
			case "open":
				var h uint64
				d.ScanArgs(t, "height", &h)
				return sc.open(h, d.HasArg("corrupt"))
			case "move":
				var side string
				var h uint64
				d.ScanArgs(t, "side", &side)
				d.ScanArgs(t, "height", &h)
				as := side
				d.MaybeScanArgs(t, "as", &as)
				return sc.move(t, parseSide(t, side), parseSide(t, as), h, d.HasArg("corrupt"))
			case "run":
				var h uint64
				d.ScanArgs(t, "height", &h)
				return sc.run(t, h)
			case "timeout":
				var h uint64
				d.ScanArgs(t, "height", &h)
				if !sc.game.Timeout(h) {
					return "no timeout\n" + sc.status()
				}
				return sc.status()
			case "bytes":
				return fmt.Sprintf("%d moves, %d bytes (opening %d bytes)\n", sc.game.Position().Moves, sc.bytes, sc.openBytes)
			}
			d.Fatalf(t, "unknown command %s", d.Cmd)
			return ""
		})
	})
}

type scenario struct {
	toy                  bisecttest.Toy
	params               bisect.Params
	steps, segments, seg uint64
	def, chal            *bisecttest.Run
	commit               audit.Commitment
	opening              bisect.Open
	game                 *bisect.Game
	bytes, openBytes     int
	defDesc, chalDesc    string
}

func parseSide(t *testing.T, s string) bisect.Side {
	switch s {
	case "challenger":
		return bisect.Challenger
	case "defendant":
		return bisect.Defendant
	}
	t.Fatalf("unknown side %q", s)
	return 0
}

func setup(t *testing.T, d *datadriven.TestData) *scenario {
	sc := &scenario{params: bisect.Params{Arity: 4, Window: 10}, segments: 1}
	d.ScanArgs(t, "rows", &sc.toy.R)
	d.ScanArgs(t, "cols", &sc.toy.C)
	d.ScanArgs(t, "steps", &sc.steps)
	d.MaybeScanArgs(t, "segments", &sc.segments)
	d.MaybeScanArgs(t, "segment", &sc.seg)
	d.MaybeScanArgs(t, "arity", &sc.params.Arity)
	d.MaybeScanArgs(t, "window", &sc.params.Window)
	defKind, chalKind := "honest", "honest"
	d.MaybeScanArgs(t, "defendant", &defKind)
	d.MaybeScanArgs(t, "challenger", &chalKind)
	var f bisecttest.Fault
	d.MaybeScanArgs(t, "step", &f.Step)
	d.MaybeScanArgs(t, "op", &f.Op)
	d.MaybeScanArgs(t, "elem", &f.Elem)
	d.MaybeScanArgs(t, "term", &f.Term)
	init := sc.toy.Initial("scenario")
	df, cf := f, f
	df.Kind, cf.Kind = bisecttest.FaultKind(defKind), bisecttest.FaultKind(chalKind)
	sc.def = sc.toy.Execute(init, sc.steps, df)
	sc.chal = sc.toy.Execute(init, sc.steps, cf)
	sc.defDesc, sc.chalDesc = faultDesc(df), faultDesc(cf)
	sc.commit, sc.opening = bisecttest.Opening(sc.def, sc.segments, sc.seg)
	return sc
}

func faultDesc(f bisecttest.Fault) string {
	switch f.Kind {
	case bisecttest.Honest:
		return "honest"
	case bisecttest.FaultFMA:
		return fmt.Sprintf("fma fault: step %d, y[%d], term %d off by 1/16", f.Step, f.Elem, f.Term)
	case bisecttest.FaultElem:
		return fmt.Sprintf("element fault: step %d, op %d, element %d off by 1/16", f.Step, f.Op, f.Elem)
	case bisecttest.FaultCopy:
		return fmt.Sprintf("copy fault: step %d copies x instead of b", f.Step)
	case bisecttest.FaultSkip:
		return fmt.Sprintf("skips step %d (claims its end state = its start state)", f.Step)
	case bisecttest.FaultCheck:
		return "posts a made-up final checkpoint"
	}
	return string(f.Kind)
}

func short(h merkle.Hash) string { return h.String()[:8] }

func (sc *scenario) describe() string {
	var b strings.Builder
	fmt.Fprintf(&b, "toy job: W %dx%d, 7 ops per step, %d steps per segment, %d segments; segment %d disputed; arity %d, window %d\n",
		sc.toy.R, sc.toy.C, sc.steps, sc.segments, sc.seg, sc.params.Arity, sc.params.Window)
	fmt.Fprintf(&b, "defendant: %s; claims segment end %s\n", sc.defDesc, short(sc.def.StepRoots[sc.steps].Root))
	fmt.Fprintf(&b, "challenger: %s; computes segment end %s\n", sc.chalDesc, short(sc.chal.StepRoots[sc.steps].Root))
	return b.String()
}

func (sc *scenario) open(h uint64, corrupt bool) string {
	o := sc.opening
	enc := bisect.EncodeOpen(o)
	if corrupt {
		enc[len(enc)-1] ^= 1
	}
	dec, err := bisect.DecodeOpen(enc)
	if err != nil {
		return fmt.Sprintf("open rejected: %v\n", err)
	}
	g, err := bisect.New(sc.params, sc.toy, sc.commit, dec, sc.steps, h)
	if err != nil {
		return fmt.Sprintf("open rejected: %v\n", err)
	}
	sc.game, sc.openBytes = g, len(enc)
	return fmt.Sprintf("challenger opens segment %d: checkpoints %s -> %s (%d bytes)\n%s",
		o.Segment, short(o.Start), short(o.End), len(enc), sc.status())
}

func (sc *scenario) player(s bisect.Side) bisecttest.Player {
	if s == bisect.Defendant {
		return bisecttest.Player{Side: s, Run: sc.def}
	}
	return bisecttest.Player{Side: s, Run: sc.chal}
}

// play makes side `who` compute its move and submits it as side `as`.
// It returns the report line and whether the move was accepted.
func (sc *scenario) play(t *testing.T, who, as bisect.Side, h uint64, corrupt bool) (string, bool) {
	pos := sc.game.Position()
	var m bisect.Move = bisect.Pick{}
	if pos.Phase != bisect.PhaseDone {
		var err error
		if m, err = sc.player(who).Move(sc.game); err != nil {
			return fmt.Sprintf("%v has no move: %v\n", who, err), false
		}
	}
	enc := bisect.EncodeMove(m)
	if corrupt {
		enc[len(enc)/2] ^= 0x20
	}
	dec, err := bisect.DecodeMove(enc)
	if err != nil {
		return fmt.Sprintf("h=%d %v: %s\n  malformed: %v\n", h, as, describe(pos, sc.params.RevealDepth(), m), err), false
	}
	if !corrupt && !bytes.Equal(bisect.EncodeMove(dec), enc) {
		t.Fatalf("move does not round-trip: %#v", m)
	}
	line := fmt.Sprintf("h=%d %v: %s (%d bytes)\n", h, as, describe(pos, sc.params.RevealDepth(), dec), len(enc))
	if err := sc.game.Apply(as, dec, h); err != nil {
		return line + "  " + errLine(err) + "\n", false
	}
	sc.bytes += len(enc)
	return line, true
}

func errLine(err error) string {
	for _, e := range []error{bisect.ErrNotYourTurn, bisect.ErrLate, bisect.ErrWrongMove, bisect.ErrOver} {
		if errors.Is(err, e) {
			return "refused: " + err.Error()
		}
	}
	return err.Error()
}

func (sc *scenario) move(t *testing.T, who, as bisect.Side, h uint64, corrupt bool) string {
	line, _ := sc.play(t, who, as, h, corrupt)
	return line + sc.status()
}

func (sc *scenario) run(t *testing.T, h uint64) string {
	var b strings.Builder
	for sc.game.Outcome() == nil {
		side := sc.game.Position().Turn
		line, ok := sc.play(t, side, side, h, false)
		b.WriteString(line)
		if !ok {
			// The side cannot make a valid move: it goes silent.
			h = sc.game.Position().Deadline + 1
			sc.game.Timeout(h)
			break
		}
		h++
	}
	b.WriteString(sc.status())
	return b.String()
}

func (sc *scenario) status() string {
	if o := sc.game.Outcome(); o != nil {
		return fmt.Sprintf("=> %v wins at h=%d: %s\n", o.Winner, o.Height, o.Reason)
	}
	p := sc.game.Position()
	where := fmt.Sprintf("%v [%d, %d)", p.Level, p.Lo, p.Hi)
	switch p.Level {
	case bisect.LevelOp:
		where = fmt.Sprintf("step %d, %s", p.Step, where)
	case bisect.LevelElement:
		where = fmt.Sprintf("step %d, op %d, output chunks [%d, %d)", p.Step, p.Op, p.Lo, p.Hi)
	case bisect.LevelFMA:
		where = fmt.Sprintf("step %d, op %d, element %d, terms [%d, %d)", p.Step, p.Op, p.Element, p.Lo, p.Hi)
	}
	if p.Phase == bisect.PhaseOpenOp {
		where = fmt.Sprintf("step %d, op %d", p.Step, p.Op)
	}
	if p.Phase == bisect.PhaseOpenElement {
		where = fmt.Sprintf("step %d, op %d, element %d", p.Step, p.Op, p.Element)
	}
	return fmt.Sprintf("-> %v to %v at %s, by h=%d\n", p.Turn, p.Phase, where, p.Deadline)
}

func describe(pos bisect.Position, depth int, m bisect.Move) string {
	switch m := m.(type) {
	case bisect.Split:
		var vals []string
		for _, h := range m.Hashes {
			vals = append(vals, short(h))
		}
		for _, f := range m.Floats {
			vals = append(vals, fmt.Sprint(f))
		}
		return fmt.Sprintf("split %v [%d, %d) at %v: %s", pos.Level, pos.Lo, pos.Hi, pos.Points, strings.Join(vals, " "))
	case bisect.Pick:
		if pos.Level == bisect.LevelElement {
			if len(pos.Chunk) > 0 {
				return fmt.Sprintf("pick element %d of chunk %d", m.Index, pos.Lo)
			}
			f := bisect.Frontier(pos.Lo, pos.Hi, depth)
			if int(m.Index) < len(f) {
				return fmt.Sprintf("pick node [%d, %d)", f[m.Index][0], f[m.Index][1])
			}
			return fmt.Sprintf("pick node %d", m.Index)
		}
		if int(m.Index)+1 < len(pos.Points) {
			return fmt.Sprintf("pick [%d, %d)", pos.Points[m.Index], pos.Points[m.Index+1])
		}
		return fmt.Sprintf("pick sub-range %d", m.Index)
	case bisect.OpenOp:
		var ins []string
		for _, in := range m.Inputs {
			ins = append(ins, fmt.Sprintf("slot %d (%d)", in.Path.Index, in.Tensor.Len))
		}
		return fmt.Sprintf("open op %d of step %d: reads %s; slot %d: %d -> %d elements, root %s",
			pos.Op, pos.Step, strings.Join(ins, ", "), m.OutPath.Index, m.Old.Len, m.New.Len, short(m.New.Root))
	case bisect.Reveal:
		if len(m.Chunk) > 0 {
			return fmt.Sprintf("reveal chunk %d (%d bytes)", pos.Lo, len(m.Chunk))
		}
		var hs []string
		for _, h := range m.Nodes {
			hs = append(hs, short(h))
		}
		return fmt.Sprintf("reveal node [%d, %d): %s", pos.Lo, pos.Hi, strings.Join(hs, " "))
	case bisect.OpenElement:
		return fmt.Sprintf("open %d input elements of element %d", len(m.Inputs), pos.Element)
	case bisect.OpenFMA:
		return fmt.Sprintf("open factors of term %d of element %d", pos.Lo, pos.Element)
	}
	return fmt.Sprintf("%T", m)
}
