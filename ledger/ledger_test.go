package ledger_test

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/ledgertest"
	"tangent/ledger/state"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

const testChain = "tangent-test-1"

var (
	alice   = ledgertest.NewKey("alice")
	bob     = ledgertest.NewKey("bob")
	poor    = ledgertest.NewKey("poor")
	mallory = ledgertest.NewKey("mallory")
	val     = ledgertest.NewKey("val")
	valCons = ledgertest.NewKey("val/cons")
	val2    = ledgertest.NewKey("val2")
	val2Con = ledgertest.NewKey("val2/cons")
)

// testGenesis: alice and mallory are rich, bob has a little, poor cannot pay
// a fee, val and val2 are validators (val proposes).
func testGenesis() ledger.Genesis {
	g := ledger.DefaultGenesis(testChain)
	g.Auth.Params.MaxTxBytes = 4096
	g.Staking.Params.UnbondingBlocks = 10
	for _, b := range []banktypes.Balance{
		{Address: alice.Addr, Amount: 10_000_000_000},
		{Address: bob.Addr, Amount: 5_000_000},
		{Address: poor.Addr, Amount: 500},
		{Address: mallory.Addr, Amount: 10_000_000_000},
		{Address: val.Addr, Amount: 1_000_000_000},
		{Address: val2.Addr, Amount: 1_000_000_000},
	} {
		g.Bank.Balances = append(g.Bank.Balances, b)
	}
	k1, k2 := valCons.Pub, val2Con.Pub
	g.Staking.Stakes = append(g.Staking.Stakes,
		stakingtypes.GenesisStake{Address: val.Addr, Role: stakingtypes.RoleValidator, Amount: 100_000_000, ConsPubKey: &k1},
		stakingtypes.GenesisStake{Address: val2.Addr, Role: stakingtypes.RoleValidator, Amount: 50_000_000, ConsPubKey: &k2},
	)
	g.Normalize()
	return g
}

func newHarness(t testing.TB) *ledgertest.Harness {
	t.Helper()
	h := ledgertest.NewHarness(t, testGenesis())
	h.Proposer = valCons.Addr
	return h
}

func send(to chain.Address, amt uint64) chain.Msg { return &banktypes.MsgSend{To: to, Amount: amt} }

// signedTx builds a tx with the minimum fee and lets edit change it before
// signing.
func signedTx(h *ledgertest.Harness, k ledgertest.Key, nonce uint64, edit func(*tx.Tx), msgs ...chain.Msg) []byte {
	t := &tx.Tx{ChainID: h.ChainID, Nonce: nonce, Msgs: msgs}
	copy(t.PubKey[:], k.Pub[:])
	t.SetFee(h.Params.MinFeeFor)
	if edit != nil {
		edit(t)
	}
	t.Sign(k.Priv)
	return t.Encode()
}

func wantCode(t *testing.T, what string, r ledger.Result, e *chain.Error, logHas string) {
	t.Helper()
	if e == nil {
		if !r.IsOK() {
			t.Fatalf("%s: code %s/%d (%s), want success", what, r.Codespace, r.Code, r.Log)
		}
		return
	}
	if r.Codespace != e.Codespace() || r.Code != e.Code() {
		t.Fatalf("%s: code %s/%d (%q), want %s/%d (%s)", what, r.Codespace, r.Code, r.Log, e.Codespace(), e.Code(), e.Error())
	}
	if chain.Lookup(r.Codespace, r.Code) == nil {
		t.Fatalf("%s: code %s/%d is not registered", what, r.Codespace, r.Code)
	}
	if !strings.Contains(r.Log, e.Error()+": ") || !strings.Contains(r.Log, logHas) {
		t.Fatalf("%s: log %q should name %q and mention %q", what, r.Log, e.Error(), logHas)
	}
}

