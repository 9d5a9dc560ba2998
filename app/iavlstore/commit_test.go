package iavlstore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"
)

// TestSavedVersionRollsBack: a version Save wrote but Commit never recorded
// (the process died in between) is invisible to readers and gone after
// reopening, so that CometBFT runs its block again; the first version too,
// which leaves an empty store for InitChain.
func TestSavedVersionRollsBack(t *testing.T) {
	backends(t, func(t *testing.T, opts Options) {
		dir := t.TempDir()
		s, err := Open(dir, "state", opts)
		if err != nil {
			t.Fatal(err)
		}
		s.Set([]byte("a"), []byte("1"))
		if c, err := s.Save(); err != nil || c.Version != 1 {
			t.Fatalf("Save = %+v, %v", c, err)
		}
		if got := s.LastCommit(); got.Version != 0 {
			t.Fatalf("LastCommit after Save = %+v, want version 0", got)
		}
		s.Close()

		if s, err = Open(dir, "state", opts); err != nil {
			t.Fatal(err)
		}
		if got := s.LastCommit(); got.Version != 0 || s.Get([]byte("a")) != nil {
			t.Fatalf("reopened after an uncommitted first version: LastCommit %+v, a=%q; want an empty store", got, s.Get([]byte("a")))
		}
		s.Set([]byte("a"), []byte("1"))
		c1, err := s.Commit()
		if err != nil || c1.Version != 1 {
			t.Fatalf("Commit = %+v, %v", c1, err)
		}
		s.Set([]byte("a"), []byte("2"))
		s.Set([]byte("b"), []byte("2"))
		saved, err := s.Save()
		if err != nil || saved.Version != 2 {
			t.Fatalf("Save = %+v, %v", saved, err)
		}
		// Readers still see version 1; the working tree sees version 2.
		if v, _, err := s.GetAt(0, []byte("a")); err != nil || string(v) != "1" {
			t.Fatalf("GetAt(latest, a) = %q, %v; want 1", v, err)
		}
		if view, _ := s.View(0); view.Version() != 1 || string(view.Get([]byte("a"))) != "1" || view.Has([]byte("b")) {
			t.Fatalf("view of the latest commit reads version %d, a=%q", view.Version(), view.Get([]byte("a")))
		}
		if string(s.Get([]byte("a"))) != "2" {
			t.Fatalf("working a = %q, want 2", s.Get([]byte("a")))
		}
		if _, err := s.Save(); err == nil {
			t.Fatal("a second Save before Commit succeeded")
		}
		s.Close()

		if s, err = Open(dir, "state", opts); err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		if got := s.LastCommit(); got.Version != 1 || !bytes.Equal(got.Hash, c1.Hash) || string(s.Get([]byte("a"))) != "1" || s.Has([]byte("b")) {
			t.Fatalf("reopened: LastCommit %+v a=%q; want version 1 (%X) with a=1 and no b", got, s.Get([]byte("a")), c1.Hash)
		}
		// The block runs again, differently (a replay may not, but the
		// store must not care) and commits.
		s.Set([]byte("a"), []byte("3"))
		c2, err := s.Commit()
		if err != nil || c2.Version != 2 || bytes.Equal(c2.Hash, saved.Hash) {
			t.Fatalf("recommit = %+v, %v (the rolled-back version's hash was %X)", c2, err, saved.Hash)
		}
		if v, _, _ := s.GetAt(2, []byte("b")); v != nil {
			t.Fatalf("b = %q in the recommitted version 2", v)
		}
	})
}

