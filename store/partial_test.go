package store_test

import (
	"os"
	"path/filepath"
	"testing"

	"tangent/store"
	"tangent/store/storetest"
)

// TestPartialBlobIsKeptThroughItsGrace: the blocks of an interrupted fetch
// (root and some chunks, KeepPartial, then the process stops) survive a
// restart and GCs until PartialGrace heights after the first GC that saw
// them, and a resumed fetch completes from them.
func TestPartialBlobIsKeptThroughItsGrace(t *testing.T) {
	data := storetest.Bytes(11, 9*testChunk+5)
	src := openStore(t, t.TempDir(), nil)
	info, err := src.PutBytes(data, store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	m, _ := src.Manifest(info.CID)
	block := func(i int) []byte {
		b, err := src.Block(m.ChunkCID(i))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	root, _ := src.Block(info.CID)
	grace := func(o *store.Options) { o.PartialGrace = 10 }

	for _, finish := range []bool{true, false} {
		dir := t.TempDir()
		s := openStore(t, dir, grace)
		b := s.NewBatch()
		if err := b.PutBlock(info.CID, root); err != nil {
			t.Fatal(err)
		}
		if err := b.KeepPartial(info.CID); err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 4; i++ {
			if err := b.PutBlock(m.ChunkCID(i), block(i)); err != nil {
				t.Fatal(err)
			}
		}
		b.Abort() // the fetch failed
		if st, err := s.GC(5); err != nil || st.Blocks != 0 || st.Partials != 0 {
			t.Fatalf("first GC: %+v %v", st, err)
		}
		s.Close()

		s = openStore(t, dir, grace) // a restart
		ps := s.Partials()
		if len(ps) != 1 || ps[0].CID != info.CID || ps[0].KeepUntil != 15 || ps[0].Present != 5 || ps[0].Blocks != 1+len(m.Chunks) {
			t.Fatalf("partials after restart: %+v", ps)
		}
		if st, err := s.GC(15); err != nil || st.Blocks != 0 {
			t.Fatalf("GC within the grace: %+v %v", st, err)
		}
		if !finish {
			st, err := s.GC(16)
			if err != nil || st.Partials != 1 || st.Blocks != 5 || len(s.Partials()) != 0 {
				t.Fatalf("GC past the grace: %+v %v, partials %v", st, err, s.Partials())
			}
			if used, _ := s.Usage(); used != 0 {
				t.Fatalf("%d bytes left", used)
			}
			if ents, _ := os.ReadDir(filepath.Join(dir, "partial")); len(ents) != 0 {
				t.Fatalf("partial record left: %v", ents)
			}
			continue
		}
		// Resume: the chunks already here are not fetched again.
		b = s.NewBatch()
		fetched := 0
		for i := range m.Chunks {
			if b.Have(m.ChunkCID(i)) {
				continue
			}
			fetched++
			if err := b.PutBlock(m.ChunkCID(i), block(i)); err != nil {
				t.Fatal(err)
			}
		}
		if fetched != len(m.Chunks)-4 {
			t.Fatalf("resume fetched %d chunks, want %d", fetched, len(m.Chunks)-4)
		}
		if !b.Have(info.CID) {
			t.Fatal("root lost")
		}
		if _, err := b.Commit(info.CID, store.Until(3)); err != nil {
			t.Fatal(err)
		}
		if len(s.Partials()) != 0 {
			t.Fatalf("partial record kept after commit: %v", s.Partials())
		}
		s.Close()
		s = openStore(t, dir, grace)
		if len(s.Partials()) != 0 || string(readAll(t, s, info.CID)) != string(data) {
			t.Fatal("committed blob wrong after a restart")
		}
		if st, _ := s.GC(4); st.Blobs != 1 || st.Blocks != 1+len(m.Chunks) {
			t.Fatalf("the blob's own retention no longer applies: %+v", st)
		}
	}
}

// TestPartialBlobMakesRoomUnderQuota: the blocks a partial record keeps go
// when a write needs their space to stay within the quota.
func TestPartialBlobMakesRoomUnderQuota(t *testing.T) {
	src := openStore(t, t.TempDir(), nil)
	info, err := src.PutBytes(storetest.Bytes(12, 10*testChunk), store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	m, _ := src.Manifest(info.CID)
	root, _ := src.Block(info.CID)
	s := openStore(t, t.TempDir(), func(o *store.Options) { o.Quota = 12 * testChunk })
	b := s.NewBatch()
	if err := b.PutBlock(info.CID, root); err != nil {
		t.Fatal(err)
	}
	if err := b.KeepPartial(info.CID); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 8; i++ {
		data, _ := src.Block(m.ChunkCID(i))
		if err := b.PutBlock(m.ChunkCID(i), data); err != nil {
			t.Fatal(err)
		}
	}
	b.Abort()
	if _, err := s.PutBytes(storetest.Bytes(13, 8*testChunk), store.Pinned()); err != nil {
		t.Fatalf("put that needs the partial blob's space: %v", err)
	}
	if ps := s.Partials(); len(ps) != 0 {
		t.Fatalf("partial record kept over the quota: %+v", ps)
	}
}
