package ledger_test

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

// TestGolden replays the block sequences and slashing schedules in
// testdata/*.txt (STYLE.md point 10) and compares every result, event,
// validator update and balance with the recorded output. Regenerate with
// `go test ./ledger -run TestGolden -rewrite` and review the diff.
//
// Commands:
//
//	tx signer=NAME [nonce=N] [fee=N]   queue a tx; input: one message a line:
//	    send to=NAME amount=N | bond role=R amount=N [conskey=NAME] | unbond role=R amount=N
//	block [evidence=CONSNAME] [proposer=CONSNAME]   execute the queued txs
//	blocks n=N                          N empty blocks (prints only what happened)
//	slash who=NAME role=R ppm=N to=burn|escrow:ID        the x/staking hook, between blocks
//	slash-amount who=NAME role=R amount=N to=burn|escrow:ID
//	release id=ID owner=NAME amount=N to=NAME
//	burn-escrow id=ID owner=NAME amount=N
//	state [who=NAME,...]                holdings, supply, totals, validator set
func TestGolden(t *testing.T) {
	datadriven.Walk(t, "testdata", func(t *testing.T, path string) {
		g := newGolden(t)
		datadriven.RunTest(t, path, g.run)
	})
}

type golden struct {
	h       *ledgertest.Harness
	keys    map[string]ledgertest.Key
	names   map[string]string // bech32 address or consensus key hex -> name
	pending [][]byte
	nonces  map[chain.Address]uint64 // next nonce including queued txs
}

func newGolden(t *testing.T) *golden {
	g := &golden{h: newHarness(t), keys: map[string]ledgertest.Key{}, names: map[string]string{}, nonces: map[chain.Address]uint64{}}
	for name, k := range map[string]ledgertest.Key{
		"alice": alice, "bob": bob, "poor": poor, "mallory": mallory,
		"val": val, "val/cons": valCons, "val2": val2, "val2/cons": val2Con,
		"val3": ledgertest.NewKey("val3"), "val3/cons": ledgertest.NewKey("val3/cons"),
	} {
		g.keys[name] = k
		g.names[k.Addr.String()] = name
		g.names[k.Pub.String()] = name
	}
	g.names[ledger.FeeCollector.String()] = "fee_collector"
	return g
}

func (g *golden) key(t testing.TB, d *datadriven.TestData, arg string) ledgertest.Key {
	var name string
	d.ScanArgs(t, arg, &name)
	k, ok := g.keys[name]
	if !ok {
		d.Fatalf(t, "unknown key %q", name)
	}
	return k
}

func (g *golden) name(s string) string {
	if n, ok := g.names[s]; ok {
		return n
	}
	return s
}

// nameAll replaces every known address and key in a log line by its name.
func (g *golden) nameAll(s string) string {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return !('a' <= r && r <= 'z' || '0' <= r && r <= '9') }) {
		if n, ok := g.names[f]; ok {
			s = strings.ReplaceAll(s, f, n)
		}
	}
	return s
}

func uintArg(t testing.TB, d *datadriven.TestData, arg string) uint64 {
	var s string
	d.ScanArgs(t, arg, &s)
	v, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		d.Fatalf(t, "%s=%q: %v", arg, s, err)
	}
	return v
}

func roleArg(t testing.TB, d *datadriven.TestData) stakingtypes.Role {
	var s string
	d.ScanArgs(t, "role", &s)
	r, err := stakingtypes.ParseRole(s)
	if err != nil {
		d.Fatalf(t, "%v", err)
	}
	return r
}

func slashTo(t testing.TB, d *datadriven.TestData) stakingtypes.SlashTo {
	var s string
	d.ScanArgs(t, "to", &s)
	if s == "burn" {
		return stakingtypes.Burn
	}
	id, ok := strings.CutPrefix(s, "escrow:")
	if !ok {
		d.Fatalf(t, "to=%q: want burn or escrow:ID", s)
	}
	return stakingtypes.ToEscrow(id)
}

