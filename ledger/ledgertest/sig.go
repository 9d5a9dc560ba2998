package ledgertest

import (
	"crypto/sha512"

	"filippo.io/edwards25519"

	"tangent/ledger/chain"
	"tangent/ledger/tx"
	authtypes "tangent/ledger/x/auth/types"
)

// orderTwo is the encoding of (0, -1), the point of order 2.
var orderTwo = [32]byte{
	0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f,
}

// TorsionSign signs msg with k as ed25519 does, except that R gets a point
// of order 2 added (and the challenge is computed over that R). The
// signature satisfies the cofactored equation [8][S]B = [8]R + [8][k]A
// but not the cofactorless one: valid under the ledger's rule (ZIP-215),
// rejected by Go's crypto/ed25519. Tests use it to prove that every
// verification path (CheckTx, DeliverTx, single, batch) applies one rule.
func TorsionSign(k Key, msg []byte) []byte {
	h := sha512.Sum512(k.Priv.Seed())
	a, err := edwards25519.NewScalar().SetBytesWithClamping(h[:32])
	if err != nil {
		panic(err)
	}
	rh := sha512.Sum512(append(append([]byte("tangent/ledgertest/torsion"), h[32:]...), msg...))
	r, err := edwards25519.NewScalar().SetUniformBytes(rh[:])
	if err != nil {
		panic(err)
	}
	T, err := new(edwards25519.Point).SetBytes(orderTwo[:])
	if err != nil {
		panic(err)
	}
	R := new(edwards25519.Point).ScalarBaseMult(r)
	R.Add(R, T)
	rb := R.Bytes()
	kh := sha512.New()
	kh.Write(rb)
	kh.Write(k.Pub[:])
	kh.Write(msg)
	c, err := edwards25519.NewScalar().SetUniformBytes(kh.Sum(nil))
	if err != nil {
		panic(err)
	}
	s := edwards25519.NewScalar().MultiplyAdd(c, a, r)
	return append(rb, s.Bytes()...)
}

// TorsionTxMinFee is TxMinFee with the signature made by TorsionSign.
func (k Key) TorsionTxMinFee(chainID string, nonce uint64, p authtypes.Params, msgs ...chain.Msg) []byte {
	t := &tx.Tx{ChainID: chainID, Nonce: nonce, Msgs: msgs}
	copy(t.PubKey[:], k.Pub[:])
	t.SetFee(p.MinFeeFor)
	copy(t.Sig[:], TorsionSign(k, t.SignBytes()))
	return t.Encode()
}

// NonCanonicalS returns sig with S replaced by S + ℓ: the same point
// equation, but S is not reduced, which the ledger's rule (and RFC 8032)
// rejects so that signatures are not malleable.
func NonCanonicalS(sig []byte) []byte {
	// ℓ = 2^252 + 27742317777372353535851937790883648493, little-endian.
	l := [32]byte{
		0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14,
		0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10,
	}
	out := append([]byte(nil), sig...)
	var carry uint16
	for i := 0; i < 32; i++ {
		v := uint16(out[32+i]) + uint16(l[i]) + carry
		out[32+i], carry = byte(v), v>>8
	}
	return out
}
