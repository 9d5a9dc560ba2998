package keeper_test

import (
	"bytes"
	"errors"
	"fmt"
	"testing"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/state"
	banktypes "tangent/ledger/x/bank/types"
	"tangent/ledger/x/staking/keeper"
	"tangent/ledger/x/staking/types"
)

var (
	alice   = ledgertest.NewKey("alice")
	bob     = ledgertest.NewKey("bob")
	carol   = ledgertest.NewKey("carol")
	mallory = ledgertest.NewKey("mallory")
	val     = ledgertest.NewKey("val")
	valCons = ledgertest.NewKey("val/cons")
	val2    = ledgertest.NewKey("val2")
	v2Cons  = ledgertest.NewKey("val2/cons")
	val3    = ledgertest.NewKey("val3")
	v3Cons  = ledgertest.NewKey("val3/cons")
)

const (
	unbondingBlocks = 10
	minValStake     = 2_000_000
	powerReduction  = 1_000_000
)

// fx is a chain with two validators (val: 100 power, val2: 50 power) and
// funded accounts, on which tests call the keeper directly between blocks.
type fx struct {
	t *testing.T
	h *ledgertest.Harness
	k *keeper.Keeper
}

func newFx(t *testing.T, edit ...func(*ledger.Genesis)) *fx {
	t.Helper()
	g := ledger.DefaultGenesis("staking-test")
	g.Staking.Params.UnbondingBlocks = unbondingBlocks
	g.Staking.Params.MinValidatorStake = minValStake
	g.Staking.Params.PowerReduction = powerReduction
	g.Staking.Params.MaxUnbondingEntries = 3
	for _, k := range []ledgertest.Key{alice, bob, carol, mallory, val, val2, val3} {
		g.Bank.Balances = append(g.Bank.Balances, bankBalance(k.Addr, 1_000_000_000))
	}
	k1, k2 := valCons.Pub, v2Cons.Pub
	g.Staking.Stakes = append(g.Staking.Stakes,
		types.GenesisStake{Address: val.Addr, Role: types.RoleValidator, Amount: 100_000_000, ConsPubKey: &k1},
		types.GenesisStake{Address: val2.Addr, Role: types.RoleValidator, Amount: 50_000_000, ConsPubKey: &k2},
	)
	for _, e := range edit {
		e(&g)
	}
	g.Normalize()
	h := ledgertest.NewHarness(t, g)
	h.Proposer = chain.Address{} // no proposer: fees stay put, balances are easy to follow
	return &fx{t: t, h: h, k: h.L.Staking}
}

// ctx is a context for the next block's height over the committed store.
func (f *fx) ctx() *chain.Context {
	return &chain.Context{KV: f.h.Store, Header: chain.Header{Height: f.h.Height + 1}, ChainID: f.h.ChainID, Mode: chain.ModeDeliver}
}

// block runs an empty block (maturing unbondings, updating the validator
// set) and checks the invariants.
func (f *fx) block() ledger.EndBlockResult {
	f.t.Helper()
	_, end := f.h.Block()
	return end
}

func (f *fx) invariants() {
	f.t.Helper()
	if err := ledger.CheckInvariantsKV(f.h.Store); err != nil {
		f.t.Fatal(err)
	}
}

func bankBalance(a chain.Address, amt uint64) banktypes.Balance {
	return banktypes.Balance{Address: a, Amount: amt}
}

func (f *fx) view() ledger.View { return f.h.View() }

func isErr(err error, want *chain.Error) bool {
	if want == nil {
		return err == nil
	}
	return errors.Is(err, want)
}

