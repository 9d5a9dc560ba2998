package ledger

import (
	"tangent/ledger/chain"
	stakingtypes "tangent/ledger/x/staking/types"
)

// Result is the outcome of CheckTx or DeliverTx. Code 0 is success; any
// other (Codespace, Code) pair is a registered chain.Error. Log explains a
// failure for a human (not consensus data). Events belong to the caller.
type Result struct {
	Code      uint32
	Codespace string
	Log       string
	Events    []chain.Event
	// Signer, Nonce and Fee are set once the tx decoded.
	Signer chain.Address
	Nonce  uint64
	Fee    uint64
	// Charged reports whether the fee and nonce were taken (the tx passed
	// the ante step). In DeliverTx a tx whose messages fail is Charged with
	// a non-zero Code.
	Charged bool
}

// IsOK reports Code == 0.
func (r Result) IsOK() bool { return r.Code == 0 }

func errResult(err error) Result {
	cs, code, log := chain.ABCIInfo(err)
	return Result{Code: code, Codespace: cs, Log: log}
}

// ValidatorUpdate is a change of the consensus validator set (Power 0
// removes the validator).
type ValidatorUpdate = stakingtypes.ValidatorUpdate

// EndBlockResult is what EndBlock returns to the app.
type EndBlockResult struct {
	// ValidatorUpdates go to CometBFT (FinalizeBlock's validator_updates).
	ValidatorUpdates []ValidatorUpdate
	Events           []chain.Event
}

// CheckMode distinguishes a first check from a re-check after a block.
type CheckMode uint8

const (
	// CheckNew is a tx entering the mempool.
	CheckNew CheckMode = iota
	// CheckRecheck re-validates a mempool tx after a Commit.
	CheckRecheck
	// CheckDry answers as CheckNew would but keeps nothing: the tx is not
	// admitted (CometBFT's check_tx RPC).
	CheckDry
)
