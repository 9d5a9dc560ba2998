package keeper

import (
	"fmt"
	"iter"

	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/state"
	"tangent/ledger/x/staking/types"
)

// Keeper reads and writes x/staking state. It keeps one piece of memory
// between calls: whether validator stakes changed in the current block
// (so EndBlock recomputes the validator set only then). That flag is
// rebuilt by re-executing a block, so it never needs persisting.
type Keeper struct {
	bank types.BankKeeper

	stakes     collections.Map[collections.Pair[uint8, chain.Address], uint64]
	validators collections.Map[chain.Address, types.Validator]
	consIndex  collections.Map[chain.Address, chain.Address]
	powers     collections.Map[chain.Address, uint64]
	unbondings collections.Map[collections.Pair[collections.Pair[uint8, chain.Address], uint64], types.Unbonding]
	queue      collections.Map[collections.Pair[uint64, uint64], types.StakeRef]
	escrows    collections.Map[collections.Pair[string, chain.Address], uint64]
	nextID     collections.Item[uint64]
	totBonded  collections.Item[uint64]
	totUnbond  collections.Item[uint64]
	totEscrow  collections.Item[uint64]
	params     collections.Item[types.Params]

	valsDirty bool
}

var _ types.StakingKeeper = (*Keeper)(nil)

type roleAddr = collections.Pair[uint8, chain.Address]

// New returns the keeper.
func New(bank types.BankKeeper) *Keeper {
	ra := collections.PairKey(collections.ByteKey, collections.AddressKey)
	return &Keeper{
		bank:       bank,
		stakes:     collections.NewMap(types.StakePrefix, "staking/stake", ra, collections.Uint64Value),
		validators: collections.NewMap(types.ValidatorPrefix, "staking/validator", collections.AddressKey, types.ValidatorValue),
		consIndex:  collections.NewMap(types.ConsIndexPrefix, "staking/cons", collections.AddressKey, types.AddressValue),
		powers:     collections.NewMap(types.PowerPrefix, "staking/power", collections.AddressKey, collections.Uint64Value),
		unbondings: collections.NewMap(types.UnbondingPrefix, "staking/unbonding", collections.PairKey(ra, collections.Uint64Key), types.UnbondingValue),
		queue:      collections.NewMap(types.QueuePrefix, "staking/queue", collections.PairKey(collections.Uint64Key, collections.Uint64Key), types.StakeRefValue),
		escrows:    collections.NewMap(types.EscrowPrefix, "staking/escrow", collections.PairKey(collections.StringKey, collections.AddressKey), collections.Uint64Value),
		nextID:     collections.NewItem(types.NextUnbondingIDKey, "staking/next_unbonding_id", collections.Uint64Value),
		totBonded:  collections.NewItem(types.TotalBondedKey, "staking/total/bonded", collections.Uint64Value),
		totUnbond:  collections.NewItem(types.TotalUnbondingKey, "staking/total/unbonding", collections.Uint64Value),
		totEscrow:  collections.NewItem(types.TotalEscrowKey, "staking/total/escrow", collections.Uint64Value),
		params:     collections.NewItem(types.ParamsKey, "staking/params", types.ParamsValue),
	}
}

func ra(addr chain.Address, role types.Role) roleAddr { return collections.Join(uint8(role), addr) }

// ---- read-only view ----

// Params returns the staking parameters.
func (k *Keeper) Params(kv state.KV) types.Params {
	p, ok := k.params.Get(kv)
	if !ok {
		panic("staking: params missing from state (InitChain not run?)")
	}
	return p
}

// StakeOf implements types.StakingKeeper.
func (k *Keeper) StakeOf(kv state.KV, addr chain.Address, role types.Role) uint64 {
	return k.stakes.GetOr(kv, ra(addr, role), 0)
}

// StakeKey is the store key of a stake (for queries with proofs).
func (k *Keeper) StakeKey(addr chain.Address, role types.Role) []byte {
	return k.stakes.Key(ra(addr, role))
}

// Stakes iterates the bonded stakes of one role in address order.
func (k *Keeper) Stakes(kv state.KV, role types.Role) iter.Seq2[chain.Address, uint64] {
	return func(yield func(chain.Address, uint64) bool) {
		for key, v := range k.stakes.WithPrefix(kv, []byte{byte(role)}) {
			if !yield(key.K2, v) {
				return
			}
		}
	}
}

// Validator returns the validator record of an operator.
func (k *Keeper) Validator(kv state.KV, addr chain.Address) (types.Validator, bool) {
	return k.validators.Get(kv, addr)
}

