package types

// ModuleName is the module's name, codespace and event module.
const ModuleName = "bank"

// Key prefixes (see ../README.md, "State").
var (
	// BalancePrefix + address(20) → uvarint utgt. Absent means 0; a balance
	// that reaches 0 is deleted.
	BalancePrefix = []byte("bank/balance/")
	// SupplyKey → uvarint utgt: the total supply (balances + everything
	// x/staking holds).
	SupplyKey = []byte("bank/supply")
)
