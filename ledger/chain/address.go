package chain

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
)

// AddressLen is the length of an account address in bytes.
const AddressLen = 20

// HRP is the bech32 human-readable prefix of Tangent account addresses.
const HRP = "tgt"

// Address identifies an account: the first 20 bytes of SHA-256 of its
// ed25519 public key (the same rule CometBFT uses for validator addresses,
// so a validator's consensus address and the account of the same key are
// equal). It prints as bech32 with prefix "tgt" (e.g. "tgt1qqq…").
type Address [AddressLen]byte

// AddressOf derives the address of an ed25519 public key.
func AddressOf(pub ed25519.PublicKey) Address {
	sum := sha256.Sum256(pub)
	var a Address
	copy(a[:], sum[:AddressLen])
	return a
}

// ModuleAddress is the address of a module-owned account (e.g. the fee
// collector): SHA-256("module/" + name)[:20]. No key can sign for it.
func ModuleAddress(name string) Address {
	sum := sha256.Sum256([]byte("module/" + name))
	var a Address
	copy(a[:], sum[:AddressLen])
	return a
}

// String returns the bech32 form ("tgt1…").
func (a Address) String() string { return bech32Encode(HRP, a[:]) }

// Hex returns the lower-case hex form (as CometBFT prints validator
// addresses).
func (a Address) Hex() string { return hex.EncodeToString(a[:]) }

// IsZero reports whether a is all zeros (never a valid signer).
func (a Address) IsZero() bool { return a == Address{} }

// ParseAddress parses a bech32 address with prefix "tgt".
func ParseAddress(s string) (Address, error) {
	hrp, data, err := bech32Decode(s)
	if err != nil {
		return Address{}, fmt.Errorf("address %q is not valid bech32: %v", s, err)
	}
	if hrp != HRP {
		return Address{}, fmt.Errorf("address %q has prefix %q; Tangent addresses start with %q", s, hrp, HRP+"1")
	}
	if len(data) != AddressLen {
		return Address{}, fmt.Errorf("address %q holds %d bytes; an address is %d bytes", s, len(data), AddressLen)
	}
	var a Address
	copy(a[:], data)
	return a, nil
}

// MarshalText encodes the address as bech32 (JSON uses this).
func (a Address) MarshalText() ([]byte, error) { return []byte(a.String()), nil }

// UnmarshalText parses a bech32 address.
func (a *Address) UnmarshalText(b []byte) error {
	p, err := ParseAddress(string(b))
	if err != nil {
		return err
	}
	*a = p
	return nil
}

var _ json.Marshaler = PubKey{}

// PubKey is a raw ed25519 public key. JSON and text forms are lower-case hex.
type PubKey [ed25519.PublicKeySize]byte

// Address derives the account address of the key.
func (p PubKey) Address() Address { return AddressOf(p[:]) }

func (p PubKey) String() string { return hex.EncodeToString(p[:]) }

// MarshalJSON writes the key as a hex string.
func (p PubKey) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

// UnmarshalJSON reads a 64-character hex string.
func (p *PubKey) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("public key must be a hex string: %v", err)
	}
	q, err := ParsePubKey(s)
	if err != nil {
		return err
	}
	*p = q
	return nil
}

// ParsePubKey parses a lower-case hex ed25519 public key.
func ParsePubKey(s string) (PubKey, error) {
	var p PubKey
	if len(s) != 2*len(p) {
		return p, fmt.Errorf("public key %q must be %d hex characters", s, 2*len(p))
	}
	b, err := hex.DecodeString(s)
	if err != nil || hex.EncodeToString(b) != s {
		return p, fmt.Errorf("public key %q is not lower-case hex", s)
	}
	copy(p[:], b)
	return p, nil
}
