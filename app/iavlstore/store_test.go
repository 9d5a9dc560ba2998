package iavlstore

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
)

// backends runs f on each database backend.
func backends(t *testing.T, f func(t *testing.T, opts Options)) {
	for _, b := range []string{"pebbledb", "goleveldb"} {
		t.Run(b, func(t *testing.T) {
			opts := DefaultOptions()
			opts.Backend = b
			f(t, opts)
		})
	}
}

func TestCommitReopenProve(t *testing.T) {
	hashes := map[string][]byte{}
	backends(t, func(t *testing.T, opts Options) {
		hashes[opts.Backend] = testCommitReopenProve(t, opts)
	})
	// The app hash does not depend on the database.
	if !bytes.Equal(hashes["pebbledb"], hashes["goleveldb"]) {
		t.Fatalf("hash of version 2: pebbledb %X, goleveldb %X", hashes["pebbledb"], hashes["goleveldb"])
	}
}

// TestOpenUsesWrittenBackend: a database is reopened with the backend that
// wrote it, whatever the options ask for new ones.
func TestOpenUsesWrittenBackend(t *testing.T) {
	for _, tc := range []struct{ wrote, asked string }{{"goleveldb", "pebbledb"}, {"pebbledb", "goleveldb"}} {
		dir := t.TempDir()
		opts := DefaultOptions()
		opts.Backend = tc.wrote
		s, err := Open(dir, "state", opts)
		if err != nil {
			t.Fatal(err)
		}
		s.Set([]byte("a"), []byte("1"))
		c, err := s.Commit()
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		if got := writtenBy(dir + "/state.db"); got != tc.wrote {
			t.Fatalf("writtenBy = %q, want %q", got, tc.wrote)
		}
		opts.Backend = tc.asked
		s, err = Open(dir, "state", opts)
		if err != nil {
			t.Fatalf("reopen a %s database asking for %s: %v", tc.wrote, tc.asked, err)
		}
		if got := s.LastCommit(); got.Version != 1 || !bytes.Equal(got.Hash, c.Hash) || string(s.Get([]byte("a"))) != "1" {
			t.Fatalf("reopened %s database as %s: LastCommit %+v, want %+v", tc.wrote, tc.asked, got, c)
		}
		s.Close()
	}
}

