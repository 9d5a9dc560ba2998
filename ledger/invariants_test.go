package ledger_test

import (
	"strings"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/codec"
	"tangent/ledger/state"
	authtypes "tangent/ledger/x/auth/types"
	stakingtypes "tangent/ledger/x/staking/types"
)

// TestInvariantsCatchCorruption breaks the accounting by writing to the
// store directly (as a bug would) and requires CheckInvariants to notice.
func TestInvariantsCatchCorruption(t *testing.T) {
	h := newHarness(t)
	h.Block(
		signedTx(h, alice, 0, nil, &stakingtypes.MsgBond{Role: stakingtypes.RoleTrainer, Amount: 1_000}),
		signedTx(h, alice, 1, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleTrainer, Amount: 400}),
	)
	if err := h.L.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	amount := func(v uint64) []byte { return codec.AppendUvarint(nil, v) }
	account := func(a chain.Address, balance uint64) []byte {
		return authtypes.AccountValue.AppendValue(nil, ledger.Account{Nonce: h.View().Nonce(a), Balance: balance})
	}
	for _, tc := range []struct {
		name    string
		corrupt func(kv *state.Mem)
		want    string
	}{
		{"coins from nowhere", func(kv *state.Mem) {
			kv.Set(ledger.AccountKey(bob.Addr), account(bob.Addr, h.View().Balance(bob.Addr)+1))
		}, "supply"},
		{"coins vanish", func(kv *state.Mem) { kv.Delete(ledger.AccountKey(mallory.Addr)) }, "supply"},
		{"stake from nowhere", func(kv *state.Mem) {
			kv.Set(ledger.StakeKey(bob.Addr, stakingtypes.RoleSolver), amount(5))
		}, "supply"},
		{"running total off", func(kv *state.Mem) { kv.Set(stakingtypes.TotalBondedKey, amount(1)) }, "staking totals"},
		{"unbonding without its queue entry", func(kv *state.Mem) {
			it := kv.Iterator(stakingtypes.QueuePrefix, state.PrefixEnd(stakingtypes.QueuePrefix), true)
			k := it.Key()
			it.Close()
			kv.Delete(k)
		}, "queue"},
		{"validator stake without a record", func(kv *state.Mem) {
			kv.Delete(append(append([]byte(nil), stakingtypes.ValidatorPrefix...), val2.Addr[:]...))
		}, "no validator record"},
		{"power beyond CometBFT's limit", func(kv *state.Mem) {
			kv.Set(append(append([]byte(nil), stakingtypes.PowerPrefix...), val.Addr[:]...), amount(stakingtypes.MaxTotalPower+1))
		}, "voting power"},
		{"supply overflow", func(kv *state.Mem) {
			kv.Set(ledger.AccountKey(chain.Address{7}), account(chain.Address{7}, 1<<64-1))
		}, "overflow"},
	} {
		kv := h.Store.Clone()
		tc.corrupt(kv)
		err := ledger.CheckInvariantsKV(kv)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: CheckInvariants = %v, want an error about %q", tc.name, err, tc.want)
		}
	}
	// The harness store itself was not touched.
	if err := h.L.CheckInvariants(); err != nil {
		t.Fatal(err)
	}
	// Through the ledger: CheckInvariants sees a direct write to its store.
	h.Store.Set(ledger.AccountKey(bob.Addr), account(bob.Addr, 1))
	if h.L.CheckInvariants() == nil {
		t.Fatal("CheckInvariants missed a broken supply")
	}
}
