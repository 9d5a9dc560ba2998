package keeper

import (
	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/x/staking/types"
)

// Slash implements types.StakingKeeper. It cuts floor(fraction × amount)
// from the bonded stake and from each pending unbonding of (addr, role), so
// unbonding does not escape a penalty, and sends the total to `to`. It
// emits staking.slash.
func (k *Keeper) Slash(ctx *chain.Context, addr chain.Address, role types.Role, fraction chain.PPM, to types.SlashTo, reason string) (uint64, error) {
	if err := checkRole(role); err != nil {
		return 0, err
	}
	if !fraction.Valid() {
		return 0, types.ErrInvalidFraction.Wrapf("%d ppm is above 1000000 (100%%)", uint32(fraction))
	}
	if to.EscrowID != "" && !types.ValidEscrowID(to.EscrowID) {
		return 0, types.ErrInvalidEscrowID.Wrapf("%q: use 1-64 printable ASCII characters", to.EscrowID)
	}
	kv := ctx.KV
	stake := k.StakeOf(kv, addr, role)
	fromStake := fraction.Of(stake)
	type cut struct {
		id  uint64
		u   types.Unbonding
		amt uint64
	}
	var cuts []cut
	var fromUnbonding uint64
	for id, u := range k.Unbondings(kv, addr, role) {
		if c := fraction.Of(u.Amount); c > 0 {
			cuts = append(cuts, cut{id, u, c})
			fromUnbonding += c
		}
	}
	k.take(ctx, addr, role, fromStake, func(apply func(id uint64, u types.Unbonding, amt uint64)) {
		for _, c := range cuts {
			apply(c.id, c.u, c.amt)
		}
	})
	total := fromStake + fromUnbonding
	k.sink(ctx, addr, total, to)
	ctx.Emit(chain.NewEvent(types.ModuleName, "slash",
		"address", addr.String(), "role", role.String(), "fraction_ppm", chain.U64(uint64(fraction)),
		"amount", chain.U64(total), "from_stake", chain.U64(fromStake), "from_unbonding", chain.U64(fromUnbonding),
		"to", to.String(), "reason", reason))
	return total, nil
}

// SlashAmount implements types.StakingKeeper: it takes up to amount, from
// the bonded stake first and then from pending unbondings oldest first.
// Taking less than amount (the party has less) is not an error.
func (k *Keeper) SlashAmount(ctx *chain.Context, addr chain.Address, role types.Role, amount uint64, to types.SlashTo, reason string) (uint64, error) {
	if err := checkRole(role); err != nil {
		return 0, err
	}
	if to.EscrowID != "" && !types.ValidEscrowID(to.EscrowID) {
		return 0, types.ErrInvalidEscrowID.Wrapf("%q: use 1-64 printable ASCII characters", to.EscrowID)
	}
	kv := ctx.KV
	left := amount
	fromStake := min(left, k.StakeOf(kv, addr, role))
	left -= fromStake
	type cut struct {
		id  uint64
		u   types.Unbonding
		amt uint64
	}
	var cuts []cut
	var fromUnbonding uint64
	for id, u := range k.Unbondings(kv, addr, role) {
		if left == 0 {
			break
		}
		c := min(left, u.Amount)
		cuts = append(cuts, cut{id, u, c})
		left -= c
		fromUnbonding += c
	}
	k.take(ctx, addr, role, fromStake, func(apply func(id uint64, u types.Unbonding, amt uint64)) {
		for _, c := range cuts {
			apply(c.id, c.u, c.amt)
		}
	})
	total := fromStake + fromUnbonding
	k.sink(ctx, addr, total, to)
	ctx.Emit(chain.NewEvent(types.ModuleName, "slash",
		"address", addr.String(), "role", role.String(), "requested", chain.U64(amount),
		"amount", chain.U64(total), "from_stake", chain.U64(fromStake), "from_unbonding", chain.U64(fromUnbonding),
		"to", to.String(), "reason", reason))
	return total, nil
}

