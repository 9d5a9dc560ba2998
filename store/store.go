package store

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"hash/maphash"
	"io"
	"io/fs"
	"log/slog"
	"path/filepath"
	"sort"
	"strings"
	"sync"

	"github.com/ipfs/go-cid"
)

// Options configures a disk store. The zero value of a field means its
// default (DefaultOptions).
type Options struct {
	// FS is the filesystem to write through (default OSFS).
	FS FS
	// MaxBlobSize bounds one blob (default 8 GiB). Put and fetches of a
	// larger blob fail with *TooLargeError before writing it all.
	MaxBlobSize int64
	// Quota bounds the bytes of all blocks in the store (default 64 GiB; a
	// negative value means no quota). Writes past it fail with *QuotaError.
	Quota int64
	// ChunkSize is the chunk size Put uses (default DefaultChunkSize, 1 MiB).
	// Other values give other CIDs for the same bytes; tests use them.
	ChunkSize int
	// Workers is how many chunks Put hashes and writes at once (default 2).
	Workers int
	// PartialGrace is how many ledger heights the blocks of an interrupted
	// fetch (Batch.KeepPartial) are kept after the first GC that sees them,
	// so that the fetch can resume (default 1000).
	PartialGrace uint64
	// NoSync skips fsync. Writes stay atomic (a kill -9 never leaves a
	// committed blob with a torn block) but a power loss may lose committed
	// blobs. For tests and benchmarks only.
	NoSync bool
	// Logger receives recovery notes (default slog.Default()).
	Logger *slog.Logger
}

// DefaultOptions returns the defaults Open uses for zero fields.
func DefaultOptions() Options {
	return Options{
		FS:           OSFS{},
		MaxBlobSize:  8 << 30,
		Quota:        64 << 30,
		ChunkSize:    DefaultChunkSize,
		Workers:      2,
		PartialGrace: 1000,
	}
}

