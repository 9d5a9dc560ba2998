package types

import (
	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/tx"
)

// TypeMsgSend is the registered type name of MsgSend.
const TypeMsgSend = "bank/send"

// MsgSend moves Amount utgt from the tx signer to To.
//
// Body: to (20 bytes) | amount (uvarint).
type MsgSend struct {
	To     chain.Address
	Amount uint64
}

var _ chain.Msg = (*MsgSend)(nil)

// Type implements chain.Msg.
func (*MsgSend) Type() string { return TypeMsgSend }

// AppendBody implements chain.Msg.
func (m *MsgSend) AppendBody(dst []byte) []byte {
	dst = append(dst, m.To[:]...)
	return codec.AppendUvarint(dst, m.Amount)
}

// ValidateBasic implements chain.Msg.
func (m *MsgSend) ValidateBasic() error {
	if m.Amount == 0 {
		return ErrInvalidAmount.Wrap("send amount is 0; send at least 1 utgt")
	}
	if m.To.IsZero() {
		return ErrInvalidAddress.Wrap("recipient is the zero address")
	}
	return nil
}

// DecodeMsgSend decodes a MsgSend body.
func DecodeMsgSend(body []byte) (chain.Msg, error) {
	var r codec.Reader
	r.Reset(body)
	m := &MsgSend{}
	copy(m.To[:], r.Fixed("to", chain.AddressLen))
	m.Amount = r.Uvarint("amount")
	if err := r.Done(); err != nil {
		return nil, err
	}
	return m, nil
}

// RegisterMsgs adds x/bank's message decoders to r.
func RegisterMsgs(r *tx.Registry) {
	r.Register(TypeMsgSend, DecodeMsgSend)
}