func testCommitReopenProve(t *testing.T, opts Options) []byte {
	dir := t.TempDir()
	s, err := Open(dir, "state", opts)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 100; i++ {
		s.Set([]byte(fmt.Sprintf("k%03d", i)), []byte(fmt.Sprintf("v%d", i)))
	}
	wh := s.WorkingHash()
	c1, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	if c1.Version != 1 || !bytes.Equal(c1.Hash, wh) {
		t.Fatalf("commit = %+v, working hash %X", c1, wh)
	}
	s.Set([]byte("k000"), []byte("changed"))
	s.Delete([]byte("k001"))
	c2, err := s.Commit()
	if err != nil {
		t.Fatal(err)
	}
	// Uncommitted work is lost on reopen, as after kill -9.
	s.Set([]byte("k002"), []byte("lost"))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	s, err = Open(dir, "state", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.LastCommit(); got.Version != 2 || !bytes.Equal(got.Hash, c2.Hash) {
		t.Fatalf("after reopen LastCommit = %+v, want %+v", got, c2)
	}
	if v := s.Get([]byte("k002")); string(v) != "v2" {
		t.Fatalf("k002 = %q, uncommitted write survived", v)
	}
	// Membership at version 1 and 2, non-membership of a deleted key.
	for _, tc := range []struct {
		v     int64
		key   string
		value string
		root  []byte
	}{
		{1, "k000", "v0", c1.Hash},
		{2, "k000", "changed", c2.Hash},
		{1, "k001", "v1", c1.Hash},
		{2, "k001", "", c2.Hash},
		{2, "zzz", "", c2.Hash},
	} {
		val, proof, ver, err := s.ProveAt(tc.v, []byte(tc.key))
		if err != nil {
			t.Fatal(err)
		}
		if ver != tc.v || string(val) != tc.value {
			t.Fatalf("ProveAt(%d,%s) = %q@%d", tc.v, tc.key, val, ver)
		}
		if err := VerifyProof(tc.root, proof, []byte(tc.key), val); err != nil {
			t.Fatalf("verify %s@%d: %v", tc.key, tc.v, err)
		}
		// A forged value must not verify.
		if err := VerifyProof(tc.root, proof, []byte(tc.key), []byte("forged")); err == nil {
			t.Fatalf("forged value for %s@%d verified", tc.key, tc.v)
		}
	}
	if _, _, _, err := s.ProveAt(3, []byte("k000")); err == nil {
		t.Fatal("ProveAt of a future version succeeded")
	}
	return c2.Hash
}

func TestRollbackAndDeterministicHash(t *testing.T) {
	a, b := OpenMemory(DefaultOptions()), OpenMemory(DefaultOptions())
	for i := 0; i < 50; i++ {
		a.Set([]byte{byte(i)}, []byte{byte(i * 3)})
	}
	// b gets the same writes after a rolled-back detour. (IAVL's shape, so
	// its hash, depends on the order of writes: consensus fixes that order.)
	b.Set([]byte("junk"), []byte("x"))
	b.Rollback()
	for i := 0; i < 50; i++ {
		b.Set([]byte{byte(i)}, []byte{byte(i * 3)})
	}
	ca, _ := a.Commit()
	cb, _ := b.Commit()
	if !bytes.Equal(ca.Hash, cb.Hash) {
		t.Fatalf("hash depends on a rolled-back write: %X vs %X", ca.Hash, cb.Hash)
	}
	view, err := a.View(0)
	if err != nil {
		t.Fatal(err)
	}
	a.Set([]byte{11}, []byte("uncommitted"))
	if got := view.Get([]byte{11}); !bytes.Equal(got, []byte{33}) {
		t.Fatalf("view sees uncommitted write: %q", got)
	}
	it := view.Iterator([]byte{10}, []byte{13}, true)
	var keys []byte
	for ; it.Valid(); it.Next() {
		keys = append(keys, it.Key()[0])
	}
	it.Close()
	if !bytes.Equal(keys, []byte{10, 11, 12}) {
		t.Fatalf("iterator keys = %v", keys)
	}
}

// TestRecoverTornVersion simulates a commit that reached the disk without its
// root node: Open must fall back to the previous version.
func TestRecoverTornVersion(t *testing.T) { backends(t, testRecoverTornVersion) }

func testRecoverTornVersion(t *testing.T, opts Options) {
	dir := t.TempDir()
	s, err := Open(dir, "state", opts)
	if err != nil {
		t.Fatal(err)
	}
	s.Set([]byte("a"), []byte("1"))
	c1, _ := s.Commit()
	s.Set([]byte("a"), []byte("2"))
	s.Set([]byte("b"), []byte("2"))
	if _, err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	root := append([]byte{'s'}, binary.BigEndian.AppendUint64(nil, 2)...)
	root = binary.BigEndian.AppendUint32(root, 1)
	b := s.db.NewBatch()
	if err := b.Delete(root); err != nil {
		t.Fatal(err)
	}
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	s.Close()
	s, err = Open(dir, "state", opts)
	if err != nil {
		t.Fatalf("reopen after torn commit: %v", err)
	}
	defer s.Close()
	if got := s.LastCommit(); got.Version != 1 || !bytes.Equal(got.Hash, c1.Hash) {
		t.Fatalf("LastCommit = %+v, want %+v", got, c1)
	}
	s.Set([]byte("a"), []byte("2"))
	s.Set([]byte("b"), []byte("2"))
	if c, err := s.Commit(); err != nil || c.Version != 2 {
		t.Fatalf("recommit version 2: %+v %v", c, err)
	}
}

// TestQueryDuringCommit: reads of an older version while Commit saves a
// version that deletes keys must not leave the deleted keys visible to the
// working tree (IAVL's fast-node cache must not be refilled from the disk
// between the deletion and the write of the batch).
func TestQueryDuringCommit(t *testing.T) {
	s := OpenMemory(DefaultOptions())
	const n = 2000
	key := func(i int) []byte { return []byte(fmt.Sprintf("k%05d", i)) }
	for i := range n {
		s.Set(key(i), []byte("v"))
	}
	if _, err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 40; round++ {
		for i := range n {
			switch {
			case i%2 == 0:
				s.Set(key(i), []byte(fmt.Sprint(round))) // new nodes to save after the deletions
			case round%2 == 0:
				s.Delete(key(i))
			default:
				s.Set(key(i), []byte("v"))
			}
		}
		prev := s.LastCommit().Version
		var stop atomic.Bool
		var wg sync.WaitGroup
		for g := 0; g < 2; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for j := g; !stop.Load(); j = (j + 7) % n {
					if _, _, err := s.GetAt(prev, key(j)); err != nil {
						t.Error(err)
						return
					}
				}
			}()
		}
		if _, err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		stop.Store(true)
		wg.Wait()
		for i := range n {
			got := s.Get(key(i))
			if i%2 == 1 && (round%2 == 0) != (got == nil) {
				t.Fatalf("round %d: key %d reads %q after the commit", round, i, got)
			}
		}
	}
}

