package keeper

import (
	"tangent/ledger/chain"
	"tangent/ledger/x/bank/types"
)

// HandleMsg executes a x/bank message sent by signer.
func (k Keeper) HandleMsg(ctx *chain.Context, signer chain.Address, msg chain.Msg) error {
	switch m := msg.(type) {
	case *types.MsgSend:
		return k.Send(ctx, signer, m.To, m.Amount)
	}
	return chain.ErrUnknownMsg.Wrapf("x/bank does not handle %s", msg.Type())
}