func (o Options) withDefaults() (Options, error) {
	d := DefaultOptions()
	if o.FS == nil {
		o.FS = d.FS
	}
	if o.MaxBlobSize == 0 {
		o.MaxBlobSize = d.MaxBlobSize
	}
	if o.Quota == 0 {
		o.Quota = d.Quota
	}
	if o.ChunkSize == 0 {
		o.ChunkSize = d.ChunkSize
	}
	if o.Workers <= 0 {
		o.Workers = d.Workers
	}
	if o.PartialGrace == 0 {
		o.PartialGrace = d.PartialGrace
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if !validChunkSize(o.ChunkSize) {
		return o, fmt.Errorf("store: chunk size %d is not a power of two in [%d, %d]", o.ChunkSize, MinChunkSize, MaxChunkSize)
	}
	if o.MaxBlobSize < 0 {
		return o, fmt.Errorf("store: negative max blob size %d", o.MaxBlobSize)
	}
	if max := int64(MaxChunks) * int64(o.ChunkSize); o.MaxBlobSize > max {
		o.MaxBlobSize = max
	}
	return o, nil
}

// Retention says how long the store keeps a blob. A blob is kept while it is
// pinned or while the ledger height has not passed KeepUntil; GC(h) drops the
// others.
type Retention struct {
	// KeepUntil is the last ledger height at which the blob must still be
	// held. Short-lived proof data (checkpoints) uses the end of its
	// challenge window (ThroughWindow).
	KeepUntil uint64
	// Pinned blobs are kept whatever the height.
	Pinned bool
}

// Pinned is the retention of a blob kept until unpinned.
func Pinned() Retention { return Retention{Pinned: true} }

// Until is the retention of a blob kept through ledger height h.
func Until(h uint64) Retention { return Retention{KeepUntil: h} }

// ThroughWindow is the retention of proof data committed at height
// committed and challengeable for window more heights.
func ThroughWindow(committed, window uint64) Retention {
	return Retention{KeepUntil: committed + window}
}

// merge keeps a blob as long as either retention asks.
func (r Retention) merge(o Retention) Retention {
	return Retention{KeepUntil: max(r.KeepUntil, o.KeepUntil), Pinned: r.Pinned || o.Pinned}
}

// Kind says what a CID names.
type Kind uint8

const (
	// KindRaw is a blob of at most one chunk, named by its raw CID.
	KindRaw Kind = iota + 1
	// KindChunked is a blob under a Manifest.
	KindChunked
	// KindShards is an erasure-coded shard set (ShardManifest).
	KindShards
)

func (k Kind) String() string {
	switch k {
	case KindRaw:
		return "raw"
	case KindChunked:
		return "chunked"
	case KindShards:
		return "shards"
	}
	return "unknown"
}

// Info describes a committed blob.
type Info struct {
	CID  cid.Cid
	Kind Kind
	// Size is the blob's size in bytes (for KindShards, the shard
	// manifest's).
	Size int64
	// Blocks counts the blocks the blob holds (manifest and chunks).
	Blocks    int
	Retention Retention
	// Complete reports whether every block is present.
	Complete bool
}

// LockedError is returned by Open when another process has the store open.
// It wraps ErrLocked.
type LockedError struct{ Dir string }

func (e *LockedError) Error() string {
	return fmt.Sprintf("store: %s is in use by another process; stop it or use another home directory", e.Dir)
}

func (e *LockedError) Unwrap() error { return ErrLocked }

// ErrNotFound is returned by Get, Stat, Block and the retention setters when
// the store has no such blob or block.
var ErrNotFound = errors.New("store: not found")

// TooLargeError is returned when a blob is over the per-blob size limit.
type TooLargeError struct {
	Size  int64 // bytes seen so far, or the declared size
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("store: blob of %d bytes or more is over the per-blob limit of %d bytes; raise the limit (--max-blob-size) or split the data", e.Size, e.Limit)
}

// QuotaError is returned when a write would take the store past its quota.
type QuotaError struct {
	Need, Used, Quota int64
}

func (e *QuotaError) Error() string {
	return fmt.Sprintf("store: quota exceeded: %d more bytes needed, %d of %d in use; run GC, unpin blobs, or raise the quota (--quota)", e.Need, e.Used, e.Quota)
}

// CorruptError is returned when a block's file does not hash to its CID (a
// crash or a bad disk damaged it): the store deletes the file (Path) and
// fetching the blob again repairs it. It is also returned, with an empty
// Path, when a chunk is not the length its blob's manifest says (the
// manifest is inconsistent with its chunks: such a blob cannot be read, and
// Commit refuses it); nothing is deleted then.
type CorruptError struct {
	CID  cid.Cid
	Path string
	Err  error
}

func (e *CorruptError) Error() string {
	if e.Path == "" {
		return fmt.Sprintf("store: block %s does not fit its blob: %v", e.CID, e.Err)
	}
	return fmt.Sprintf("store: block %s at %s is corrupt and was removed (%v); fetch the blob again", e.CID, e.Path, e.Err)
}

// chunkLenError reports chunk i of blob root, n bytes long where its
// manifest m says otherwise.
func chunkLenError(root cid.Cid, m *Manifest, i, n int) *CorruptError {
	return &CorruptError{CID: m.ChunkCID(i), Err: fmt.Errorf("chunk %d of blob %s is %d bytes, its manifest says %d", i, root, n, m.ChunkLen(i))}
}

func (e *CorruptError) Unwrap() error { return e.Err }

// IncompleteError is returned by Batch.Commit when blocks the blob needs are
// missing.
type IncompleteError struct {
	CID     cid.Cid
	Missing int
}

func (e *IncompleteError) Error() string {
	return fmt.Sprintf("store: blob %s is missing %d blocks", e.CID, e.Missing)
}

// blockState is what the store knows of one block.
type blockState struct {
	c        cid.Cid
	size     int64
	present  bool // its file is in blocks/
	verified bool // hashed (or written from hashed bytes) by this process
	durable  bool // fsynced by this process, or listed by a sealed blob
	// crc is the CRC-32C of the block's right bytes, known (hasCRC) once
	// this process verified them, or from a sealed blob's metadata: a
	// block with a known CRC is checked against it instead of hashed.
	crc         uint32
	hasCRC      bool
	crcConflict bool // two sealed blobs disagree: never trust a CRC for it
	refs        int  // committed blobs listing it
	pending     int  // open batches and readers using it
}

type blobState struct {
	info   Info
	blocks []string // block keys: the root first
	sealed bool     // its metadata is sealed (lists its blocks' CRCs)
}

// Store is a content-addressed blob store in a directory. It is safe for
// concurrent use by one process; Open takes a lock so that a second process
// opening the same directory fails.
//
// Layout: dir/LOCK, dir/blocks/<cid> (one file per block, written to
// dir/tmp and renamed in), dir/meta/<cid> (one small file per committed blob:
// its retention), dir/tmp.
type Store struct {
	dir  string
	opts Options
	fs   FS
	lock io.Closer

	// Lock order: metaMu before mu, a stripe before mu, a Batch's mu
	// last. metaMu and a stripe are never held together.
	stripes [64]sync.Mutex // serialize writers of the same block
	seed    maphash.Seed
	// metaMu serializes every change of a blob's metadata file together
	// with the matching change of blobs: Commit's write and install,
	// SetRetention, and GC's removal of expired blobs, so that GC never
	// deletes a blob whose retention changed, or that was recommitted,
	// after it chose it.
	metaMu sync.Mutex

	mu       sync.Mutex
	blocks   map[string]*blockState
	blobs    map[string]*blobState
	partials map[string]*partialState // uncommitted blobs whose blocks are kept
	used     int64
	closed   bool
}

// Open opens (creating if needed) the store in dir and recovers from any
// crash: it deletes temporary files and indexes blocks and blobs. Blocks left
// by a crash are verified when first read; those no blob references are
// deleted by GC or when space is needed.
func Open(dir string, opts Options) (*Store, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{
		dir:      dir,
		opts:     o,
		fs:       o.FS,
		seed:     maphash.MakeSeed(),
		blocks:   make(map[string]*blockState),
		blobs:    make(map[string]*blobState),
		partials: make(map[string]*partialState),
	}
	for _, d := range []string{dir, s.blocksDir(), s.metaDir(), s.tmpDir(), s.partialDir()} {
		if err := s.fs.MkdirAll(d); err != nil {
			return nil, fmt.Errorf("store: create %s: %w", d, err)
		}
	}
	lock, err := s.fs.Lock(filepath.Join(dir, "LOCK"))
	if err != nil {
		if errors.Is(err, ErrLocked) {
			return nil, &LockedError{Dir: dir}
		}
		return nil, fmt.Errorf("store: lock %s: %w", dir, err)
	}
	s.lock = lock
	if err := s.recover(); err != nil {
		lock.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) blocksDir() string { return filepath.Join(s.dir, "blocks") }
func (s *Store) metaDir() string   { return filepath.Join(s.dir, "meta") }
func (s *Store) tmpDir() string    { return filepath.Join(s.dir, "tmp") }

func (s *Store) blockPath(c cid.Cid) string { return filepath.Join(s.blocksDir(), c.String()) }
func (s *Store) metaPath(c cid.Cid) string  { return filepath.Join(s.metaDir(), c.String()) }

// Dir returns the store's directory.
func (s *Store) Dir() string { return s.dir }

// Close releases the store's lock. Open readers and batches fail afterwards.
func (s *Store) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	return s.lock.Close()
}

var errClosed = errors.New("store: closed")

func (s *Store) recover() error {
	log := s.opts.Logger
	tmps, err := s.fs.ReadDir(s.tmpDir())
	if err != nil {
		return fmt.Errorf("store: read %s: %w", s.tmpDir(), err)
	}
	for _, e := range tmps {
		if err := s.fs.Remove(filepath.Join(s.tmpDir(), e.Name())); err != nil {
			return fmt.Errorf("store: remove temporary file: %w", err)
		}
	}
	ents, err := s.fs.ReadDir(s.blocksDir())
	if err != nil {
		return fmt.Errorf("store: read %s: %w", s.blocksDir(), err)
	}
	for _, e := range ents {
		c, err := cid.Decode(e.Name())
		if err == nil {
			_, err = DigestOf(c)
		}
		if err == nil && c.String() != e.Name() {
			err = errors.New("not the canonical CID string")
		}
		fi, ierr := e.Info()
		if err == nil && ierr == nil && (!fi.Mode().IsRegular() || fi.Size() > MaxBlockSize) {
			err = errors.New("not a block file")
		}
		if err != nil || ierr != nil {
			log.Warn("store: removing stray file in blocks/", "name", e.Name(), "err", errors.Join(err, ierr))
			if rerr := s.fs.Remove(filepath.Join(s.blocksDir(), e.Name())); rerr != nil {
				return fmt.Errorf("store: remove stray file: %w", rerr)
			}
			continue
		}
		s.blocks[c.KeyString()] = &blockState{c: c, size: fi.Size(), present: true}
		s.used += fi.Size()
	}
	metas, err := s.fs.ReadDir(s.metaDir())
	if err != nil {
		return fmt.Errorf("store: read %s: %w", s.metaDir(), err)
	}
	for _, e := range metas {
		c, err := cid.Decode(e.Name())
		if err == nil {
			_, err = DigestOf(c)
		}
		if err != nil {
			log.Warn("store: removing stray file in meta/", "name", e.Name(), "err", err)
			if rerr := s.fs.Remove(filepath.Join(s.metaDir(), e.Name())); rerr != nil {
				return fmt.Errorf("store: remove stray file: %w", rerr)
			}
			continue
		}
		m, err := s.readMeta(c)
		if err != nil {
			// Never drop data we cannot account for: keep it pinned.
			log.Warn("store: unreadable blob metadata; keeping the blob pinned", "cid", c, "err", err)
			m = meta{ret: Retention{Pinned: true, KeepUntil: ^uint64(0)}}
			if _, err := s.writeMeta(c, m.ret, nil); err != nil {
				return err
			}
		}
		info, keys := s.describe(c)
		info.Retention = m.ret
		b := &blobState{info: info, blocks: keys}
		s.blobs[c.KeyString()] = b
		for _, k := range keys {
			s.state(k, nil).refs++
		}
		if m.sealed {
			b.sealed = s.trustSealed(c, keys, m.crcs)
		}
		b.info.Complete = s.completeLocked(b)
	}
	return s.recoverPartials()
}

// trustSealed records the CRCs a sealed blob's metadata lists for its
// blocks: those blocks were verified and fsynced before the metadata was
// written, so reads check them against the CRC instead of hashing them.
// Called during recovery.
func (s *Store) trustSealed(c cid.Cid, keys []string, crcs []uint32) bool {
	if len(crcs) != len(keys) {
		s.opts.Logger.Warn("store: sealed metadata lists the wrong number of blocks; its blocks will be hashed", "cid", c, "blocks", len(keys), "crcs", len(crcs))
		return false
	}
	for i, k := range keys {
		st := s.blocks[k]
		switch {
		case st == nil || !st.present || st.crcConflict:
		case st.hasCRC && st.crc != crcs[i]:
			// Impossible unless a bug: trust neither record.
			st.hasCRC, st.crcConflict, st.durable = false, true, false
		default:
			st.crc, st.hasCRC, st.durable = crcs[i], true, true
		}
	}
	return true
}

// state returns the state of block key, creating an absent one if needed
// (c may be nil only when the state exists). Callers hold s.mu or are in
// recovery.
func (s *Store) state(key string, c *cid.Cid) *blockState {
	st := s.blocks[key]
	if st == nil {
		if c == nil {
			cc, err := cid.Cast([]byte(key))
			if err != nil {
				panic("store: bad block key")
			}
			c = &cc
		}
		st = &blockState{c: *c}
		s.blocks[key] = st
	}
	return st
}

// dropIfUnused forgets an absent, unused block. Callers hold s.mu.
func (s *Store) dropIfUnused(key string) {
	if st := s.blocks[key]; st != nil && !st.present && st.refs == 0 && st.pending == 0 {
		delete(s.blocks, key)
	}
}

// describe works out what a committed root names and which blocks it holds,
// reading its manifest if it has one. Missing or bad manifests give a blob of
// just its root, incomplete.
func (s *Store) describe(c cid.Cid) (Info, []string) {
	info := Info{CID: c, Blocks: 1}
	keys := []string{c.KeyString()}
	if c.Type() == CodecRaw {
		info.Kind = KindRaw
		s.mu.Lock()
		if st := s.blocks[c.KeyString()]; st != nil {
			info.Size = st.size
		}
		s.mu.Unlock()
		return info, keys
	}
	data, err := s.Block(c)
	if err != nil {
		info.Kind = KindChunked
		return info, keys
	}
	if m, err := DecodeManifest(data); err == nil {
		info.Kind, info.Size, info.Blocks = KindChunked, m.Size, 1+len(m.Chunks)
		for i := range m.Chunks {
			keys = append(keys, m.ChunkCID(i).KeyString())
		}
		return info, keys
	}
	if _, err := DecodeShardManifest(data); err == nil {
		info.Kind, info.Size = KindShards, int64(len(data))
		return info, keys
	}
	info.Kind = KindChunked // unreadable: Blocks stays 1, so Commit refuses it
	return info, keys
}

func (s *Store) completeLocked(b *blobState) bool {
	for _, k := range b.blocks {
		if st := s.blocks[k]; st == nil || !st.present {
			return false
		}
	}
	return len(b.blocks) == b.info.Blocks
}

// ---- metadata files ----

// A blob's metadata file, meta/<cid>:
//
//	magic     8 bytes  "TGMETA2\n" ("TGMETA1\n": the first version, read only)
//	flags     1 byte   bit 0: pinned; bit 1: sealed (version 2 only)
//	keepUntil 8 bytes  big-endian
//	n         4 bytes  big-endian, version 2 only: CRCs that follow
//	crcs      n*4      big-endian CRC-32C of each of the blob's blocks, in
//	                   its block order (root, then the chunks), sealed only
//	checksum  4 bytes  CRC-32C of everything before it
//
// A sealed blob was committed with fsync after every one of its blocks had
// been verified against its CID (its CRC taken from the verified bytes) and
// fsynced: after a restart its blocks are checked against these CRCs rather
// than hashed again. CRC-32C catches every torn or damaged file a crash or
// a bad disk makes (all errors of up to three bits, any other with
// probability 1 - 2^-32) at a few GB/s.
const (
	metaMagic1 = "TGMETA1\n"
	metaMagic  = "TGMETA2\n"
	maxMeta    = len(metaMagic) + 1 + 8 + 4 + 4*(MaxChunks+1) + 4
)

// meta is a decoded metadata file.
type meta struct {
	ret    Retention
	sealed bool
	crcs   []uint32
}

func encodeMeta(m meta) []byte {
	b := make([]byte, 0, len(metaMagic)+1+8+4+4*len(m.crcs)+4)
	b = append(b, metaMagic...)
	var flags byte
	if m.ret.Pinned {
		flags |= 1
	}
	if m.sealed {
		flags |= 2
	} else {
		m.crcs = nil
	}
	b = append(b, flags)
	b = binary.BigEndian.AppendUint64(b, m.ret.KeepUntil)
	b = binary.BigEndian.AppendUint32(b, uint32(len(m.crcs)))
	for _, c := range m.crcs {
		b = binary.BigEndian.AppendUint32(b, c)
	}
	return binary.BigEndian.AppendUint32(b, crc32c(b))
}

func decodeMeta(b []byte) (meta, error) {
	if len(b) < len(metaMagic)+1+8+4 {
		return meta{}, errors.New("metadata too short")
	}
	body, tail := b[:len(b)-4], b[len(b)-4:]
	if crc32c(body) != binary.BigEndian.Uint32(tail) {
		return meta{}, errors.New("metadata checksum mismatch")
	}
	magic, p := string(body[:len(metaMagic)]), body[len(metaMagic):]
	var m meta
	switch magic {
	case metaMagic1:
		if len(p) != 1+8 || p[0] > 1 {
			return meta{}, errors.New("bad version 1 metadata")
		}
	case metaMagic:
		if len(p) < 1+8+4 || p[0] > 3 {
			return meta{}, errors.New("bad metadata flags or length")
		}
		n := binary.BigEndian.Uint32(p[9:13])
		if uint64(len(p)) != 13+4*uint64(n) || (n > 0) != (p[0]&2 != 0) {
			return meta{}, errors.New("bad metadata CRC list")
		}
		m.sealed = p[0]&2 != 0
		for i := range int(n) {
			m.crcs = append(m.crcs, binary.BigEndian.Uint32(p[13+4*i:]))
		}
	default:
		return meta{}, errors.New("bad metadata header")
	}
	m.ret = Retention{Pinned: p[0]&1 != 0, KeepUntil: binary.BigEndian.Uint64(p[1:9])}
	return m, nil
}

func (s *Store) readMeta(c cid.Cid) (meta, error) {
	b, err := s.readFile(s.metaPath(c), int64(maxMeta))
	if err != nil {
		return meta{}, err
	}
	return decodeMeta(b)
}

// writeMeta durably records blob c's retention. It seals the record (see
// meta) when the store syncs and every one of the blob's blocks (keys) is
// present, durable and of known CRC, and reports whether it did.
func (s *Store) writeMeta(c cid.Cid, r Retention, keys []string) (sealed bool, err error) {
	m := meta{ret: r}
	if !s.opts.NoSync && len(keys) > 0 {
		m.sealed = true
		m.crcs = make([]uint32, len(keys))
		s.mu.Lock()
		for i, k := range keys {
			st := s.blocks[k]
			if st == nil || !st.present || !st.durable || !st.hasCRC {
				m.sealed = false
				break
			}
			m.crcs[i] = st.crc
		}
		s.mu.Unlock()
	}
	if err := s.writeFile(s.metaPath(c), encodeMeta(m), s.syncMode(syncNow)); err != nil {
		return false, fmt.Errorf("store: write metadata of %s: %w", c, err)
	}
	if !s.opts.NoSync {
		if err := s.fs.SyncDir(s.metaDir()); err != nil {
			return false, fmt.Errorf("store: sync %s: %w", s.metaDir(), err)
		}
	}
	return m.sealed, nil
}

// ---- file helpers ----

// readFile reads a whole file of at most limit bytes.
func (s *Store) readFile(path string, limit int64) ([]byte, error) {
	return s.readFileInto(path, limit, nil)
}

func (s *Store) readFileInto(path string, limit int64, buf []byte) ([]byte, error) {
	f, err := s.fs.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if fi.Size() > limit {
		return nil, fmt.Errorf("%s is %d bytes, over %d", path, fi.Size(), limit)
	}
	n := int(fi.Size())
	if cap(buf) >= n {
		buf = buf[:n]
	} else {
		buf = make([]byte, n)
	}
	if _, err := io.ReadFull(f, buf); err != nil {
		return nil, err
	}
	return buf, nil
}

// How writeFile makes the new file durable.
type syncMode uint8

const (
	syncNone  syncMode = iota // no fsync (NoSync stores)
	syncNow                   // fsync before the rename
	syncLater                 // start writeback now; the caller fsyncs the file before it counts
)

// writeFile writes data to path atomically: a temporary file in tmp/,
// made durable as mode says, renamed over path. The caller syncs path's
// directory.
func (s *Store) writeFile(path string, data []byte, mode syncMode) error {
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(s.tmpDir(), hex.EncodeToString(rnd[:])+".tmp")
	f, err := s.fs.Create(tmp)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	switch {
	case err != nil:
	case mode == syncNow:
		err = f.Sync()
	case mode == syncLater:
		startWriteback(f)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = s.fs.Rename(tmp, path)
	}
	if err != nil {
		s.fs.Remove(tmp)
	}
	return err
}

// syncMode returns m, or syncNone for a NoSync store.
func (s *Store) syncMode(m syncMode) syncMode {
	if s.opts.NoSync {
		return syncNone
	}
	return m
}

func (s *Store) syncFile(path string) error {
	f, err := s.fs.Open(path)
	if err != nil {
		return err
	}
	err = f.Sync()
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// ---- blocks ----

// HasBlock reports whether block c is present (not whether it is intact;
// Block checks that).
func (s *Store) HasBlock(c cid.Cid) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.blocks[c.KeyString()]
	return st != nil && st.present
}

// Block returns the bytes of block c, verified against c. The caller owns
// the returned slice. It returns ErrNotFound, a *CorruptError (the damaged
// file is deleted), or an I/O error.
func (s *Store) Block(c cid.Cid) ([]byte, error) { return s.ReadBlock(c, nil) }

// ReadBlock is Block reading into buf when buf is large enough; the result
// aliases buf then.
func (s *Store) ReadBlock(c cid.Cid, buf []byte) ([]byte, error) {
	return s.readBlock(c, buf, false)
}

func (s *Store) readBlock(c cid.Cid, buf []byte, retried bool) ([]byte, error) {
	key := c.KeyString()
	s.mu.Lock()
	st := s.blocks[key]
	if s.closed {
		s.mu.Unlock()
		return nil, errClosed
	}
	if st == nil || !st.present {
		s.mu.Unlock()
		return nil, ErrNotFound
	}
	verified, hasCRC, crc := st.verified, st.hasCRC, st.crc
	s.mu.Unlock()
	path := s.blockPath(c)
	data, err := s.readFileInto(path, MaxBlockSize, buf)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: read block %s: %w", c, err)
	}
	if verified {
		return data, nil
	}
	// Not read by this process yet: check the CRC a sealed blob recorded
	// for it, or hash it.
	var verr error
	got := crc32c(data)
	if hasCRC {
		if got != crc {
			verr = fmt.Errorf("CRC-32C %08x, the sealed blob metadata recorded %08x", got, crc)
		}
	} else {
		verr = VerifyBlock(c, data)
	}
	if verr != nil {
		// Delete the bad file under the block's stripe (taken before mu,
		// as put does), so that a put cannot rename a good copy into place
		// between the check and the removal.
		sm := s.stripe(key)
		sm.Lock()
		s.mu.Lock()
		same := s.blocks[key] == st
		if same && st.present && st.verified {
			// A put replaced the file with checked bytes since we read
			// it: read that.
			s.mu.Unlock()
			sm.Unlock()
			if !retried {
				return s.readBlock(c, buf, true)
			}
			return nil, fmt.Errorf("store: block %s changed while it was read: %w", c, verr)
		}
		if same && st.present && !st.verified {
			s.fs.Remove(path)
			st.present, st.hasCRC = false, false
			s.used -= st.size
			s.dropIfUnused(key)
		}
		s.mu.Unlock()
		sm.Unlock()
		s.opts.Logger.Warn("store: removed corrupt block", "cid", c, "err", verr)
		return nil, &CorruptError{CID: c, Path: path, Err: verr}
	}
	s.mu.Lock()
	if st.present && !st.verified {
		st.verified = true
		if !st.crcConflict {
			st.crc, st.hasCRC = got, true
		}
	}
	s.mu.Unlock()
	return data, nil
}

