// Package types declares x/staking's roles, messages, state keys, result
// codes (codespace "staking"), parameters, genesis, and the keeper
// interfaces it expects (BankKeeper) and offers (StakingKeeper: the hooks
// x/tasks, x/jobs and x/disputes will call to slash and escrow). See
// ../README.md for the state layout and encodings.
package types