// TestBadInput feeds every kind of bad tx to CheckTx and DeliverTx. Each is
// rejected with its registered code and a log that names the problem;
// CheckTx leaves the mempool state and the store untouched; DeliverTx
// changes nothing for a tx that fails before the fee is paid, and only the
// fee and nonce (paid to the proposer) for a tx whose messages fail.
func TestBadInput(t *testing.T) {
	type mk func(h *ledgertest.Harness, past []byte) []byte
	cases := []struct {
		name    string
		tx      mk
		err     *chain.Error
		log     string
		charged bool // DeliverTx keeps the fee and nonce
	}{
		{"bad signature", func(h *ledgertest.Harness, _ []byte) []byte {
			b := signedTx(h, alice, 1, nil, send(bob.Addr, 5))
			b[len(b)-10] ^= 0x01
			return b
		}, chain.ErrInvalidSignature, "does not verify", false},
		{"signature by another key", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, mallory, 1, func(t *tx.Tx) {}, send(bob.Addr, 5))[:0:0]
		}, nil, "", false}, // replaced below
		{"wrong chain id", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, func(t *tx.Tx) { t.ChainID = "tangent-test-2" }, send(bob.Addr, 5))
		}, chain.ErrWrongChainID, `"tangent-test-2"`, false},
		{"replayed tx", func(h *ledgertest.Harness, past []byte) []byte { return past },
			chain.ErrNonceReplay, "already included", false},
		{"replayed nonce, new content", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 0, nil, send(bob.Addr, 77))
		}, chain.ErrNonceReplay, "nonce 0", false},
		{"future nonce", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 5, nil, send(bob.Addr, 5))
		}, chain.ErrNonceFuture, "nonces 1..4 first", false},
		{"max nonce", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, math.MaxUint64, nil, send(bob.Addr, 5))
		}, chain.ErrNonceFuture, "nonce 18446744073709551615", false},
		{"insufficient funds", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, bob, 0, nil, send(alice.Addr, 5_000_000))
		}, banktypes.ErrInsufficientFunds, "needs 5000000", true},
		{"insufficient fee", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, func(t *tx.Tx) { t.Fee-- }, send(bob.Addr, 5))
		}, chain.ErrInsufficientFee, "below the minimum", false},
		{"zero fee", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, func(t *tx.Tx) { t.Fee = 0 }, send(bob.Addr, 5))
		}, chain.ErrInsufficientFee, "fee 0 utgt", false},
		{"fee above balance", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, poor, 0, nil, send(bob.Addr, 1))
		}, chain.ErrFeeUnpaid, "fund the account", false},
		{"max fee", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, func(t *tx.Tx) { t.Fee = math.MaxUint64 }, send(bob.Addr, 1))
		}, chain.ErrFeeUnpaid, "18446744073709551615", false},
		{"oversized", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, ledgertest.RawMsg{TypeName: banktypes.TypeMsgSend, Body: make([]byte, 5000)})
		}, chain.ErrTxTooLarge, "max_tx_bytes is 4096", false},
		{"above the decoder's hard limit", func(h *ledgertest.Harness, _ []byte) []byte {
			return make([]byte, tx.HardMaxBytes+1)
		}, chain.ErrTxTooLarge, "max_tx_bytes", false},
		{"unknown message", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, ledgertest.RawMsg{TypeName: "nosuch/msg", Body: []byte{1, 2, 3}})
		}, chain.ErrUnknownMsg, `"nosuch/msg"`, false},
		{"empty bytes", func(h *ledgertest.Harness, _ []byte) []byte { return nil },
			chain.ErrTxDecode, "version", false},
		{"garbage", func(h *ledgertest.Harness, _ []byte) []byte {
			return ledgertest.NewRand(7).Bytes(200)
		}, chain.ErrTxDecode, "version", false},
		{"wrong version", func(h *ledgertest.Harness, _ []byte) []byte {
			b := signedTx(h, alice, 1, nil, send(bob.Addr, 5))
			b[0] = 2
			return b
		}, chain.ErrTxDecode, "version 2", false},
		{"truncated", func(h *ledgertest.Harness, _ []byte) []byte {
			b := signedTx(h, alice, 1, nil, send(bob.Addr, 5))
			return b[:len(b)-1]
		}, chain.ErrTxDecode, "signature", false},
		{"trailing bytes", func(h *ledgertest.Harness, _ []byte) []byte {
			return append(signedTx(h, alice, 1, nil, send(bob.Addr, 5)), 0)
		}, chain.ErrTxDecode, "trailing", false},
		{"non-canonical varint", func(h *ledgertest.Harness, _ []byte) []byte {
			return ledgertest.NonCanonicalTx(alice, h.ChainID, 1, 5000, send(bob.Addr, 5))
		}, chain.ErrTxDecode, "over-long", false},
		{"non-canonical message body", func(h *ledgertest.Harness, _ []byte) []byte {
			body := append(bob.Addr[:], 0x85, 0x00) // amount 5 as an over-long varint
			return signedTx(h, alice, 1, nil, ledgertest.RawMsg{TypeName: banktypes.TypeMsgSend, Body: body})
		}, chain.ErrTxDecode, "over-long", false},
		{"message body with trailing bytes", func(h *ledgertest.Harness, _ []byte) []byte {
			body := append(send(bob.Addr, 5).AppendBody(nil), 9)
			return signedTx(h, alice, 1, nil, ledgertest.RawMsg{TypeName: banktypes.TypeMsgSend, Body: body})
		}, chain.ErrTxDecode, "trailing", false},
		{"bad chain id characters", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, func(t *tx.Tx) { t.ChainID = "bad chain" }, send(bob.Addr, 5))
		}, chain.ErrTxDecode, "chain_id", false},
		{"no messages", func(h *ledgertest.Harness, _ []byte) []byte { return signedTx(h, alice, 1, nil) },
			chain.ErrTooManyMsgs, "1 to 64", false},
		{"too many messages", func(h *ledgertest.Harness, _ []byte) []byte {
			msgs := make([]chain.Msg, 17)
			for i := range msgs {
				msgs[i] = send(bob.Addr, 1)
			}
			return signedTx(h, alice, 1, nil, msgs...)
		}, chain.ErrTooManyMsgs, "max_msgs_per_tx is 16", false},
		{"zero amount send", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, send(bob.Addr, 0))
		}, banktypes.ErrInvalidAmount, "send amount is 0", false},
		{"send to the zero address", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, send(chain.Address{}, 5))
		}, banktypes.ErrInvalidAddress, "zero address", false},
		{"overflow amount send (also: -1 as uint64)", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, send(bob.Addr, math.MaxUint64))
		}, banktypes.ErrInsufficientFunds, "18446744073709551615", true},
		{"overflow amount bond", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, &stakingtypes.MsgBond{Role: stakingtypes.RoleTrainer, Amount: math.MaxUint64})
		}, banktypes.ErrInsufficientFunds, "18446744073709551615", true},
		{"overflow amount unbond", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, val2, 0, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleValidator, Amount: math.MaxUint64})
		}, stakingtypes.ErrInsufficientStake, "cannot unbond 18446744073709551615", true},
		{"zero bond", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, &stakingtypes.MsgBond{Role: stakingtypes.RoleTrainer})
		}, stakingtypes.ErrInvalidAmount, "bond amount is 0", false},
		{"zero unbond", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleTrainer})
		}, stakingtypes.ErrInvalidAmount, "unbond amount is 0", false},
		{"invalid role", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, &stakingtypes.MsgBond{Role: 9, Amount: 5})
		}, stakingtypes.ErrInvalidRole, "role 9", false},
		{"unbond without stake", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, alice, 1, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleSolver, Amount: 1})
		}, stakingtypes.ErrInsufficientStake, "has 0 utgt bonded as solver", true},
		{"second message fails: all or nothing", func(h *ledgertest.Harness, _ []byte) []byte {
			return signedTx(h, bob, 0, nil, send(alice.Addr, 1000), send(alice.Addr, 4_998_000))
		}, banktypes.ErrInsufficientFunds, "message 1 (bank/send)", true},
	}
	// "signature by another key": mallory signs a tx that names alice's
	// public key (spending alice's funds).
	cases[1].tx = func(h *ledgertest.Harness, _ []byte) []byte {
		t := &tx.Tx{ChainID: h.ChainID, Nonce: 1, Msgs: []chain.Msg{send(mallory.Addr, 1_000_000)}}
		t.SetFee(h.Params.MinFeeFor)
		t.Sign(mallory.Priv)
		copy(t.PubKey[:], alice.Pub[:])
		return t.Encode()
	}
	cases[1].err, cases[1].log = chain.ErrInvalidSignature, alice.Pub.String()

	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			h := newHarness(t)
			past := signedTx(h, alice, 0, nil, send(bob.Addr, 1))
			if res, _ := h.Block(past); !res[0].IsOK() {
				t.Fatalf("setup tx: %s", res[0].Log)
			}
			b := c.tx(h, past)

			// CheckTx: rejected, mempool state and store untouched.
			checkBefore, storeBefore := state.Digest(h.L.CheckStateForTest()), h.Digest()
			wantCode(t, "CheckTx", h.L.CheckTx(b, ledger.CheckNew), c.err, c.log)
			if state.Digest(h.L.CheckStateForTest()) != checkBefore || h.Digest() != storeBefore {
				t.Fatal("CheckTx of a rejected tx changed state")
			}
			// The mempool still accepts alice's next valid tx.
			wantCode(t, "CheckTx of a valid tx after it", h.L.CheckTx(signedTx(h, alice, 1, nil, send(bob.Addr, 2)), ledger.CheckNew), nil, "")

			// DeliverTx.
			before := h.Store.Clone()
			res, _ := h.Block(b)
			r := res[0]
			wantCode(t, "DeliverTx", r, c.err, c.log)
			if r.Charged != c.charged {
				t.Fatalf("DeliverTx: Charged = %v, want %v", r.Charged, c.charged)
			}
			if !c.charged {
				if ks := ledgertest.ChangedKeys(before, h.Store); len(ks) != 0 {
					t.Fatalf("DeliverTx of a rejected tx changed %d keys, e.g. %s", len(ks), ledgertest.PrintKey(ks[0]))
				}
				if len(r.Events) != 0 {
					t.Fatalf("rejected tx has events %v", r.Events)
				}
				return
			}
			// The fee moved from the signer to the proposer's operator and
			// the nonce advanced; nothing else changed.
			ledgertest.OnlyChanged(t, before, h.Store,
				ledger.AccountKey(r.Signer), ledger.AccountKey(val.Addr))
			bv, av := ledger.NewView(before), h.View()
			if got, want := av.Balance(r.Signer), bv.Balance(r.Signer)-r.Fee; got != want {
				t.Fatalf("signer balance %d, want %d (fee %d)", got, want, r.Fee)
			}
			if got, want := av.Balance(val.Addr), bv.Balance(val.Addr)+r.Fee; got != want {
				t.Fatalf("proposer balance %d, want %d", got, want)
			}
			if av.Nonce(r.Signer) != bv.Nonce(r.Signer)+1 {
				t.Fatal("nonce did not advance")
			}
			if len(r.Events) != 1 || r.Events[0].FullType() != "ledger.tx" {
				t.Fatalf("a tx whose messages failed must keep only its ledger.tx event, got %v", r.Events)
			}
		})
	}
}

