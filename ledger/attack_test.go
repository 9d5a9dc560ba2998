package ledger_test

import (
	"fmt"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	stakingtypes "tangent/ledger/x/staking/types"
)

// Each rule that punishes has an attacker who tries to dodge it.

func holdings(v ledger.View, a chain.Address) string {
	s := fmt.Sprintf("bal=%d", v.Balance(a))
	for _, r := range stakingtypes.Roles {
		s += fmt.Sprintf(" %s=%d/%d", r, v.Stake(a, r), v.Unbonding(a, r))
	}
	return s
}

func doubleSign(cons ledgertest.Key, height int64) []chain.Misbehavior {
	return []chain.Misbehavior{{Kind: chain.DuplicateVote, Validator: cons.Addr, Height: height}}
}

// TestAttackUnbondBeforeSlash: a validator that double-signed starts
// unbonding before the evidence lands. The unbonding is still slashable:
// it loses double_sign_slash (5%) of its stake and of the pending
// unbonding, is jailed and leaves the set; honest parties lose nothing.
func TestAttackUnbondBeforeSlash(t *testing.T) {
	for _, unbond := range []uint64{40_000_000, 50_000_000} {
		t.Run(fmt.Sprintf("unbond %d of 50000000", unbond), func(t *testing.T) {
			h := newHarness(t)
			slash := h.View().StakingParams().DoubleSignSlash
			res, _ := h.Block(signedTx(h, val2, 0, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleValidator, Amount: unbond}))
			wantCode(t, "unbond", res[0], nil, "")
			crime := h.Height
			honest := map[chain.Address]string{}
			for _, k := range []ledgertest.Key{alice, bob, mallory, val} {
				honest[k.Addr] = holdings(h.View(), k.Addr)
			}
			supply0 := h.View().Supply()
			bal0 := h.View().Balance(val2.Addr)

			_, end := h.BlockWith(doubleSign(val2Con, crime))
			stakeLeft := 50_000_000 - unbond
			wantCut := slash.Of(stakeLeft) + slash.Of(unbond)
			v := h.View()
			if got := v.Stake(val2.Addr, stakingtypes.RoleValidator); got != stakeLeft-slash.Of(stakeLeft) {
				t.Fatalf("stake %d, want %d", got, stakeLeft-slash.Of(stakeLeft))
			}
			if got := v.Unbonding(val2.Addr, stakingtypes.RoleValidator); got != unbond-slash.Of(unbond) {
				t.Fatalf("unbonding %d, want %d: unbonding escaped the slash", got, unbond-slash.Of(unbond))
			}
			if v.Supply() != supply0-wantCut {
				t.Fatalf("supply %d, want %d (burned %d)", v.Supply(), supply0-wantCut, wantCut)
			}
			for a, s := range honest {
				if holdings(v, a) != s {
					t.Fatalf("honest %s changed: %s -> %s", a, s, holdings(v, a))
				}
			}
			// Jailed and out of the set (it had power only if it kept enough stake).
			if stakeLeft > 0 {
				if len(end.ValidatorUpdates) != 1 || end.ValidatorUpdates[0].PubKey != val2Con.Pub || end.ValidatorUpdates[0].Power != 0 {
					t.Fatalf("updates %v, want val2 removed", end.ValidatorUpdates)
				}
			}
			// A jailed validator cannot bond its way back, but may leave.
			res, _ = h.Block(signedTx(h, val2, 1, nil, &stakingtypes.MsgBond{Role: stakingtypes.RoleValidator, Amount: 10_000_000}))
			wantCode(t, "jailed bond", res[0], stakingtypes.ErrJailed, "jailed")
			// Evidence of the same crime again punishes nothing more.
			before := h.Store.Clone()
			h.BlockWith(doubleSign(val2Con, crime))
			if ks := ledgertest.ChangedKeys(before, h.Store); len(ks) != 0 {
				t.Fatalf("repeated evidence changed %s", ledgertest.PrintKey(ks[0]))
			}
			// The unbonding pays out only what is left of it.
			fees := res[0].Fee
			for i := 0; i < 12; i++ {
				h.Block()
			}
			if got, want := h.View().Balance(val2.Addr), bal0-fees+unbond-slash.Of(unbond); got != want {
				t.Fatalf("after maturity val2 has %d, want %d", got, want)
			}
		})
	}
}

// TestAttackEvidenceAgainstUnknown: evidence naming no validator, or
// naming an account rather than a consensus key, punishes nobody.
func TestAttackEvidenceAgainstUnknown(t *testing.T) {
	h := newHarness(t)
	before := h.Store.Clone()
	h.BlockWith([]chain.Misbehavior{
		{Kind: chain.DuplicateVote, Validator: chain.Address{9}, Height: 1},
		{Kind: chain.LightClientAttack, Validator: val.Addr, Height: 1}, // operator, not consensus, address
	})
	if ks := ledgertest.ChangedKeys(before, h.Store); len(ks) != 0 {
		t.Fatalf("evidence against nobody changed %s", ledgertest.PrintKey(ks[0]))
	}
}

