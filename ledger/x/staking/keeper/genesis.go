package keeper

import (
	"tangent/ledger/chain"
	"tangent/ledger/state"
	"tangent/ledger/x/staking/types"
)

// InitGenesis writes params and genesis stakes (adding them to the supply)
// and returns the initial validator set.
func (k *Keeper) InitGenesis(ctx *chain.Context, g types.GenesisState) ([]types.ValidatorUpdate, error) {
	k.params.Set(ctx.KV, g.Params)
	k.nextID.Set(ctx.KV, 0)
	k.totBonded.Set(ctx.KV, 0)
	k.totUnbond.Set(ctx.KV, 0)
	k.totEscrow.Set(ctx.KV, 0)
	for _, s := range g.Stakes {
		if err := k.bank.AddSupply(ctx, s.Amount); err != nil {
			return nil, err
		}
		k.bank.Credit(ctx, s.Address, s.Amount)
		if err := k.Bond(ctx, s.Address, s.Role, s.Amount, s.ConsPubKey); err != nil {
			return nil, err
		}
	}
	k.valsDirty = false
	return k.applyValidatorSet(ctx), nil
}

// ExportGenesis reads params and bonded stakes back. Pending unbondings and
// escrows are not part of the genesis format.
func (k *Keeper) ExportGenesis(kv state.KV) types.GenesisState {
	g := types.GenesisState{Params: k.Params(kv), Stakes: []types.GenesisStake{}}
	for key, amt := range k.stakes.All(kv) {
		s := types.GenesisStake{Address: key.K2, Role: types.Role(key.K1), Amount: amt}
		if s.Role == types.RoleValidator {
			if v, ok := k.validators.Get(kv, s.Address); ok {
				pk := v.ConsPubKey
				s.ConsPubKey = &pk
			}
		}
		g.Stakes = append(g.Stakes, s)
	}
	g.Normalize()
	return g
}
