package app

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"tangent/app/iavlstore"
	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
)

// The simulation drives the real App (ABCI calls) over the real IAVL store
// with ledgertest.Sim's random valid and invalid txs. Each seed runs three
// times, in three different ways, and must give the same app hash after
// every block (as Cosmos' TestAppStateDeterminism):
//
//	plain    one process, in-memory database; every tx also goes through
//	         CheckTx first (which must not affect consensus state)
//	restart  on disk; the app and its store are closed and reopened
//	         every 7 blocks (a clean restart)
//	crash    on disk; every 5 blocks FinalizeBlock runs (and saves its
//	         version), the process "dies" before Commit (the store is
//	         closed, the version never committed), and the block is
//	         executed again after reopening; every 6 blocks
//	         FinalizeBlock runs twice in a row before Commit (a replay)
//
// The supply invariant (and the rest of ledger.CheckInvariants) is checked
// after every block. Set TANGENT_SIM_SEED to replay one seed,
// TANGENT_SIM_BLOCKS to run longer.

type simRun struct {
	t      *testing.T
	dir    string // "" = in memory
	store  *iavlstore.Store
	app    *App
	hashes [][]byte
}

func (r *simRun) open() {
	r.t.Helper()
	var err error
	if r.dir == "" {
		r.store = iavlstore.OpenMemory(iavlstore.DefaultOptions())
	} else if r.store, err = iavlstore.Open(r.dir, "state", iavlstore.DefaultOptions()); err != nil {
		r.t.Fatal(err)
	}
	if r.app, err = New(r.store, Options{CheckInvariants: true}); err != nil {
		r.t.Fatal(err)
	}
}

func (r *simRun) close() {
	if err := r.store.Close(); err != nil {
		r.t.Fatal(err)
	}
}

func (r *simRun) view() ledger.View {
	v, err := r.store.View(0)
	if err != nil {
		r.t.Fatal(err)
	}
	return ledger.NewView(v)
}

func finalizeReq(h chain.Header, txs [][]byte) *abci.FinalizeBlockRequest {
	req := &abci.FinalizeBlockRequest{Height: h.Height, Time: time.Unix(0, h.TimeUnixNano), ProposerAddress: h.Proposer[:], Txs: txs}
	for _, m := range h.Misbehavior {
		req.Misbehavior = append(req.Misbehavior, abci.Misbehavior{
			Type: abci.MISBEHAVIOR_TYPE_DUPLICATE_VOTE, Validator: abci.Validator{Address: m.Validator[:], Power: 1}, Height: m.Height,
		})
	}
	return req
}

func simSeeds(t *testing.T) []uint64 {
	if s := os.Getenv("TANGENT_SIM_SEED"); s != "" {
		v, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			t.Fatalf("TANGENT_SIM_SEED: %v", err)
		}
		return []uint64{v}
	}
	if testing.Short() {
		return []uint64{1}
	}
	return []uint64{1, 2, 3}
}

func simBlocks(t *testing.T) int {
	if s := os.Getenv("TANGENT_SIM_BLOCKS"); s != "" {
		v, err := strconv.Atoi(s)
		if err != nil {
			t.Fatalf("TANGENT_SIM_BLOCKS: %v", err)
		}
		return v
	}
	return 40
}

func TestAppStateDeterminism(t *testing.T) {
	ctx := context.Background()
	blocks := simBlocks(t)
	for _, seed := range simSeeds(t) {
		t.Run(fmt.Sprintf("seed=%d", seed), func(t *testing.T) {
			var runs []*simRun
			var kinds map[string]int
			for mode := 0; mode < 3; mode++ {
				r := &simRun{t: t}
				if mode > 0 {
					r.dir = t.TempDir()
				}
				r.open()
				sim := ledgertest.NewSim(ledgertest.SimConfig{Seed: seed})
				g := sim.Genesis()
				appState, err := g.EncodeJSON()
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.app.InitChain(ctx, &abci.InitChainRequest{ChainId: g.ChainID, AppStateBytes: appState, InitialHeight: 1}); err != nil {
					t.Fatal(err)
				}
				for b := 1; b <= blocks; b++ {
					hdr, txs := sim.NextBlock(r.view())
					if mode == 0 {
						for _, tx := range txs {
							if _, err := r.app.CheckTx(ctx, &abci.CheckTxRequest{Tx: tx, Type: abci.CHECK_TX_TYPE_CHECK}); err != nil {
								t.Fatal(err)
							}
						}
					}
					req := finalizeReq(hdr, txs)
					res, err := r.app.FinalizeBlock(ctx, req)
					if err != nil {
						t.Fatalf("seed %d block %d: %v", seed, b, err)
					}
					if len(res.TxResults) != len(txs) {
						t.Fatalf("block %d: %d results for %d txs", b, len(res.TxResults), len(txs))
					}
					switch {
					case mode == 2 && b%5 == 0:
						// Crash before Commit: nothing of this block may survive.
						r.close()
						r.open()
						if got := r.store.LastCommit().Version; got != int64(b-1) {
							t.Fatalf("after crash the store is at %d, want %d", got, b-1)
						}
						res2, err := r.app.FinalizeBlock(ctx, req)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(res2.AppHash, res.AppHash) {
							t.Fatalf("block %d re-executed after a crash gives app hash %X, first %X", b, res2.AppHash, res.AppHash)
						}
					case mode == 2 && b%6 == 0:
						res2, err := r.app.FinalizeBlock(ctx, req)
						if err != nil {
							t.Fatal(err)
						}
						if !bytes.Equal(res2.AppHash, res.AppHash) {
							t.Fatalf("block %d finalized twice gives app hash %X, first %X", b, res2.AppHash, res.AppHash)
						}
					}
					if _, err := r.app.Commit(ctx, &abci.CommitRequest{}); err != nil {
						t.Fatal(err)
					}
					info, _ := r.app.Info(ctx, &abci.InfoRequest{})
					if info.LastBlockHeight != int64(b) || !bytes.Equal(info.LastBlockAppHash, res.AppHash) {
						t.Fatalf("Info after commit %d = height %d hash %X, FinalizeBlock said %X", b, info.LastBlockHeight, info.LastBlockAppHash, res.AppHash)
					}
					if err := ledger.CheckInvariantsKV(r.store); err != nil {
						t.Fatalf("seed %d block %d: %v", seed, b, err)
					}
					r.hashes = append(r.hashes, res.AppHash)
					if mode == 1 && b%7 == 0 {
						r.close()
						r.open()
					}
				}
				kinds = sim.Kinds
				r.close()
				runs = append(runs, r)
			}
			for b := range runs[0].hashes {
				for m := 1; m < len(runs); m++ {
					if !bytes.Equal(runs[0].hashes[b], runs[m].hashes[b]) {
						t.Fatalf("seed %d: app hash after block %d differs between run 0 (%X) and run %d (%X)",
							seed, b+1, runs[0].hashes[b], m, runs[m].hashes[b])
					}
				}
			}
			t.Logf("seed %d: %d blocks, final app hash %X, txs by kind %v", seed, blocks, runs[0].hashes[len(runs[0].hashes)-1], kinds)
		})
	}
}
