package store_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"tangent/store"
	"tangent/store/storetest"
)

func TestErasureRebuildFromAnyK(t *testing.T) {
	const k, m = 6, 4
	for _, size := range []int{1, 1000, 10*testChunk + 77, 150 * testChunk} {
		data := storetest.Bytes(uint64(size), size)
		src := openStore(t, t.TempDir(), nil)
		info, err := src.PutBytes(data, store.Pinned())
		if err != nil {
			t.Fatal(err)
		}
		root, sm, err := src.EncodeShards(info.CID, k, m, store.Pinned())
		if err != nil {
			t.Fatalf("size %d: %v", size, err)
		}
		if sm.CID() != root || len(sm.Shards) != k+m {
			t.Fatalf("size %d: manifest CID %s vs %s", size, sm.CID(), root)
		}
		if back, err := src.ShardManifestOf(root); err != nil || back.CID() != root {
			t.Fatalf("stored shard manifest: %v", err)
		}
		if st, _ := src.Stat(root); st.Kind != store.KindShards {
			t.Fatalf("shard set kind %v", st.Kind)
		}
		// Drop m different shards each time, copy the rest into a fresh
		// store, rebuild.
		for trial := range 3 {
			dst := openStore(t, t.TempDir(), nil)
			kept := 0
			for j, c := range sm.Shards {
				if (j+trial*3)%(k+m) < m {
					continue // lost
				}
				r, err := src.Get(c)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := dst.Put(r, store.Pinned()); err != nil {
					t.Fatal(err)
				}
				r.Close()
				kept++
			}
			if kept != k {
				t.Fatalf("kept %d shards", kept)
			}
			got, err := dst.Rebuild(sm, store.Pinned())
			if err != nil {
				t.Fatalf("size %d trial %d: %v", size, trial, err)
			}
			if got.CID != info.CID || !bytes.Equal(readAll(t, dst, got.CID), data) {
				t.Fatalf("size %d trial %d: rebuilt a different blob", size, trial)
			}
			// And repair: regenerate the lost shards.
			var lost []int
			for j := range sm.Shards {
				if !dst.Has(sm.Shards[j]) {
					lost = append(lost, j)
				}
			}
			if _, err := dst.RebuildShards(sm, lost, store.Pinned()); err != nil {
				t.Fatalf("repair: %v", err)
			}
			for _, c := range sm.Shards {
				if !dst.Has(c) {
					t.Fatalf("repair left shard %s missing", c)
				}
			}
		}
	}
}

func TestErasureNeedsK(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	info, err := s.PutBytes(storetest.Bytes(5, 20*testChunk), store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	_, sm, err := s.EncodeShards(info.CID, 4, 2, store.Until(1))
	if err != nil {
		t.Fatal(err)
	}
	dst := openStore(t, t.TempDir(), nil)
	for _, c := range sm.Shards[:3] {
		r, _ := s.Get(c)
		dst.Put(r, store.Pinned())
		r.Close()
	}
	var ne *store.NotEnoughShardsError
	if _, err := dst.Rebuild(sm, store.Pinned()); !errors.As(err, &ne) || ne.Have != 3 || ne.Need != 4 {
		t.Fatalf("rebuild from 3 of 4 needed: %v", err)
	}
	// A corrupt chunk in one shard makes it an erasure, not a wrong rebuild.
	r, _ := s.Get(sm.Shards[3])
	dst.Put(r, store.Pinned())
	r.Close()
	r, _ = s.Get(sm.Shards[4])
	dst.Put(r, store.Pinned())
	r.Close()
	s4, _ := dst.Stat(sm.Shards[4])
	var victim string
	if s4.Kind == store.KindChunked {
		m, _ := dst.Manifest(sm.Shards[4])
		victim = m.ChunkCID(0).String()
	} else {
		victim = sm.Shards[4].String()
	}
	p := filepath.Join(dst.Dir(), "blocks", victim)
	b, _ := os.ReadFile(p)
	b[0] ^= 0xff
	os.WriteFile(p, b, 0o644)
	dst.Close()
	dst = openStore(t, dst.Dir(), nil)
	got, err := dst.Rebuild(sm, store.Pinned())
	if err != nil || got.CID != info.CID {
		t.Fatalf("rebuild with one corrupt shard among 5: %v", err)
	}
}

func BenchmarkErasureEncode(b *testing.B) {
	data := storetest.Bytes(1, 6<<20)
	s, _ := store.Open(b.TempDir(), store.Options{NoSync: true, Logger: quiet})
	defer s.Close()
	info, _ := s.PutBytes(data, store.Pinned())
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, _, err := s.EncodeShards(info.CID, 6, 4, store.Until(0)); err != nil {
			b.Fatal(err)
		}
	}
}
