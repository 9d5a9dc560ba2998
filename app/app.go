package app

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"tangent/app/iavlstore"
	"tangent/ledger"
	"tangent/ledger/chain"
)

// Version is the app's software version reported by Info.
const Version = "0.1.0-dev"

// AppVersion is the protocol version of the state machine (Info.app_version,
// and the block header's app version).
const AppVersion uint64 = 1

// Options tune an App. The zero value is valid.
type Options struct {
	// Logger receives the app's logs (default: discard).
	Logger *slog.Logger
	// CheckInvariants runs ledger.CheckInvariants after every block and
	// panics if one fails. It walks the whole state: for tests and audits.
	CheckInvariants bool
	// IndexEvents marks the event attributes holding an account address
	// as indexed, so CometBFT's kv indexer can find every tx that touched
	// an address (tx_search "bank.transfer.to='tgt1…'"). Off by default:
	// the indexer then keeps only what client.Wait needs (each tx by hash,
	// with its result and events, and by height), which is a third less
	// to write per tx. Subscribers receive every event either way.
	IndexEvents bool
	// VerifyWorkers is the number of goroutines that verify signatures
	// at once: a proposal's txs before execution, and batches of
	// concurrent CheckTx calls (default GOMAXPROCS).
	VerifyWorkers int
	// CheckBatch is the largest group of concurrent CheckTx calls whose
	// signatures are verified together (default 128; 1 verifies each on
	// its own).
	CheckBatch int
	// CheckLinger is how long a CheckTx group waits for as many concurrent
	// calls as the previous group had (default 2ms; negative: never wait).
	// A lone caller never waits. See checkPipe.
	CheckLinger time.Duration
	// Ledger tunes the ledger's caches.
	Ledger ledger.Options
}

// App is the ABCI 2.0 application. See the package doc.
type App struct {
	log   *slog.Logger
	opts  Options
	store *iavlstore.Store

	// mu serializes the block calls on led (the ledger is single-threaded).
	// Decoding and signature checks (Prepare, VerifyBatch) run outside any
	// lock.
	mu  sync.Mutex
	led *ledger.Ledger
	// chk is the mempool checker: once a version is committed it reads the
	// committed view, so mempool admission runs concurrently with
	// FinalizeBlock instead of waiting for it; chkMu serializes it. Until
	// the first commit it reads the working tree, under mu too. Commit
	// resets it onto the new version with the next block's header.
	chkMu    sync.Mutex
	chk      *ledger.Checker
	chkReady atomic.Bool
	pipe     *checkPipe
	chainID  string
	// finalized is the height FinalizeBlock executed into the working tree
	// and Commit has not saved yet (0: none).
	finalized int64
	lastHash  []byte // the app hash FinalizeBlock returned for finalized
	// maxTxBytes is the max_tx_bytes parameter as of the last commit.
	maxTxBytes atomic.Int64
}

var _ abci.Application = (*App)(nil)

// New returns an app over store, loading the ledger's view of its latest
// commit. The app does not own the store: the caller closes it after the
// node stopped.
func New(store *iavlstore.Store, opts Options) (*App, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.VerifyWorkers <= 0 {
		opts.VerifyWorkers = runtime.GOMAXPROCS(0)
	}
	if opts.CheckBatch <= 0 {
		opts.CheckBatch = 128
	}
	if opts.CheckLinger == 0 {
		opts.CheckLinger = 2 * time.Millisecond
	}
	a := &App{log: opts.Logger, opts: opts, store: store}
	a.led = ledger.New(store, opts.Ledger)
	a.chk = a.led.NewChecker()
	a.chk.DropEvents() // CheckTx answers carry none
	a.pipe = newCheckPipe(a, opts.CheckBatch, max(opts.CheckLinger, 0))
	if last := store.LastCommit(); last.Version > 0 {
		view, err := store.View(last.Version)
		if err != nil {
			return nil, err
		}
		a.led.Commit(view)
		a.chk.Reset(view, chain.Header{Height: last.Version + 1})
		a.chkReady.Store(true)
		a.chainID = ledger.NewView(view).ChainID()
		a.maxTxBytes.Store(int64(ledger.NewView(view).AuthParams().MaxTxBytes))
		a.log.Info("loaded state", "height", last.Version, "app_hash", fmt.Sprintf("%X", last.Hash), "chain_id", a.chainID)
	}
	return a, nil
}

