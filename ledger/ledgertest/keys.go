package ledgertest

import (
	"crypto/ed25519"
	"crypto/sha256"

	"tangent/ledger/chain"
	"tangent/ledger/tx"
	authtypes "tangent/ledger/x/auth/types"
)

// Key is an ed25519 key pair with its account address.
type Key struct {
	Priv ed25519.PrivateKey
	Pub  chain.PubKey
	Addr chain.Address
}

// NewKey derives a key from a name: the same name gives the same key
// everywhere.
func NewKey(name string) Key {
	seed := sha256.Sum256([]byte("tangent/ledgertest/" + name))
	priv := ed25519.NewKeyFromSeed(seed[:])
	var k Key
	k.Priv = priv
	copy(k.Pub[:], priv.Public().(ed25519.PublicKey))
	k.Addr = k.Pub.Address()
	return k
}

// Tx builds and signs a tx with the given fee.
func (k Key) Tx(chainID string, nonce, fee uint64, msgs ...chain.Msg) []byte {
	t := &tx.Tx{ChainID: chainID, Nonce: nonce, Fee: fee, Msgs: msgs}
	t.Sign(k.Priv)
	return t.Encode()
}

// TxMinFee builds and signs a tx paying exactly the minimum fee under p.
func (k Key) TxMinFee(chainID string, nonce uint64, p authtypes.Params, msgs ...chain.Msg) []byte {
	t := &tx.Tx{ChainID: chainID, Nonce: nonce, Msgs: msgs}
	copy(t.PubKey[:], k.Pub[:])
	t.SetFee(p.MinFeeFor)
	t.Sign(k.Priv)
	return t.Encode()
}
