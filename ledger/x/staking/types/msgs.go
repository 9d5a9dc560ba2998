package types

import (
	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/tx"
)

// Registered type names.
const (
	TypeMsgBond   = "staking/bond"
	TypeMsgUnbond = "staking/unbond"
)

// MsgBond moves Amount utgt from the signer's balance into its stake for
// Role. A validator's first bond names its consensus key (ConsPubKey with
// HasConsKey); later bonds may omit it or must repeat it.
//
// Body: role(1) | amount(uvarint) | has_cons_key(bool) | [cons_pubkey(32)].
type MsgBond struct {
	Role       Role
	Amount     uint64
	HasConsKey bool
	ConsPubKey chain.PubKey
}

// MsgUnbond starts returning Amount utgt of the signer's Role stake; the
// coins come back after params.unbonding_blocks and can be slashed until
// then.
//
// Body: role(1) | amount(uvarint).
type MsgUnbond struct {
	Role   Role
	Amount uint64
}

var (
	_ chain.Msg = (*MsgBond)(nil)
	_ chain.Msg = (*MsgUnbond)(nil)
)

// Type implements chain.Msg.
func (*MsgBond) Type() string { return TypeMsgBond }

// AppendBody implements chain.Msg.
func (m *MsgBond) AppendBody(dst []byte) []byte {
	dst = append(dst, byte(m.Role))
	dst = codec.AppendUvarint(dst, m.Amount)
	dst = codec.AppendBool(dst, m.HasConsKey)
	if m.HasConsKey {
		dst = append(dst, m.ConsPubKey[:]...)
	}
	return dst
}

// ValidateBasic implements chain.Msg.
func (m *MsgBond) ValidateBasic() error {
	if !m.Role.Valid() {
		return ErrInvalidRole.Wrapf("role %d; roles are 1 (validator) to 5 (storage)", uint8(m.Role))
	}
	if m.Amount == 0 {
		return ErrInvalidAmount.Wrap("bond amount is 0")
	}
	if m.HasConsKey && m.Role != RoleValidator {
		return ErrMissingConsKey.Wrapf("a consensus key only goes with role validator, not %s", m.Role)
	}
	return nil
}

// DecodeMsgBond decodes a MsgBond body.
func DecodeMsgBond(body []byte) (chain.Msg, error) {
	var r codec.Reader
	r.Reset(body)
	m := &MsgBond{}
	m.Role = Role(r.Byte("role"))
	m.Amount = r.Uvarint("amount")
	m.HasConsKey = r.Bool("has_cons_key")
	if m.HasConsKey {
		copy(m.ConsPubKey[:], r.Fixed("cons_pubkey", 32))
	}
	if err := r.Done(); err != nil {
		return nil, err
	}
	return m, nil
}

// Type implements chain.Msg.
func (*MsgUnbond) Type() string { return TypeMsgUnbond }

// AppendBody implements chain.Msg.
func (m *MsgUnbond) AppendBody(dst []byte) []byte {
	return codec.AppendUvarint(append(dst, byte(m.Role)), m.Amount)
}

// ValidateBasic implements chain.Msg.
func (m *MsgUnbond) ValidateBasic() error {
	if !m.Role.Valid() {
		return ErrInvalidRole.Wrapf("role %d; roles are 1 (validator) to 5 (storage)", uint8(m.Role))
	}
	if m.Amount == 0 {
		return ErrInvalidAmount.Wrap("unbond amount is 0")
	}
	return nil
}

// DecodeMsgUnbond decodes a MsgUnbond body.
func DecodeMsgUnbond(body []byte) (chain.Msg, error) {
	var r codec.Reader
	r.Reset(body)
	m := &MsgUnbond{}
	m.Role = Role(r.Byte("role"))
	m.Amount = r.Uvarint("amount")
	if err := r.Done(); err != nil {
		return nil, err
	}
	return m, nil
}

// RegisterMsgs adds x/staking's message decoders to r.
func RegisterMsgs(r *tx.Registry) {
	r.Register(TypeMsgBond, DecodeMsgBond)
	r.Register(TypeMsgUnbond, DecodeMsgUnbond)
}
