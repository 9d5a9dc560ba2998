package iavlstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sync"

	dbm "github.com/cosmos/cosmos-db"
	"github.com/cosmos/iavl"
	idb "github.com/cosmos/iavl/db"
	ics23 "github.com/cosmos/ics23/go"
	"github.com/syndtr/goleveldb/leveldb/filter"
	"github.com/syndtr/goleveldb/leveldb/opt"

	"tangent/ledger/state"
)

// Options tune a Store. The zero value is not valid; start from
// DefaultOptions.
type Options struct {
	// Backend is the database: "pebbledb" (default; the engine CometBFT
	// v1 keeps its own databases in) or "goleveldb", for a new database;
	// Open reads an existing one with the backend that wrote it. With Pebble
	// IAVL saves a version in about 40 % less CPU (bench/ledger.sh), which
	// matters because Commit holds CometBFT's mempool lock while it writes.
	Backend string
	// CacheSize is the number of IAVL nodes kept in memory.
	CacheSize int
	// Sync fsyncs every commit. Off by default: a killed process or a power
	// loss can lose the last commits (each whole), which CometBFT's
	// handshake then replays (see the package doc).
	Sync bool
	// KeepRecent is the number of committed versions kept for queries and
	// proofs; older versions are pruned. 0 keeps every version.
	KeepRecent int64
	// PruneEvery is the interval, in versions, between two prunings.
	PruneEvery int64
	// NoFastStorage turns off IAVL's fast index (a flat key→value copy of
	// the latest version that makes reads one lookup but doubles the
	// writes of every commit). The root hash does not depend on it.
	NoFastStorage bool
}

// DefaultOptions returns the options a node uses unless told otherwise.
func DefaultOptions() Options {
	return Options{
		Backend:    string(dbm.PebbleDBBackend),
		CacheSize:  500_000,
		KeepRecent: 1000,
		PruneEvery: 100,
	}
}

// Commit names one saved version of the tree.
type Commit struct {
	Version int64  // the block height whose execution produced this state
	Hash    []byte // the tree's root hash: the app hash
}

// DBError is the panic value of a working-tree accessor whose database read
// or write failed. It means the node can no longer trust its state.
type DBError struct {
	Op  string
	Err error
}

func (e *DBError) Error() string { return "iavlstore: " + e.Op + ": " + e.Err.Error() }
func (e *DBError) Unwrap() error { return e.Err }

// PruneError is Commit's report that the version was saved but older
// versions could not be deleted: the commit itself succeeded.
type PruneError struct {
	UpTo int64
	Err  error
}

func (e *PruneError) Error() string {
	return fmt.Sprintf("iavlstore: version saved, but pruning versions up to %d failed: %v", e.UpTo, e.Err)
}
func (e *PruneError) Unwrap() error { return e.Err }

// FatalStorageError marks DBError as a storage failure (state.Fatal): the
// ledger re-panics it instead of failing one tx.
func (e *DBError) FatalStorageError() {}

var (
	_ state.KV    = (*Store)(nil)
	_ state.KV    = (*View)(nil)
	_ state.Fatal = (*DBError)(nil)
)

// ErrVersionPruned is returned by GetAt and ProveAt for a version that is
// not (or no longer) stored: it is in the future or was pruned.
var ErrVersionPruned = errors.New("iavlstore: version not available (pruned or not yet committed)")

// Store is an IAVL tree over a key-value database. See the package doc.
type Store struct {
	opts Options
	db   idb.DB
	tree *iavl.MutableTree

	mu   sync.RWMutex // guards last
	last Commit

	// saving is held by Commit while it writes a version, and shared by
	// every read of a committed version (View, GetAt, ProveAt, HashAt).
	// IAVL's nodeDB is not safe for that: Commit drops a deleted key's
	// fast node from the cache, then writes the batch that deletes it
	// from the disk; a read in between (a query of an older version)
	// loads the old fast node from the disk into the cache, where the
	// working tree then finds the deleted key again, and this node's
	// state diverges from the others' (TestQueryDuringCommit).
	saving sync.RWMutex
}

// Open opens (or creates) the store named name under dir and loads the
// latest committed version.
func Open(dir, name string, opts Options) (*Store, error) {
	if opts.Backend == "" {
		opts.Backend = DefaultOptions().Backend
	}
	if written := writtenBy(filepath.Join(dir, name+".db")); written != "" {
		opts.Backend = written
	}
	var db idb.DB
	var err error
	switch opts.Backend {
	case string(dbm.GoLevelDBBackend):
		var ldb *dbm.GoLevelDB
		if ldb, err = dbm.NewGoLevelDBWithOpts(name, dir, LevelDBOptions()); err == nil {
			db = idb.NewWrapper(ldb)
		}
	case string(dbm.PebbleDBBackend):
		db, err = openPebble(name, dir)
	default:
		err = fmt.Errorf("unknown backend; use %s or %s", dbm.GoLevelDBBackend, dbm.PebbleDBBackend)
	}
	if err != nil {
		return nil, fmt.Errorf("iavlstore: open %s database %q in %s: %w", opts.Backend, name, dir, err)
	}
	s, err := New(db, opts)
	if err != nil {
		db.Close()
		return nil, err
	}
	return s, nil
}

