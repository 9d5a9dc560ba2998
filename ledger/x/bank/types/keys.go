package types

// ModuleName is the module's name, codespace and event module.
const ModuleName = "bank"

// Key prefixes (see ../README.md, "State").
var (
	// Balances live in x/auth's account records (AccountKeeper).
	// SupplyKey → uvarint utgt: the total supply (balances + everything
	// x/staking holds).
	SupplyKey = []byte("bank/supply")
)
