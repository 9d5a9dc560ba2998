package ledger_test

import (
	"crypto/rand"
	"fmt"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/state"
	stakingtypes "tangent/ledger/x/staking/types"
)

func eventAttr(evs []chain.Event, typ, key string) string {
	for _, e := range evs {
		if e.FullType() == typ {
			for _, a := range e.Attrs {
				if a.Key == key {
					return a.Value
				}
			}
		}
	}
	return ""
}

// TestCheckerHeader: CheckTx runs under the next block's header, so the
// mempool state computes what the block will (here an unbonding's
// completion height), whether the checker is the ledger's own or a
// separate one reset by the app, as app.App does after each commit.
func TestCheckerHeader(t *testing.T) {
	h := newHarness(t)
	for range 3 {
		h.Block()
	}
	unbond := signedTx(h, val2, 0, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleValidator, Amount: 1})
	want := chain.U64(uint64(h.Height+1) + 10)

	own := h.L.CheckTx(unbond, ledger.CheckNew)
	wantCode(t, "CheckTx", own, nil, "")
	if got := eventAttr(own.Events, "staking.unbond", "completion_height"); got != want {
		t.Fatalf("ledger's checker: completion height %s, want %s", got, want)
	}

	c := h.L.NewChecker()
	if got := c.Header().Height; got != 1 {
		t.Fatalf("a new checker assumes height %d, want 1", got)
	}
	c.Reset(h.Store, h.L.NextHeader())
	sep := c.CheckTx(unbond, ledger.CheckNew)
	wantCode(t, "separate checker", sep, nil, "")
	if got := eventAttr(sep.Events, "staking.unbond", "completion_height"); got != want {
		t.Fatalf("separate checker: completion height %s, want %s", got, want)
	}

	res, _ := h.Block(unbond)
	wantCode(t, "DeliverTx", res[0], nil, "")
	if got := eventAttr(res[0].Events, "staking.unbond", "completion_height"); got != want {
		t.Fatalf("block: completion height %s, want %s", got, want)
	}
}

// TestCheckersAreIndependent: two checkers over the same commit keep their
// own mempool states, and neither touches the block executor's.
func TestCheckersAreIndependent(t *testing.T) {
	h := newHarness(t)
	a, b := h.L.NewChecker(), h.L.NewChecker()
	a.Reset(h.Store, h.L.NextHeader())
	b.Reset(h.Store, h.L.NextHeader())
	tx0 := signedTx(h, alice, 0, nil, send(bob.Addr, 1))
	tx1 := signedTx(h, alice, 1, nil, send(bob.Addr, 1))
	wantCode(t, "a: nonce 0", a.CheckTx(tx0, ledger.CheckNew), nil, "")
	wantCode(t, "a: nonce 1", a.CheckTx(tx1, ledger.CheckNew), nil, "")
	wantCode(t, "b: nonce 1 first", b.CheckTx(tx1, ledger.CheckNew), chain.ErrNonceFuture, "")
	wantCode(t, "b: nonce 0", b.CheckTx(tx0, ledger.CheckNew), nil, "")
	if n := ledger.NewView(a.State()).Nonce(alice.Addr); n != 2 {
		t.Fatalf("a's mempool nonce %d, want 2", n)
	}
	if n := ledger.NewView(b.State()).Nonce(alice.Addr); n != 1 {
		t.Fatalf("b's mempool nonce %d, want 1", n)
	}
	before := h.Digest()
	res, _ := h.Block(tx0, tx1)
	wantCode(t, "block tx 0", res[0], nil, "")
	wantCode(t, "block tx 1", res[1], nil, "")
	if h.Digest() == before {
		t.Fatal("the block changed nothing")
	}
}

