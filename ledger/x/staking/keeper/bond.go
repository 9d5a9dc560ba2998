package keeper

import (
	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/state"
	"tangent/ledger/x/staking/types"
)

// Bond implements types.StakingKeeper. For role validator, consKey is
// required on the first bond (it registers the consensus key) and must
// match afterwards (or be nil).
func (k *Keeper) Bond(ctx *chain.Context, addr chain.Address, role types.Role, amount uint64, consKey *chain.PubKey) error {
	if err := checkRole(role); err != nil {
		return err
	}
	if amount == 0 {
		return types.ErrInvalidAmount.Wrap("bond amount is 0")
	}
	kv := ctx.KV
	stake := k.StakeOf(kv, addr, role)
	newStake, err := chain.SafeAdd(stake, amount)
	if err != nil {
		return err
	}
	if role == types.RoleValidator {
		p := k.Params(kv)
		v, exists := k.validators.Get(kv, addr)
		switch {
		case exists && v.Jailed:
			return types.ErrJailed.Wrapf("validator %s was jailed for misbehavior; it can only unbond", addr)
		case exists && consKey != nil && *consKey != v.ConsPubKey:
			return types.ErrConsKeyMismatch.Wrapf("validator %s has consensus key %s, not %s", addr, v.ConsPubKey, *consKey)
		case !exists && consKey == nil:
			return types.ErrMissingConsKey.Wrapf("first validator bond of %s must name the node's consensus key", addr)
		case !exists:
			consAddr := consKey.Address()
			if other, taken := k.consIndex.Get(kv, consAddr); taken {
				return types.ErrConsKeyTaken.Wrapf("consensus key %s belongs to validator %s", *consKey, other)
			}
		}
		if newStake < p.MinValidatorStake {
			return types.ErrBelowMinStake.Wrapf("validator stake would be %d utgt; min_validator_stake is %d", newStake, p.MinValidatorStake)
		}
		if err := k.bank.Debit(ctx, addr, amount); err != nil {
			return err
		}
		if !exists {
			k.validators.Set(kv, addr, types.Validator{ConsPubKey: *consKey})
			k.consIndex.Set(kv, consKey.Address(), addr)
		}
	} else {
		if consKey != nil {
			return types.ErrMissingConsKey.Wrapf("a consensus key only goes with role validator, not %s", role)
		}
		if err := k.bank.Debit(ctx, addr, amount); err != nil {
			return err
		}
	}
	k.setStake(kv, addr, role, newStake)
	addTotal(kv, k.totBonded, amount)
	k.markDirty(ctx, role)
	ctx.Emit(chain.NewEvent(types.ModuleName, "bond",
		"address", addr.String(), "role", role.String(), "amount", chain.U64(amount), "stake", chain.U64(newStake)))
	return nil
}

// Unbond implements types.StakingKeeper. A validator that is not jailed
// cannot unbond below min_validator_stake if no other unjailed validator
// stays at or above it (the chain would have no validator left).
func (k *Keeper) Unbond(ctx *chain.Context, addr chain.Address, role types.Role, amount uint64) (uint64, error) {
	if err := checkRole(role); err != nil {
		return 0, err
	}
	if amount == 0 {
		return 0, types.ErrInvalidAmount.Wrap("unbond amount is 0")
	}
	kv := ctx.KV
	p := k.Params(kv)
	stake := k.StakeOf(kv, addr, role)
	if stake < amount {
		return 0, types.ErrInsufficientStake.Wrapf("%s has %d utgt bonded as %s, cannot unbond %d", addr, stake, role, amount)
	}
	var n uint64
	for range k.Unbondings(kv, addr, role) {
		n++
	}
	if n >= p.MaxUnbondingEntries {
		return 0, types.ErrTooManyUnbondings.Wrapf("%s has %d pending %s unbondings (max %d); wait for one to complete", addr, n, role, p.MaxUnbondingEntries)
	}
	if role == types.RoleValidator && p.HasPower(stake) && !p.HasPower(stake-amount) {
		if v, _ := k.validators.Get(kv, addr); !v.Jailed && !k.otherValidatorHasPower(kv, addr, p) {
			return 0, types.ErrLastValidator.Wrapf("%s is the only validator with voting power; unbonding below min_validator_stake %d would halt the chain (keep at least %d bonded)",
				addr, p.MinValidatorStake, p.MinValidatorStake)
		}
	}
	if ctx.Header.Height < 0 {
		panic("negative block height")
	}
	completion := uint64(ctx.Header.Height) + p.UnbondingBlocks
	id := k.nextID.GetOr(kv, 0)
	k.nextID.Set(kv, id+1)
	k.setStake(kv, addr, role, stake-amount)
	subTotal(kv, k.totBonded, amount)
	k.unbondings.Set(kv, collections.Join(ra(addr, role), id), types.Unbonding{Amount: amount, CompletionHeight: completion})
	k.queue.Set(kv, collections.Join(completion, id), types.StakeRef{Role: role, Address: addr})
	addTotal(kv, k.totUnbond, amount)
	k.markDirty(ctx, role)
	ctx.Emit(chain.NewEvent(types.ModuleName, "unbond",
		"address", addr.String(), "role", role.String(), "amount", chain.U64(amount),
		"stake", chain.U64(stake-amount), "completion_height", chain.U64(completion), "unbonding_id", chain.U64(id)))
	return completion, nil
}

// otherValidatorHasPower reports whether a validator other than addr, not
// jailed, has voting power (stake >= min_validator_stake).
func (k *Keeper) otherValidatorHasPower(kv state.KV, addr chain.Address, p types.Params) bool {
	for a, stake := range k.Stakes(kv, types.RoleValidator) {
		if a == addr || !p.HasPower(stake) {
			continue
		}
		if v, ok := k.validators.Get(kv, a); ok && !v.Jailed {
			return true
		}
	}
	return false
}