// Ledger exposes the state machine (for simulations and tests that check
// invariants). Callers must not use it while the node runs.
func (a *App) Ledger() *ledger.Ledger { return a.led }

// CheckSigStats reports how many CheckTx signature batches ran and how
// many signatures they verified (their ratio is the mean batch size).
func (a *App) CheckSigStats() (batches, verified int64) { return a.pipe.stats() }

// Store returns the app's store.
func (a *App) Store() *iavlstore.Store { return a.store }

// Info reports the last committed height and app hash, from which CometBFT's
// handshake replays the blocks the app has not committed.
func (a *App) Info(context.Context, *abci.InfoRequest) (*abci.InfoResponse, error) {
	last := a.store.LastCommit()
	res := &abci.InfoResponse{Data: "tangent", Version: Version, AppVersion: AppVersion, LastBlockHeight: last.Version}
	if last.Version > 0 {
		res.LastBlockAppHash = last.Hash
	}
	return res, nil
}

// InitChain writes the genesis (app_state of genesis.json, a ledger.Genesis)
// into the working tree and returns the validator set it bonds.
func (a *App) InitChain(_ context.Context, req *abci.InitChainRequest) (*abci.InitChainResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	g, err := ledger.DecodeGenesisJSON(req.AppStateBytes)
	if err != nil {
		return nil, fmt.Errorf("genesis.json app_state: %w", err)
	}
	if g.ChainID != req.ChainId {
		return nil, fmt.Errorf("genesis.json: app_state.chain_id %q differs from chain_id %q; make them equal", g.ChainID, req.ChainId)
	}
	if req.InitialHeight > 1 {
		a.store.SetInitialVersion(req.InitialHeight)
	}
	ups, err := a.led.InitChain(g)
	if err != nil {
		return nil, fmt.Errorf("genesis.json app_state: %w", err)
	}
	a.chainID = g.ChainID
	a.maxTxBytes.Store(int64(g.Auth.Params.MaxTxBytes))
	vals := validatorUpdates(ups)
	if err := sameValidators(req.Validators, vals); err != nil {
		return nil, err
	}
	hash := a.store.WorkingHash()
	a.log.Info("genesis loaded", "chain_id", g.ChainID, "validators", len(vals), "app_hash", fmt.Sprintf("%X", hash))
	return &abci.InitChainResponse{Validators: vals, AppHash: hash}, nil
}

// CheckTx admits a tx to the mempool. A new tx is decoded outside any lock
// and joins the check pipe, which verifies the signatures of concurrent
// calls in one batch and runs the checker on each, in arrival order,
// against the mempool state (see checkPipe). A recheck needs no
// verification (the tx cache remembers it) and runs the checker directly.
func (a *App) CheckTx(_ context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	switch {
	case req.Type == abci.CHECK_TX_TYPE_RECHECK:
		return checkTxResponse(a.checkNow(req.Tx, ledger.CheckRecheck)), nil
	case !a.chkReady.Load():
		return checkTxResponse(a.checkNow(req.Tx, ledger.CheckNew)), nil
	}
	return checkTxResponse(a.pipe.check(req.Tx, a.prepare(req.Tx))), nil
}

// CheckTxAsync admits a new tx as CheckTx does, but returns without waiting
// for the answer: done receives it once, on another goroutine or before
// CheckTxAsync returns. Txs submitted one after another are checked, and
// answered, in that order. A caller that does not wait (a peer's stream
// through the mempool's asynchronous client, see node) lets the check pipe
// verify large groups of signatures together.
func (a *App) CheckTxAsync(tx []byte, done func(*abci.CheckTxResponse)) {
	answer := func(res ledger.Result) { done(checkTxResponse(res)) }
	if !a.chkReady.Load() {
		answer(a.checkNow(tx, ledger.CheckNew))
		return
	}
	a.pipe.submit(tx, a.prepare(tx), answer)
}