func TestBond(t *testing.T) {
	k3, k2 := v3Cons.Pub, v2Cons.Pub
	cases := []struct {
		name   string
		who    ledgertest.Key
		role   types.Role
		amount uint64
		key    *chain.PubKey
		err    *chain.Error
	}{
		{"trainer", alice, types.RoleTrainer, 5_000, nil, nil},
		{"solver", alice, types.RoleSolver, 5_000, nil, nil},
		{"verifier", alice, types.RoleVerifier, 5_000, nil, nil},
		{"storage", alice, types.RoleStorage, 5_000, nil, nil},
		{"new validator", val3, types.RoleValidator, minValStake, &k3, nil},
		{"more validator stake, key omitted", val, types.RoleValidator, 1, nil, nil},
		{"more validator stake, key repeated", val2, types.RoleValidator, 1, &k2, nil},
		{"invalid role 0", alice, 0, 5, nil, types.ErrInvalidRole},
		{"invalid role 6", alice, 6, 5, nil, types.ErrInvalidRole},
		{"zero", alice, types.RoleTrainer, 0, nil, types.ErrInvalidAmount},
		{"more than the balance", alice, types.RoleTrainer, 1_000_000_001, nil, banktypes.ErrInsufficientFunds},
		{"first validator bond without a key", val3, types.RoleValidator, minValStake, nil, types.ErrMissingConsKey},
		{"validator below the minimum", val3, types.RoleValidator, minValStake - 1, &k3, types.ErrBelowMinStake},
		{"someone else's consensus key", val3, types.RoleValidator, minValStake, &k2, types.ErrConsKeyTaken},
		{"another key than registered", val, types.RoleValidator, 1, &k3, types.ErrConsKeyMismatch},
		{"key on a trainer bond", alice, types.RoleTrainer, 1, &k3, types.ErrMissingConsKey},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			ctx := f.ctx()
			before := f.h.Store.Clone()
			stake0, bal0 := f.view().Stake(tc.who.Addr, tc.role), f.view().Balance(tc.who.Addr)
			err := f.k.Bond(ctx, tc.who.Addr, tc.role, tc.amount, tc.key)
			if !isErr(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if tc.err != nil {
				if ks := ledgertest.ChangedKeys(before, f.h.Store); len(ks) != 0 {
					t.Fatalf("failed bond changed %s", ledgertest.PrintKey(ks[0]))
				}
				return
			}
			if got := f.view().Stake(tc.who.Addr, tc.role); got != stake0+tc.amount {
				t.Fatalf("stake %d, want %d", got, stake0+tc.amount)
			}
			if got := f.view().Balance(tc.who.Addr); got != bal0-tc.amount {
				t.Fatalf("balance %d, want %d", got, bal0-tc.amount)
			}
			if len(ctx.Events) != 1 || ctx.Events[0].FullType() != "staking.bond" {
				t.Fatalf("events %v", ctx.Events)
			}
			f.invariants()
		})
	}
}

func TestUnbondMaturity(t *testing.T) {
	f := newFx(t)
	ctx := f.ctx()
	must(t, f.k.Bond(ctx, alice.Addr, types.RoleTrainer, 1_000, nil))
	h := f.h.Height + 1 // the height ctx executes at
	done, err := f.k.Unbond(ctx, alice.Addr, types.RoleTrainer, 400)
	must(t, err)
	if done != uint64(h)+unbondingBlocks {
		t.Fatalf("completion height %d, want %d", done, uint64(h)+unbondingBlocks)
	}
	bal := f.view().Balance(alice.Addr)
	if f.view().Stake(alice.Addr, types.RoleTrainer) != 600 || f.view().Unbonding(alice.Addr, types.RoleTrainer) != 400 {
		t.Fatal("unbond did not move 400 from stake to unbonding")
	}
	f.invariants()
	// Blocks h .. h+9: still pending (and slashable).
	for f.h.Height < h+unbondingBlocks-1 {
		f.block()
		if f.view().Balance(alice.Addr) != bal || f.view().Unbonding(alice.Addr, types.RoleTrainer) != 400 {
			t.Fatalf("paid early at height %d", f.h.Height)
		}
	}
	// Block h+10 pays out at EndBlock.
	end := f.block()
	if f.view().Balance(alice.Addr) != bal+400 || f.view().Unbonding(alice.Addr, types.RoleTrainer) != 0 {
		t.Fatalf("not paid at completion height %d", f.h.Height)
	}
	if len(end.Events) != 1 || end.Events[0].FullType() != "staking.unbond_complete" {
		t.Fatalf("events %v", end.Events)
	}
}