// brokenIter is an IAVL iterator that hits a storage error after its first
// key, as IAVL reports a node it cannot load.
type brokenIter struct{ n int }

func (it *brokenIter) Valid() bool   { return it.n == 0 }
func (it *brokenIter) Next()         { it.n++ }
func (it *brokenIter) Key() []byte   { return []byte("k") }
func (it *brokenIter) Value() []byte { return []byte("v") }
func (it *brokenIter) Close() error  { return nil }
func (it *brokenIter) Error() error {
	if it.n > 0 {
		return fmt.Errorf("node 0x2a not found")
	}
	return nil
}

// TestIteratorErrorPanics: a storage error in the middle of an iteration
// must stop the node (a DBError panic, like every other failed read), not
// end the loop early as if the range were done.
func TestIteratorErrorPanics(t *testing.T) {
	defer func() {
		r := recover()
		e, ok := r.(*DBError)
		if !ok || e.Op != "iterate" {
			t.Fatalf("recovered %v, want a *DBError of op iterate", r)
		}
	}()
	seen := 0
	for it := (failLoud{&brokenIter{}}); it.Valid(); it.Next() {
		seen++
	}
	t.Fatalf("the loop ended after %d keys without a panic", seen)
}

// TestIteratorKeepsEntries: the keys and values an iteration yields stay
// intact after it moves on (Pebble reuses its iterator buffers; the store
// must not hand them out).
func TestIteratorKeepsEntries(t *testing.T) {
	backends(t, func(t *testing.T, opts Options) {
		dir := t.TempDir()
		s, err := Open(dir, "state", opts)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 300 {
			s.Set([]byte(fmt.Sprintf("k%03d", i)), []byte(fmt.Sprintf("value-%d", i)))
		}
		if _, err := s.Commit(); err != nil {
			t.Fatal(err)
		}
		s.Close()
		// Reopened, the entries come from the database, not from memory.
		if s, err = Open(dir, "state", opts); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		var keys, vals [][]byte
		it := s.Iterator(nil, nil, true)
		for ; it.Valid(); it.Next() {
			keys, vals = append(keys, it.Key()), append(vals, it.Value())
		}
		it.Close()
		if len(keys) != 300 {
			t.Fatalf("iterated %d entries, want 300", len(keys))
		}
		for i := range keys {
			if want := fmt.Sprintf("k%03d", i); string(keys[i]) != want || string(vals[i]) != fmt.Sprintf("value-%d", i) {
				t.Fatalf("entry %d after iterating: %q=%q, want %q=value-%d", i, keys[i], vals[i], want, i)
			}
		}
	})
}