// Verify checks block c unless this process already did (against the
// CRC-32C a sealed blob recorded for it, or else its CID); it returns nil if
// the block is present and intact.
func (s *Store) Verify(c cid.Cid) error {
	_, err := s.Block(c)
	return err
}

// stripe returns the mutex serializing writers of block key.
func (s *Store) stripe(key string) *sync.Mutex {
	return &s.stripes[maphash.String(s.seed, key)%uint64(len(s.stripes))]
}

// ---- batches ----

// Batch writes the blocks of one blob, then commits the blob so that it is
// listed, served and kept. Blocks written by a batch are held (not garbage
// collected) until Commit or Abort. A Batch is safe for concurrent PutBlock
// calls; Commit and Abort end it.
type Batch struct {
	s    *Store
	mu   sync.Mutex
	held map[string]bool
	done bool
}

// NewBatch starts a batch.
func (s *Store) NewBatch() *Batch {
	return &Batch{s: s, held: make(map[string]bool)}
}

// PutBlock verifies that data hashes to c and stores it. It returns a
// *MismatchError for bytes that do not match (the caller blames whoever sent
// them), ErrBadCID, *QuotaError, or an I/O error. It does not keep data.
func (b *Batch) PutBlock(c cid.Cid, data []byte) error {
	if len(data) > MaxBlockSize {
		return fmt.Errorf("store: block of %d bytes is over the limit of %d", len(data), MaxBlockSize)
	}
	if err := VerifyBlock(c, data); err != nil {
		return err
	}
	return b.put(c, data)
}