// parseMsg reads one input line of a tx command.
func (g *golden) parseMsg(t testing.TB, d *datadriven.TestData, signer chain.Address, line string) chain.Msg {
	f := strings.Fields(line)
	args := map[string]string{}
	for _, kv := range f[1:] {
		k, v, _ := strings.Cut(kv, "=")
		args[k] = v
	}
	num := func(k string) uint64 {
		v, err := strconv.ParseUint(args[k], 10, 64)
		if err != nil {
			d.Fatalf(t, "%q: %s: %v", line, k, err)
		}
		return v
	}
	role := func() stakingtypes.Role {
		r, err := stakingtypes.ParseRole(args["role"])
		if err != nil {
			d.Fatalf(t, "%q: %v", line, err)
		}
		return r
	}
	switch f[0] {
	case "send":
		to, ok := g.keys[args["to"]]
		if !ok {
			d.Fatalf(t, "%q: unknown recipient", line)
		}
		return &banktypes.MsgSend{To: to.Addr, Amount: num("amount")}
	case "bond":
		m := &stakingtypes.MsgBond{Role: role(), Amount: num("amount")}
		if n, ok := args["conskey"]; ok {
			m.ProveConsKey(g.h.ChainID, signer, g.keys[n].Priv)
		}
		return m
	case "unbond":
		return &stakingtypes.MsgUnbond{Role: role(), Amount: num("amount")}
	}
	d.Fatalf(t, "unknown message %q", line)
	return nil
}

func (g *golden) fmtEvents(b *strings.Builder, indent string, evs []chain.Event) {
	for _, e := range evs {
		fmt.Fprintf(b, "%s%s", indent, e.FullType())
		for _, a := range e.Attrs {
			fmt.Fprintf(b, " %s=%s", a.Key, g.name(a.Value))
		}
		b.WriteByte('\n')
	}
}

func (g *golden) fmtEnd(b *strings.Builder, end ledger.EndBlockResult) {
	g.fmtEvents(b, "  ", end.Events)
	for _, u := range end.ValidatorUpdates {
		fmt.Fprintf(b, "  update %s power=%d\n", g.name(u.PubKey.String()), u.Power)
	}
}

