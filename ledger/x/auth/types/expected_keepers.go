package types

// x/auth calls no other module. x/bank calls x/auth: balances live in
// x/auth's account records (bank/types.AccountKeeper).