func TestUnbondErrors(t *testing.T) {
	f := newFx(t)
	ctx := f.ctx()
	must(t, f.k.Bond(ctx, alice.Addr, types.RoleSolver, 100, nil))
	for _, tc := range []struct {
		name   string
		who    ledgertest.Key
		role   types.Role
		amount uint64
		err    *chain.Error
	}{
		{"more than bonded", alice, types.RoleSolver, 101, types.ErrInsufficientStake},
		{"another role's stake", alice, types.RoleTrainer, 1, types.ErrInsufficientStake},
		{"someone else's stake", mallory, types.RoleSolver, 1, types.ErrInsufficientStake},
		{"zero", alice, types.RoleSolver, 0, types.ErrInvalidAmount},
		{"invalid role", alice, 7, 1, types.ErrInvalidRole},
	} {
		before := f.h.Store.Clone()
		if _, err := f.k.Unbond(ctx, tc.who.Addr, tc.role, tc.amount); !isErr(err, tc.err) {
			t.Errorf("%s: err %v, want %v", tc.name, err, tc.err)
		}
		if ks := ledgertest.ChangedKeys(before, f.h.Store); len(ks) != 0 {
			t.Errorf("%s: changed %s", tc.name, ledgertest.PrintKey(ks[0]))
		}
	}
	// max_unbonding_entries = 3.
	for i := 0; i < 3; i++ {
		_, err := f.k.Unbond(ctx, alice.Addr, types.RoleSolver, 10)
		must(t, err)
	}
	if _, err := f.k.Unbond(ctx, alice.Addr, types.RoleSolver, 10); !errors.Is(err, types.ErrTooManyUnbondings) {
		t.Fatalf("4th pending unbonding: %v", err)
	}
	f.invariants()
}

// TestLastValidator: the last validator with power cannot unbond below the
// minimum; once another validator has power it can.
func TestLastValidator(t *testing.T) {
	f := newFx(t, func(g *ledger.Genesis) { g.Staking.Stakes = g.Staking.Stakes[:1] })
	ctx := f.ctx()
	if _, err := f.k.Unbond(ctx, val.Addr, types.RoleValidator, 100_000_000-minValStake+1); !errors.Is(err, types.ErrLastValidator) {
		t.Fatalf("last validator unbonding below the minimum: %v", err)
	}
	// Staying at the minimum is fine.
	_, err := f.k.Unbond(ctx, val.Addr, types.RoleValidator, 100_000_000-minValStake)
	must(t, err)
	k3 := v3Cons.Pub
	must(t, f.k.Bond(ctx, val3.Addr, types.RoleValidator, minValStake, &k3))
	_, err = f.k.Unbond(ctx, val.Addr, types.RoleValidator, minValStake)
	must(t, err)
	end := f.block()
	// val leaves (power 0), val3 joins (power 2); sorted by consensus key.
	want := []types.ValidatorUpdate{{PubKey: valCons.Pub, Power: 0}, {PubKey: v3Cons.Pub, Power: 2}}
	sortUpdates(want)
	if fmt.Sprint(end.ValidatorUpdates) != fmt.Sprint(want) {
		t.Fatalf("updates %v, want %v", end.ValidatorUpdates, want)
	}
}

// TestValidatorUpdates: EndBlock returns the power changes of the block,
// sorted by consensus key, and nothing when no validator stake changed.
func TestValidatorUpdates(t *testing.T) {
	f := newFx(t, func(g *ledger.Genesis) { g.Staking.Params.MaxValidators = 2 })
	if got := f.h.InitialValidators; len(got) != 2 || got[0].Power+got[1].Power != 150 {
		t.Fatalf("genesis set %v", got)
	}
	if end := f.block(); len(end.ValidatorUpdates) != 0 {
		t.Fatalf("an empty block changed the set: %v", end.ValidatorUpdates)
	}
	// Bonding more changes power.
	must(t, f.k.Bond(f.ctx(), val2.Addr, types.RoleValidator, 5_000_000, nil))
	assertUpdates(t, f.block(), types.ValidatorUpdate{PubKey: v2Cons.Pub, Power: 55})
	// A stake change below one power unit sends no update.
	must(t, f.k.Bond(f.ctx(), val2.Addr, types.RoleValidator, 10, nil))
	assertUpdates(t, f.block())
	// A third validator with more power pushes the smallest out
	// (max_validators = 2).
	k3 := v3Cons.Pub
	must(t, f.k.Bond(f.ctx(), val3.Addr, types.RoleValidator, 60_000_000, &k3))
	assertUpdates(t, f.block(), types.ValidatorUpdate{PubKey: v2Cons.Pub, Power: 0}, types.ValidatorUpdate{PubKey: v3Cons.Pub, Power: 60})
	// Unbonding below min_validator_stake removes val3; val2 comes back.
	_, err := f.k.Unbond(f.ctx(), val3.Addr, types.RoleValidator, 60_000_000-minValStake+1)
	must(t, err)
	assertUpdates(t, f.block(), types.ValidatorUpdate{PubKey: v2Cons.Pub, Power: 55}, types.ValidatorUpdate{PubKey: v3Cons.Pub, Power: 0})
	vs := f.view().Validators()
	if len(vs) != 2 || vs[0].Power+vs[1].Power != 155 {
		t.Fatalf("stored set %v", vs)
	}
	// Non-validator stakes never touch the set.
	must(t, f.k.Bond(f.ctx(), alice.Addr, types.RoleTrainer, 90_000_000, nil))
	assertUpdates(t, f.block())
}