// hold marks key as used by this batch. Callers hold s.mu.
func (b *Batch) holdLocked(key string, c *cid.Cid) *blockState {
	st := b.s.state(key, c)
	b.mu.Lock()
	if !b.held[key] {
		b.held[key] = true
		st.pending++
	}
	b.mu.Unlock()
	return st
}

// put stores data, already verified to hash to c.
func (b *Batch) put(c cid.Cid, data []byte) error {
	s := b.s
	key := c.KeyString()
	sm := s.stripe(key)
	sm.Lock()
	defer sm.Unlock()

	s.mu.Lock()
	b.mu.Lock()
	done := b.done
	b.mu.Unlock()
	if done || s.closed {
		s.mu.Unlock()
		return errors.New("store: batch already committed or aborted")
	}
	st := b.holdLocked(key, &c)
	if st.present && st.verified {
		s.mu.Unlock()
		return nil
	}
	// Absent, or present from before this process and not yet verified:
	// (re)write it from bytes we know are right.
	need := int64(len(data))
	mode := syncLater
	if st.present {
		need -= st.size
		// Replacing a file that may be durable (and listed by a sealed
		// blob): make the new one durable before the rename, so that a
		// power loss cannot swap a good file for a torn one.
		mode = syncNow
	}
	if err := s.reserveLocked(need); err != nil {
		s.mu.Unlock()
		return err
	}
	s.mu.Unlock()

	err := s.writeFile(s.blockPath(c), data, s.syncMode(mode))

	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		s.used -= need
		return fmt.Errorf("store: write block %s: %w", c, err)
	}
	st.present, st.verified, st.durable, st.size = true, true, false, int64(len(data))
	st.crc, st.hasCRC, st.crcConflict = crc32c(data), true, false
	return nil
}