// CheckTxDry answers what CheckTx would for a new tx, without admitting it:
// the mempool state keeps nothing (CometBFT's check_tx RPC, see node).
func (a *App) CheckTxDry(tx []byte) *abci.CheckTxResponse {
	return checkTxResponse(a.checkNow(tx, ledger.CheckDry))
}

// checkNow runs the checker on tx at once, outside the check pipe: a
// recheck (the tx cache remembers its signature), a dry run, or any check
// before the first commit, when the checker reads the working tree (under
// mu too).
func (a *App) checkNow(tx []byte, mode ledger.CheckMode) ledger.Result {
	if !a.chkReady.Load() {
		a.mu.Lock()
		defer a.mu.Unlock()
		return a.led.CheckTx(tx, mode)
	}
	a.chkMu.Lock()
	defer a.chkMu.Unlock()
	return a.chk.CheckTx(tx, mode)
}

// prepare decodes a new tx for the check pipe, outside any lock. A tx that
// does not decode (or is oversized) goes through the pipe undecoded (nil):
// the checker reports it, its checks in the documented order.
func (a *App) prepare(tx []byte) *ledger.Prepared {
	if int64(len(tx)) > a.maxTxBytes.Load() {
		return nil
	}
	p, _ := a.led.Prepare(tx)
	return p
}

func checkTxResponse(res ledger.Result) *abci.CheckTxResponse {
	return &abci.CheckTxResponse{Code: res.Code, Codespace: res.Codespace, Log: res.Log}
}

// PrepareProposal keeps the mempool's txs in order up to the block's byte
// limit.
func (a *App) PrepareProposal(_ context.Context, req *abci.PrepareProposalRequest) (*abci.PrepareProposalResponse, error) {
	var total int64
	txs := req.Txs
	for i, tx := range txs {
		total += int64(len(tx))
		if req.MaxTxBytes > 0 && total > req.MaxTxBytes {
			txs = txs[:i]
			break
		}
	}
	return &abci.PrepareProposalResponse{Txs: txs}, nil
}

// ProcessProposal accepts a proposal whose txs all decode and carry valid
// signatures (an honest proposer only includes txs its CheckTx accepted).
// Signatures not verified yet are batch-verified in parallel; the decoded
// and verified txs stay in the ledger's tx cache, so FinalizeBlock neither
// decodes nor verifies again.
func (a *App) ProcessProposal(_ context.Context, req *abci.ProcessProposalRequest) (*abci.ProcessProposalResponse, error) {
	if i, err := a.preVerify(req.Txs); err != nil {
		a.log.Warn("rejecting proposal", "height", req.Height, "tx", i, "err", err)
		return &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_REJECT}, nil
	}
	return &abci.ProcessProposalResponse{Status: abci.PROCESS_PROPOSAL_STATUS_ACCEPT}, nil
}

// preVerify decodes txs (or finds them in the tx cache) and batch-verifies
// the signatures not verified yet, split among VerifyWorkers goroutines.
// It returns the index and error of the first tx that does not decode or
// whose signature is invalid (after looking at every tx).
func (a *App) preVerify(txs [][]byte) (int, error) {
	bad, badErr := -1, error(nil)
	fail := func(i int, err error) {
		if bad < 0 || i < bad {
			bad, badErr = i, err
		}
	}
	var todo []*ledger.Prepared
	var at []int
	for i, b := range txs {
		p, err := a.led.Prepare(b)
		if err != nil {
			fail(i, err)
			continue
		}
		if !p.Verified() {
			todo = append(todo, p)
			at = append(at, i)
		}
	}
	// Chunks of at least minChunk signatures (smaller batches save less),
	// at most one per worker.
	const minChunk = 64
	workers := min(a.opts.VerifyWorkers, max(len(todo)/minChunk, 1))
	ok := make([]bool, len(todo))
	if workers <= 1 {
		copy(ok, a.led.VerifyBatch(todo, rand.Reader))
	} else {
		var wg sync.WaitGroup
		per := (len(todo) + workers - 1) / workers
		for lo := 0; lo < len(todo); lo += per {
			hi := min(lo+per, len(todo))
			wg.Add(1)
			go func() {
				defer wg.Done()
				copy(ok[lo:hi], a.led.VerifyBatch(todo[lo:hi], rand.Reader))
			}()
		}
		wg.Wait()
	}
	for j, valid := range ok {
		if !valid {
			fail(at[j], chain.ErrInvalidSignature.Wrapf("tx %d: signature does not verify for public key %s", at[j], todo[j].Tx.PubKey))
		}
	}
	if bad >= 0 {
		return bad, badErr
	}
	return 0, nil
}

