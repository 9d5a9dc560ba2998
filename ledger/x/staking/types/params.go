package types

import (
	"errors"
	"fmt"

	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/collections"
)

// Params of x/staking.
type Params struct {
	// UnbondingBlocks is the delay, in blocks, between an unbond and the
	// coins' return; the entry stays slashable until then.
	UnbondingBlocks uint64 `json:"unbonding_blocks,string"`
	// MaxValidators caps the active validator set (highest power first).
	MaxValidators uint64 `json:"max_validators,string"`
	// PowerReduction is the stake, in utgt, per unit of voting power.
	PowerReduction uint64 `json:"power_reduction,string"`
	// MaxUnbondingEntries caps pending unbondings per (account, role), which
	// bounds the work of a slash.
	MaxUnbondingEntries uint64 `json:"max_unbonding_entries,string"`
	// MinValidatorStake is the least stake a validator may bond to.
	MinValidatorStake uint64 `json:"min_validator_stake,string"`
	// DoubleSignSlash is the fraction (ppm) of a validator's stake burned
	// for consensus misbehavior; the validator is also jailed.
	DoubleSignSlash chain.PPM `json:"double_sign_slash_ppm"`
}

// DefaultParams are the parameters `tangent init` writes.
func DefaultParams() Params {
	return Params{
		UnbondingBlocks:     600,
		MaxValidators:       100,
		PowerReduction:      1_000_000,
		MaxUnbondingEntries: 7,
		MinValidatorStake:   1_000_000,
		DoubleSignSlash:     50_000,
	}
}

// Validate checks the parameters.
func (p Params) Validate() error {
	var errs []error
	if p.UnbondingBlocks < 1 || p.UnbondingBlocks > 1<<40 {
		errs = append(errs, fmt.Errorf("unbonding_blocks is %d; it must be between 1 and 2^40", p.UnbondingBlocks))
	}
	if p.MaxValidators < 1 || p.MaxValidators > 10_000 {
		errs = append(errs, fmt.Errorf("max_validators is %d; it must be between 1 and 10000", p.MaxValidators))
	}
	if p.PowerReduction < 1 {
		errs = append(errs, errors.New("power_reduction is 0; it must be at least 1"))
	}
	if p.MaxUnbondingEntries < 1 || p.MaxUnbondingEntries > 100 {
		errs = append(errs, fmt.Errorf("max_unbonding_entries is %d; it must be between 1 and 100", p.MaxUnbondingEntries))
	}
	if p.PowerReduction >= 1 && p.MinValidatorStake < p.PowerReduction {
		errs = append(errs, fmt.Errorf("min_validator_stake (%d) is below power_reduction (%d): such a validator would have no power", p.MinValidatorStake, p.PowerReduction))
	}
	if !p.DoubleSignSlash.Valid() {
		errs = append(errs, fmt.Errorf("double_sign_slash_ppm is %d; at most 1000000", p.DoubleSignSlash))
	}
	return errors.Join(errs...)
}

// HasPower reports whether a validator stake gives voting power: it must
// be at least MinValidatorStake (which Validate keeps >= PowerReduction, so
// the power stake/PowerReduction is then at least 1). A validator whose
// stake falls below the minimum (by unbonding or slashing) leaves the
// active set.
func (p Params) HasPower(stake uint64) bool {
	return stake >= p.MinValidatorStake && p.PowerReduction > 0 && stake/p.PowerReduction > 0
}

// MaxTotalPower is CometBFT's limit on the total voting power
// (types.MaxTotalVotingPower = MaxInt64/8). Genesis validation keeps
// supply/power_reduction below it, so no validator set the ledger computes
// can exceed it.
const MaxTotalPower = (1<<63 - 1) / 8

type paramsValue struct{}

// ParamsValue is the canonical binary codec of Params in state.
var ParamsValue collections.ValueCodec[Params] = paramsValue{}

func (paramsValue) AppendValue(dst []byte, p Params) []byte {
	dst = codec.AppendUvarint(dst, p.UnbondingBlocks)
	dst = codec.AppendUvarint(dst, p.MaxValidators)
	dst = codec.AppendUvarint(dst, p.PowerReduction)
	dst = codec.AppendUvarint(dst, p.MaxUnbondingEntries)
	dst = codec.AppendUvarint(dst, p.MinValidatorStake)
	return codec.AppendUvarint(dst, uint64(p.DoubleSignSlash))
}

func (paramsValue) DecodeValue(b []byte) (Params, error) {
	r := codec.NewReader(b)
	p := Params{
		UnbondingBlocks:     r.Uvarint("unbonding_blocks"),
		MaxValidators:       r.Uvarint("max_validators"),
		PowerReduction:      r.Uvarint("power_reduction"),
		MaxUnbondingEntries: r.Uvarint("max_unbonding_entries"),
		MinValidatorStake:   r.Uvarint("min_validator_stake"),
	}
	ds := r.Uvarint("double_sign_slash")
	if ds > uint64(chain.PPMOne) {
		r.Fail("double_sign_slash", "above 1000000 ppm")
	}
	p.DoubleSignSlash = chain.PPM(ds)
	return p, r.Done()
}