// reserveLocked accounts need more bytes against the quota, sweeping
// unreferenced blocks if that makes room. Callers hold s.mu.
func (s *Store) reserveLocked(need int64) error {
	q := s.opts.Quota
	if q > 0 && need > 0 && s.used+need > q {
		s.sweepLocked()
		if s.used+need > q && len(s.partials) > 0 {
			// Space for committed data comes before resuming fetches.
			s.dropPartialsLocked()
			s.sweepLocked()
		}
		if s.used+need > q {
			return &QuotaError{Need: need, Used: s.used, Quota: q}
		}
	}
	s.used += need
	return nil
}

// sweepLocked deletes present blocks no blob references and nothing holds.
// Callers hold s.mu.
func (s *Store) sweepLocked() (blocks int, bytes int64) {
	for key, st := range s.blocks {
		if st.refs != 0 || st.pending != 0 {
			continue
		}
		if st.present {
			if err := s.fs.Remove(s.blockPath(st.c)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				s.opts.Logger.Warn("store: cannot remove unreferenced block", "cid", st.c, "err", err)
				continue
			}
			s.used -= st.size
			blocks++
			bytes += st.size
		}
		delete(s.blocks, key)
	}
	return blocks, bytes
}

// Commit records root as a committed blob with retention ret (merged with
// any retention it already has) once all its blocks are present and durable.
// For a dag-cbor root the manifest is read and every chunk must be present
// and as long as the manifest says (else a *CorruptError).
func (b *Batch) Commit(root cid.Cid, ret Retention) (Info, error) {
	s := b.s
	if _, err := DigestOf(root); err != nil {
		return Info{}, err
	}
	if !s.HasBlock(root) {
		return Info{}, &IncompleteError{CID: root, Missing: 1}
	}
	info, keys := s.describe(root)
	if info.Kind == KindChunked && info.Blocks == 1 {
		return Info{}, fmt.Errorf("store: root block %s of codec dag-cbor is not a readable manifest", root)
	}

	// Hold every block so that GC cannot take it, and find what is missing
	// or not yet durable.
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return Info{}, errClosed
	}
	missing := 0
	var toSync []cid.Cid
	for _, k := range keys {
		st := b.holdLocked(k, nil)
		if !st.present {
			missing++
		} else if !st.durable {
			toSync = append(toSync, st.c)
		}
	}
	s.mu.Unlock()
	if missing > 0 {
		return Info{}, &IncompleteError{CID: root, Missing: missing}
	}
	if info.Kind == KindChunked {
		if err := s.checkChunkLens(root); err != nil {
			return Info{}, err
		}
	}
	if !s.opts.NoSync && len(toSync) > 0 {
		if err := s.syncBlocks(toSync); err != nil {
			return Info{}, err
		}
	}

	out, err := b.install(root, info, keys, ret)
	if err != nil {
		return Info{}, err
	}
	// The blob now holds its blocks: its partial record (if any) can go.
	return out, s.removePartial(root)
}