func (g *golden) run(t *testing.T, d *datadriven.TestData) string {
	h := g.h
	var b strings.Builder
	switch d.Cmd {
	case "tx":
		k := g.key(t, d, "signer")
		n, ok := g.nonces[k.Addr]
		if !ok {
			n = h.View().Nonce(k.Addr)
		}
		if d.HasArg("nonce") {
			n = uintArg(t, d, "nonce")
		}
		x := &tx.Tx{ChainID: h.ChainID, Nonce: n}
		copy(x.PubKey[:], k.Pub[:])
		for _, line := range strings.Split(strings.TrimSpace(d.Input), "\n") {
			if line = strings.TrimSpace(line); line != "" {
				x.Msgs = append(x.Msgs, g.parseMsg(t, d, k.Addr, line))
			}
		}
		x.SetFee(h.Params.MinFeeFor)
		if d.HasArg("fee") {
			x.Fee = uintArg(t, d, "fee")
		}
		x.Sign(k.Priv)
		g.pending = append(g.pending, x.Encode())
		g.nonces[k.Addr] = n + 1
		fmt.Fprintf(&b, "queued tx %d: nonce=%d fee=%d size=%d\n", len(g.pending)-1, n, x.Fee, x.Size())
	case "block":
		var mis []chain.Misbehavior
		if d.HasArg("evidence") {
			k := g.key(t, d, "evidence")
			mis = append(mis, chain.Misbehavior{Kind: chain.DuplicateVote, Validator: k.Addr, Height: h.Height})
		}
		if d.HasArg("proposer") {
			h.Proposer = g.key(t, d, "proposer").Addr
		}
		txs := g.pending
		g.pending, g.nonces = nil, map[chain.Address]uint64{}
		res, end := h.BlockWith(mis, txs...)
		fmt.Fprintf(&b, "height %d\n", h.Height)
		g.fmtEvents(&b, "  ", h.BeginEvents)
		for i, r := range res {
			if r.IsOK() {
				fmt.Fprintf(&b, "tx %d %s: ok\n", i, g.name(r.Signer.String()))
			} else {
				fmt.Fprintf(&b, "tx %d %s: %s/%d %s\n", i, g.name(r.Signer.String()), r.Codespace, r.Code, g.nameAll(r.Log))
			}
			g.fmtEvents(&b, "  ", r.Events)
		}
		g.fmtEnd(&b, end)
	case "blocks":
		n := uintArg(t, d, "n")
		for i := uint64(0); i < n; i++ {
			_, end := h.Block()
			if len(end.Events)+len(end.ValidatorUpdates) > 0 {
				fmt.Fprintf(&b, "height %d\n", h.Height)
				g.fmtEnd(&b, end)
			}
		}
		fmt.Fprintf(&b, "now at height %d\n", h.Height)
	case "slash", "slash-amount", "release", "burn-escrow":
		ctx := &chain.Context{KV: h.Store, Header: chain.Header{Height: h.Height + 1}, ChainID: h.ChainID, Mode: chain.ModeDeliver}
		var err error
		switch d.Cmd {
		case "slash":
			var got uint64
			got, err = h.L.Staking.Slash(ctx, g.key(t, d, "who").Addr, roleArg(t, d), chain.PPM(uintArg(t, d, "ppm")), slashTo(t, d), "golden")
			fmt.Fprintf(&b, "took %d\n", got)
		case "slash-amount":
			var got uint64
			got, err = h.L.Staking.SlashAmount(ctx, g.key(t, d, "who").Addr, roleArg(t, d), uintArg(t, d, "amount"), slashTo(t, d), "golden")
			fmt.Fprintf(&b, "took %d\n", got)
		case "release":
			var id string
			d.ScanArgs(t, "id", &id)
			err = h.L.Staking.ReleaseEscrow(ctx, id, g.key(t, d, "owner").Addr, uintArg(t, d, "amount"), g.key(t, d, "to").Addr)
		case "burn-escrow":
			var id string
			d.ScanArgs(t, "id", &id)
			err = h.L.Staking.BurnEscrow(ctx, id, g.key(t, d, "owner").Addr, uintArg(t, d, "amount"))
		}
		if err != nil {
			cs, code, log := chain.ABCIInfo(err)
			fmt.Fprintf(&b, "error %s/%d %s\n", cs, code, g.nameAll(log))
		}
		g.fmtEvents(&b, "", ctx.Events)
		if err := ledger.CheckInvariantsKV(h.Store); err != nil {
			d.Fatalf(t, "invariants: %v", err)
		}
	case "state":
		v := h.View()
		var who []string
		if d.HasArg("who") {
			var s string
			d.ScanArgs(t, "who", &s)
			who = strings.Split(s, ",")
		}
		for _, n := range who {
			a := g.keys[n].Addr
			fmt.Fprintf(&b, "%s: balance=%d nonce=%d", n, v.Balance(a), v.Nonce(a))
			for _, r := range stakingtypes.Roles {
				if s, u := v.Stake(a, r), v.Unbonding(a, r); s+u > 0 {
					fmt.Fprintf(&b, " %s=%d", r, s)
					if u > 0 {
						fmt.Fprintf(&b, "+%d_unbonding", u)
					}
				}
			}
			b.WriteByte('\n')
		}
		bonded, unbonding, escrowed := h.L.Staking.Totals(h.Store)
		fmt.Fprintf(&b, "supply=%d bonded=%d unbonding=%d escrowed=%d\n", v.Supply(), bonded, unbonding, escrowed)
		var set []string
		for _, vp := range v.Validators() {
			set = append(set, fmt.Sprintf("%s:%d", g.name(vp.Operator.String()), vp.Power))
		}
		slices.Sort(set)
		fmt.Fprintf(&b, "validators %s\n", strings.Join(set, " "))
	default:
		d.Fatalf(t, "unknown command %q", d.Cmd)
	}
	return b.String()
}
