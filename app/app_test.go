package app

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	ics23 "github.com/cosmos/ics23/go"

	"tangent/app/iavlstore"
	"tangent/ledger"
	"tangent/ledger/ledgertest"
	banktypes "tangent/ledger/x/bank/types"
)

// oneBlockApp returns an app after InitChain and one committed block that
// moves 500 utgt from account 0 to account 1 of a small simulation genesis.
func oneBlockApp(t *testing.T) (*App, *ledgertest.Sim, []byte) {
	t.Helper()
	a, sim := genesisApp(t, Options{CheckInvariants: true})
	res := transferBlock(t, a, sim)
	if _, err := a.Commit(context.Background(), &abci.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	return a, sim, res.AppHash
}

// genesisApp returns an app with opts after InitChain of a small
// simulation genesis (4 accounts, 2 validators).
func genesisApp(t *testing.T, opts Options) (*App, *ledgertest.Sim) {
	t.Helper()
	a, err := New(iavlstore.OpenMemory(iavlstore.DefaultOptions()), opts)
	if err != nil {
		t.Fatal(err)
	}
	sim := ledgertest.NewSim(ledgertest.SimConfig{Seed: 9, Accounts: 4, Validators: 2})
	g := sim.Genesis()
	st, _ := g.EncodeJSON()
	if _, err := a.InitChain(context.Background(), &abci.InitChainRequest{ChainId: g.ChainID, AppStateBytes: st, InitialHeight: 1}); err != nil {
		t.Fatal(err)
	}
	return a, sim
}

// transferBlock executes (without committing) block 1 with one transfer
// of 500 utgt from account 0 to account 1.
func transferBlock(t *testing.T, a *App, sim *ledgertest.Sim) *abci.FinalizeBlockResponse {
	t.Helper()
	g, acc := sim.Genesis(), sim.Accounts()
	tx := acc[0].TxMinFee(g.ChainID, 0, g.Auth.Params, &banktypes.MsgSend{To: acc[1].Addr, Amount: 500})
	res, err := a.FinalizeBlock(context.Background(), &abci.FinalizeBlockRequest{Height: 1, Time: time.Unix(1, 0), Txs: [][]byte{tx}})
	if err != nil || res.TxResults[0].Code != 0 {
		t.Fatalf("block 1: %v %+v", err, res)
	}
	return res
}

func TestQueryPaths(t *testing.T) {
	a, sim, appHash := oneBlockApp(t)
	ctx := context.Background()
	acc := sim.Accounts()
	want := ledger.NewView(mustView(t, a)).Balance(acc[1].Addr)

	// /balance with a proof that verifies against the app hash.
	r, _ := a.Query(ctx, &abci.QueryRequest{Path: "/balance/" + acc[1].Addr.String(), Prove: true})
	if r.Code != 0 || r.Height != 1 || r.ProofOps == nil || r.ProofOps.Ops[0].Type != ProofOpICS23IAVL {
		t.Fatalf("/balance: %+v", r)
	}
	var proof ics23.CommitmentProof
	if err := proof.Unmarshal(r.ProofOps.Ops[0].Data); err != nil {
		t.Fatal(err)
	}
	if !ics23.VerifyMembership(ics23.IavlSpec, appHash, &proof, r.Key, r.Value) {
		t.Fatal("balance proof does not verify against the block's app hash")
	}
	if got, _ := ledger.DecodeAccount(r.Value); got.Balance != want || got.Nonce != 0 {
		t.Fatalf("account %+v, want balance %d nonce 0", got, want)
	}
	// /store of an absent key: non-membership proof.
	absent := ledger.AccountKey(ledgertest.NewKey("nobody").Addr)
	r, _ = a.Query(ctx, &abci.QueryRequest{Path: QueryPathStore, Data: absent, Prove: true})
	if r.Code != 0 || r.Value != nil {
		t.Fatalf("/store absent: %+v", r)
	}
	proof.Reset()
	_ = proof.Unmarshal(r.ProofOps.Ops[0].Data)
	if !ics23.VerifyNonMembership(ics23.IavlSpec, appHash, &proof, absent) {
		t.Fatal("absence proof does not verify")
	}
	// /account and /params are JSON.
	r, _ = a.Query(ctx, &abci.QueryRequest{Path: "/account/" + acc[0].Addr.String()})
	var accJSON struct {
		Balance string `json:"balance"`
		Nonce   string `json:"nonce"`
	}
	if err := json.Unmarshal(r.Value, &accJSON); err != nil || accJSON.Nonce != "1" {
		t.Fatalf("/account: %s %v", r.Value, err)
	}
	r, _ = a.Query(ctx, &abci.QueryRequest{Path: "/params"})
	if r.Code != 0 || !strings.Contains(string(r.Value), "max_tx_bytes") {
		t.Fatalf("/params: %+v", r)
	}
	// Errors name the problem.
	for _, tc := range []struct {
		req  abci.QueryRequest
		code uint32
		log  string
	}{
		{abci.QueryRequest{Path: "/nope"}, CodeUnknownPath, "known:"},
		{abci.QueryRequest{Path: "/balance/tgt1bad"}, CodeBadRequest, "bech32"},
		{abci.QueryRequest{Path: QueryPathStore, Data: absent, Height: 99}, CodeNoSuchVersion, "height 99"},
		{abci.QueryRequest{Path: "/params", Prove: true}, CodeNoProof, "prove=true"},
	} {
		r, _ := a.Query(ctx, &tc.req)
		if r.Code != tc.code || r.Codespace != "app" || !strings.Contains(r.Log, tc.log) {
			t.Errorf("%s: code %d (%s) %q, want %d mentioning %q", tc.req.Path, r.Code, r.Codespace, r.Log, tc.code, tc.log)
		}
	}
}

func mustView(t *testing.T, a *App) *iavlstore.View {
	v, err := a.Store().View(0)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestProposals(t *testing.T) {
	a, sim, _ := oneBlockApp(t)
	ctx := context.Background()
	acc := sim.Accounts()
	g := sim.Genesis()
	good := acc[2].TxMinFee(g.ChainID, 0, g.Auth.Params, &banktypes.MsgSend{To: acc[3].Addr, Amount: 1})
	bad := append([]byte(nil), good...)
	bad[len(bad)-1] ^= 1

	pp, _ := a.PrepareProposal(ctx, &abci.PrepareProposalRequest{MaxTxBytes: int64(2*len(good) + 1), Txs: [][]byte{good, good, good}})
	if len(pp.Txs) != 2 {
		t.Fatalf("PrepareProposal kept %d txs within 2 txs' bytes", len(pp.Txs))
	}
	if r, _ := a.ProcessProposal(ctx, &abci.ProcessProposalRequest{Height: 2, Txs: [][]byte{good}}); r.Status != abci.PROCESS_PROPOSAL_STATUS_ACCEPT {
		t.Fatalf("good proposal: %v", r.Status)
	}
	for _, txs := range [][][]byte{{good, bad}, {[]byte("garbage")}} {
		if r, _ := a.ProcessProposal(ctx, &abci.ProcessProposalRequest{Height: 2, Txs: txs}); r.Status != abci.PROCESS_PROPOSAL_STATUS_REJECT {
			t.Fatalf("proposal with a bad tx: %v", r.Status)
		}
	}
	// Many txs: verified on several goroutines.
	many := make([][]byte, 300)
	for i := range many {
		many[i] = acc[i%4].TxMinFee(g.ChainID, uint64(100+i), g.Auth.Params, &banktypes.MsgSend{To: acc[3].Addr, Amount: 1})
	}
	many[250] = bad
	if i, err := a.preVerify(many); err == nil || i != 250 {
		t.Fatalf("preVerify found %d, %v; want tx 250", i, err)
	}
}

func TestGenesisValidatorMismatch(t *testing.T) {
	a, err := New(iavlstore.OpenMemory(iavlstore.DefaultOptions()), Options{})
	if err != nil {
		t.Fatal(err)
	}
	sim := ledgertest.NewSim(ledgertest.SimConfig{Seed: 1, Accounts: 2, Validators: 1})
	g := sim.Genesis()
	st, _ := g.EncodeJSON()
	_, err = a.InitChain(context.Background(), &abci.InitChainRequest{ChainId: g.ChainID, AppStateBytes: st,
		Validators: []abci.ValidatorUpdate{{Power: 7, PubKeyType: "ed25519", PubKeyBytes: make([]byte, 32)}}})
	if err == nil || !strings.Contains(err.Error(), "no validator stake") {
		t.Fatalf("mismatched genesis validators: %v", err)
	}
	_, err = a.InitChain(context.Background(), &abci.InitChainRequest{ChainId: "other", AppStateBytes: st})
	if err == nil || !strings.Contains(err.Error(), "differs") {
		t.Fatalf("chain id mismatch: %v", err)
	}
}

// TestCheckerFollowsCommits: the mempool checker runs under the next
// block's header after every commit and after a restart (it used to keep
// height 1 in a second ledger that never executed a block).
func TestCheckerFollowsCommits(t *testing.T) {
	a, _, _ := oneBlockApp(t)
	if h := a.chk.Header().Height; h != 2 {
		t.Fatalf("after block 1 the checker assumes height %d, want 2", h)
	}
	b, err := New(a.store, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if h := b.chk.Header().Height; h != 2 {
		t.Fatalf("after a restart at height 1 the checker assumes height %d, want 2", h)
	}
}

// TestEventIndexFlags: by default no event attribute is marked for the tx
// indexer; with IndexEvents exactly the address attributes are.
func TestEventIndexFlags(t *testing.T) {
	for _, index := range []bool{false, true} {
		a, sim := genesisApp(t, Options{IndexEvents: index})
		res := transferBlock(t, a, sim)
		indexed := 0
		for _, e := range res.TxResults[0].Events {
			for _, at := range e.Attributes {
				isAddr := strings.HasPrefix(at.Value, "tgt1")
				if at.Index != (index && isAddr) {
					t.Errorf("IndexEvents=%v: %s.%s=%s has index %v", index, e.Type, at.Key, at.Value, at.Index)
				}
				if at.Index {
					indexed++
				}
			}
		}
		if index && indexed != 3 { // ledger.tx signer, bank.transfer from and to
			t.Errorf("IndexEvents: %d attributes indexed, want 3", indexed)
		}
	}
}

// TestReplayOfFirstBlockRefused: executing block 1 again before its commit
// would roll back InitChain's writes with it, so the app refuses (CometBFT
// never does this in-process; after a crash the store is empty and
// InitChain runs again).
func TestReplayOfFirstBlockRefused(t *testing.T) {
	ctx := context.Background()
	a, sim := genesisApp(t, Options{})
	first := transferBlock(t, a, sim)
	req := &abci.FinalizeBlockRequest{Height: 1, Time: time.Unix(1, 0)}
	if _, err := a.FinalizeBlock(ctx, req); err == nil || !strings.Contains(err.Error(), "restart the node") {
		t.Fatalf("second FinalizeBlock(1) before any commit: err = %v, want a refusal", err)
	}
	// The first execution is intact and commits.
	if _, err := a.Commit(ctx, &abci.CommitRequest{}); err != nil {
		t.Fatal(err)
	}
	info, _ := a.Info(ctx, &abci.InfoRequest{})
	if info.LastBlockHeight != 1 || string(info.LastBlockAppHash) != string(first.AppHash) {
		t.Fatalf("after commit: height %d hash %X, want 1 and %X", info.LastBlockHeight, info.LastBlockAppHash, first.AppHash)
	}
}
