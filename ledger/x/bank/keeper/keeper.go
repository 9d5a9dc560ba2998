package keeper

import (
	"iter"

	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/state"
	"tangent/ledger/x/bank/types"
)

// Keeper reads and writes x/bank state. It holds no state itself; the
// balances are in the account records of accounts (x/auth).
type Keeper struct {
	accounts types.AccountKeeper
	supply   collections.Item[uint64]
}

// New returns the keeper over the account records of accounts.
func New(accounts types.AccountKeeper) Keeper {
	return Keeper{
		accounts: accounts,
		supply:   collections.NewItem(types.SupplyKey, "bank/supply", collections.Uint64Value),
	}
}

// ---- read-only view ----

// Balance returns addr's balance in utgt.
func (k Keeper) Balance(kv state.KV, addr chain.Address) uint64 {
	return k.accounts.Balance(kv, addr)
}

// Supply returns the total supply in utgt.
func (k Keeper) Supply(kv state.KV) uint64 { return k.supply.GetOr(kv, 0) }

// Balances iterates every non-zero balance in address order.
func (k Keeper) Balances(kv state.KV) iter.Seq2[chain.Address, uint64] {
	return k.accounts.Balances(kv)
}

// ---- mutations ----

// Send moves amount from one balance to another and emits bank.transfer.
func (k Keeper) Send(ctx *chain.Context, from, to chain.Address, amount uint64) error {
	if err := k.move(ctx.KV, from, to, amount); err != nil {
		return err
	}
	if ctx.Recording() {
		ctx.Emit(chain.NewEvent(types.ModuleName, "transfer",
			"from", from.String(), "to", to.String(), "amount", chain.U64(amount)))
	}
	return nil
}

// SendQuiet is Send without an event, for callers that emit a more specific
// one (the fee step emits ledger.fee).
func (k Keeper) SendQuiet(ctx *chain.Context, from, to chain.Address, amount uint64) error {
	return k.move(ctx.KV, from, to, amount)
}

func (k Keeper) move(kv state.KV, from, to chain.Address, amount uint64) error {
	if from == to || amount == 0 {
		if fb := k.Balance(kv, from); fb < amount {
			return types.ErrInsufficientFunds.Wrapf("%s has %d utgt, needs %d", from, fb, amount)
		}
		return nil
	}
	if fb, ok := k.accounts.SubBalance(kv, from, amount); !ok {
		return types.ErrInsufficientFunds.Wrapf("%s has %d utgt, needs %d", from, fb, amount)
	}
	k.accounts.AddBalance(kv, to, amount)
	return nil
}

// Debit removes amount from addr's balance without changing the supply: the
// coins move to a holder outside balances (a stake, an escrow), which must
// count them in the supply invariant. No event: the caller emits one that
// says where the coins went.
func (k Keeper) Debit(ctx *chain.Context, addr chain.Address, amount uint64) error {
	if b, ok := k.accounts.SubBalance(ctx.KV, addr, amount); !ok {
		return types.ErrInsufficientFunds.Wrapf("%s has %d utgt, needs %d", addr, b, amount)
	}
	return nil
}

// Credit adds amount to addr's balance without changing the supply: the
// coins come back from a holder outside balances. No event (see Debit).
func (k Keeper) Credit(ctx *chain.Context, addr chain.Address, amount uint64) {
	k.accounts.AddBalance(ctx.KV, addr, amount)
}

// Mint creates amount new coins in addr's balance (supply grows) and emits
// bank.mint.
func (k Keeper) Mint(ctx *chain.Context, to chain.Address, amount uint64) error {
	if err := k.AddSupply(ctx, amount); err != nil {
		return err
	}
	k.Credit(ctx, to, amount)
	ctx.Emit(chain.NewEvent(types.ModuleName, "mint", "to", to.String(), "amount", chain.U64(amount)))
	return nil
}

// Burn destroys amount coins from addr's balance (supply shrinks) and emits
// bank.burn.
func (k Keeper) Burn(ctx *chain.Context, from chain.Address, amount uint64) error {
	if err := k.Debit(ctx, from, amount); err != nil {
		return err
	}
	k.ReduceSupply(ctx, amount)
	ctx.Emit(chain.NewEvent(types.ModuleName, "burn", "from", from.String(), "amount", chain.U64(amount)))
	return nil
}

// AddSupply records amount new coins created outside balances (genesis
// stakes). The caller holds them somewhere the invariant counts.
func (k Keeper) AddSupply(ctx *chain.Context, amount uint64) error {
	s, err := chain.SafeAdd(k.Supply(ctx.KV), amount)
	if err != nil {
		return types.ErrSupplyOverflow.Wrap(err.Error())
	}
	k.supply.Set(ctx.KV, s)
	return nil
}

// ReduceSupply records the destruction of amount coins held outside
// balances (a stake slashed to burn). It panics if the supply would go
// negative: the coins were counted in it.
func (k Keeper) ReduceSupply(ctx *chain.Context, amount uint64) {
	s := k.Supply(ctx.KV)
	if s < amount {
		panic("invariant broken: burning more than the total supply")
	}
	k.supply.Set(ctx.KV, s-amount)
}

// InitGenesis writes the balances and sets the supply to their sum.
func (k Keeper) InitGenesis(ctx *chain.Context, g types.GenesisState) error {
	for _, b := range g.Balances {
		if err := k.Mint(ctx, b.Address, b.Amount); err != nil {
			return err
		}
	}
	if _, ok := k.supply.Get(ctx.KV); !ok {
		k.supply.Set(ctx.KV, 0)
	}
	return nil
}

// ExportGenesis reads the balances back.
func (k Keeper) ExportGenesis(kv state.KV) types.GenesisState {
	g := types.GenesisState{Balances: []types.Balance{}}
	for a, v := range k.Balances(kv) {
		g.Balances = append(g.Balances, types.Balance{Address: a, Amount: v})
	}
	return g
}
