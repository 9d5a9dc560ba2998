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
	// matters because the save is on the path of every block.
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
	// ReadCache is the number of keys of the latest committed version kept
	// in memory for reads (0: none). See hotCache.
	ReadCache int
}

// DefaultOptions returns the options a node uses unless told otherwise.
func DefaultOptions() Options {
	return Options{
		Backend:    string(dbm.PebbleDBBackend),
		CacheSize:  500_000,
		KeepRecent: 1000,
		PruneEvery: 100,
		ReadCache:  1 << 18,
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

	// The block executor's goroutine owns these, as it owns the tree.
	writes map[string][]byte // working-tree writes since the last Save (nil: deleted)
	saved  *savedVersion     // what Save wrote and Commit has not recorded yet
	hot    *hotCache         // values of version last

	// saving is held by Save while it writes a version (and by Rollback
	// and pruning), and shared by every read of a committed version that
	// reaches IAVL (View on a read-cache miss, GetAt, ProveAt, HashAt).
	// IAVL's nodeDB is not safe for that: a save drops a deleted key's
	// fast node from the cache, then writes the batch that deletes it
	// from the disk; a read in between (a query of an older version)
	// loads the old fast node from the disk into the cache, where the
	// working tree then finds the deleted key again, and this node's
	// state diverges from the others' (TestQueryDuringCommit).
	saving sync.RWMutex
}

// savedVersion is a version Save wrote and Commit has not recorded: readers
// do not see it, and Open rolls it back.
type savedVersion struct {
	c      Commit
	writes map[string][]byte // its writes over the version before
}

// committedKey holds the last version Commit recorded (8 bytes, big endian).
// IAVL's own keys start with 's', 'f' or 'm' (and 'n', 'o', 'r' in legacy
// stores), so none collides with it.
var committedKey = []byte("tangent/committed")

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
// A version that was saved but never committed (the process died between
// Save and Commit) is rolled back.
func New(db idb.DB, opts Options) (*Store, error) {
	s := &Store{opts: opts, db: db, writes: make(map[string][]byte), hot: newHotCache(opts.ReadCache)}
	s.tree = s.newTree()
	if _, err := s.tree.Load(); err != nil {
		// A version whose root never reached the disk (a store written by
		// an older build that flushed mid-version, then killed): drop it
		// and load the one before; CometBFT replays the block.
		latest, lerr := latestVersionOnDisk(db)
		if lerr != nil || latest <= 1 {
			return nil, fmt.Errorf("iavlstore: load latest version: %w", err)
		}
		s.tree = s.newTree()
		if ferr := s.tree.LoadVersionForOverwriting(latest - 1); ferr != nil {
			return nil, fmt.Errorf("iavlstore: load latest version: %w (recovering to version %d: %v)", err, latest-1, ferr)
		}
	}
	if err := s.loadCommitted(); err != nil {
		return nil, err
	}
	s.last = Commit{Version: s.tree.Version(), Hash: s.tree.Hash()}
	s.hot.reset(s.last.Version)
	return s, nil
}

func (s *Store) newTree() *iavl.MutableTree {
	// One batch per version: IAVL flushes its batch whenever it passes
	// FlushThreshold, which would make SaveVersion non-atomic.
	return iavl.NewMutableTree(unsizedBatches{s.db}, s.opts.CacheSize, s.opts.NoFastStorage, iavl.NewNopLogger(),
		iavl.SyncOption(s.opts.Sync), iavl.FlushThresholdOption(math.MaxInt32))
}

// loadCommitted reads the last committed version and rolls the tree back to
// it. A store without the record (new, or written before the store kept
// one) counts every saved version as committed.
func (s *Store) loadCommitted() error {
	raw, err := s.db.Get(committedKey)
	if err != nil {
		return fmt.Errorf("iavlstore: read the committed version: %w", err)
	}
	latest := s.tree.Version()
	if raw == nil {
		return s.recordCommitted(latest)
	}
	if len(raw) != 8 {
		return fmt.Errorf("iavlstore: the committed-version record is %d bytes, want 8: the database is corrupt", len(raw))
	}
	switch committed := int64(binary.BigEndian.Uint64(raw)); {
	case committed == latest:
		return nil
	case committed > latest: // a torn version was dropped above
		return s.recordCommitted(latest)
	case committed == 0:
		// The first version was saved, never committed: CometBFT runs
		// InitChain again, on an empty store.
		return s.wipe()
	default:
		s.tree = s.newTree()
		if err := s.tree.LoadVersionForOverwriting(committed); err != nil {
			return fmt.Errorf("iavlstore: roll back version %d, saved but not committed, to %d: %w", latest, committed, err)
		}
		return nil
	}
}

// recordCommitted writes the committed-version record. It reaches the disk
// after the version's own batch (both go through one log), so a record that
// survives a crash never names a version that did not.
func (s *Store) recordCommitted(v int64) error {
	b := s.db.NewBatch()
	defer b.Close()
	err := b.Set(committedKey, binary.BigEndian.AppendUint64(nil, uint64(v)))
	if err == nil && s.opts.Sync {
		err = b.WriteSync()
	} else if err == nil {
		err = b.Write()
	}
	if err != nil {
		return fmt.Errorf("iavlstore: record committed version %d: %w", v, err)
	}
	return nil
}

// wipe deletes every key and starts an empty tree.
func (s *Store) wipe() error {
	it, err := s.db.Iterator(nil, nil)
	if err != nil {
		return fmt.Errorf("iavlstore: wipe: %w", err)
	}
	b := s.db.NewBatch()
	defer b.Close()
	for ; it.Valid(); it.Next() {
		if err := b.Delete(it.Key()); err != nil {
			it.Close()
			return fmt.Errorf("iavlstore: wipe: %w", err)
		}
	}
	err = it.Error()
	it.Close()
	if err == nil {
		err = b.WriteSync()
	}
	if err != nil {
		return fmt.Errorf("iavlstore: wipe: %w", err)
	}
	s.tree = s.newTree()
	if _, err := s.tree.Load(); err != nil {
		return fmt.Errorf("iavlstore: wipe: %w", err)
	}
	return s.recordCommitted(0)
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
	if v, ok := s.writes[string(key)]; ok {
		return v
	}
	if s.saved != nil {
		if v, ok := s.saved.writes[string(key)]; ok {
			return v
		}
	}
	// Not written since the last commit: the committed value. (last is
	// only written by this goroutine, in Commit.)
	base := s.last.Version
	if v, ok := s.hot.get(base, key); ok {
		return v
	}
	v, err := s.tree.Get(key)
	if err != nil {
		panic(&DBError{Op: "get", Err: err})
	}
	s.hot.fill(base, key, v)
	return v
}

// Has reports whether key is present in the working tree.
func (s *Store) Has(key []byte) bool { return s.Get(key) != nil }

// Set writes key=value to the working tree. IAVL refuses nil values; an
// empty value is stored as such.
func (s *Store) Set(key, value []byte) {
	if value == nil {
		value = []byte{}
	}
	if _, err := s.tree.Set(key, value); err != nil {
		panic(&DBError{Op: "set", Err: err})
	}
	s.writes[string(key)] = value
}

// Delete removes key from the working tree (a no-op when it is absent).
func (s *Store) Delete(key []byte) {
	if _, _, err := s.tree.Remove(key); err != nil {
		panic(&DBError{Op: "delete", Err: err})
	}
	s.writes[string(key)] = nil
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
	if val, ok := v.s.hot.get(v.version, key); ok {
		return val
	}
	v.s.saving.RLock()
	val, err := v.t.Get(key)
	v.s.saving.RUnlock()
	if err != nil {
		panic(&DBError{Op: "get", Err: err})
	}
	v.s.hot.fill(v.version, key, val)
	return val
}

// Has implements state.KV.
func (v *View) Has(key []byte) bool { return v.Get(key) != nil }

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

// Rollback discards every change since the last Commit: the working
// tree's, and a version Save wrote.
func (s *Store) Rollback() {
	s.tree.Rollback()
	clear(s.writes)
	if s.saved == nil {
		return
	}
	if s.last.Version == 0 {
		panic("iavlstore: Rollback of a saved first version: reopen the store instead (Open rolls it back)")
	}
	s.saved = nil
	s.saving.Lock()
	defer s.saving.Unlock()
	if err := s.tree.LoadVersionForOverwriting(s.last.Version); err != nil {
		panic(&DBError{Op: "roll back a saved version", Err: err})
	}
}

// Save writes the working tree as the next version, atomically with respect
// to crashes, but does not commit it: readers keep seeing the last commit,
// and Open rolls the version back unless Commit records it. It lets the
// app write a block's state as soon as the block is executed, before
// CometBFT's Commit, which holds the mempool's lock while it runs.
func (s *Store) Save() (Commit, error) {
	if s.saved != nil {
		return Commit{}, fmt.Errorf("iavlstore: Save while version %d is saved and not committed", s.saved.c.Version)
	}
	s.saving.Lock()
	hash, version, err := s.tree.SaveVersion()
	s.saving.Unlock()
	if err != nil {
		return Commit{}, fmt.Errorf("iavlstore: save version: %w", err)
	}
	s.saved = &savedVersion{c: Commit{Version: version, Hash: hash}, writes: s.writes}
	s.writes = make(map[string][]byte, len(s.writes))
	return s.saved.c, nil
}

// Commit records the version Save wrote (saving the working tree first if
// Save was not called) as committed: readers see it from now on, and it
// survives a crash as Options.Sync says. Old versions are then pruned as
// Options say; a *PruneError means the version was committed but pruning
// failed.
func (s *Store) Commit() (Commit, error) {
	if s.saved == nil {
		if _, err := s.Save(); err != nil {
			return Commit{}, err
		}
	}
	c := s.saved.c
	if err := s.recordCommitted(c.Version); err != nil {
		return Commit{}, err
	}
	s.hot.advance(c.Version, s.saved.writes)
	s.saved = nil
	s.mu.Lock()
	s.last = c
	s.mu.Unlock()
	if k, every := s.opts.KeepRecent, s.opts.PruneEvery; k > 0 && every > 0 && c.Version%every == 0 && c.Version > k {
		s.saving.Lock()
		defer s.saving.Unlock()
		if err := s.tree.DeleteVersionsTo(c.Version - k); err != nil {
			return c, &PruneError{UpTo: c.Version - k, Err: err}
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
