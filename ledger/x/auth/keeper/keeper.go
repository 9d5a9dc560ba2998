package keeper

import (
	"iter"

	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/state"
	"tangent/ledger/x/auth/types"
)

// Keeper reads and writes x/auth state. It is stateless itself: every method
// takes the KV (or Context) to use.
type Keeper struct {
	accounts collections.Map[chain.Address, types.Account]
	params   collections.Item[types.Params]
}

// New returns the keeper.
func New() Keeper {
	return Keeper{
		accounts: collections.NewMap(types.AccountPrefix, "auth/account", collections.AddressKey, types.AccountValue),
		params:   collections.NewItem(types.ParamsKey, "auth/params", types.ParamsValue),
	}
}

// ---- read-only view ----

// Account returns addr's account record (zero for an address never used).
func (k Keeper) Account(kv state.KV, addr chain.Address) types.Account {
	return k.accounts.GetOr(kv, addr, types.Account{})
}

// Nonce returns the next nonce a tx from addr must carry (0 for a new
// account).
func (k Keeper) Nonce(kv state.KV, addr chain.Address) uint64 { return k.Account(kv, addr).Nonce }

// Balance returns addr's balance in utgt (x/bank's; see types.Account).
func (k Keeper) Balance(kv state.KV, addr chain.Address) uint64 { return k.Account(kv, addr).Balance }

// Balances iterates every non-zero balance in address order.
func (k Keeper) Balances(kv state.KV) iter.Seq2[chain.Address, uint64] {
	return func(yield func(chain.Address, uint64) bool) {
		for a, acc := range k.accounts.All(kv) {
			if acc.Balance != 0 && !yield(a, acc.Balance) {
				return
			}
		}
	}
}

// Params returns the tx parameters. It panics if genesis was not written.
func (k Keeper) Params(kv state.KV) types.Params {
	p, ok := k.params.Get(kv)
	if !ok {
		panic("auth: params missing from state (InitChain not run?)")
	}
	return p
}

// AccountKey is the store key of addr's account record (for queries with
// proofs).
func (k Keeper) AccountKey(addr chain.Address) []byte { return k.accounts.Key(addr) }

// ---- mutations ----

func (k Keeper) setAccount(kv state.KV, addr chain.Address, a types.Account) {
	if a == (types.Account{}) {
		k.accounts.Delete(kv, addr)
		return
	}
	k.accounts.Set(kv, addr, a)
}

// SetNonce stores addr's next nonce.
func (k Keeper) SetNonce(kv state.KV, addr chain.Address, n uint64) {
	a := k.Account(kv, addr)
	a.Nonce = n
	k.setAccount(kv, addr, a)
}

// SetBalance stores addr's balance (for x/bank, which checks the amounts).
func (k Keeper) SetBalance(kv state.KV, addr chain.Address, v uint64) {
	a := k.Account(kv, addr)
	a.Balance = v
	k.setAccount(kv, addr, a)
}

// SetParams stores the parameters (validated by the caller).
func (k Keeper) SetParams(kv state.KV, p types.Params) { k.params.Set(kv, p) }

// InitGenesis writes the genesis section.
func (k Keeper) InitGenesis(ctx *chain.Context, g types.GenesisState) {
	k.SetParams(ctx.KV, g.Params)
}

// ExportGenesis reads the genesis section back.
func (k Keeper) ExportGenesis(kv state.KV) types.GenesisState {
	return types.GenesisState{Params: k.Params(kv)}
}
