// Package keeper implements x/bank: balances, transfers and the total
// supply.
//
// Contract: balances are uint64 utgt, kept in x/auth's account records
// (types.AccountKeeper; a record whose balance and nonce are both 0 is
// deleted rather than stored), and the supply item always equals the sum
// of balances plus every coin x/staking holds (stakes, pending unbondings,
// escrows). Send moves coins between balances (supply unchanged);
// Debit/Credit move coins out of and back into balances for a module that
// counts them elsewhere; Mint/Burn and AddSupply/ReduceSupply are the only
// ways the supply changes. A failed call writes nothing. The Keeper holds
// no state of its own. See ../README.md.
package keeper