// FinalizeBlock executes a decided block into the working tree and returns
// the tx results, events, validator updates and the new app hash. It is
// idempotent until Commit: executing the same height again (CometBFT
// replaying after a crash between FinalizeBlock and Commit) first discards
// the earlier, unsaved execution; before the first commit it refuses
// instead, since that execution shares its unsaved version with InitChain.
func (a *App) FinalizeBlock(_ context.Context, req *abci.FinalizeBlockRequest) (*abci.FinalizeBlockResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.finalized != 0 {
		if a.finalized != req.Height {
			return nil, fmt.Errorf("app: FinalizeBlock(%d) while block %d is executed but not committed", req.Height, a.finalized)
		}
		if a.store.LastCommit().Version == 0 {
			// Rolling back the first block would discard InitChain's
			// writes too (they live in the same unsaved version).
			return nil, fmt.Errorf("app: FinalizeBlock(%d) again before the first commit: the genesis state cannot be rolled back in-process; restart the node", req.Height)
		}
		a.log.Warn("re-executing a block that was finalized but not committed", "height", req.Height)
		a.store.Rollback()
		a.finalized = 0
	}
	if want := a.store.WorkingVersion(); req.Height != want {
		return nil, fmt.Errorf("app: FinalizeBlock(%d) but the app's next height is %d (state of height %d is committed)",
			req.Height, want, a.store.LastCommit().Version)
	}
	// Signatures not verified by CheckTx or ProcessProposal (a block
	// caught up from peers) are verified here in parallel; failures are
	// reported by DeliverTx with their code.
	_, _ = a.preVerify(req.Txs)

	h := chain.Header{Height: req.Height, TimeUnixNano: req.Time.UnixNano()}
	copy(h.Proposer[:], req.ProposerAddress)
	for _, m := range req.Misbehavior {
		var kind chain.MisbehaviorKind
		switch m.Type {
		case abci.MISBEHAVIOR_TYPE_DUPLICATE_VOTE:
			kind = chain.DuplicateVote
		case abci.MISBEHAVIOR_TYPE_LIGHT_CLIENT_ATTACK:
			kind = chain.LightClientAttack
		default:
			continue
		}
		var addr chain.Address
		copy(addr[:], m.Validator.Address)
		h.Misbehavior = append(h.Misbehavior, chain.Misbehavior{Kind: kind, Validator: addr, Height: m.Height})
	}

	ev := newEventConverter(a.opts.IndexEvents)
	var blockEvents []abci.Event
	blockEvents = ev.appendEvents(blockEvents, a.led.BeginBlock(h), "BeginBlock")
	results := make([]*abci.ExecTxResult, len(req.Txs))
	slab := make([]abci.ExecTxResult, len(req.Txs)) // one allocation for all results
	for i, tx := range req.Txs {
		r := a.led.DeliverTx(tx)
		res := &slab[i]
		res.Code, res.Codespace, res.Log = r.Code, r.Codespace, r.Log
		res.Events = ev.appendEvents(nil, r.Events, "")
		results[i] = res
	}
	end := a.led.EndBlock()
	blockEvents = ev.appendEvents(blockEvents, end.Events, "EndBlock")
	if a.opts.CheckInvariants {
		if err := a.led.CheckInvariants(); err != nil {
			panic(fmt.Sprintf("app: invariant broken after block %d: %v", req.Height, err))
		}
	}
	// The block's state is saved now, not in Commit: CometBFT calls Commit
	// holding the mempool's lock, which every CheckTx waits for, while
	// FinalizeBlock runs beside them. Until Commit records it, readers do
	// not see the version and a restart rolls it back (CometBFT then runs
	// the block again).
	saved, err := a.store.Save()
	if err != nil {
		return nil, fmt.Errorf("app: save block %d: %w", req.Height, err)
	}
	hash := saved.Hash
	a.finalized, a.lastHash = req.Height, hash
	return &abci.FinalizeBlockResponse{
		Events:           blockEvents,
		TxResults:        results,
		ValidatorUpdates: validatorUpdates(end.ValidatorUpdates),
		AppHash:          hash,
	}, nil
}

