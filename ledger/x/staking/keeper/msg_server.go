package keeper

import (
	"tangent/ledger/chain"
	"tangent/ledger/x/staking/types"
)

// HandleMsg executes a x/staking message sent by signer.
func (k *Keeper) HandleMsg(ctx *chain.Context, signer chain.Address, msg chain.Msg) error {
	switch m := msg.(type) {
	case *types.MsgBond:
		var key *chain.PubKey
		if m.HasConsKey {
			if !m.VerifyConsKeyProof(ctx.ChainID, signer) {
				return types.ErrBadConsKeyProof.Wrapf("cons_key_proof is not a signature by consensus key %s of (chain %q, operator %s); make it with the node's consensus key (MsgBond.ProveConsKey)",
					m.ConsPubKey, ctx.ChainID, signer)
			}
			key = &m.ConsPubKey
		}
		return k.Bond(ctx, signer, m.Role, m.Amount, key)
	case *types.MsgUnbond:
		_, err := k.Unbond(ctx, signer, m.Role, m.Amount)
		return err
	}
	return chain.ErrUnknownMsg.Wrapf("x/staking does not handle %s", msg.Type())
}
