package types

import (
	"iter"

	"tangent/ledger/chain"
	"tangent/ledger/state"
)

// AccountKeeper keeps the balances: x/auth's account records, which hold
// each address's nonce and balance together (auth/keeper.Keeper).
type AccountKeeper interface {
	Balance(kv state.KV, addr chain.Address) uint64
	SetBalance(kv state.KV, addr chain.Address, v uint64)
	// Balances iterates every non-zero balance in address order.
	Balances(kv state.KV) iter.Seq2[chain.Address, uint64]
	// AccountKey is the store key of the record holding addr's balance.
	AccountKey(addr chain.Address) []byte
}