// OperatorByConsAddr maps a consensus address (CometBFT's validator
// address) to the operator account.
func (k *Keeper) OperatorByConsAddr(kv state.KV, cons chain.Address) (chain.Address, bool) {
	return k.consIndex.Get(kv, cons)
}

// Unbondings iterates the pending unbondings of (addr, role) by id (that is,
// oldest first).
func (k *Keeper) Unbondings(kv state.KV, addr chain.Address, role types.Role) iter.Seq2[uint64, types.Unbonding] {
	return func(yield func(uint64, types.Unbonding) bool) {
		p := append([]byte{byte(role)}, addr[:]...)
		for key, u := range k.unbondings.WithPrefix(kv, p) {
			if !yield(key.K2, u) {
				return
			}
		}
	}
}

// UnbondingOf is the sum of pending unbondings of (addr, role).
func (k *Keeper) UnbondingOf(kv state.KV, addr chain.Address, role types.Role) uint64 {
	var s uint64
	for _, u := range k.Unbondings(kv, addr, role) {
		s = chain.MustAdd(s, u.Amount)
	}
	return s
}

// EscrowOf implements types.StakingKeeper.
func (k *Keeper) EscrowOf(kv state.KV, id string, owner chain.Address) uint64 {
	return k.escrows.GetOr(kv, collections.Join(id, owner), 0)
}

// Totals returns the running totals of bonded stake, pending unbondings and
// escrows.
func (k *Keeper) Totals(kv state.KV) (bonded, unbonding, escrowed uint64) {
	return k.totBonded.GetOr(kv, 0), k.totUnbond.GetOr(kv, 0), k.totEscrow.GetOr(kv, 0)
}

// Sums recomputes the three totals by walking state (for invariants).
func (k *Keeper) Sums(kv state.KV) (bonded, unbonding, escrowed uint64) {
	for _, v := range k.stakes.All(kv) {
		bonded = chain.MustAdd(bonded, v)
	}
	for _, u := range k.unbondings.All(kv) {
		unbonding = chain.MustAdd(unbonding, u.Amount)
	}
	for _, v := range k.escrows.All(kv) {
		escrowed = chain.MustAdd(escrowed, v)
	}
	return
}

// Powers iterates the validator powers last sent to CometBFT, by operator.
func (k *Keeper) Powers(kv state.KV) iter.Seq2[chain.Address, uint64] { return k.powers.All(kv) }

// ---- internal helpers ----

func (k *Keeper) markDirty(ctx *chain.Context, role types.Role) {
	if role == types.RoleValidator && ctx.Mode != chain.ModeCheck {
		k.valsDirty = true
	}
}

func (k *Keeper) setStake(kv state.KV, addr chain.Address, role types.Role, v uint64) {
	if v == 0 {
		k.stakes.Delete(kv, ra(addr, role))
		return
	}
	k.stakes.Set(kv, ra(addr, role), v)
}

func addTotal(kv state.KV, it collections.Item[uint64], d uint64) {
	it.Set(kv, chain.MustAdd(it.GetOr(kv, 0), d))
}

func subTotal(kv state.KV, it collections.Item[uint64], d uint64) {
	v := it.GetOr(kv, 0)
	if v < d {
		panic("invariant broken: a staking total would go negative")
	}
	it.Set(kv, v-d)
}

func checkRole(role types.Role) error {
	if !role.Valid() {
		return types.ErrInvalidRole.Wrapf("role %d; roles are 1 (validator) to 5 (storage)", uint8(role))
	}
	return nil
}

// CheckQueue checks that unbondings and the maturity queue match one to one
// (for invariants).
func (k *Keeper) CheckQueue(kv state.KV) error {
	type ref struct {
		id  uint64
		ch  uint64
		ref types.StakeRef
	}
	var fromUnb, fromQueue []ref
	for key, u := range k.unbondings.All(kv) {
		fromUnb = append(fromUnb, ref{key.K2, u.CompletionHeight, types.StakeRef{Role: types.Role(key.K1.K1), Address: key.K1.K2}})
	}
	for key, r := range k.queue.All(kv) {
		fromQueue = append(fromQueue, ref{key.K2, key.K1, r})
	}
	if len(fromUnb) != len(fromQueue) {
		return fmt.Errorf("staking: %d unbondings but %d queue entries", len(fromUnb), len(fromQueue))
	}
	byID := map[uint64]ref{}
	for _, r := range fromUnb {
		byID[r.id] = r
	}
	for _, q := range fromQueue {
		if u, ok := byID[q.id]; !ok || u != q {
			return fmt.Errorf("staking: queue entry %d (height %d) does not match its unbonding", q.id, q.ch)
		}
	}
	return nil
}