// writtenBy names the backend that wrote the database directory path, or
// "" if there is none yet. Pebble keeps an OPTIONS file next to its
// manifest; goleveldb does not.
func writtenBy(path string) string {
	if _, err := os.Stat(filepath.Join(path, "CURRENT")); err != nil {
		return ""
	}
	if m, _ := filepath.Glob(filepath.Join(path, "OPTIONS-*")); len(m) > 0 {
		return string(dbm.PebbleDBBackend)
	}
	return string(dbm.GoLevelDBBackend)
}

// LevelDBOptions are the goleveldb options of the app's database. The
// tree writes each version as one batch of new nodes under random-looking
// keys (node keys are version|nonce, fast-index keys are state keys), and
// reads mostly hit IAVL's node cache: a larger write buffer (goleveldb's
// memtable, 4 MiB by default; 16 MiB here) and larger tables mean fewer
// compactions, and
// seek-triggered compactions (goleveldb compacts a file that reads miss too
// often, which random reads do all the time) are turned off, as the Cosmos
// SDK does.
func LevelDBOptions() *opt.Options {
	return &opt.Options{
		Filter:                 filter.NewBloomFilter(10),
		WriteBuffer:            16 << 20,
		CompactionTableSize:    8 << 20,
		BlockCacheCapacity:     32 << 20,
		DisableSeeksCompaction: true,
	}
}

// OpenMemory returns a store over an in-memory database (for simulations and
// tests that want the real tree and hashes without disk).
func OpenMemory(opts Options) *Store {
	s, err := New(idb.NewWrapper(dbm.NewMemDB()), opts)
	if err != nil {
		panic(err) // an empty memory DB cannot fail to load
	}
	return s
}

// New builds a store over an already open database, which it then owns.
func New(db idb.DB, opts Options) (*Store, error) {
	newTree := func() *iavl.MutableTree {
		// One batch per version: IAVL flushes its batch whenever it passes
		// FlushThreshold, which would make SaveVersion non-atomic.
		return iavl.NewMutableTree(unsizedBatches{db}, opts.CacheSize, opts.NoFastStorage, iavl.NewNopLogger(),
			iavl.SyncOption(opts.Sync), iavl.FlushThresholdOption(math.MaxInt32))
	}
	tree := newTree()
	if _, err := tree.Load(); err != nil {
		// A version whose root never reached the disk (a store written by
		// an older build that flushed mid-version, then killed): drop it
		// and load the one before; CometBFT replays the block.
		latest, lerr := latestVersionOnDisk(db)
		if lerr != nil || latest <= 1 {
			return nil, fmt.Errorf("iavlstore: load latest version: %w", err)
		}
		tree = newTree()
		if ferr := tree.LoadVersionForOverwriting(latest - 1); ferr != nil {
			return nil, fmt.Errorf("iavlstore: load latest version: %w (recovering to version %d: %v)", err, latest-1, ferr)
		}
	}
	s := &Store{opts: opts, db: db, tree: tree}
	s.last = Commit{Version: tree.Version(), Hash: tree.Hash()}
	return s, nil
}

// SetInitialVersion makes the first Commit save version v instead of 1 (for
// a chain whose genesis initial_height is v). Only valid on an empty store.
func (s *Store) SetInitialVersion(v int64) {
	if v > 1 {
		s.tree.SetInitialVersion(uint64(v))
	}
}

// LastCommit returns the latest saved version and its hash. A fresh store
// reports version 0 and the hash of the empty tree.
func (s *Store) LastCommit() Commit {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.last
}

// Get returns the working value of key, or nil if it is absent.
func (s *Store) Get(key []byte) []byte {
	v, err := s.tree.Get(key)
	if err != nil {
		panic(&DBError{Op: "get", Err: err})
	}
	return v
}

// Has reports whether key is present in the working tree.
func (s *Store) Has(key []byte) bool {
	ok, err := s.tree.Has(key)
	if err != nil {
		panic(&DBError{Op: "has", Err: err})
	}
	return ok
}

