package keeper_test

import (
	"errors"
	"math"
	"testing"

	"tangent/ledger/chain"
	"tangent/ledger/state"
	authkeeper "tangent/ledger/x/auth/keeper"
	"tangent/ledger/x/bank/keeper"
	"tangent/ledger/x/bank/types"
)

var (
	a = chain.Address{0xaa}
	b = chain.Address{0xbb}
	c = chain.Address{0xcc}
)

// setup returns a keeper and a context whose state holds genesis balances
// a=1000, b=10 (supply 1010).
func setup(t *testing.T) (keeper.Keeper, *chain.Context) {
	t.Helper()
	k := keeper.New(authkeeper.New())
	ctx := &chain.Context{KV: state.NewMem(), Mode: chain.ModeDeliver}
	g := types.GenesisState{Balances: []types.Balance{{Address: b, Amount: 10}, {Address: a, Amount: 1000}}}
	if err := g.Validate(); err != nil {
		t.Fatal(err)
	}
	g.Normalize()
	if err := k.InitGenesis(ctx, g); err != nil {
		t.Fatal(err)
	}
	ctx.Events = nil
	return k, ctx
}

func sumBalances(k keeper.Keeper, kv state.KV) uint64 {
	var s uint64
	for _, v := range k.Balances(kv) {
		s += v
	}
	return s
}

func TestSend(t *testing.T) {
	cases := []struct {
		name       string
		from, to   chain.Address
		amount     uint64
		err        error
		wantA      uint64
		wantB      uint64
		wantC      uint64
		wantEvents int
	}{
		{"part", a, b, 300, nil, 700, 310, 0, 1},
		{"all (the sender's key is deleted)", a, c, 1000, nil, 0, 10, 1000, 1},
		{"to a new account", b, c, 1, nil, 1000, 9, 1, 1},
		{"one more than the balance", b, a, 11, types.ErrInsufficientFunds, 1000, 10, 0, 0},
		{"from an empty account", c, a, 1, types.ErrInsufficientFunds, 1000, 10, 0, 0},
		{"overflow amount", a, b, math.MaxUint64, types.ErrInsufficientFunds, 1000, 10, 0, 0},
		{"self transfer is a no-op", a, a, 1000, nil, 1000, 10, 0, 1},
		{"self transfer above the balance", b, b, 11, types.ErrInsufficientFunds, 1000, 10, 0, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			k, ctx := setup(t)
			err := k.Send(ctx, tc.from, tc.to, tc.amount)
			if !errors.Is(err, tc.err) || (err == nil) != (tc.err == nil) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
			if got := [3]uint64{k.Balance(ctx.KV, a), k.Balance(ctx.KV, b), k.Balance(ctx.KV, c)}; got != [3]uint64{tc.wantA, tc.wantB, tc.wantC} {
				t.Fatalf("balances %v, want %v", got, [3]uint64{tc.wantA, tc.wantB, tc.wantC})
			}
			if len(ctx.Events) != tc.wantEvents {
				t.Fatalf("%d events, want %d", len(ctx.Events), tc.wantEvents)
			}
			if tc.wantA == 0 && ctx.KV.Has(authkeeper.New().AccountKey(a)) {
				t.Fatal("a zero balance must be deleted, not stored")
			}
			if s := sumBalances(k, ctx.KV); s != k.Supply(ctx.KV) || s != 1010 {
				t.Fatalf("sum of balances %d, supply %d, want 1010", s, k.Supply(ctx.KV))
			}
		})
	}
}

func TestTransferEvent(t *testing.T) {
	k, ctx := setup(t)
	if err := k.Send(ctx, a, b, 5); err != nil {
		t.Fatal(err)
	}
	e := ctx.Events[0]
	from, _ := e.Attr("from")
	to, _ := e.Attr("to")
	amt, _ := e.Attr("amount")
	if e.FullType() != "bank.transfer" || from != a.String() || to != b.String() || amt != "5" {
		t.Fatalf("event %+v", e)
	}
	// SendQuiet moves the same way without an event.
	ctx.Events = nil
	if err := k.SendQuiet(ctx, a, b, 5); err != nil || len(ctx.Events) != 0 || k.Balance(ctx.KV, b) != 20 {
		t.Fatalf("SendQuiet: %v, %d events, b=%d", err, len(ctx.Events), k.Balance(ctx.KV, b))
	}
}

