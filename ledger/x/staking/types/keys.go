package types

// ModuleName is the module's name, codespace and event module.
const ModuleName = "staking"

// Key prefixes (see ../README.md, "State"). Integers in keys are 8-byte
// big-endian; values are canonical binary (uvarint amounts).
var (
	// StakePrefix + role(1) + address(20) → uvarint: bonded stake.
	StakePrefix = []byte("staking/stake/")
	// ValidatorPrefix + operator(20) → Validator (consensus key, jailed).
	ValidatorPrefix = []byte("staking/validator/")
	// ConsIndexPrefix + consensus address(20) → operator address(20).
	ConsIndexPrefix = []byte("staking/cons/")
	// PowerPrefix + operator(20) → uvarint: the voting power last sent to
	// CometBFT.
	PowerPrefix = []byte("staking/power/")
	// UnbondingPrefix + role(1) + address(20) + id(8) → Unbonding.
	UnbondingPrefix = []byte("staking/unbonding/")
	// QueuePrefix + completion height(8) + id(8) → role(1) + address(20):
	// unbondings by maturity.
	QueuePrefix = []byte("staking/queue/")
	// EscrowPrefix + len-prefixed escrow id + owner(20) → uvarint: slashed
	// coins held for a later decision.
	EscrowPrefix = []byte("staking/escrow/")
	// NextUnbondingIDKey → uvarint: the next unbonding id.
	NextUnbondingIDKey = []byte("staking/next_unbonding_id")
	// TotalBondedKey, TotalUnbondingKey, TotalEscrowKey → uvarint running
	// totals (checked against the sums by the invariants).
	TotalBondedKey    = []byte("staking/total/bonded")
	TotalUnbondingKey = []byte("staking/total/unbonding")
	TotalEscrowKey    = []byte("staking/total/escrow")
	// ParamsKey → Params.
	ParamsKey = []byte("staking/params")
)
