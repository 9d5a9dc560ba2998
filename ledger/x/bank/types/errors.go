package types

import "tangent/ledger/chain"

// x/bank result codes (codespace "bank").
var (
	// ErrInsufficientFunds: the sender's balance is below the amount.
	ErrInsufficientFunds = chain.Register(ModuleName, 2, "insufficient funds")
	// ErrInvalidAmount: a zero amount where a positive one is required.
	ErrInvalidAmount = chain.Register(ModuleName, 3, "invalid amount")
	// ErrInvalidAddress: the zero address as a recipient.
	ErrInvalidAddress = chain.Register(ModuleName, 4, "invalid address")
	// ErrSupplyOverflow: minting would push the supply past 2^64-1.
	ErrSupplyOverflow = chain.Register(ModuleName, 5, "supply overflow")
)