// Set writes key=value to the working tree. IAVL refuses nil values; an
// empty value is stored as such.
func (s *Store) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	if _, err := s.tree.Set(key, value); err != nil {
		panic(&DBError{Op: "set", Err: err})
	}
}

// Delete removes key from the working tree (a no-op when it is absent).
func (s *Store) Delete(key []byte) {
	if _, _, err := s.tree.Remove(key); err != nil {
		panic(&DBError{Op: "delete", Err: err})
	}
}

// Iterator iterates the working tree over [start, end) in ascending (or
// descending) key order; nil bounds are open. The caller must Close it and
// must not write to the store while it is open.
func (s *Store) Iterator(start, end []byte, ascending bool) state.Iterator {
	it, err := s.tree.Iterator(start, end, ascending)
	if err != nil {
		panic(&DBError{Op: "iterator", Err: err})
	}
	return failLoud{it}
}

// failLoud makes an IAVL iterator's storage error a panic, as every other
// read is (state.Fatal): IAVL reports a node it cannot load by ending the
// iteration early with Error set, and a loop that stops there would act on
// part of the range, so this node's state would diverge from the others'
// instead of the node stopping.
type failLoud struct{ state.Iterator }

func (it failLoud) check() {
	if err := it.Iterator.Error(); err != nil {
		panic(&DBError{Op: "iterate", Err: err})
	}
}

// Valid reports whether the iterator is positioned at a key; it panics on
// a storage error.
func (it failLoud) Valid() bool {
	ok := it.Iterator.Valid()
	if !ok {
		it.check()
	}
	return ok
}

// Next moves to the next key; it panics on a storage error.
func (it failLoud) Next() {
	it.Iterator.Next()
	it.check()
}

// View is a read-only state.KV over one committed version. Reads may run
// concurrently with the block executor's writes to the working tree. Writes
// panic: layer a state.Cache over a View to buffer them (CheckTx does).
type View struct {
	s       *Store
	t       *iavl.ImmutableTree
	version int64
}

// View returns a read-only view of committed version v (0 = latest). A
// fresh store's view at version 0 is empty.
func (s *Store) View(v int64) (*View, error) {
	if v == 0 && s.LastCommit().Version == 0 {
		return &View{t: nil}, nil
	}
	t, v, err := s.immutable(v)
	if err != nil {
		return nil, err
	}
	return &View{s: s, t: t, version: v}, nil
}

// Version is the committed version the view reads.
func (v *View) Version() int64 { return v.version }

// Get implements state.KV.
func (v *View) Get(key []byte) []byte {
	if v.t == nil {
		return nil
	}
	v.s.saving.RLock()
	val, err := v.t.Get(key)
	v.s.saving.RUnlock()
	if err != nil {
		panic(&DBError{Op: "get", Err: err})
	}
	return val
}

// Has implements state.KV.
func (v *View) Has(key []byte) bool {
	if v.t == nil {
		return false
	}
	v.s.saving.RLock()
	ok, err := v.t.Has(key)
	v.s.saving.RUnlock()
	if err != nil {
		panic(&DBError{Op: "has", Err: err})
	}
	return ok
}

// Set panics: a View is read-only.
func (v *View) Set(key, value []byte) { panic("iavlstore: Set on a read-only View") }

// Delete panics: a View is read-only.
func (v *View) Delete(key []byte) { panic("iavlstore: Delete on a read-only View") }

// Iterator implements state.KV.
func (v *View) Iterator(start, end []byte, ascending bool) state.Iterator {
	if v.t == nil {
		return emptyIter{}
	}
	// Created under the commit lock as the other reads are: the fast
	// iterator of the latest version decides which nodes to read as it is
	// made.
	v.s.saving.RLock()
	it, err := v.t.Iterator(start, end, ascending)
	v.s.saving.RUnlock()
	if err != nil {
		panic(&DBError{Op: "iterator", Err: err})
	}
	return failLoud{it}
}

type emptyIter struct{}

func (emptyIter) Valid() bool   { return false }
func (emptyIter) Next()         {}
func (emptyIter) Key() []byte   { return nil }
func (emptyIter) Value() []byte { return nil }
func (emptyIter) Error() error  { return nil }
func (emptyIter) Close() error  { return nil }

// WorkingHash returns the root hash the working tree would have if committed
// now. It caches node hashes, so the following Commit does not rehash.
func (s *Store) WorkingHash() []byte { return s.tree.WorkingHash() }

// WorkingVersion is the version the next Commit will save.
func (s *Store) WorkingVersion() int64 { return s.tree.WorkingVersion() }

// Rollback discards every working change since the last Commit.
func (s *Store) Rollback() { s.tree.Rollback() }

