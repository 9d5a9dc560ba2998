package collections_test

import (
	"fmt"
	"testing"

	"tangent/ledger/chain"
	"tangent/ledger/collections"
	"tangent/ledger/state"
)

func TestMapOrderAndPrefix(t *testing.T) {
	kv := state.NewMem()
	m := collections.NewMap([]byte("t/"), "t", collections.PairKey(collections.StringKey, collections.Uint64Key), collections.Uint64Value)
	for _, k := range []collections.Pair[string, uint64]{{"b", 2}, {"a", 300}, {"a", 1}, {"ab", 0}, {"", 5}} {
		m.Set(kv, k, k.K2*10)
	}
	var got []string
	for k, v := range m.All(kv) {
		got = append(got, fmt.Sprintf("%s/%d=%d", k.K1, k.K2, v))
	}
	// Length-prefixed strings sort by length first: "" < "a" < "b" < "ab".
	if fmt.Sprint(got) != "[/5=50 a/1=10 a/300=3000 b/2=20 ab/0=0]" {
		t.Fatalf("order %v", got)
	}
	got = nil
	for k := range m.WithPrefix(kv, collections.PrefixOf(collections.StringKey, "a")) {
		got = append(got, fmt.Sprint(k.K2))
	}
	if fmt.Sprint(got) != "[1 300]" {
		t.Fatalf("prefix %v", got)
	}
	m.Delete(kv, collections.Join("a", uint64(1)))
	if m.Has(kv, collections.Join("a", uint64(1))) || m.GetOr(kv, collections.Join("a", uint64(300)), 0) != 3000 {
		t.Fatal("delete")
	}
}

// TestCorruptPanics: a stored value that does not decode is corrupt state,
// reported as a *CorruptError panic (the ledger lets it crash the node).
func TestCorruptPanics(t *testing.T) {
	kv := state.NewMem()
	it := collections.NewItem([]byte("x"), "x", collections.Uint64Value)
	kv.Set([]byte("x"), []byte{0x80})
	defer func() {
		if _, ok := recover().(*collections.CorruptError); !ok {
			t.Fatal("no CorruptError")
		}
	}()
	it.Get(kv)
}

func TestKeyCodecs(t *testing.T) {
	a := chain.Address{1, 2, 3}
	pk := collections.PairKey(collections.PairKey(collections.ByteKey, collections.AddressKey), collections.Uint64Key)
	k := collections.Join(collections.Join(uint8(4), a), uint64(99))
	b := pk.AppendKey(nil, k)
	back, err := pk.DecodeKey(b)
	if err != nil || back != k {
		t.Fatalf("pair key round trip: %v %v", back, err)
	}
	if _, err := pk.DecodeKey(b[:len(b)-1]); err == nil {
		t.Fatal("truncated key decoded")
	}
	s, n, err := collections.StringKey.DecodeKeyNonTerminal(collections.StringKey.AppendKeyNonTerminal(nil, "héllo"))
	if err != nil || s != "héllo" || n != 7 {
		t.Fatalf("string key %q %d %v", s, n, err)
	}
}
