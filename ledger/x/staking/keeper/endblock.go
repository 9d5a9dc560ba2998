package keeper

import (
	"bytes"
	"slices"

	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/x/staking/types"
)

// EndBlock pays out the unbondings that mature at this height and, if any
// validator stake changed in the block, returns the validator-set changes
// for CometBFT (sorted by consensus key).
func (k *Keeper) EndBlock(ctx *chain.Context) []types.ValidatorUpdate {
	k.matureUnbondings(ctx)
	if !k.valsDirty {
		return nil
	}
	k.valsDirty = false
	return k.applyValidatorSet(ctx)
}

func (k *Keeper) matureUnbondings(ctx *chain.Context) {
	if ctx.Header.Height < 0 {
		return
	}
	h := uint64(ctx.Header.Height)
	type due struct {
		id  uint64
		ref types.StakeRef
		ch  uint64
	}
	var dues []due
	end := collections.Uint64Key.AppendKey(nil, h+1)
	for key, ref := range k.queue.Range(ctx.KV, nil, end, true) {
		dues = append(dues, due{key.K2, ref, key.K1})
	}
	for _, d := range dues {
		ukey := collections.Join(ra(d.ref.Address, d.ref.Role), d.id)
		u, ok := k.unbondings.Get(ctx.KV, ukey)
		if !ok {
			panic("invariant broken: unbonding queue entry without its unbonding")
		}
		k.unbondings.Delete(ctx.KV, ukey)
		k.queue.Delete(ctx.KV, collections.Join(d.ch, d.id))
		subTotal(ctx.KV, k.totUnbond, u.Amount)
		k.bank.Credit(ctx, d.ref.Address, u.Amount)
		ctx.Emit(chain.NewEvent(types.ModuleName, "unbond_complete",
			"address", d.ref.Address.String(), "role", d.ref.Role.String(),
			"amount", chain.U64(u.Amount), "unbonding_id", chain.U64(d.id)))
	}
}

type candidate struct {
	op    chain.Address
	key   chain.PubKey
	power uint64
}

// activeSet computes the validator set the current stakes give: non-jailed
// validators whose stake is at least min_validator_stake (so power >= 1),
// highest power first (ties by operator address), at most max_validators.
func (k *Keeper) activeSet(ctx *chain.Context) []candidate {
	p := k.Params(ctx.KV)
	var cs []candidate
	for op, stake := range k.Stakes(ctx.KV, types.RoleValidator) {
		if !p.HasPower(stake) {
			continue
		}
		power := stake / p.PowerReduction
		v, ok := k.validators.Get(ctx.KV, op)
		if !ok {
			panic("invariant broken: validator stake without a validator record")
		}
		if v.Jailed {
			continue
		}
		cs = append(cs, candidate{op: op, key: v.ConsPubKey, power: power})
	}
	slices.SortFunc(cs, func(a, b candidate) int {
		if a.power != b.power {
			if a.power > b.power {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.op[:], b.op[:])
	})
	if uint64(len(cs)) > p.MaxValidators {
		cs = cs[:p.MaxValidators]
	}
	return cs
}

// applyValidatorSet stores the new powers and returns the differences. An
// empty new set is refused (CometBFT cannot run without validators): the
// old set stays and staking.validator_set_kept is emitted.
func (k *Keeper) applyValidatorSet(ctx *chain.Context) []types.ValidatorUpdate {
	cs := k.activeSet(ctx)
	if len(cs) == 0 {
		ctx.Emit(chain.NewEvent(types.ModuleName, "validator_set_kept",
			"reason", "no validator would have voting power"))
		return nil
	}
	old := map[chain.Address]uint64{}
	for op, pw := range k.powers.All(ctx.KV) {
		old[op] = pw
	}
	var ups []types.ValidatorUpdate
	for _, c := range cs {
		if old[c.op] != c.power {
			k.powers.Set(ctx.KV, c.op, c.power)
			ups = append(ups, types.ValidatorUpdate{PubKey: c.key, Power: int64(c.power)})
			ctx.Emit(chain.NewEvent(types.ModuleName, "validator_update",
				"address", c.op.String(), "cons_pubkey", c.key.String(), "power", chain.U64(c.power)))
		}
		delete(old, c.op)
	}
	removed := make([]chain.Address, 0, len(old))
	for op := range old {
		removed = append(removed, op)
	}
	slices.SortFunc(removed, func(a, b chain.Address) int { return bytes.Compare(a[:], b[:]) })
	for _, op := range removed {
		v, _ := k.validators.Get(ctx.KV, op)
		k.powers.Delete(ctx.KV, op)
		ups = append(ups, types.ValidatorUpdate{PubKey: v.ConsPubKey, Power: 0})
		ctx.Emit(chain.NewEvent(types.ModuleName, "validator_update",
			"address", op.String(), "cons_pubkey", v.ConsPubKey.String(), "power", "0"))
	}
	slices.SortFunc(ups, func(a, b types.ValidatorUpdate) int { return bytes.Compare(a.PubKey[:], b.PubKey[:]) })
	return ups
}