func assertUpdates(t *testing.T, end ledger.EndBlockResult, want ...types.ValidatorUpdate) {
	t.Helper()
	sortUpdates(want)
	if fmt.Sprint(end.ValidatorUpdates) != fmt.Sprint(want) && !(len(want) == 0 && len(end.ValidatorUpdates) == 0) {
		t.Fatalf("updates %v, want %v", end.ValidatorUpdates, want)
	}
}

func sortUpdates(u []types.ValidatorUpdate) {
	for i := 1; i < len(u); i++ {
		for j := i; j > 0 && bytes.Compare(u[j].PubKey[:], u[j-1].PubKey[:]) < 0; j-- {
			u[j], u[j-1] = u[j-1], u[j]
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// partyOnly fails unless every changed key belongs to addr (contains its
// bytes), is in the unbonding queue, or is a module-wide total.
func partyOnly(t *testing.T, before, after state.KV, addr chain.Address) {
	t.Helper()
	for _, k := range ledgertest.ChangedKeys(before, after) {
		switch {
		case bytes.Contains(k, addr[:]), bytes.HasPrefix(k, types.QueuePrefix),
			bytes.HasPrefix(k, []byte("staking/total/")), bytes.Equal(k, []byte("bank/supply")):
		default:
			t.Errorf("punishing %s changed someone else's key %s", addr, ledgertest.PrintKey(k))
		}
	}
}

// holdings is everything an account owns, for "honest parties lose
// nothing" checks.
func holdings(v ledger.View, a chain.Address) string {
	s := fmt.Sprintf("bal=%d", v.Balance(a))
	for _, r := range types.Roles {
		s += fmt.Sprintf(" %s=%d/%d", r, v.Stake(a, r), v.Unbonding(a, r))
	}
	return s
}

// TestSlash is a table over Slash's destinations and fractions. The
// slashed party holds a stake of 1,000,001 and two pending unbondings of
// 333 and 10,000; it loses exactly floor(f × each) and nobody else loses
// anything.
func TestSlash(t *testing.T) {
	cases := []struct {
		name     string
		fraction chain.PPM
		to       types.SlashTo
		want     uint64 // total taken
		err      *chain.Error
	}{
		{"10% burned", 100_000, types.Burn, 100_000 + 33 + 1_000, nil},
		{"10% escrowed", 100_000, types.ToEscrow("task/7"), 100_000 + 33 + 1_000, nil},
		{"1 ppm rounds down", 1, types.Burn, 1 + 0 + 0, nil},
		{"zero", 0, types.Burn, 0, nil},
		{"all", chain.PPMOne, types.ToEscrow("job/1"), 1_000_001 + 333 + 10_000, nil},
		{"above 100%", chain.PPMOne + 1, types.Burn, 0, types.ErrInvalidFraction},
		{"bad escrow id", 1, types.ToEscrow("has space"), 0, types.ErrInvalidEscrowID},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFx(t)
			ctx := f.ctx()
			must(t, f.k.Bond(ctx, mallory.Addr, types.RoleTrainer, 1_000_001+333+10_000, nil))
			_, err := f.k.Unbond(ctx, mallory.Addr, types.RoleTrainer, 333)
			must(t, err)
			_, err = f.k.Unbond(ctx, mallory.Addr, types.RoleTrainer, 10_000)
			must(t, err)
			must(t, f.k.Bond(ctx, alice.Addr, types.RoleTrainer, 5_000, nil))
			f.block()

			honest := map[chain.Address]string{}
			for _, k := range []ledgertest.Key{alice, bob, val, val2} {
				honest[k.Addr] = holdings(f.view(), k.Addr)
			}
			supply0 := f.view().Supply()
			held0 := f.view().Stake(mallory.Addr, types.RoleTrainer) + f.view().Unbonding(mallory.Addr, types.RoleTrainer)
			before := f.h.Store.Clone()
			ctx = f.ctx()
			got, err := f.k.Slash(ctx, mallory.Addr, types.RoleTrainer, tc.fraction, tc.to, "test")
			if !isErr(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if got != tc.want {
				t.Fatalf("slashed %d, want %d", got, tc.want)
			}
			v := f.view()
			if held := v.Stake(mallory.Addr, types.RoleTrainer) + v.Unbonding(mallory.Addr, types.RoleTrainer); held != held0-tc.want {
				t.Fatalf("mallory holds %d, want %d", held, held0-tc.want)
			}
			wantSupply := supply0
			if tc.to == types.Burn {
				wantSupply -= tc.want
			} else if e := v.Escrow(tc.to.EscrowID, mallory.Addr); e != tc.want {
				t.Fatalf("escrow holds %d, want %d", e, tc.want)
			}
			if v.Supply() != wantSupply {
				t.Fatalf("supply %d, want %d", v.Supply(), wantSupply)
			}
			for a, s := range honest {
				if holdings(v, a) != s {
					t.Fatalf("honest %s changed: %s -> %s", a, s, holdings(v, a))
				}
			}
			partyOnly(t, before, f.h.Store, mallory.Addr)
			f.invariants()
			if tc.err == nil {
				if len(ctx.Events) != 1 || ctx.Events[0].FullType() != "staking.slash" {
					t.Fatalf("events %v", ctx.Events)
				}
				if amt, _ := ctx.Events[0].Attr("amount"); amt != chain.U64(tc.want) {
					t.Fatalf("event amount %s", amt)
				}
			}
			// The unbondings pay out what is left of them, no more.
			bal := v.Balance(mallory.Addr)
			left := v.Unbonding(mallory.Addr, types.RoleTrainer)
			for i := 0; i < unbondingBlocks+1; i++ {
				f.block()
			}
			if f.view().Balance(mallory.Addr) != bal+left || f.view().Unbonding(mallory.Addr, types.RoleTrainer) != 0 {
				t.Fatalf("after maturity balance %d, want %d", f.view().Balance(mallory.Addr), bal+left)
			}
		})
	}
}

// TestSlashAmount takes from the stake first, then from pending unbondings
// oldest first, and never more than the party has.
func TestSlashAmount(t *testing.T) {
	for _, tc := range []struct {
		amount   uint64
		want     uint64
		stake    uint64
		unbonds  [2]uint64 // left in the older and newer unbonding
		to       types.SlashTo
		escrowed uint64
	}{
		{50, 50, 950, [2]uint64{300, 200}, types.Burn, 0},
		{1_000, 1_000, 0, [2]uint64{300, 200}, types.ToEscrow("e"), 1_000},
		{1_200, 1_200, 0, [2]uint64{100, 200}, types.Burn, 0},
		{1_300, 1_300, 0, [2]uint64{0, 200}, types.Burn, 0},
		{1_499, 1_499, 0, [2]uint64{0, 1}, types.ToEscrow("e"), 1_499},
		{5_000, 1_500, 0, [2]uint64{0, 0}, types.Burn, 0},
	} {
		t.Run(fmt.Sprint(tc.amount), func(t *testing.T) {
			f := newFx(t)
			ctx := f.ctx()
			must(t, f.k.Bond(ctx, mallory.Addr, types.RoleSolver, 1_500, nil))
			_, err := f.k.Unbond(ctx, mallory.Addr, types.RoleSolver, 300)
			must(t, err)
			f.block()
			_, err = f.k.Unbond(f.ctx(), mallory.Addr, types.RoleSolver, 200)
			must(t, err)
			f.block()
			supply0 := f.view().Supply()
			before := f.h.Store.Clone()
			got, err := f.k.SlashAmount(f.ctx(), mallory.Addr, types.RoleSolver, tc.amount, tc.to, "fine")
			must(t, err)
			if got != tc.want {
				t.Fatalf("took %d, want %d", got, tc.want)
			}
			if s := f.view().Stake(mallory.Addr, types.RoleSolver); s != tc.stake {
				t.Fatalf("stake %d, want %d", s, tc.stake)
			}
			var left [2]uint64
			i := 0
			for _, u := range f.k.Unbondings(f.h.Store, mallory.Addr, types.RoleSolver) {
				left[i] = u.Amount
				i++
			}
			// Emptied entries are deleted, so shift what is left.
			if tc.unbonds[0] == 0 {
				left = [2]uint64{0, left[0]}
			}
			if left != tc.unbonds {
				t.Fatalf("unbondings %v, want %v", left, tc.unbonds)
			}
			if tc.to == types.Burn && f.view().Supply() != supply0-tc.want {
				t.Fatal("burn did not reduce the supply")
			}
			if e := f.view().Escrow("e", mallory.Addr); e != tc.escrowed {
				t.Fatalf("escrow %d, want %d", e, tc.escrowed)
			}
			partyOnly(t, before, f.h.Store, mallory.Addr)
			f.invariants()
		})
	}
}

// TestEscrow: slashed coins held in escrow can be returned to the owner
// (an honest minority vindicated), paid to someone else (a reward), or
// burned; never more than the escrow holds.
func TestEscrow(t *testing.T) {
	f := newFx(t)
	ctx := f.ctx()
	must(t, f.k.Bond(ctx, bob.Addr, types.RoleTrainer, 10_000, nil))
	if _, err := f.k.Slash(ctx, bob.Addr, types.RoleTrainer, 500_000, types.ToEscrow("task/1"), "rejected update"); err != nil {
		t.Fatal(err)
	}
	f.invariants()
	bal := f.view().Balance(bob.Addr)
	if e := f.view().Escrow("task/1", bob.Addr); e != 5_000 {
		t.Fatalf("escrow %d", e)
	}
	supply := f.view().Supply()
	for _, tc := range []struct {
		name   string
		do     func() error
		err    *chain.Error
		escrow uint64
	}{
		{"return part to the owner", func() error { return f.k.ReleaseEscrow(ctx, "task/1", bob.Addr, 2_000, bob.Addr) }, nil, 3_000},
		{"pay part to a whistleblower", func() error { return f.k.ReleaseEscrow(ctx, "task/1", bob.Addr, 1_000, carol.Addr) }, nil, 2_000},
		{"more than held", func() error { return f.k.ReleaseEscrow(ctx, "task/1", bob.Addr, 2_001, bob.Addr) }, types.ErrInsufficientEscrow, 2_000},
		{"someone else's escrow", func() error { return f.k.ReleaseEscrow(ctx, "task/1", mallory.Addr, 1, mallory.Addr) }, types.ErrInsufficientEscrow, 2_000},
		{"another escrow id", func() error { return f.k.ReleaseEscrow(ctx, "task/2", bob.Addr, 1, bob.Addr) }, types.ErrInsufficientEscrow, 2_000},
		{"zero", func() error { return f.k.ReleaseEscrow(ctx, "task/1", bob.Addr, 0, bob.Addr) }, types.ErrInvalidAmount, 2_000},
		{"invalid id", func() error { return f.k.ReleaseEscrow(ctx, "", bob.Addr, 1, bob.Addr) }, types.ErrInvalidEscrowID, 2_000},
		{"burn part", func() error { return f.k.BurnEscrow(ctx, "task/1", bob.Addr, 500) }, nil, 1_500},
		{"burn more than held", func() error { return f.k.BurnEscrow(ctx, "task/1", bob.Addr, 1_501) }, types.ErrInsufficientEscrow, 1_500},
		{"return the rest", func() error { return f.k.ReleaseEscrow(ctx, "task/1", bob.Addr, 1_500, bob.Addr) }, nil, 0},
	} {
		if err := tc.do(); !isErr(err, tc.err) {
			t.Fatalf("%s: err %v, want %v", tc.name, err, tc.err)
		}
		if e := f.view().Escrow("task/1", bob.Addr); e != tc.escrow {
			t.Fatalf("%s: escrow %d, want %d", tc.name, e, tc.escrow)
		}
		f.invariants()
	}
	if f.view().Balance(bob.Addr) != bal+2_000+1_500 || f.view().Balance(carol.Addr) != 1_000_000_000+1_000 {
		t.Fatal("escrow payouts went to the wrong balances")
	}
	if f.view().Supply() != supply-500 {
		t.Fatalf("supply %d, want %d", f.view().Supply(), supply-500)
	}
}