// TestSelfTransfer documents that sending to oneself is allowed: it needs
// the balance, costs only the fee, and emits bank.transfer.
func TestSelfTransfer(t *testing.T) {
	h := newHarness(t)
	before := h.View().Balance(alice.Addr)
	b := signedTx(h, alice, 0, nil, send(alice.Addr, 1_000))
	res, _ := h.Block(b)
	wantCode(t, "self transfer", res[0], nil, "")
	if got := h.View().Balance(alice.Addr); got != before-res[0].Fee {
		t.Fatalf("balance %d, want %d", got, before-res[0].Fee)
	}
	res, _ = h.Block(signedTx(h, bob, 0, nil, send(bob.Addr, 5_000_000)))
	wantCode(t, "self transfer above balance", res[0], banktypes.ErrInsufficientFunds, "needs 5000000")
}

// TestTransferAndFees checks a transfer's effects and that the fees of a
// block go to the proposer's operator account at EndBlock.
func TestTransferAndFees(t *testing.T) {
	h := newHarness(t)
	v0 := ledger.NewView(h.Store.Clone())
	t1 := signedTx(h, alice, 0, nil, send(bob.Addr, 1_234))
	t2 := signedTx(h, alice, 1, nil, send(bob.Addr, 1))
	t3 := signedTx(h, bob, 0, nil, send(alice.Addr, 10))
	res, end := h.Block(t1, t2, t3)
	var fees uint64
	for i, r := range res {
		wantCode(t, "transfer", r, nil, "")
		fees += r.Fee
		if r.Fee != h.Params.MinFeeFor(len([][]byte{t1, t2, t3}[i])) {
			t.Fatalf("tx %d: fee %d is not the minimum", i, r.Fee)
		}
	}
	v := h.View()
	if got, want := v.Balance(alice.Addr), v0.Balance(alice.Addr)-1_234-1-res[0].Fee-res[1].Fee+10; got != want {
		t.Fatalf("alice %d, want %d", got, want)
	}
	if got, want := v.Balance(bob.Addr), v0.Balance(bob.Addr)+1_235-res[2].Fee-10; got != want {
		t.Fatalf("bob %d, want %d", got, want)
	}
	if got, want := v.Balance(val.Addr), v0.Balance(val.Addr)+fees; got != want {
		t.Fatalf("proposer %d, want %d", got, want)
	}
	if v.Balance(ledger.FeeCollector) != 0 {
		t.Fatal("fee collector not emptied")
	}
	if v.Supply() != v0.Supply() {
		t.Fatal("fees changed the supply")
	}
	var rewarded bool
	for _, e := range end.Events {
		if e.FullType() == "ledger.proposer_reward" {
			amt, _ := e.Attr("amount")
			rewarded = amt == chain.U64(fees)
		}
	}
	if !rewarded {
		t.Fatalf("no ledger.proposer_reward event for %d utgt: %v", fees, end.Events)
	}
	if n := v.Nonce(alice.Addr); n != 2 {
		t.Fatalf("alice nonce %d, want 2", n)
	}
	// Events of a transfer: the ante's ledger.tx, then bank.transfer.
	if ev := res[0].Events; len(ev) != 2 || ev[0].FullType() != "ledger.tx" || ev[1].FullType() != "bank.transfer" {
		t.Fatalf("events %v", ev)
	}

	// An unknown proposer: fees wait in the collector for the next block.
	h.Proposer = chain.Address{1}
	res, _ = h.Block(signedTx(h, alice, 2, nil, send(bob.Addr, 1)))
	if got := h.View().Balance(ledger.FeeCollector); got != res[0].Fee {
		t.Fatalf("collector holds %d, want %d", got, res[0].Fee)
	}
	h.Proposer = val2Con.Addr
	h.Block()
	if h.View().Balance(ledger.FeeCollector) != 0 || h.View().Balance(val2.Addr) != v0.Balance(val2.Addr)+res[0].Fee {
		t.Fatal("waiting fees not paid to the next known proposer")
	}
}