// TestSignatureRuleAllPaths: a tx whose signature is valid under ZIP-215
// but rejected by crypto/ed25519 (a torsion-shifted R), and one with a
// non-canonical S (invalid under both), get the same verdict from CheckTx,
// PreVerify, VerifyBatch (small and large batches) and DeliverTx with and
// without the tx cache, and every path ends in the same state.
func TestSignatureRuleAllPaths(t *testing.T) {
	g := testGenesis()
	p := g.Auth.Params
	torsion := alice.TorsionTxMinFee(testChain, 0, p, send(bob.Addr, 7))
	honest := mallory.TxMinFee(testChain, 0, p, send(bob.Addr, 9))
	badS := func() []byte {
		b := bob.TxMinFee(testChain, 0, p, send(alice.Addr, 3))
		sig := ledgertest.NonCanonicalS(b[len(b)-64:])
		return append(b[:len(b)-64:len(b)-64], sig...)
	}()
	txs := [][]byte{torsion, honest, badS}
	want := []*chain.Error{nil, nil, chain.ErrInvalidSignature}
	var fillers [][]byte
	for i := range 100 {
		fillers = append(fillers, mallory.TxMinFee(testChain, uint64(1+i), p, send(alice.Addr, 1)))
	}

	type path struct {
		name    string
		opts    ledger.Options
		prepare func(t *testing.T, l *ledger.Ledger)
	}
	batch := func(extra int) func(t *testing.T, l *ledger.Ledger) {
		return func(t *testing.T, l *ledger.Ledger) {
			var ps []*ledger.Prepared
			for _, b := range append(append([][]byte(nil), txs...), fillers[:extra]...) {
				pr, err := l.Prepare(b)
				if err != nil {
					t.Fatal(err)
				}
				ps = append(ps, pr)
			}
			ok := l.VerifyBatch(ps, rand.Reader)
			for i := range txs {
				if ok[i] != (want[i] == nil) {
					t.Fatalf("VerifyBatch (%d entries): tx %d valid = %v", len(ps), i, ok[i])
				}
			}
		}
	}
	paths := []path{
		{"no cache", ledger.Options{TxCacheSize: -1}, nil},
		{"CheckTx then block", ledger.Options{}, func(t *testing.T, l *ledger.Ledger) {
			for i, b := range txs {
				wantCode(t, fmt.Sprintf("CheckTx %d", i), l.CheckTx(b, ledger.CheckNew), want[i], "")
			}
		}},
		{"PreVerify", ledger.Options{}, func(t *testing.T, l *ledger.Ledger) {
			for i, b := range txs {
				if err := l.PreVerify(b); (err == nil) != (want[i] == nil) {
					t.Fatalf("PreVerify %d: %v", i, err)
				}
			}
		}},
		{"small batch", ledger.Options{}, batch(0)},
		{"large batch", ledger.Options{}, batch(len(fillers))},
	}
	var digests [][32]byte
	for _, pt := range paths {
		t.Run(pt.name, func(t *testing.T) {
			mem := state.NewMem()
			l := ledger.New(mem, pt.opts)
			if _, err := l.InitChain(g); err != nil {
				t.Fatal(err)
			}
			l.Commit(nil)
			if pt.prepare != nil {
				pt.prepare(t, l)
			}
			l.BeginBlock(chain.Header{Height: 1, Proposer: valCons.Addr})
			for i, b := range txs {
				wantCode(t, fmt.Sprintf("DeliverTx %d", i), l.DeliverTx(b), want[i], "")
			}
			l.EndBlock()
			l.Commit(nil)
			digests = append(digests, state.Digest(mem))
		})
	}
	for i := range digests {
		if digests[i] != digests[0] {
			t.Fatalf("path %q ends in another state than %q", paths[i].name, paths[0].name)
		}
	}
}