// TestSupply: Mint and Burn change the supply with the balance; Debit and
// Credit move coins out of and back into balances without changing it;
// AddSupply refuses to overflow; ReduceSupply panics below zero.
func TestSupply(t *testing.T) {
	k, ctx := setup(t)
	if err := k.Mint(ctx, c, 90); err != nil {
		t.Fatal(err)
	}
	if k.Supply(ctx.KV) != 1100 || k.Balance(ctx.KV, c) != 90 {
		t.Fatalf("after mint: supply %d, c %d", k.Supply(ctx.KV), k.Balance(ctx.KV, c))
	}
	if err := k.Burn(ctx, a, 100); err != nil {
		t.Fatal(err)
	}
	if k.Supply(ctx.KV) != 1000 || k.Balance(ctx.KV, a) != 900 {
		t.Fatalf("after burn: supply %d, a %d", k.Supply(ctx.KV), k.Balance(ctx.KV, a))
	}
	if err := k.Burn(ctx, b, 11); !errors.Is(err, types.ErrInsufficientFunds) {
		t.Fatalf("burn above balance: %v", err)
	}
	if err := k.Debit(ctx, a, 901); !errors.Is(err, types.ErrInsufficientFunds) {
		t.Fatalf("debit above balance: %v", err)
	}
	if err := k.Debit(ctx, a, 900); err != nil || k.Balance(ctx.KV, a) != 0 || k.Supply(ctx.KV) != 1000 {
		t.Fatalf("debit: %v", err)
	}
	k.Credit(ctx, a, 900)
	if k.Balance(ctx.KV, a) != 900 || k.Supply(ctx.KV) != 1000 {
		t.Fatal("credit")
	}
	if err := k.AddSupply(ctx, math.MaxUint64); !errors.Is(err, types.ErrSupplyOverflow) {
		t.Fatalf("supply overflow: %v", err)
	}
	if err := k.Mint(ctx, c, math.MaxUint64-999); !errors.Is(err, types.ErrSupplyOverflow) || k.Balance(ctx.KV, c) != 90 {
		t.Fatalf("mint overflow: %v", err)
	}
	defer func() {
		if recover() == nil {
			t.Fatal("ReduceSupply below zero did not panic")
		}
	}()
	k.ReduceSupply(ctx, 1001)
}

func TestGenesis(t *testing.T) {
	k, ctx := setup(t)
	g := k.ExportGenesis(ctx.KV)
	if len(g.Balances) != 2 || g.Balances[0].Address != a || g.Balances[0].Amount != 1000 || g.Balances[1].Amount != 10 {
		t.Fatalf("export %+v", g)
	}
	for _, bad := range []types.GenesisState{
		{Balances: []types.Balance{{Address: a, Amount: 0}}},
		{Balances: []types.Balance{{Address: chain.Address{}, Amount: 1}}},
		{Balances: []types.Balance{{Address: a, Amount: 1}, {Address: a, Amount: 2}}},
		{Balances: []types.Balance{{Address: a, Amount: math.MaxUint64}, {Address: b, Amount: 1}}},
	} {
		if bad.Validate() == nil {
			t.Errorf("%+v validated", bad)
		}
	}
}

func TestMsgSendValidateBasic(t *testing.T) {
	for _, tc := range []struct {
		m   types.MsgSend
		err *chain.Error
	}{
		{types.MsgSend{To: a, Amount: 1}, nil},
		{types.MsgSend{To: a, Amount: 0}, types.ErrInvalidAmount},
		{types.MsgSend{Amount: 1}, types.ErrInvalidAddress},
	} {
		err := tc.m.ValidateBasic()
		if (tc.err == nil) != (err == nil) || tc.err != nil && !errors.Is(err, tc.err) {
			t.Errorf("%+v: %v, want %v", tc.m, err, tc.err)
		}
	}
}