// TestCheckTxSequence: the mempool accepts consecutive nonces of one sender
// before a block, and Commit resets it to the committed state.
func TestCheckTxSequence(t *testing.T) {
	h := newHarness(t)
	for n := uint64(0); n < 5; n++ {
		wantCode(t, "CheckTx", h.L.CheckTx(signedTx(h, alice, n, nil, send(bob.Addr, 1)), ledger.CheckNew), nil, "")
	}
	wantCode(t, "CheckTx replay", h.L.CheckTx(signedTx(h, alice, 4, nil, send(bob.Addr, 1)), ledger.CheckNew), chain.ErrNonceReplay, "nonce 4")
	// Nothing reached the store.
	if h.View().Nonce(alice.Addr) != 0 {
		t.Fatal("CheckTx wrote to the store")
	}
	h.Block(signedTx(h, alice, 0, nil, send(bob.Addr, 1)))
	// After Commit, the mempool state is the committed one: nonce 1 is next.
	wantCode(t, "recheck", h.L.CheckTx(signedTx(h, alice, 1, nil, send(bob.Addr, 1)), ledger.CheckRecheck), nil, "")
	wantCode(t, "recheck stale", h.L.CheckTx(signedTx(h, alice, 3, nil, send(bob.Addr, 1)), ledger.CheckRecheck), chain.ErrNonceFuture, "nonce 3")
}

