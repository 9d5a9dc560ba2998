package types

import (
	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/collections"
)

// Validator is what the ledger knows about a validator operator besides its
// stake.
type Validator struct {
	// ConsPubKey is the ed25519 key CometBFT votes with.
	ConsPubKey chain.PubKey
	// Jailed validators misbehaved: they have no power and can only unbond.
	Jailed bool
}

type validatorValue struct{}

// ValidatorValue: cons_pubkey(32) | jailed(bool).
var ValidatorValue collections.ValueCodec[Validator] = validatorValue{}

func (validatorValue) AppendValue(dst []byte, v Validator) []byte {
	return codec.AppendBool(append(dst, v.ConsPubKey[:]...), v.Jailed)
}

func (validatorValue) DecodeValue(b []byte) (Validator, error) {
	r := codec.NewReader(b)
	var v Validator
	copy(v.ConsPubKey[:], r.Fixed("cons_pubkey", 32))
	v.Jailed = r.Bool("jailed")
	return v, r.Done()
}

// Unbonding is a pending return of stake. It stays slashable until
// CompletionHeight, when EndBlock pays Amount back to the balance.
type Unbonding struct {
	Amount           uint64
	CompletionHeight uint64
}

type unbondingValue struct{}

// UnbondingValue: amount(uvarint) | completion_height(uvarint).
var UnbondingValue collections.ValueCodec[Unbonding] = unbondingValue{}

func (unbondingValue) AppendValue(dst []byte, u Unbonding) []byte {
	return codec.AppendUvarint(codec.AppendUvarint(dst, u.Amount), u.CompletionHeight)
}

func (unbondingValue) DecodeValue(b []byte) (Unbonding, error) {
	r := codec.NewReader(b)
	u := Unbonding{Amount: r.Uvarint("amount"), CompletionHeight: r.Uvarint("completion_height")}
	return u, r.Done()
}

// StakeRef names one (role, account) stake.
type StakeRef struct {
	Role    Role
	Address chain.Address
}

type stakeRefValue struct{}

// StakeRefValue: role(1) | address(20).
var StakeRefValue collections.ValueCodec[StakeRef] = stakeRefValue{}

func (stakeRefValue) AppendValue(dst []byte, s StakeRef) []byte {
	return append(append(dst, byte(s.Role)), s.Address[:]...)
}

func (stakeRefValue) DecodeValue(b []byte) (StakeRef, error) {
	r := codec.NewReader(b)
	var s StakeRef
	s.Role = Role(r.Byte("role"))
	copy(s.Address[:], r.Fixed("address", chain.AddressLen))
	return s, r.Done()
}

type addressValue struct{}

// AddressValue stores a raw 20-byte address.
var AddressValue collections.ValueCodec[chain.Address] = addressValue{}

func (addressValue) AppendValue(dst []byte, a chain.Address) []byte { return append(dst, a[:]...) }

func (addressValue) DecodeValue(b []byte) (chain.Address, error) {
	r := codec.NewReader(b)
	var a chain.Address
	copy(a[:], r.Fixed("address", chain.AddressLen))
	return a, r.Done()
}

// ValidatorUpdate is a change of the consensus validator set, for CometBFT
// (Power 0 removes the validator).
type ValidatorUpdate struct {
	PubKey chain.PubKey
	Power  int64
}

// SlashTo says where slashed coins go: burned (the zero value) or into the
// penalty escrow EscrowID, held for the slashed party until the caller
// releases (returns or forfeits) them.
type SlashTo struct {
	EscrowID string
}

// Burn destroys slashed coins.
var Burn = SlashTo{}

// ToEscrow holds slashed coins in escrow id.
func ToEscrow(id string) SlashTo { return SlashTo{EscrowID: id} }

func (s SlashTo) String() string {
	if s.EscrowID == "" {
		return "burn"
	}
	return "escrow:" + s.EscrowID
}

// MaxEscrowIDLen bounds escrow ids.
const MaxEscrowIDLen = 64

// ValidEscrowID reports whether id is 1..64 printable ASCII characters.
func ValidEscrowID(id string) bool {
	if len(id) == 0 || len(id) > MaxEscrowIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}
