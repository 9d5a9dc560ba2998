package keeper

import (
	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/state"
	"tangent/ledger/x/auth/types"
)

// Keeper reads and writes x/auth state. It is stateless itself: every method
// takes the KV (or Context) to use.
type Keeper struct {
	nonces collections.Map[chain.Address, uint64]
	params collections.Item[types.Params]
}

// New returns the keeper.
func New() Keeper {
	return Keeper{
		nonces: collections.NewMap(types.NoncePrefix, "auth/nonce", collections.AddressKey, collections.Uint64Value),
		params: collections.NewItem(types.ParamsKey, "auth/params", types.ParamsValue),
	}
}

// ---- read-only view ----

// Nonce returns the next nonce a tx from addr must carry (0 for a new
// account).
func (k Keeper) Nonce(kv state.KV, addr chain.Address) uint64 {
	return k.nonces.GetOr(kv, addr, 0)
}

// Params returns the tx parameters. It panics if genesis was not written.
func (k Keeper) Params(kv state.KV) types.Params {
	p, ok := k.params.Get(kv)
	if !ok {
		panic("auth: params missing from state (InitChain not run?)")
	}
	return p
}

// NonceKey is the store key of addr's nonce (for queries with proofs).
func (k Keeper) NonceKey(addr chain.Address) []byte { return k.nonces.Key(addr) }

// ---- mutations ----

// SetNonce stores addr's next nonce.
func (k Keeper) SetNonce(kv state.KV, addr chain.Address, n uint64) { k.nonces.Set(kv, addr, n) }

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
