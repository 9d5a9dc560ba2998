package types

import (
	"crypto/ed25519"

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
// HasConsKey); later bonds may omit it or must repeat it. A named key
// comes with ConsKeyProof, the key's signature of
// ConsKeyProofBytes(chain id, signer): proof that the operator controls
// the key, so nobody can register (or front-run the registration of)
// another node's key. ProveConsKey fills both.
//
// Body: role(1) | amount(uvarint) | has_cons_key(bool) |
// [cons_pubkey(32) | cons_key_proof(64)].
type MsgBond struct {
	Role         Role
	Amount       uint64
	HasConsKey   bool
	ConsPubKey   chain.PubKey
	ConsKeyProof [ed25519.SignatureSize]byte
}

// ConsKeyProofDomain prefixes what a consensus key signs in a bond, so the
// signature can never be taken for one over anything else (a tx, a
// CometBFT vote, which is protobuf).
const ConsKeyProofDomain = "tangent/staking/cons-key-proof/v1\n"

// ConsKeyProofBytes is what a validator's consensus key signs to bond
// with operator on chainID: the domain, the length-prefixed chain id and
// the operator address.
func ConsKeyProofBytes(chainID string, operator chain.Address) []byte {
	b := codec.AppendString([]byte(ConsKeyProofDomain), chainID)
	return append(b, operator[:]...)
}

// ProveConsKey names consKey's public key in the bond, with its proof of
// possession for operator (the tx signer) on chainID.
func (m *MsgBond) ProveConsKey(chainID string, operator chain.Address, consKey ed25519.PrivateKey) {
	m.HasConsKey = true
	copy(m.ConsPubKey[:], consKey.Public().(ed25519.PublicKey))
	copy(m.ConsKeyProof[:], ed25519.Sign(consKey, ConsKeyProofBytes(chainID, operator)))
}

// VerifyConsKeyProof reports whether ConsKeyProof is ConsPubKey's
// signature of ConsKeyProofBytes(chainID, operator), under the ledger's
// signature rule (tx.Verify).
func (m *MsgBond) VerifyConsKeyProof(chainID string, operator chain.Address) bool {
	return tx.Verify(m.ConsPubKey, ConsKeyProofBytes(chainID, operator), m.ConsKeyProof[:])
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
		dst = append(dst, m.ConsKeyProof[:]...)
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
		copy(m.ConsKeyProof[:], r.Fixed("cons_key_proof", ed25519.SignatureSize))
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