// take removes fromStake from the bonded stake and the given amounts from
// unbonding entries (deleting emptied ones and their queue items).
func (k *Keeper) take(ctx *chain.Context, addr chain.Address, role types.Role, fromStake uint64, cuts func(func(id uint64, u types.Unbonding, amt uint64))) {
	kv := ctx.KV
	if fromStake > 0 {
		k.setStake(kv, addr, role, k.StakeOf(kv, addr, role)-fromStake)
		subTotal(kv, k.totBonded, fromStake)
		k.markDirty(ctx, role)
	}
	cuts(func(id uint64, u types.Unbonding, amt uint64) {
		key := collections.Join(ra(addr, role), id)
		u.Amount -= amt
		if u.Amount == 0 {
			k.unbondings.Delete(kv, key)
			k.queue.Delete(kv, collections.Join(u.CompletionHeight, id))
		} else {
			k.unbondings.Set(kv, key, u)
		}
		subTotal(kv, k.totUnbond, amt)
	})
}

// sink burns amount or adds it to owner's escrow.
func (k *Keeper) sink(ctx *chain.Context, owner chain.Address, amount uint64, to types.SlashTo) {
	if amount == 0 {
		return
	}
	if to.EscrowID == "" {
		k.bank.ReduceSupply(ctx, amount)
		return
	}
	key := collections.Join(to.EscrowID, owner)
	k.escrows.Set(ctx.KV, key, chain.MustAdd(k.escrows.GetOr(ctx.KV, key, 0), amount))
	addTotal(ctx.KV, k.totEscrow, amount)
}

// ReleaseEscrow implements types.StakingKeeper and emits
// staking.escrow_release.
func (k *Keeper) ReleaseEscrow(ctx *chain.Context, id string, owner chain.Address, amount uint64, to chain.Address) error {
	if err := k.takeEscrow(ctx, id, owner, amount); err != nil {
		return err
	}
	k.bank.Credit(ctx, to, amount)
	ctx.Emit(chain.NewEvent(types.ModuleName, "escrow_release",
		"escrow", id, "owner", owner.String(), "to", to.String(), "amount", chain.U64(amount)))
	return nil
}

// BurnEscrow implements types.StakingKeeper and emits staking.escrow_burn.
func (k *Keeper) BurnEscrow(ctx *chain.Context, id string, owner chain.Address, amount uint64) error {
	if err := k.takeEscrow(ctx, id, owner, amount); err != nil {
		return err
	}
	k.bank.ReduceSupply(ctx, amount)
	ctx.Emit(chain.NewEvent(types.ModuleName, "escrow_burn",
		"escrow", id, "owner", owner.String(), "amount", chain.U64(amount)))
	return nil
}

func (k *Keeper) takeEscrow(ctx *chain.Context, id string, owner chain.Address, amount uint64) error {
	if !types.ValidEscrowID(id) {
		return types.ErrInvalidEscrowID.Wrapf("%q: use 1-64 printable ASCII characters", id)
	}
	if amount == 0 {
		return types.ErrInvalidAmount.Wrap("escrow amount is 0")
	}
	key := collections.Join(id, owner)
	have := k.escrows.GetOr(ctx.KV, key, 0)
	if have < amount {
		return types.ErrInsufficientEscrow.Wrapf("escrow %q holds %d utgt for %s, cannot take %d", id, have, owner, amount)
	}
	if have == amount {
		k.escrows.Delete(ctx.KV, key)
	} else {
		k.escrows.Set(ctx.KV, key, have-amount)
	}
	subTotal(ctx.KV, k.totEscrow, amount)
	return nil
}

// HandleMisbehavior punishes consensus misbehavior: it burns
// params.double_sign_slash of the validator's stake (and pending
// unbondings) and jails it. Evidence against an unknown or already jailed
// validator is ignored (it was punished already).
func (k *Keeper) HandleMisbehavior(ctx *chain.Context, m chain.Misbehavior) {
	op, ok := k.consIndex.Get(ctx.KV, m.Validator)
	if !ok {
		return
	}
	v, ok := k.validators.Get(ctx.KV, op)
	if !ok || v.Jailed {
		return
	}
	p := k.Params(ctx.KV)
	reason := "duplicate_vote"
	if m.Kind == chain.LightClientAttack {
		reason = "light_client_attack"
	}
	if _, err := k.Slash(ctx, op, types.RoleValidator, p.DoubleSignSlash, types.Burn, reason); err != nil {
		panic("staking: slash with valid arguments failed: " + err.Error())
	}
	v.Jailed = true
	k.validators.Set(ctx.KV, op, v)
	k.valsDirty = true
	ctx.Emit(chain.NewEvent(types.ModuleName, "jail",
		"address", op.String(), "reason", reason, "infraction_height", chain.I64(m.Height)))
}