// TestCrossChainReplay: a tx signed for another chain never executes here,
// neither as is nor relabelled with this chain's id.
func TestCrossChainReplay(t *testing.T) {
	other := testGenesis()
	other.ChainID = "tangent-test-2"
	hOther := ledgertest.NewHarness(t, other)
	hOther.Proposer = valCons.Addr
	stolen := signedTx(hOther, alice, 0, nil, send(mallory.Addr, 1_000_000))
	if res, _ := hOther.Block(stolen); !res[0].IsOK() {
		t.Fatalf("tx on its own chain: %s", res[0].Log)
	}

	h := newHarness(t)
	before := h.Store.Clone()
	res, _ := h.Block(stolen)
	wantCode(t, "replay from another chain", res[0], chain.ErrWrongChainID, `"tangent-test-2"`)
	// Relabel: rewrite the chain id in the bytes (same length), keep the
	// signature.
	relabelled := bytes.Replace(stolen, []byte("tangent-test-2"), []byte("tangent-test-1"), 1)
	res, _ = h.Block(relabelled)
	wantCode(t, "relabelled replay", res[0], chain.ErrInvalidSignature, "does not verify")
	if ks := ledgertest.ChangedKeys(before, h.Store); len(ks) != 0 {
		t.Fatalf("replays changed %s", ledgertest.PrintKey(ks[0]))
	}
}

