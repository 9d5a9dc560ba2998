package types

import "tangent/ledger/chain"

// x/staking result codes (codespace "staking").
var (
	// ErrInvalidRole: a role number that is not one of Roles.
	ErrInvalidRole = chain.Register(ModuleName, 2, "invalid role")
	// ErrInsufficientStake: unbonding or slashing more than is bonded.
	ErrInsufficientStake = chain.Register(ModuleName, 3, "insufficient stake")
	// ErrInvalidAmount: a zero amount.
	ErrInvalidAmount = chain.Register(ModuleName, 4, "invalid amount")
	// ErrConsKeyTaken: the consensus key belongs to another validator.
	ErrConsKeyTaken = chain.Register(ModuleName, 5, "consensus key already in use")
	// ErrConsKeyMismatch: a validator bond names a different consensus key
	// than the one registered.
	ErrConsKeyMismatch = chain.Register(ModuleName, 6, "consensus key mismatch")
	// ErrMissingConsKey: a first validator bond without a consensus key, or
	// a consensus key on a non-validator bond.
	ErrMissingConsKey = chain.Register(ModuleName, 7, "consensus key required")
	// ErrTooManyUnbondings: max_unbonding_entries pending already.
	ErrTooManyUnbondings = chain.Register(ModuleName, 8, "too many pending unbondings")
	// ErrLastValidator: the unbond would leave no validator with power.
	ErrLastValidator = chain.Register(ModuleName, 9, "last validator cannot leave")
	// ErrJailed: the validator was jailed for misbehavior; it can only
	// unbond.
	ErrJailed = chain.Register(ModuleName, 10, "validator jailed")
	// ErrInvalidFraction: a slash fraction above 1.
	ErrInvalidFraction = chain.Register(ModuleName, 11, "invalid fraction")
	// ErrInsufficientEscrow: releasing more than an escrow holds.
	ErrInsufficientEscrow = chain.Register(ModuleName, 12, "insufficient escrow")
	// ErrInvalidEscrowID: an empty, too long or non-printable escrow id.
	ErrInvalidEscrowID = chain.Register(ModuleName, 13, "invalid escrow id")
	// ErrBelowMinStake: a validator stake below min_validator_stake.
	ErrBelowMinStake = chain.Register(ModuleName, 14, "stake below minimum")
	// ErrBadConsKeyProof: a bond's consensus key proof is not the key's
	// signature of ConsKeyProofBytes(chain id, signer).
	ErrBadConsKeyProof = chain.Register(ModuleName, 15, "invalid consensus key proof")
)
