package p2p

import (
	"crypto/ed25519"
	"errors"
	"fmt"

	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/peer"
)

// A node's libp2p identity is its ed25519 key, the key type of ledger
// accounts, so a peer ID and an account key are two spellings of the same
// public key: PeerIDFromPubKey and PubKeyFromPeerID convert both ways
// (ed25519 peer IDs inline the key; nothing is looked up).

// ErrNotEd25519 is returned by PubKeyFromPeerID for a peer ID whose key is
// not ed25519 (or is not inlined in the ID).
var ErrNotEd25519 = errors.New("p2p: peer ID does not carry an ed25519 key")

// PeerIDFromPubKey returns the libp2p peer ID of an ed25519 public key.
func PeerIDFromPubKey(pub ed25519.PublicKey) (peer.ID, error) {
	pk, err := crypto.UnmarshalEd25519PublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("p2p: %w", err)
	}
	return peer.IDFromPublicKey(pk)
}

// PubKeyFromPeerID returns the ed25519 public key a peer ID names.
func PubKeyFromPeerID(id peer.ID) (ed25519.PublicKey, error) {
	pk, err := id.ExtractPublicKey()
	if err != nil {
		return nil, ErrNotEd25519
	}
	if pk.Type() != crypto.Ed25519 {
		return nil, ErrNotEd25519
	}
	raw, err := pk.Raw()
	if err != nil {
		return nil, err
	}
	return ed25519.PublicKey(raw), nil
}

func hostKey(priv ed25519.PrivateKey) (crypto.PrivKey, error) {
	if len(priv) != ed25519.PrivateKeySize {
		return nil, fmt.Errorf("p2p: ed25519 private key of %d bytes, want %d", len(priv), ed25519.PrivateKeySize)
	}
	return crypto.UnmarshalEd25519PrivateKey(priv)
}