// Commit saves the working tree as the next version and prunes old versions
// as Options say. It is atomic with respect to crashes. A *PruneError
// means the version was saved but pruning failed.
func (s *Store) Commit() (Commit, error) {
	s.saving.Lock()
	defer s.saving.Unlock()
	hash, version, err := s.tree.SaveVersion()
	if err != nil {
		return Commit{}, fmt.Errorf("iavlstore: save version: %w", err)
	}
	c := Commit{Version: version, Hash: hash}
	s.mu.Lock()
	s.last = c
	s.mu.Unlock()
	if k, every := s.opts.KeepRecent, s.opts.PruneEvery; k > 0 && every > 0 && version%every == 0 && version > k {
		if err := s.tree.DeleteVersionsTo(version - k); err != nil {
			return c, &PruneError{UpTo: version - k, Err: err}
		}
	}
	return c, nil
}

// GetAt returns the value of key in committed version v (0 = latest), and
// the version actually read.
func (s *Store) GetAt(v int64, key []byte) ([]byte, int64, error) {
	s.saving.RLock()
	defer s.saving.RUnlock()
	t, v, err := s.immutable(v)
	if err != nil {
		return nil, 0, err
	}
	val, err := t.Get(key)
	if err != nil {
		return nil, 0, fmt.Errorf("iavlstore: get at version %d: %w", v, err)
	}
	return val, v, nil
}

// ProveAt returns the value of key in committed version v (0 = latest), an
// ICS23 proof of its membership (or, when value is nil, non-membership)
// under that version's root hash, and the version actually read.
func (s *Store) ProveAt(v int64, key []byte) (value []byte, proof *ics23.CommitmentProof, version int64, err error) {
	s.saving.RLock()
	defer s.saving.RUnlock()
	t, v, err := s.immutable(v)
	if err != nil {
		return nil, nil, 0, err
	}
	value, err = t.Get(key)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("iavlstore: get at version %d: %w", v, err)
	}
	proof, err = t.GetProof(key)
	if err != nil {
		return nil, nil, 0, fmt.Errorf("iavlstore: proof of %x at version %d: %w", key, v, err)
	}
	return value, proof, v, nil
}

// HashAt returns the root hash of committed version v.
func (s *Store) HashAt(v int64) ([]byte, error) {
	s.saving.RLock()
	defer s.saving.RUnlock()
	t, _, err := s.immutable(v)
	if err != nil {
		return nil, err
	}
	return t.Hash(), nil
}

// unsizedBatches ignores IAVL's batch size hint (its flush threshold, which
// Open sets to "never" so that a version is written in one atomic batch).
type unsizedBatches struct{ idb.DB }

func (u unsizedBatches) NewBatchWithSize(int) idb.Batch { return u.DB.NewBatch() }

// latestVersionOnDisk reads the highest version that has any node in db
// (IAVL v1 node keys are 's' | version (8 bytes BE) | nonce (4 bytes BE)).
func latestVersionOnDisk(db idb.DB) (int64, error) {
	it, err := db.ReverseIterator([]byte{'s'}, []byte{'t'})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Valid() || len(it.Key()) < 9 {
		return 0, it.Error()
	}
	return int64(binary.BigEndian.Uint64(it.Key()[1:9])), nil
}

func (s *Store) immutable(v int64) (*iavl.ImmutableTree, int64, error) {
	last := s.LastCommit()
	if v == 0 {
		v = last.Version
	}
	if v <= 0 || v > last.Version {
		return nil, 0, fmt.Errorf("%w: version %d, latest is %d", ErrVersionPruned, v, last.Version)
	}
	t, err := s.tree.GetImmutable(v)
	if err != nil {
		return nil, 0, fmt.Errorf("%w: version %d: %v", ErrVersionPruned, v, err)
	}
	return t, v, nil
}

// Close closes the database. The store must not be used afterwards.
func (s *Store) Close() error {
	err := s.tree.Close()
	if cerr := s.db.Close(); err == nil {
		err = cerr
	}
	return err
}

// VerifyProof checks an ICS23 proof from ProveAt against a trusted root
// hash: membership of key=value when value is non-nil, non-membership of
// key when it is nil.
func VerifyProof(root []byte, proof *ics23.CommitmentProof, key, value []byte) error {
	if proof == nil {
		return errors.New("iavlstore: no proof")
	}
	if value != nil {
		if !ics23.VerifyMembership(ics23.IavlSpec, root, proof, key, value) {
			return fmt.Errorf("iavlstore: proof of %x=%x does not verify against root %X", key, value, root)
		}
		return nil
	}
	if !ics23.VerifyNonMembership(ics23.IavlSpec, root, proof, key) {
		return fmt.Errorf("iavlstore: non-membership proof of %x does not verify against root %X", key, root)
	}
	return nil
}