// install writes blob root's metadata and lists it, ending the batch. It
// holds metaMu throughout, so that GC cannot remove the metadata between.
func (b *Batch) install(root cid.Cid, info Info, keys []string, ret Retention) (Info, error) {
	s := b.s
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	s.mu.Lock()
	old := s.blobs[root.KeyString()]
	s.mu.Unlock()
	if old != nil {
		ret = ret.merge(old.info.Retention)
	}
	sealed := old != nil && old.sealed
	if old == nil || old.info.Retention != ret || !old.sealed {
		var err error
		if sealed, err = s.writeMeta(root, ret, keys); err != nil {
			return Info{}, err
		}
	}

	s.mu.Lock()
	if old = s.blobs[root.KeyString()]; old != nil {
		for _, k := range old.blocks {
			s.blocks[k].refs--
		}
	}
	for _, k := range keys {
		s.blocks[k].refs++
	}
	info.Retention = ret
	nb := &blobState{info: info, blocks: keys, sealed: sealed}
	nb.info.Complete = s.completeLocked(nb)
	s.blobs[root.KeyString()] = nb
	b.releaseLocked()
	out := nb.info
	s.mu.Unlock()
	return out, nil
}

// checkChunkLens checks that every chunk of chunked blob root is as long as
// its manifest says (a manifest fixes its chunks' CIDs, not their lengths).
// A chunk of the wrong size that fails verification is deleted and reported
// as corrupt; one that is intact is reported by chunkLenError.
func (s *Store) checkChunkLens(root cid.Cid) error {
	m, err := s.Manifest(root)
	if err != nil {
		return err
	}
	for i := range m.Chunks {
		c := m.ChunkCID(i)
		s.mu.Lock()
		var size int64 = -1
		if st := s.blocks[c.KeyString()]; st != nil && st.present {
			size = st.size
		}
		s.mu.Unlock()
		if size == int64(m.ChunkLen(i)) {
			continue
		}
		data, err := s.Block(c)
		if err != nil {
			if errors.Is(err, ErrNotFound) {
				return &IncompleteError{CID: root, Missing: 1}
			}
			return err
		}
		if len(data) != m.ChunkLen(i) {
			return chunkLenError(root, &m, i, len(data))
		}
	}
	return nil
}

