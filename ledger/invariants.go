package ledger

import (
	"errors"
	"fmt"

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
//     index entry; every unbonding has its queue entry and vice versa.
func CheckInvariantsKV(kv state.KV) error {
	v := NewView(kv)
	var errs []error
	var balances uint64
	for _, b := range v.bank.Balances(kv) {
		balances += b
	}
	bonded, unbonding, escrowed := v.staking.Sums(kv)
	tb, tu, te := v.staking.Totals(kv)
	supply := v.Supply()
	if sum := balances + bonded + unbonding + escrowed; sum != supply {
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
	if err := v.staking.CheckQueue(kv); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}
