package chain_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"tangent/ledger/chain"
)

func TestAddress(t *testing.T) {
	a := chain.ModuleAddress("fee_collector")
	s := a.String()
	if !strings.HasPrefix(s, "tgt1") {
		t.Fatalf("%s", s)
	}
	b, err := chain.ParseAddress(s)
	if err != nil || b != a {
		t.Fatalf("round trip: %v", err)
	}
	for _, bad := range []string{
		"", "tgt1", strings.ToUpper(s), "cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq",
		s[:len(s)-1] + "x", s[:len(s)-2], s + "q",
	} {
		if _, err := chain.ParseAddress(bad); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
	var z chain.Address
	if !z.IsZero() || a.IsZero() {
		t.Fatal("IsZero")
	}
}

func TestMath(t *testing.T) {
	if _, err := chain.SafeAdd(math.MaxUint64, 1); !errors.Is(err, chain.ErrOverflow) {
		t.Fatal("SafeAdd overflow")
	}
	if s, err := chain.SafeAdd(math.MaxUint64-1, 1); err != nil || s != math.MaxUint64 {
		t.Fatal("SafeAdd")
	}
	for _, tc := range []struct{ a, num, den, want uint64 }{
		{100, 1, 3, 33},
		{math.MaxUint64, 1, 1, math.MaxUint64},
		{math.MaxUint64, 999_999, 1_000_000, 18446725626965477905},
		{7, 0, 5, 0},
	} {
		if got := chain.MulDiv(tc.a, tc.num, tc.den); got != tc.want {
			t.Errorf("MulDiv(%d,%d,%d) = %d, want %d", tc.a, tc.num, tc.den, got, tc.want)
		}
	}
	if chain.PPM(500_000).Of(3) != 1 || chain.PPMOne.Of(math.MaxUint64) != math.MaxUint64 {
		t.Fatal("PPM.Of")
	}
	func() {
		defer func() { recover() }()
		chain.MulDiv(1, 2, 1)
		t.Fatal("MulDiv with a fraction above 1 did not panic")
	}()
}

func TestEvents(t *testing.T) {
	e := chain.NewEvent("m", "t", "z", "1", "a", "2")
	if e.Attrs[0].Key != "a" || e.FullType() != "m.t" {
		t.Fatalf("%+v", e)
	}
	if v, ok := e.Attr("z"); !ok || v != "1" {
		t.Fatal("Attr")
	}
	for _, kv := range [][]string{{"a"}, {"a", "1", "a", "2"}} {
		func() {
			defer func() { recover() }()
			chain.NewEvent("m", "t", kv...)
			t.Errorf("NewEvent(%v) did not panic", kv)
		}()
	}
}

// FuzzParseAddress: addresses come from users and JSON; an accepted string
// is the canonical form of its address.
func FuzzParseAddress(f *testing.F) {
	f.Add(chain.ModuleAddress("x").String())
	f.Add("tgt1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqnrql8a")
	f.Add("tgt1")
	f.Fuzz(func(t *testing.T, s string) {
		a, err := chain.ParseAddress(s)
		if err != nil {
			return
		}
		if a.String() != s {
			t.Fatalf("%q parses to %s", s, a)
		}
	})
}

func FuzzParsePubKey(f *testing.F) {
	f.Add(strings.Repeat("ab", 32))
	f.Fuzz(func(t *testing.T, s string) {
		p, err := chain.ParsePubKey(s)
		if err == nil && p.String() != s {
			t.Fatalf("%q parses to %s", s, p)
		}
	})
}
