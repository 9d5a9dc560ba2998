package ledgertest

import (
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/state"
	authtypes "tangent/ledger/x/auth/types"
)

// Harness runs a ledger over an in-memory store the way the app does, and
// checks the invariants after every block.
type Harness struct {
	T       testing.TB
	Store   *state.Mem
	L       *ledger.Ledger
	ChainID string
	Params  authtypes.Params
	// Height of the last executed block.
	Height int64
	// Proposer is the consensus address put in each header.
	Proposer chain.Address
	// InitialValidators is what InitChain returned.
	InitialValidators []ledger.ValidatorUpdate
	// BeginEvents are the events BeginBlock returned for the last block
	// (the punishment of misbehavior evidence).
	BeginEvents []chain.Event
}

// NewHarness applies g to a fresh store. The first validator stake's
// consensus key proposes every block.
func NewHarness(t testing.TB, g ledger.Genesis) *Harness {
	t.Helper()
	h := &Harness{T: t, Store: state.NewMem(), ChainID: g.ChainID, Params: g.Auth.Params}
	h.L = ledger.New(h.Store, ledger.Options{})
	ups, err := h.L.InitChain(g)
	if err != nil {
		t.Fatalf("InitChain: %v", err)
	}
	h.InitialValidators = ups
	for _, s := range g.Staking.Stakes {
		if s.ConsPubKey != nil {
			h.Proposer = s.ConsPubKey.Address()
			break
		}
	}
	h.L.Commit(nil)
	if err := h.L.CheckInvariants(); err != nil {
		t.Fatalf("invariants after genesis: %v", err)
	}
	return h
}

// View reads the committed state.
func (h *Harness) View() ledger.View { return ledger.NewView(h.Store) }

// Block executes one block of txs (with the given misbehavior evidence),
// commits, and fails the test if an invariant breaks.
func (h *Harness) Block(txs ...[]byte) ([]ledger.Result, ledger.EndBlockResult) {
	return h.BlockWith(nil, txs...)
}

// BlockWith is Block with misbehavior evidence in the header.
func (h *Harness) BlockWith(mis []chain.Misbehavior, txs ...[]byte) ([]ledger.Result, ledger.EndBlockResult) {
	h.T.Helper()
	h.Height++
	h.BeginEvents = h.L.BeginBlock(chain.Header{Height: h.Height, TimeUnixNano: h.Height * 1e9, Proposer: h.Proposer, Misbehavior: mis})
	res := make([]ledger.Result, len(txs))
	for i, b := range txs {
		res[i] = h.L.DeliverTx(b)
	}
	end := h.L.EndBlock()
	h.L.Commit(nil)
	if err := h.L.CheckInvariants(); err != nil {
		h.T.Fatalf("invariants after block %d: %v", h.Height, err)
	}
	return res, end
}

// Digest is the SHA-256 digest of the whole store.
func (h *Harness) Digest() [32]byte { return state.Digest(h.Store) }