// TestRollbackOfSavedVersion: Rollback after Save drops the saved version
// in-process, as reopening does.
func TestRollbackOfSavedVersion(t *testing.T) {
	s := OpenMemory(DefaultOptions())
	s.Set([]byte("a"), []byte("1"))
	c1, _ := s.Commit()
	s.Set([]byte("a"), []byte("2"))
	if _, err := s.Save(); err != nil {
		t.Fatal(err)
	}
	s.Rollback()
	if string(s.Get([]byte("a"))) != "1" || s.WorkingVersion() != 2 {
		t.Fatalf("after Rollback: a=%q, working version %d", s.Get([]byte("a")), s.WorkingVersion())
	}
	s.Set([]byte("b"), []byte("1"))
	c2, err := s.Commit()
	if err != nil || c2.Version != 2 {
		t.Fatalf("Commit = %+v, %v", c2, err)
	}
	// Same writes on a store that never saw the rolled-back version.
	o := OpenMemory(DefaultOptions())
	o.Set([]byte("a"), []byte("1"))
	o.Commit()
	o.Set([]byte("b"), []byte("1"))
	if oc, _ := o.Commit(); !bytes.Equal(oc.Hash, c2.Hash) || !bytes.Equal(o.LastCommit().Hash, s.LastCommit().Hash) {
		t.Fatalf("hash after a rolled-back save %X, without %X (version 1: %X)", c2.Hash, oc.Hash, c1.Hash)
	}
}

// TestStoreWithoutCommitRecord: a store written before the store recorded
// its commits opens at its latest version.
func TestStoreWithoutCommitRecord(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir, "state", DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	s.Set([]byte("a"), []byte("1"))
	s.Commit()
	s.Set([]byte("a"), []byte("2"))
	c2, _ := s.Commit()
	b := s.db.NewBatch()
	b.Delete(committedKey)
	if err := b.Write(); err != nil {
		t.Fatal(err)
	}
	b.Close()
	s.Close()
	if s, err = Open(dir, "state", DefaultOptions()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if got := s.LastCommit(); got.Version != 2 || !bytes.Equal(got.Hash, c2.Hash) {
		t.Fatalf("LastCommit = %+v, want %+v", got, c2)
	}
}

// TestReadCacheMatchesTree: whatever the read cache holds, every read (the
// working tree's and committed views') returns what IAVL itself returns,
// through random writes, deletes, saves, commits and rollbacks, with a
// cache smaller than the key space so that it fills up.
func TestReadCacheMatchesTree(t *testing.T) {
	for _, size := range []int{0, 40, 1 << 10} {
		t.Run(fmt.Sprint("cache=", size), func(t *testing.T) {
			opts := DefaultOptions()
			opts.ReadCache = size
			s := OpenMemory(opts)
			rng := rand.New(rand.NewPCG(1, uint64(size)))
			key := func() []byte { return []byte(fmt.Sprintf("k%03d", rng.IntN(200))) }
			check := func(step int) {
				t.Helper()
				for i := range 200 {
					k := []byte(fmt.Sprintf("k%03d", i))
					want, err := s.tree.Get(k)
					if err != nil {
						t.Fatal(err)
					}
					if got := s.Get(k); !bytes.Equal(got, want) || (got == nil) != (want == nil) || s.Has(k) != (want != nil) {
						t.Fatalf("step %d: working %s = %q, tree has %q", step, k, got, want)
					}
					last := s.LastCommit().Version
					if last == 0 {
						continue
					}
					view, err := s.View(0)
					if err != nil {
						t.Fatal(err)
					}
					imm, err := s.tree.GetImmutable(last)
					if err != nil {
						t.Fatal(err)
					}
					want, _ = imm.Get(k)
					if got := view.Get(k); !bytes.Equal(got, want) || (got == nil) != (want == nil) || view.Has(k) != (want != nil) {
						t.Fatalf("step %d: view@%d %s = %q, tree has %q", step, last, k, got, want)
					}
				}
			}
			for step := range 300 {
				for range rng.IntN(20) {
					if rng.IntN(4) == 0 {
						s.Delete(key())
					} else {
						s.Set(key(), []byte(fmt.Sprint(step, rng.IntN(1000))))
					}
					s.Get(key()) // fill the cache between writes
				}
				switch r := rng.IntN(10); {
				case r < 5:
					if _, err := s.Commit(); err != nil {
						t.Fatal(err)
					}
				case r < 7:
					if _, err := s.Save(); err != nil {
						t.Fatal(err)
					}
					check(step)
					if s.LastCommit().Version > 0 && rng.IntN(2) == 0 {
						s.Rollback()
					} else if _, err := s.Commit(); err != nil {
						t.Fatal(err)
					}
				case r < 8 && s.LastCommit().Version > 0:
					s.Rollback()
				}
				check(step)
			}
		})
	}
}
