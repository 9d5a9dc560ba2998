package ledger

import "tangent/ledger/state"

// CheckStateForTest exposes the mempool check state (last commit plus the
// txs CheckTx accepted since) so tests can prove a rejected tx left it
// untouched.
func (l *Ledger) CheckStateForTest() state.KV { return l.chk.check }