// syncBlocks fsyncs block files, a few at a time, then the blocks directory.
func (s *Store) syncBlocks(cs []cid.Cid) error {
	work := make(chan cid.Cid)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	for range min(8, len(cs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for c := range work {
				if err := s.syncFile(s.blockPath(c)); err != nil {
					select {
					case errs <- fmt.Errorf("store: sync block %s: %w", c, err):
					default:
					}
				}
			}
		}()
	}
	for _, c := range cs {
		work <- c
	}
	close(work)
	wg.Wait()
	select {
	case err := <-errs:
		return err
	default:
	}
	if err := s.fs.SyncDir(s.blocksDir()); err != nil {
		return fmt.Errorf("store: sync %s: %w", s.blocksDir(), err)
	}
	s.mu.Lock()
	for _, c := range cs {
		if st := s.blocks[c.KeyString()]; st != nil && st.present {
			st.durable = true
		}
	}
	s.mu.Unlock()
	return nil
}

// releaseLocked ends the batch, un-holding its blocks. Callers hold s.mu.
func (b *Batch) releaseLocked() {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.done {
		return
	}
	b.done = true
	for k := range b.held {
		if st := b.s.blocks[k]; st != nil {
			st.pending--
			b.s.dropIfUnused(k)
		}
	}
	b.held = nil
}

// Abort ends an uncommitted batch. Its blocks that no blob references are
// deleted at the next GC or when space is needed. Abort after Commit does
// nothing.
func (b *Batch) Abort() {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	b.releaseLocked()
}

// ---- blobs ----

// Stat returns what the store knows of blob c, or ErrNotFound.
func (s *Store) Stat(c cid.Cid) (Info, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.blobs[c.KeyString()]
	if b == nil {
		return Info{}, ErrNotFound
	}
	b.info.Complete = s.completeLocked(b)
	return b.info, nil
}

// Has reports whether blob c is committed and all its blocks are present.
func (s *Store) Has(c cid.Cid) bool {
	info, err := s.Stat(c)
	return err == nil && info.Complete
}

// List returns every committed blob, sorted by CID string.
func (s *Store) List() []Info {
	s.mu.Lock()
	out := make([]Info, 0, len(s.blobs))
	for _, b := range s.blobs {
		b.info.Complete = s.completeLocked(b)
		out = append(out, b.info)
	}
	s.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i].CID.String() < out[j].CID.String() })
	return out
}

// SetRetention replaces blob c's retention.
func (s *Store) SetRetention(c cid.Cid, r Retention) error {
	return s.updateRetention(c, func(Retention) Retention { return r })
}

