package ledgertest

import (
	"crypto/ed25519"

	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/tx"
)

// RawMsg is a message with an arbitrary type name and body, for building
// txs the ledger must reject (unknown types, malformed bodies).
type RawMsg struct {
	TypeName string
	Body     []byte
}

// Type implements chain.Msg.
func (m RawMsg) Type() string { return m.TypeName }

// AppendBody implements chain.Msg.
func (m RawMsg) AppendBody(dst []byte) []byte { return append(dst, m.Body...) }

// ValidateBasic implements chain.Msg.
func (m RawMsg) ValidateBasic() error { return nil }

// NonCanonicalTx returns a correctly signed tx whose fee varint is
// over-long (one extra 0x80 continuation byte): the same values as a valid
// tx, but not its canonical bytes. The decoder must reject it.
func NonCanonicalTx(k Key, chainID string, nonce, fee uint64, msgs ...chain.Msg) []byte {
	b := []byte{tx.Version}
	b = codec.AppendString(b, chainID)
	b = append(b, k.Pub[:]...)
	b = codec.AppendUvarint(b, nonce)
	// Over-long fee: the canonical varint with its last byte continued by
	// a redundant 0x00 byte.
	b = codec.AppendUvarint(b, fee)
	b[len(b)-1] |= 0x80
	b = append(b, 0x00)
	b = codec.AppendUvarint(b, uint64(len(msgs)))
	for _, m := range msgs {
		b = codec.AppendString(b, m.Type())
		b = codec.AppendBytes(b, m.AppendBody(nil))
	}
	sig := ed25519.Sign(k.Priv, append([]byte(tx.SignDomain), b...))
	return append(b, sig...)
}
