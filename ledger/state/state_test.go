package state_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"

	"tangent/ledger/ledgertest"
	"tangent/ledger/state"
)

// model is the deliberately simple twin of the layer stack: the base map
// and one overlay (value or tombstone) per cache; a layer's view is the base
// with the overlays up to it applied in order.
type entry struct {
	v   []byte
	del bool
}

type model struct {
	base     map[string][]byte
	overlays [2]map[string]entry
}

func (m *model) view(layer int) map[string][]byte {
	out := map[string][]byte{}
	for k, v := range m.base {
		out[k] = v
	}
	for i := 0; i < layer; i++ {
		for k, e := range m.overlays[i] {
			if e.del {
				delete(out, k)
			} else {
				out[k] = e.v
			}
		}
	}
	return out
}

func (m *model) put(layer int, k string, e entry) {
	if layer == 0 {
		if e.del {
			delete(m.base, k)
		} else {
			m.base[k] = e.v
		}
		return
	}
	m.overlays[layer-1][k] = e
}

func (m *model) write(layer int) {
	for k, e := range m.overlays[layer-1] {
		m.put(layer-1, k, e)
	}
	m.overlays[layer-1] = map[string]entry{}
}

func (m *model) scan(layer int, start, end []byte, asc bool) string {
	v := m.view(layer)
	var ks []string
	for k := range v {
		if (start == nil || k >= string(start)) && (end == nil || k < string(end)) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	if !asc {
		slices.Reverse(ks)
	}
	var out bytes.Buffer
	for _, k := range ks {
		fmt.Fprintf(&out, "%x=%x ", k, v[k])
	}
	return out.String()
}

func scan(kv state.KV, start, end []byte, asc bool) string {
	var out bytes.Buffer
	it := kv.Iterator(start, end, asc)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		fmt.Fprintf(&out, "%x=%x ", it.Key(), it.Value())
	}
	return out.String()
}

// TestCacheTwin drives a stack Mem <- Cache <- Cache with random sets,
// deletes, reads, range scans, writes and discards, and compares every
// answer with the simple model of what each layer should hold.
func TestCacheTwin(t *testing.T) {
	for seed := uint64(1); seed <= 30; seed++ {
		rng := ledgertest.NewRand(seed)
		mem := state.NewMem()
		c1 := state.NewCache(mem)
		c2 := state.NewCache(c1)
		layers := []state.KV{mem, c1, c2}
		m := &model{base: map[string][]byte{}, overlays: [2]map[string]entry{{}, {}}}
		key := func() []byte { return []byte{byte(rng.Intn(4)), byte(rng.Intn(6))} }
		for step := 0; step < 400; step++ {
			l := rng.Intn(3)
			switch op := rng.Intn(10); {
			case op < 4:
				k, v := key(), []byte{byte(step)}
				layers[l].Set(k, v)
				m.put(l, string(k), entry{v: v})
			case op < 6:
				k := key()
				layers[l].Delete(k)
				m.put(l, string(k), entry{del: true})
			case op < 7 && l > 0:
				layers[l].(*state.Cache).Write()
				m.write(l)
			case op < 8 && l == 2:
				c2.Discard()
				m.overlays[1] = map[string]entry{}
			default:
				var start, end []byte
				if rng.Chance(70) {
					start = key()
				}
				if rng.Chance(70) {
					end = key()
				}
				asc := rng.Chance(50)
				if got, want := scan(layers[l], start, end, asc), m.scan(l, start, end, asc); got != want {
					t.Fatalf("seed %d step %d layer %d scan [%x,%x) asc=%v:\n got  %s\n want %s", seed, step, l, start, end, asc, got, want)
				}
			}
			for i := range layers {
				k := key()
				want := m.view(i)[string(k)]
				if got := layers[i].Get(k); !bytes.Equal(got, want) || layers[i].Has(k) != (want != nil) {
					t.Fatalf("seed %d step %d layer %d Get(%x) = %x, want %x", seed, step, i, k, got, want)
				}
			}
			if c1.Dirty() != len(m.overlays[0]) || c2.Dirty() != len(m.overlays[1]) {
				t.Fatalf("seed %d step %d: Dirty %d/%d, model %d/%d", seed, step, c1.Dirty(), c2.Dirty(), len(m.overlays[0]), len(m.overlays[1]))
			}
		}
	}
}

func TestCacheWriteOrder(t *testing.T) {
	var order []string
	rec := &recorder{Mem: state.NewMem(), log: &order}
	c := state.NewCache(rec)
	for _, k := range []string{"b", "a", "d", "c"} {
		c.Set([]byte(k), []byte("v"))
	}
	c.Delete([]byte("0"))
	c.Write()
	if fmt.Sprint(order) != "[del 0 set a set b set c set d]" {
		t.Fatalf("write order %v", order)
	}
	if c.Dirty() != 0 {
		t.Fatal("cache not empty after Write")
	}
}

type recorder struct {
	*state.Mem
	log *[]string
}

func (r *recorder) Set(k, v []byte) { *r.log = append(*r.log, "set "+string(k)); r.Mem.Set(k, v) }
func (r *recorder) Delete(k []byte) { *r.log = append(*r.log, "del "+string(k)); r.Mem.Delete(k) }

func TestPrefixAndDigest(t *testing.T) {
	mem := state.NewMem()
	p := state.NewPrefix(mem, []byte("p/"))
	p.Set([]byte("a"), []byte("1"))
	p.Set([]byte("b"), []byte("2"))
	mem.Set([]byte("q/a"), []byte("3"))
	if got := scan(p, nil, nil, true); got != "61=31 62=32 " {
		t.Fatalf("prefix scan %s", got)
	}
	if string(mem.Get([]byte("p/a"))) != "1" {
		t.Fatal("prefix write")
	}
	if !bytes.Equal(state.PrefixEnd([]byte{1, 0xff}), []byte{2}) || state.PrefixEnd([]byte{0xff}) != nil {
		t.Fatal("PrefixEnd")
	}
	// Same contents, different history: same digest.
	other := state.NewMem()
	other.Set([]byte("q/a"), []byte("3"))
	other.Set([]byte("p/b"), []byte("2"))
	other.Set([]byte("p/x"), []byte("9"))
	other.Delete([]byte("p/x"))
	other.Set([]byte("p/a"), []byte("1"))
	if state.Digest(mem) != state.Digest(other) || !state.Equal(mem, other) {
		t.Fatal("digest depends on history")
	}
	other.Set([]byte("p/a"), []byte("2"))
	if state.Digest(mem) == state.Digest(other) || state.Equal(mem, other) {
		t.Fatal("digest ignores a value")
	}
}
