package ledger

import (
	"errors"
	"fmt"

	"tangent/ledger/chain"
	"tangent/ledger/state"
	stakingtypes "tangent/ledger/x/staking/types"
)

// CheckInvariants checks the ledger's accounting on the store (call it
// between blocks, after EndBlock). See CheckInvariantsKV.
func (l *Ledger) CheckInvariants() error {
	if l.inBlock {
		return errors.New("ledger: CheckInvariants inside a block; call it after EndBlock")
	}
	return CheckInvariantsKV(l.store)
}

// CheckInvariantsKV walks all of kv (O(state): for tests and audits, not
// for every block of a production node) and checks:
//   - total supply == sum(balances) + sum(stakes) + sum(escrows) +
//     sum(pending unbondings);
//   - x/staking's running totals equal those sums;
//   - every validator stake has a validator record and a consensus-key
//     index entry; every unbonding has its queue entry and vice versa;
//   - every stored validator power is positive, belongs to a validator, and
//     their sum stays within CometBFT's total voting power limit.
func CheckInvariantsKV(kv state.KV) error {
	v := NewView(kv)
	var errs []error
	var balances uint64
	var overflow bool
	add := func(a, b uint64) uint64 {
		s, err := chain.SafeAdd(a, b)
		if err != nil {
			overflow = true
		}
		return s
	}
	for _, b := range v.bank.Balances(kv) {
		balances = add(balances, b)
	}
	bonded, unbonding, escrowed := v.staking.Sums(kv)
	tb, tu, te := v.staking.Totals(kv)
	supply := v.Supply()
	sum := add(add(add(balances, bonded), unbonding), escrowed)
	if overflow {
		errs = append(errs, fmt.Errorf("balances + stakes + unbonding + escrow overflow 64 bits (supply %d)", supply))
	} else if sum != supply {
		errs = append(errs, fmt.Errorf("supply %d != balances %d + stakes %d + unbonding %d + escrow %d (= %d)",
			supply, balances, bonded, unbonding, escrowed, sum))
	}
	if tb != bonded || tu != unbonding || te != escrowed {
		errs = append(errs, fmt.Errorf("staking totals (bonded %d, unbonding %d, escrow %d) != sums (%d, %d, %d)",
			tb, tu, te, bonded, unbonding, escrowed))
	}
	for op := range v.staking.Stakes(kv, stakingtypes.RoleValidator) {
		val, ok := v.staking.Validator(kv, op)
		if !ok {
			errs = append(errs, fmt.Errorf("validator stake of %s has no validator record", op))
			continue
		}
		if got, ok := v.staking.OperatorByConsAddr(kv, val.ConsPubKey.Address()); !ok || got != op {
			errs = append(errs, fmt.Errorf("validator %s: consensus key index is wrong", op))
		}
	}
	var power uint64
	for op, pw := range v.staking.Powers(kv) {
		if _, ok := v.staking.Validator(kv, op); !ok {
			errs = append(errs, fmt.Errorf("power entry of %s has no validator record", op))
		}
		if pw == 0 {
			errs = append(errs, fmt.Errorf("power entry of %s is 0 (removed validators are deleted)", op))
		}
		power = add(power, pw)
	}
	if power > stakingtypes.MaxTotalPower {
		errs = append(errs, fmt.Errorf("total voting power %d exceeds CometBFT's limit %d", power, uint64(stakingtypes.MaxTotalPower)))
	}
	if err := v.staking.CheckQueue(kv); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
