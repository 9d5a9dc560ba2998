package ledger

import (
	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/state"
	authkeeper "tangent/ledger/x/auth/keeper"
	authtypes "tangent/ledger/x/auth/types"
	bankkeeper "tangent/ledger/x/bank/keeper"
	stakingkeeper "tangent/ledger/x/staking/keeper"
	stakingtypes "tangent/ledger/x/staking/types"
)

// View reads ledger state from any KV: the app's committed state for
// queries, a Mem in tests. It never writes.
type View struct {
	kv      state.KV
	auth    authkeeper.Keeper
	bank    bankkeeper.Keeper
	staking *stakingkeeper.Keeper
}

// NewView returns a read-only view of kv.
func NewView(kv state.KV) View {
	a := authkeeper.New()
	b := bankkeeper.New(a)
	return View{kv: kv, auth: a, bank: b, staking: stakingkeeper.New(b)}
}

// ChainID returns the chain id ("" before InitChain).
func (v View) ChainID() string { return chainIDItem.GetOr(v.kv, "") }

// Balance is addr's balance in utgt.
func (v View) Balance(addr chain.Address) uint64 { return v.bank.Balance(v.kv, addr) }

// Nonce is the nonce addr's next tx must carry.
func (v View) Nonce(addr chain.Address) uint64 { return v.auth.Nonce(v.kv, addr) }

// Supply is the total supply in utgt.
func (v View) Supply() uint64 { return v.bank.Supply(v.kv) }

// Stake is addr's bonded stake in role.
func (v View) Stake(addr chain.Address, role stakingtypes.Role) uint64 {
	return v.staking.StakeOf(v.kv, addr, role)
}

// Unbonding is the sum of addr's pending unbondings in role.
func (v View) Unbonding(addr chain.Address, role stakingtypes.Role) uint64 {
	return v.staking.UnbondingOf(v.kv, addr, role)
}

// Escrow is what penalty escrow id holds for owner.
func (v View) Escrow(id string, owner chain.Address) uint64 {
	return v.staking.EscrowOf(v.kv, id, owner)
}

// AuthParams returns the tx parameters.
func (v View) AuthParams() authtypes.Params { return v.auth.Params(v.kv) }

// StakingParams returns the staking parameters.
func (v View) StakingParams() stakingtypes.Params { return v.staking.Params(v.kv) }

// ValidatorPower is one entry of the current consensus validator set.
type ValidatorPower struct {
	Operator   chain.Address
	ConsPubKey chain.PubKey
	Power      int64
}

// Validators returns the validator set last sent to CometBFT, by operator.
func (v View) Validators() []ValidatorPower {
	var out []ValidatorPower
	for op, pw := range v.staking.Powers(v.kv) {
		val, _ := v.staking.Validator(v.kv, op)
		out = append(out, ValidatorPower{Operator: op, ConsPubKey: val.ConsPubKey, Power: int64(pw)})
	}
	return out
}

// Store keys, for queries with Merkle proofs: the app proves the value at
// the key and the client decodes it with DecodeAccount or DecodeAmount.

// AccountKey is the store key of addr's account record: its nonce and
// balance (decode the value with DecodeAccount).
func AccountKey(addr chain.Address) []byte { return authkeeper.New().AccountKey(addr) }

// Account is an address's next nonce and balance, as stored.
type Account = authtypes.Account

// DecodeAccount decodes an account record as stored (nil, for an absent
// key, is the zero account: nonce 0, balance 0).
func DecodeAccount(b []byte) (Account, error) {
	if b == nil {
		return Account{}, nil
	}
	return authtypes.AccountValue.DecodeValue(b)
}

// StakeKey is the store key of addr's stake in role (value: uvarint utgt,
// absent = 0).
func StakeKey(addr chain.Address, role stakingtypes.Role) []byte {
	return stakingkeeper.New(nil).StakeKey(addr, role)
}

// DecodeAmount decodes a stake value as stored (nil, for an absent key, is
// 0).
func DecodeAmount(b []byte) (uint64, error) {
	if b == nil {
		return 0, nil
	}
	r := codec.NewReader(b)
	v := r.Uvarint("amount")
	return v, r.Done()
}