// TestAttackStakeTheft: a bond, unbond or send only ever moves the
// signer's own coins; an attacker cannot unbond more than it bonded, nor
// someone else's stake.
func TestAttackStakeTheft(t *testing.T) {
	h := newHarness(t)
	res, _ := h.Block(signedTx(h, alice, 0, nil, &stakingtypes.MsgBond{Role: stakingtypes.RoleTrainer, Amount: 1_000_000}))
	wantCode(t, "alice bonds", res[0], nil, "")
	aliceBefore := holdings(h.View(), alice.Addr)

	// Mallory bonds: her balance pays, not alice's.
	m0 := h.View().Balance(mallory.Addr)
	res, _ = h.Block(signedTx(h, mallory, 0, nil, &stakingtypes.MsgBond{Role: stakingtypes.RoleTrainer, Amount: 500}))
	wantCode(t, "mallory bonds", res[0], nil, "")
	if h.View().Balance(mallory.Addr) != m0-500-res[0].Fee || h.View().Stake(mallory.Addr, stakingtypes.RoleTrainer) != 500 {
		t.Fatal("mallory's bond did not come from her balance")
	}
	// She cannot unbond more than her 500, nor reach alice's stake.
	res, _ = h.Block(signedTx(h, mallory, 1, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleTrainer, Amount: 501}))
	wantCode(t, "unbond more than bonded", res[0], stakingtypes.ErrInsufficientStake, "cannot unbond 501")
	res, _ = h.Block(signedTx(h, mallory, 2, nil, &stakingtypes.MsgUnbond{Role: stakingtypes.RoleSolver, Amount: 1}))
	wantCode(t, "unbond another role", res[0], stakingtypes.ErrInsufficientStake, "bonded as solver")
	// Two unbonds in one tx that together exceed the stake: all or nothing.
	res, _ = h.Block(signedTx(h, mallory, 3, nil,
		&stakingtypes.MsgUnbond{Role: stakingtypes.RoleTrainer, Amount: 300},
		&stakingtypes.MsgUnbond{Role: stakingtypes.RoleTrainer, Amount: 300}))
	wantCode(t, "double unbond", res[0], stakingtypes.ErrInsufficientStake, "message 1")
	if h.View().Stake(mallory.Addr, stakingtypes.RoleTrainer) != 500 || h.View().Unbonding(mallory.Addr, stakingtypes.RoleTrainer) != 0 {
		t.Fatal("a failed tx left a partial unbond")
	}
	// A tx naming alice's key but signed by mallory is rejected (see
	// TestBadInput "signature by another key").
	if holdings(h.View(), alice.Addr) != aliceBefore {
		t.Fatalf("alice changed: %s -> %s", aliceBefore, holdings(h.View(), alice.Addr))
	}
}

// TestAttackValidatorKeyHijack: an attacker cannot bond as a validator
// with someone else's consensus key (it would take over their votes'
// power accounting, or lock the owner out of registering it): not without
// a proof, not with a proof the key made for another operator or chain
// (copied from the owner's bond in the mempool), and a key that is
// registered stays with its validator even when its holder signs a proof
// for a second operator. A validator cannot change its key. The attacker
// pays only fees; the owner then bonds with its key.
func TestAttackValidatorKeyHijack(t *testing.T) {
	h := newHarness(t)
	newCons := ledgertest.NewKey("bob/cons") // bob's node, not yet a validator
	bond := func(cons ledgertest.Key, chainID string, operator chain.Address) *stakingtypes.MsgBond {
		m := &stakingtypes.MsgBond{Role: stakingtypes.RoleValidator, Amount: 2_000_000}
		m.ProveConsKey(chainID, operator, cons.Priv)
		return m
	}
	noProof := &stakingtypes.MsgBond{Role: stakingtypes.RoleValidator, Amount: 2_000_000, HasConsKey: true, ConsPubKey: newCons.Pub}
	fees := uint64(0)
	for i, tc := range []struct {
		name string
		msg  *stakingtypes.MsgBond
		err  *chain.Error
		log  string
	}{
		{"no proof", noProof, stakingtypes.ErrBadConsKeyProof, "ProveConsKey"},
		{"bob's proof, copied", bond(newCons, h.ChainID, bob.Addr), stakingtypes.ErrBadConsKeyProof, mallory.Addr.String()},
		{"proof for another chain", bond(newCons, "other-chain-1", mallory.Addr), stakingtypes.ErrBadConsKeyProof, h.ChainID},
		{"a registered key", bond(valCons, h.ChainID, mallory.Addr), stakingtypes.ErrConsKeyTaken, val.Addr.String()},
	} {
		b := signedTx(h, mallory, uint64(i), nil, tc.msg)
		res, _ := h.Block(b)
		wantCode(t, tc.name, res[0], tc.err, tc.log)
		fees += res[0].Fee
	}
	res, _ := h.Block(signedTx(h, val, 0, nil, bond(ledgertest.NewKey("mallory/cons"), h.ChainID, val.Addr)))
	wantCode(t, "key change", res[0], stakingtypes.ErrConsKeyMismatch, "consensus key")
	if got, want := holdings(h.View(), mallory.Addr), fmt.Sprintf("bal=%d", 10_000_000_000-fees); got[:len(want)] != want || h.View().Stake(mallory.Addr, stakingtypes.RoleValidator) != 0 {
		t.Fatalf("mallory after the attempts: %s, want %s and no stake", got, want)
	}

	// The owner bonds with its key.
	res, _ = h.Block(signedTx(h, bob, 0, nil, bond(newCons, h.ChainID, bob.Addr)))
	wantCode(t, "owner's bond", res[0], nil, "")
	if vs := h.View().Validators(); len(vs) != 3 {
		t.Fatalf("validator set %v, want val, val2 and bob", vs)
	}
}