// Commit records the version FinalizeBlock saved (version = height) as
// committed and resets the mempool state onto it.
func (a *App) Commit(context.Context, *abci.CommitRequest) (*abci.CommitResponse, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c, err := a.store.Commit()
	if pe := (*iavlstore.PruneError)(nil); errors.As(err, &pe) {
		// The version is saved; old versions are pruned again at the
		// next interval. Halting the chain for disk space would be worse.
		a.log.Warn("pruning old versions failed; the next prune retries", "err", err)
	} else if err != nil {
		return nil, fmt.Errorf("app: commit: %w", err)
	}
	if a.finalized != 0 && c.Version != a.finalized {
		panic(fmt.Sprintf("app: committed version %d after finalizing block %d", c.Version, a.finalized))
	}
	a.finalized = 0
	view, err := a.store.View(c.Version)
	if err != nil {
		return nil, fmt.Errorf("app: view of the new commit: %w", err)
	}
	a.led.Commit(view)
	a.chkMu.Lock()
	a.chk.Reset(view, a.led.NextHeader())
	a.chkMu.Unlock()
	a.chkReady.Store(true)
	a.maxTxBytes.Store(int64(ledger.NewView(view).AuthParams().MaxTxBytes))
	return &abci.CommitResponse{}, nil
}

// ExtendVote adds nothing to votes.
func (a *App) ExtendVote(context.Context, *abci.ExtendVoteRequest) (*abci.ExtendVoteResponse, error) {
	return &abci.ExtendVoteResponse{}, nil
}

// VerifyVoteExtension accepts the empty extensions ExtendVote makes.
func (a *App) VerifyVoteExtension(_ context.Context, req *abci.VerifyVoteExtensionRequest) (*abci.VerifyVoteExtensionResponse, error) {
	if len(req.VoteExtension) != 0 {
		return &abci.VerifyVoteExtensionResponse{Status: abci.VERIFY_VOTE_EXTENSION_STATUS_REJECT}, nil
	}
	return &abci.VerifyVoteExtensionResponse{Status: abci.VERIFY_VOTE_EXTENSION_STATUS_ACCEPT}, nil
}

// ListSnapshots: state sync is not supported yet; new nodes block-sync.
func (a *App) ListSnapshots(context.Context, *abci.ListSnapshotsRequest) (*abci.ListSnapshotsResponse, error) {
	return &abci.ListSnapshotsResponse{}, nil
}

// OfferSnapshot rejects every snapshot (no state sync).
func (a *App) OfferSnapshot(context.Context, *abci.OfferSnapshotRequest) (*abci.OfferSnapshotResponse, error) {
	return &abci.OfferSnapshotResponse{Result: abci.OFFER_SNAPSHOT_RESULT_REJECT}, nil
}

// LoadSnapshotChunk has no chunks to give.
func (a *App) LoadSnapshotChunk(context.Context, *abci.LoadSnapshotChunkRequest) (*abci.LoadSnapshotChunkResponse, error) {
	return &abci.LoadSnapshotChunkResponse{}, nil
}

// ApplySnapshotChunk aborts (no state sync).
func (a *App) ApplySnapshotChunk(context.Context, *abci.ApplySnapshotChunkRequest) (*abci.ApplySnapshotChunkResponse, error) {
	return &abci.ApplySnapshotChunkResponse{Result: abci.APPLY_SNAPSHOT_CHUNK_RESULT_ABORT}, nil
}