// TestCodesRegistered: every code is registered once, non-zero, with a
// description; the pipeline's are stable (they are consensus data).
func TestCodesRegistered(t *testing.T) {
	want := map[string]uint32{
		"internal error": 1, "tx decode failed": 2, "unknown message type": 3, "invalid signature": 4,
		"wrong chain id": 5, "nonce already used": 6, "nonce too high": 7, "insufficient fee": 8,
		"tx too large": 9, "invalid message": 10, "bad message count": 11, "balance cannot pay the fee": 12,
		"amount overflow": 13,
	}
	spaces := map[string]int{}
	for _, e := range chain.Registered() {
		spaces[e.Codespace()]++
		if e.Code() == 0 || e.Error() == "" {
			t.Errorf("bad registration %s/%d %q", e.Codespace(), e.Code(), e.Error())
		}
		if e.Codespace() == chain.CodespaceLedger && want[e.Error()] != e.Code() {
			t.Errorf("ledger code %d %q changed", e.Code(), e.Error())
		}
	}
	for _, s := range []string{"ledger", "bank", "staking"} {
		if spaces[s] == 0 {
			t.Errorf("codespace %s has no codes", s)
		}
	}
	_, code, log := chain.ABCIInfo(codec.ErrNonCanonical)
	if code != chain.ErrInternal.Code() || !strings.Contains(log, "non-canonical") {
		t.Fatalf("an unregistered error maps to %d %q", code, log)
	}
}

// TestPreVerify: the app's out-of-lock signature check reports registered
// codes, caches only what decoded and verified, and reads no state.
func TestPreVerify(t *testing.T) {
	h := newHarness(t)
	good := signedTx(h, alice, 0, nil, send(bob.Addr, 1))
	bad := bytes.Clone(good)
	bad[len(bad)-1] ^= 0x80
	n := h.L.CachedTxs()
	for _, tc := range []struct {
		b   []byte
		err *chain.Error
	}{
		{good, nil},
		{good, nil}, // a cache hit
		{bad, chain.ErrInvalidSignature},
		{[]byte("garbage"), chain.ErrTxDecode},
		{make([]byte, tx.HardMaxBytes+1), chain.ErrTxTooLarge},
		// Another chain's tx verifies (the chain id is checked with state).
		{signedTx(h, alice, 0, func(t *tx.Tx) { t.ChainID = "elsewhere" }, send(bob.Addr, 1)), nil},
	} {
		err := h.L.PreVerify(tc.b)
		if (tc.err == nil) != (err == nil) || tc.err != nil && !errors.Is(err, tc.err) {
			t.Fatalf("PreVerify: %v, want %v", err, tc.err)
		}
	}
	if got := h.L.CachedTxs(); got != n+2 {
		t.Fatalf("cache holds %d new entries, want 2", got-n)
	}
	// Executing a tx drops it from the cache; so does rejecting it.
	h.Block(good)
	if got := h.L.CachedTxs(); got != n+1 {
		t.Fatalf("cache holds %d new entries after the block, want 1", got-n)
	}
	wantCode(t, "CheckTx replay", h.L.CheckTx(good, ledger.CheckNew), chain.ErrNonceReplay, "")
	if got := h.L.CachedTxs(); got != n+1 {
		t.Fatalf("cache holds %d new entries after a rejected CheckTx, want 1", got-n)
	}
}

// TestTxCacheBounds: a disabled cache remembers nothing (every step decodes
// and verifies again, with the same results), and a full one evicts the
// oldest entries.
func TestTxCacheBounds(t *testing.T) {
	g := testGenesis()
	for _, size := range []int{-1, 2} {
		l := ledger.New(state.NewMem(), ledger.Options{TxCacheSize: size})
		if _, err := l.InitChain(g); err != nil {
			t.Fatal(err)
		}
		l.Commit(nil)
		var txs [][]byte
		for n := range uint64(4) {
			b := alice.TxMinFee(testChain, n, g.Auth.Params, send(bob.Addr, 1))
			txs = append(txs, b)
			if err := l.PreVerify(b); err != nil {
				t.Fatal(err)
			}
		}
		want := max(size, 0)
		if got := l.CachedTxs(); got != want {
			t.Fatalf("size %d: cache holds %d, want %d", size, got, want)
		}
		l.BeginBlock(chain.Header{Height: 1})
		for i, b := range txs {
			if r := l.DeliverTx(b); !r.IsOK() {
				t.Fatalf("size %d: tx %d: %s", size, i, r.Log)
			}
		}
		l.EndBlock()
		l.Commit(nil)
		if got := l.CachedTxs(); got != 0 {
			t.Fatalf("size %d: cache holds %d after the block", size, got)
		}
	}
}
