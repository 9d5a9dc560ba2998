package types

import (
	"tangent/ledger/chain"
	"tangent/ledger/state"
)

// BankKeeper is what x/staking needs from x/bank.
type BankKeeper interface {
	Balance(kv state.KV, addr chain.Address) uint64
	// Debit moves coins out of a balance into a stake (supply unchanged).
	Debit(ctx *chain.Context, addr chain.Address, amount uint64) error
	// Credit moves coins from a stake or escrow into a balance.
	Credit(ctx *chain.Context, addr chain.Address, amount uint64)
	// AddSupply counts genesis stakes in the supply.
	AddSupply(ctx *chain.Context, amount uint64) error
	// ReduceSupply destroys coins held outside balances (burned slashes).
	ReduceSupply(ctx *chain.Context, amount uint64)
}

// StakingKeeper lists the hooks x/staking offers other modules (x/tasks,
// x/jobs, x/disputes, ...). Following the consumer-declares rule, a module
// copies only the methods it calls into its own expected_keepers.go; this
// full list is the reference and is checked against the keeper at compile
// time.
type StakingKeeper interface {
	// StakeOf is the bonded stake of addr in role (pending unbondings
	// excluded).
	StakeOf(kv state.KV, addr chain.Address, role Role) uint64
	// Bond moves amount from addr's balance into its role stake.
	Bond(ctx *chain.Context, addr chain.Address, role Role, amount uint64, consKey *chain.PubKey) error
	// Unbond starts returning amount of the role stake; it returns the
	// height at which the coins come back.
	Unbond(ctx *chain.Context, addr chain.Address, role Role, amount uint64) (uint64, error)
	// Slash takes fraction of the role stake and of every pending unbonding
	// of (addr, role), rounding down, and burns it or escrows it. It returns
	// the amount taken.
	Slash(ctx *chain.Context, addr chain.Address, role Role, fraction chain.PPM, to SlashTo, reason string) (uint64, error)
	// SlashAmount takes up to amount from the role stake, then from pending
	// unbondings oldest first. It returns the amount taken.
	SlashAmount(ctx *chain.Context, addr chain.Address, role Role, amount uint64, to SlashTo, reason string) (uint64, error)
	// EscrowOf is what escrow id holds for owner.
	EscrowOf(kv state.KV, id string, owner chain.Address) uint64
	// ReleaseEscrow pays amount of owner's escrow id to the balance of to
	// (owner itself to return a penalty, someone else to reward them).
	ReleaseEscrow(ctx *chain.Context, id string, owner chain.Address, amount uint64, to chain.Address) error
	// BurnEscrow destroys amount of owner's escrow id.
	BurnEscrow(ctx *chain.Context, id string, owner chain.Address, amount uint64) error
}