// updateRetention sets blob c's retention to f of its current one, under
// metaMu so that GC cannot drop the blob meanwhile.
func (s *Store) updateRetention(c cid.Cid, f func(Retention) Retention) error {
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	s.mu.Lock()
	b := s.blobs[c.KeyString()]
	var r Retention
	if b != nil {
		r = f(b.info.Retention)
	}
	s.mu.Unlock()
	if b == nil {
		return ErrNotFound
	}
	sealed, err := s.writeMeta(c, r, b.blocks)
	if err != nil {
		return err
	}
	s.mu.Lock()
	b.info.Retention, b.sealed = r, sealed
	s.mu.Unlock()
	return nil
}

// Pin keeps blob c until Unpin; Unpin leaves it to its KeepUntil height.
func (s *Store) Pin(c cid.Cid) error { return s.setPinned(c, true) }

// Unpin undoes Pin.
func (s *Store) Unpin(c cid.Cid) error { return s.setPinned(c, false) }

func (s *Store) setPinned(c cid.Cid, p bool) error {
	return s.updateRetention(c, func(r Retention) Retention {
		r.Pinned = p
		return r
	})
}

// GCStats reports what GC removed.
type GCStats struct {
	Blobs    int
	Partials int // partial records whose grace ended
	Blocks   int
	Bytes    int64
}

// GC drops every blob that is not pinned and whose KeepUntil is below
// height, stamps new partial records (KeepPartial) with height+PartialGrace
// and drops those past their height, then deletes the blocks nothing
// references any more (blocks shared with kept blobs stay). Blocks held by
// open batches and readers stay too.
func (s *Store) GC(height uint64) (GCStats, error) {
	var st GCStats
	n, errs, err := s.gcBlobs(height)
	if err != nil {
		return st, err
	}
	st.Blobs = n
	var perr error
	st.Partials, perr = s.gcPartials(height)
	if perr != nil {
		errs = append(errs, perr)
	}
	s.mu.Lock()
	st.Blocks, st.Bytes = s.sweepLocked()
	s.mu.Unlock()
	if st.Blocks > 0 && !s.opts.NoSync {
		if err := s.fs.SyncDir(s.blocksDir()); err != nil {
			errs = append(errs, fmt.Errorf("store: sync %s: %w", s.blocksDir(), err))
		}
	}
	return st, errors.Join(errs...)
}

// gcBlobs removes the metadata of every blob expired at height, makes the
// removals durable and then drops the blobs, all under metaMu so that no
// Commit or SetRetention changes a blob between GC choosing it and dropping
// it. It returns how many it dropped and the errors of the blobs it could
// not drop; if the metadata directory's sync fails it drops none and
// returns that error last.
func (s *Store) gcBlobs(height uint64) (int, []error, error) {
	s.metaMu.Lock()
	defer s.metaMu.Unlock()
	s.mu.Lock()
	var drop []*blobState
	for _, b := range s.blobs {
		r := b.info.Retention
		if !r.Pinned && r.KeepUntil < height {
			drop = append(drop, b)
		}
	}
	s.mu.Unlock()
	sort.Slice(drop, func(i, j int) bool { return drop[i].info.CID.String() < drop[j].info.CID.String() })
	var errs []error
	var dropped []*blobState
	for _, b := range drop {
		if err := s.fs.Remove(s.metaPath(b.info.CID)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("store: remove metadata of %s: %w", b.info.CID, err))
			continue
		}
		dropped = append(dropped, b)
	}
	if len(dropped) > 0 && !s.opts.NoSync {
		// The metadata removals must be durable before the blocks go, or a
		// power loss could bring back a blob without its blocks.
		if err := s.fs.SyncDir(s.metaDir()); err != nil {
			return 0, nil, errors.Join(append(errs, fmt.Errorf("store: sync %s: %w", s.metaDir(), err))...)
		}
	}
	n := 0
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, b := range dropped {
		key := b.info.CID.KeyString()
		if s.blobs[key] != b {
			continue // cannot happen under metaMu; never drop another entry
		}
		delete(s.blobs, key)
		for _, k := range b.blocks {
			s.blocks[k].refs--
		}
		n++
	}
	return n, errs, nil
}

// Usage returns the bytes of blocks in the store and the quota (negative:
// none).
func (s *Store) Usage() (used, quota int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.used, s.opts.Quota
}

// MaxBlobSize returns the per-blob size limit.
func (s *Store) MaxBlobSize() int64 { return s.opts.MaxBlobSize }

// Manifest returns the decoded manifest of chunked blob (or block) c.
func (s *Store) Manifest(c cid.Cid) (Manifest, error) {
	if c.Type() != CodecManifest {
		return Manifest{}, fmt.Errorf("store: %s is a raw CID and has no manifest", c)
	}
	data, err := s.Block(c)
	if err != nil {
		return Manifest{}, err
	}
	return DecodeManifest(data)
}

// String describes the store for logs.
func (s *Store) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var b strings.Builder
	fmt.Fprintf(&b, "store %s: %d blobs, %d blocks, %d bytes", s.dir, len(s.blobs), len(s.blocks), s.used)
	return b.String()
}

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func crc32c(b []byte) uint32 { return crc32.Checksum(b, castagnoli) }

// Have holds block c for this batch, as PutBlock would, if the store already
// has it intact (verifying it if this process has not yet), and reports
// whether it does. A fetch uses it to resume: blocks already here are not
// fetched again.
func (b *Batch) Have(c cid.Cid) bool {
	if !b.s.HasBlock(c) {
		return false
	}
	b.s.mu.Lock()
	b.holdLocked(c.KeyString(), &c)
	b.s.mu.Unlock()
	return b.s.Verify(c) == nil
}
