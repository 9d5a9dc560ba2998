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

// AddBalance raises addr's balance by amount (for x/bank, which keeps the
// supply rules). It panics if the balance would overflow: every balance is
// part of the supply, which x/bank keeps below 2^64.
func (k Keeper) AddBalance(kv state.KV, addr chain.Address, amount uint64) {
	a := k.Account(kv, addr)
	a.Balance = chain.MustAdd(a.Balance, amount)
	k.setAccount(kv, addr, a)
}

// SubBalance lowers addr's balance by amount if it holds that much (for
// x/bank). It returns the balance addr had and whether it was lowered.
func (k Keeper) SubBalance(kv state.KV, addr chain.Address, amount uint64) (had uint64, ok bool) {
	a := k.Account(kv, addr)
	if a.Balance < amount {
		return a.Balance, false
	}
	had = a.Balance
	a.Balance -= amount
	k.setAccount(kv, addr, a)
	return had, true
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
