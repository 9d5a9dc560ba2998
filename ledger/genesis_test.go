package ledger_test

import (
	"bytes"
	"strings"
	"testing"

	"tangent/ledger"
	"tangent/ledger/state"
	stakingtypes "tangent/ledger/x/staking/types"
)

func TestGenesisJSONRoundTrip(t *testing.T) {
	g := testGenesis()
	b, err := g.EncodeJSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := ledger.DecodeGenesisJSON(b)
	if err != nil {
		t.Fatal(err)
	}
	b2, _ := back.EncodeJSON()
	if !bytes.Equal(b, b2) {
		t.Fatalf("genesis JSON does not round-trip:\n%s\n%s", b, b2)
	}
	// Amounts are decimal strings (no float precision loss in any JSON
	// reader).
	if !bytes.Contains(b, []byte(`"amount": "10000000000"`)) {
		t.Fatalf("amounts are not decimal strings:\n%s", b)
	}
}

// TestGenesisRejects: each bad genesis fails with an error that names the
// field.
func TestGenesisRejects(t *testing.T) {
	good, _ := testGenesis().EncodeJSON()
	edit := func(old, new string) string {
		if !bytes.Contains(good, []byte(old)) {
			t.Fatalf("fixture lacks %q", old)
		}
		return strings.Replace(string(good), old, new, 1)
	}
	for _, tc := range []struct {
		name, json, want string
	}{
		{"negative amount", edit(`"amount": "500"`, `"amount": "-500"`), "amount"},
		{"float amount", edit(`"amount": "500"`, `"amount": "5.5"`), "amount"},
		{"amount above 2^64", edit(`"amount": "500"`, `"amount": "18446744073709551616"`), "amount"},
		{"amount as a number", edit(`"amount": "500"`, `"amount": 500`), "line "},
		{"unknown field", edit(`"chain_id"`, `"chainid": "x", "chain_id"`), "unknown field"},
		{"trailing data", string(good) + "{}", "trailing"},
		{"bad address", edit(alice.Addr.String(), "tgt1qqqq"), "address"},
		{"bad role", edit(`"role": "validator"`, `"role": "king"`), "role"},
		{"bad pubkey", edit(valCons.Pub.String(), "zz"), "public key"},
		{"not JSON", "nope", "genesis JSON"},
	} {
		_, err := ledger.DecodeGenesisJSON([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.name, err, tc.want)
		}
	}
	for _, tc := range []struct {
		name string
		edit func(*ledger.Genesis)
		want string
	}{
		{"bad chain id", func(g *ledger.Genesis) { g.ChainID = "a b" }, "chain_id"},
		{"empty chain id", func(g *ledger.Genesis) { g.ChainID = "" }, "chain_id"},
		{"zero balance", func(g *ledger.Genesis) { g.Bank.Balances[0].Amount = 0 }, "amount is 0"},
		{"duplicate balance", func(g *ledger.Genesis) { g.Bank.Balances[1].Address = g.Bank.Balances[0].Address }, "listed twice"},
		{"no validator", func(g *ledger.Genesis) { g.Staking.Stakes = nil }, "no validator"},
		{"validator without key", func(g *ledger.Genesis) { g.Staking.Stakes[0].ConsPubKey = nil }, "cons_pubkey"},
		{"shared consensus key", func(g *ledger.Genesis) { g.Staking.Stakes[1].ConsPubKey = g.Staking.Stakes[0].ConsPubKey }, "already used"},
		{"validator below minimum", func(g *ledger.Genesis) { g.Staking.Stakes[0].Amount = 1 }, "min_validator_stake"},
		{"supply overflow", func(g *ledger.Genesis) { g.Bank.Balances[0].Amount = 1 << 63; g.Bank.Balances[1].Amount = 1 << 63 }, "overflows"},
		{"power overflow", func(g *ledger.Genesis) {
			g.Bank.Balances[0].Amount = 1 << 62
			g.Staking.Params.PowerReduction = 1
			g.Staking.Params.MinValidatorStake = 1
		}, "power_reduction"},
		{"max_tx_bytes too small", func(g *ledger.Genesis) { g.Auth.Params.MaxTxBytes = 10 }, "max_tx_bytes"},
		{"unbonding 0", func(g *ledger.Genesis) { g.Staking.Params.UnbondingBlocks = 0 }, "unbonding_blocks"},
		{"trainer with a key", func(g *ledger.Genesis) {
			k := alice.Pub
			g.Staking.Stakes = append(g.Staking.Stakes, stakingtypes.GenesisStake{Address: alice.Addr, Role: stakingtypes.RoleTrainer, Amount: 1, ConsPubKey: &k})
		}, "only for validator"},
	} {
		g := testGenesis()
		tc.edit(&g)
		err := g.ValidateBasic()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want it to mention %q", tc.name, err, tc.want)
			continue
		}
		// InitChain refuses it too, and writes nothing.
		mem := state.NewMem()
		if _, err := ledger.New(mem, ledger.Options{}).InitChain(g); err == nil || mem.Len() != 0 {
			t.Errorf("%s: InitChain accepted it or wrote %d keys", tc.name, mem.Len())
		}
	}
	// A second InitChain on the same store is refused.
	h := newHarness(t)
	if _, err := h.L.InitChain(testGenesis()); err == nil {
		t.Fatal("InitChain twice")
	}
}

// FuzzGenesisJSON: genesis JSON comes from files a user edits. Decoding
// never panics; a genesis that decodes and validates re-encodes stably,
// InitChain accepts it, and the state it writes satisfies the invariants
// with the supply the genesis declares.
func FuzzGenesisJSON(f *testing.F) {
	good, _ := testGenesis().EncodeJSON()
	f.Add(good)
	one, _ := ledger.SingleValidatorGenesis("t-1", val.Addr, valCons.Pub, 5, 1_000_000).EncodeJSON()
	f.Add(one)
	d, _ := ledger.DefaultGenesis("x").EncodeJSON()
	f.Add(d)
	f.Add([]byte(`{"chain_id":"a","auth":{},"bank":{"balances":null},"staking":{"params":{},"stakes":[]}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ledger.DecodeGenesisJSON(b)
		if err != nil {
			return
		}
		enc, err := g.EncodeJSON()
		if err != nil {
			t.Fatalf("decoded genesis does not encode: %v", err)
		}
		g2, err := ledger.DecodeGenesisJSON(enc)
		if err != nil {
			t.Fatalf("re-decode: %v\n%s", err, enc)
		}
		if enc2, _ := g2.EncodeJSON(); !bytes.Equal(enc, enc2) {
			t.Fatalf("encoding not stable:\n%s\n%s", enc, enc2)
		}
		if g.ValidateBasic() != nil {
			return
		}
		mem := state.NewMem()
		if _, err := ledger.New(mem, ledger.Options{}).InitChain(g); err != nil {
			t.Fatalf("valid genesis refused by InitChain: %v", err)
		}
		if err := ledger.CheckInvariantsKV(mem); err != nil {
			t.Fatal(err)
		}
		if s, _ := g.Supply(); ledger.NewView(mem).Supply() != s {
			t.Fatalf("supply %d, genesis says %d", ledger.NewView(mem).Supply(), s)
		}
	})
}