func TestVerifyBatchAllValid(t *testing.T) {
	l := ledger.New(state.NewMem(), ledger.Options{})
	p := testGenesis().Auth.Params
	for _, n := range []int{2, 5, 16, 93, 94, 200} {
		var ps []*ledger.Prepared
		for i := range n {
			k := ledgertest.NewKey(fmt.Sprintf("vb/%d/%d", n, i))
			pr, err := l.Prepare(k.TxMinFee(testChain, 0, p, send(alice.Addr, 1)))
			if err != nil {
				t.Fatal(err)
			}
			ps = append(ps, pr)
		}
		for i, ok := range l.VerifyBatch(ps, rand.Reader) {
			if !ok {
				t.Fatalf("batch of %d: entry %d invalid", n, i)
			}
		}
	}
}

// TestCheckerDropEvents: a checker that drops events decides exactly as
// one that keeps them (same codes, logs and check state), for accepted,
// failing and rejected txs, and returns no events.
func TestCheckerDropEvents(t *testing.T) {
	h := newHarness(t)
	h.Block()
	keep, drop := h.L.NewChecker(), h.L.NewChecker()
	drop.DropEvents()
	for _, c := range []*ledger.Checker{keep, drop} {
		c.Reset(h.Store, h.L.NextHeader())
	}
	txs := [][]byte{
		signedTx(h, alice, 0, nil, send(bob.Addr, 1000)),
		signedTx(h, alice, 1, nil, send(bob.Addr, 20_000_000_000)), // charged, message fails
		signedTx(h, alice, 1, nil, send(bob.Addr, 5)),              // replayed nonce
		signedTx(h, bob, 0, nil, send(alice.Addr, 7), send(poor.Addr, 9)),
	}
	for i, b := range txs {
		k, d := keep.CheckTx(b, ledger.CheckNew), drop.CheckTx(b, ledger.CheckNew)
		if k.Code != d.Code || k.Codespace != d.Codespace || k.Log != d.Log || k.Charged != d.Charged {
			t.Fatalf("tx %d: kept events %+v, dropped %+v", i, k, d)
		}
		if len(d.Events) != 0 {
			t.Fatalf("tx %d: a checker that drops events returned %d", i, len(d.Events))
		}
		if k.IsOK() && len(k.Events) == 0 {
			t.Fatalf("tx %d: the checker that keeps events returned none", i)
		}
	}
	if state.Digest(keep.State()) != state.Digest(drop.State()) {
		t.Fatal("check states differ")
	}
}

// TestCheckerDryRun: a dry check (CheckDry, the check_tx RPC) answers as a
// new tx's check would, but admits nothing: the same tx is then accepted
// by a real check, and a dry check's rejection carries the usual code.
func TestCheckerDryRun(t *testing.T) {
	h := newHarness(t)
	c := h.L.NewChecker()
	c.Reset(h.Store, h.L.NextHeader())
	tx0 := signedTx(h, alice, 0, nil, send(bob.Addr, 1))
	tx1 := signedTx(h, alice, 1, nil, send(bob.Addr, 1))
	wantCode(t, "dry nonce 0", c.CheckTx(tx0, ledger.CheckDry), nil, "")
	wantCode(t, "dry nonce 0 again", c.CheckTx(tx0, ledger.CheckDry), nil, "")
	if n := ledger.NewView(c.State()).Nonce(alice.Addr); n != 0 {
		t.Fatalf("after dry checks the mempool nonce is %d, want 0", n)
	}
	wantCode(t, "dry nonce 1 first", c.CheckTx(tx1, ledger.CheckDry), chain.ErrNonceFuture, "")
	wantCode(t, "nonce 0", c.CheckTx(tx0, ledger.CheckNew), nil, "")
	wantCode(t, "dry nonce 0 after admission", c.CheckTx(tx0, ledger.CheckDry), chain.ErrNonceReplay, "")
	wantCode(t, "dry nonce 1", c.CheckTx(tx1, ledger.CheckDry), nil, "")
	if n := ledger.NewView(c.State()).Nonce(alice.Addr); n != 1 {
		t.Fatalf("mempool nonce %d, want 1", n)
	}
}
