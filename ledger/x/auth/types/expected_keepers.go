package types

// x/auth calls no other module: the ledger's ante step charges the fee
// through x/bank itself.
