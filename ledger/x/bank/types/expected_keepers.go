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
	// AddBalance raises addr's balance by amount (panics on overflow).
	AddBalance(kv state.KV, addr chain.Address, amount uint64)
	// SubBalance lowers addr's balance by amount if it holds that much; it
	// returns the balance addr had and whether it was lowered. Each is one
	// read and one write of the record.
	SubBalance(kv state.KV, addr chain.Address, amount uint64) (had uint64, ok bool)
	// Balances iterates every non-zero balance in address order.
	Balances(kv state.KV) iter.Seq2[chain.Address, uint64]
	// AccountKey is the store key of the record holding addr's balance.
	AccountKey(addr chain.Address) []byte
}
