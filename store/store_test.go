package store_test

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"testing"

	"github.com/ipfs/go-cid"

	"tangent/store"
	"tangent/store/storetest"
)

const testChunk = 4 << 10

var quiet = slog.New(slog.DiscardHandler)

func openStore(t *testing.T, dir string, mod func(*store.Options)) *store.Store {
	t.Helper()
	o := store.Options{ChunkSize: testChunk, NoSync: true, Logger: quiet}
	if mod != nil {
		mod(&o)
	}
	s, err := store.Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func readAll(t *testing.T, s *store.Store, c cid.Cid) []byte {
	t.Helper()
	r, err := s.Get(c)
	if err != nil {
		t.Fatalf("Get %s: %v", c, err)
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("read %s: %v", c, err)
	}
	return b
}

// The CID of "hello world\n" in IPFS (`ipfs add --cid-version=1 --raw-leaves`,
// or any raw-codec CIDv1 of the bytes), as Kubo and every IPFS
// implementation compute it.
const helloWorldCID = "bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4"

func TestSmallBlobHasItsIPFSRawCID(t *testing.T) {
	data := []byte("hello world\n")
	if got := store.RawCID(data).String(); got != helloWorldCID {
		t.Fatalf("RawCID = %s, IPFS says %s", got, helloWorldCID)
	}
	s := openStore(t, t.TempDir(), func(o *store.Options) { o.ChunkSize = store.DefaultChunkSize })
	info, err := s.PutBytes(data, store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	if info.CID.String() != helloWorldCID || info.Size != 12 || info.Kind != store.KindRaw {
		t.Fatalf("Put gave %+v, want %s of 12 bytes, raw", info, helloWorldCID)
	}
	// A blob of exactly one chunk is still raw, one byte more is chunked.
	full := storetest.Bytes(1, store.DefaultChunkSize)
	if c, _ := store.CIDOfBlob(full, store.DefaultChunkSize); c != store.RawCID(full) {
		t.Fatalf("a blob of exactly one chunk got %s, want its raw CID", c)
	}
	if c, _ := store.CIDOfBlob(append(full, 0), store.DefaultChunkSize); c.Type() != store.CodecManifest {
		t.Fatalf("a blob of one chunk plus a byte got codec %x, want dag-cbor", c.Type())
	}
}

func TestPutGetRoundTrip(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	sizes := []int{0, 1, testChunk - 1, testChunk, testChunk + 1, 2 * testChunk, 7*testChunk + 123}
	var cids []cid.Cid
	for i, n := range sizes {
		data := storetest.Bytes(uint64(i), n)
		info, err := s.PutBytes(data, store.Pinned())
		if err != nil {
			t.Fatalf("size %d: %v", n, err)
		}
		want, _ := store.CIDOfBlob(data, testChunk)
		if info.CID != want || info.Size != int64(n) || !info.Complete {
			t.Fatalf("size %d: info %+v, want CID %s", n, info, want)
		}
		if got := readAll(t, s, info.CID); !bytes.Equal(got, data) {
			t.Fatalf("size %d: read back different bytes", n)
		}
		// ReadAt across chunk boundaries.
		if n > 10 {
			r, _ := s.Get(info.CID)
			p := make([]byte, n-7)
			if _, err := r.ReadAt(p, 5); err != nil && err != io.EOF {
				t.Fatal(err)
			}
			if !bytes.Equal(p, data[5:n-2]) {
				t.Fatalf("size %d: ReadAt mismatch", n)
			}
			r.Close()
		}
		cids = append(cids, info.CID)
	}
	s.Close()
	s = openStore(t, dir, nil)
	for i, c := range cids {
		if !s.Has(c) {
			t.Fatalf("after reopen: %s missing", c)
		}
		if got := readAll(t, s, c); !bytes.Equal(got, storetest.Bytes(uint64(i), sizes[i])) {
			t.Fatalf("after reopen: %s reads back different bytes", c)
		}
	}
	if len(s.List()) != len(sizes) {
		t.Fatalf("List has %d blobs, want %d", len(s.List()), len(sizes))
	}
}

func TestSecondOpenOfTheSameStoreFails(t *testing.T) {
	dir := t.TempDir()
	openStore(t, dir, nil)
	if _, err := store.Open(dir, store.Options{}); err == nil {
		t.Fatal("a second Open of a store in use succeeded")
	}
}

func TestRetentionAndGC(t *testing.T) {
	s := openStore(t, t.TempDir(), nil)
	shared := storetest.Bytes(100, 3*testChunk)
	// Two blobs sharing their first three chunks, one short-lived.
	a, err := s.PutBytes(append(append([]byte{}, shared...), storetest.Bytes(101, testChunk)...), store.ThroughWindow(10, 5))
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.PutBytes(append(append([]byte{}, shared...), storetest.Bytes(102, testChunk)...), store.Until(100))
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.PutBytes(storetest.Bytes(103, 2*testChunk), store.Retention{KeepUntil: 1, Pinned: true})
	if err != nil {
		t.Fatal(err)
	}
	used0, _ := s.Usage()
	if st, err := s.GC(15); err != nil || st.Blobs != 0 {
		t.Fatalf("GC(15) = %+v, %v; the checkpoint's window runs through 15", st, err)
	}
	st, err := s.GC(16)
	if err != nil {
		t.Fatal(err)
	}
	// a's manifest and its own last chunk go; the shared chunks stay for b.
	if st.Blobs != 1 || st.Blocks != 2 {
		t.Fatalf("GC(16) = %+v, want 1 blob and 2 blocks (a's manifest and last chunk)", st)
	}
	if s.Has(a.CID) || !s.Has(b.CID) || !s.Has(p.CID) {
		t.Fatalf("after GC(16): has a=%v b=%v pinned=%v", s.Has(a.CID), s.Has(b.CID), s.Has(p.CID))
	}
	if used, _ := s.Usage(); used != used0-st.Bytes {
		t.Fatalf("usage %d after freeing %d of %d", used, st.Bytes, used0)
	}
	if _, err := s.GC(1 << 40); err != nil {
		t.Fatal(err)
	}
	if s.Has(b.CID) || !s.Has(p.CID) {
		t.Fatal("GC past every height kept b or dropped the pinned blob")
	}
	if err := s.Unpin(p.CID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.GC(2); err != nil {
		t.Fatal(err)
	}
	if s.Has(p.CID) || len(s.List()) != 0 {
		t.Fatal("unpinned blob survived GC")
	}
	if used, _ := s.Usage(); used != 0 {
		t.Fatalf("empty store uses %d bytes", used)
	}
	// Putting the same blob again merges retentions.
	i1, _ := s.PutBytes(shared, store.Until(5))
	i2, _ := s.PutBytes(shared, store.Until(3))
	if i2.CID != i1.CID || i2.Retention.KeepUntil != 5 {
		t.Fatalf("re-put retention %+v, want KeepUntil 5", i2.Retention)
	}
}

func TestSizeLimitAndQuota(t *testing.T) {
	s := openStore(t, t.TempDir(), func(o *store.Options) {
		o.MaxBlobSize = 10 * testChunk
		o.Quota = 16 * testChunk
	})
	_, err := s.PutBytes(storetest.Bytes(1, 10*testChunk+1), store.Pinned())
	var tl *store.TooLargeError
	if !errors.As(err, &tl) || tl.Limit != 10*testChunk {
		t.Fatalf("over-size Put: %v, want *TooLargeError", err)
	}
	if _, err := s.PutBytes(storetest.Bytes(2, 9*testChunk), store.Until(1)); err != nil {
		t.Fatal(err)
	}
	_, err = s.PutBytes(storetest.Bytes(3, 9*testChunk), store.Pinned())
	var qe *store.QuotaError
	if !errors.As(err, &qe) || qe.Quota != 16*testChunk {
		t.Fatalf("over-quota Put: %v, want *QuotaError", err)
	}
	t.Logf("error text: %v", err)
	if len(s.List()) != 1 {
		t.Fatalf("a failed Put left %d blobs", len(s.List()))
	}
	// The failed Put's blocks are reclaimed when space is needed, and GC
	// frees the expired blob: then it fits.
	if _, err := s.GC(2); err != nil {
		t.Fatal(err)
	}
	if _, err := s.PutBytes(storetest.Bytes(3, 9*testChunk), store.Pinned()); err != nil {
		t.Fatalf("Put after GC: %v", err)
	}
}

func TestCorruptBlockIsNeverServed(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, nil)
	data := storetest.Bytes(7, 5*testChunk)
	info, err := s.PutBytes(data, store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.Manifest(info.CID)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Flip one bit of chunk 2 on disk, as a bad disk or a torn write would.
	path := filepath.Join(dir, "blocks", m.ChunkCID(2).String())
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	b[100] ^= 1
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, nil)
	r, err := s.Get(info.CID)
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	var ce *store.CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("reading a blob with a corrupt chunk: %v, want *CorruptError", err)
	}
	if !bytes.Equal(got, data[:len(got)]) || len(got) > 2*testChunk {
		t.Fatalf("returned %d bytes, some past the corrupt chunk or wrong", len(got))
	}
	r.Close()
	if s.Has(info.CID) {
		t.Fatal("blob with a removed corrupt chunk still reported complete")
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatal("corrupt block file not removed")
	}
	// Putting the bytes again repairs it.
	if _, err := s.PutBytes(data, store.Pinned()); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(readAll(t, s, info.CID), data) {
		t.Fatal("repair failed")
	}
}

func TestBatchRejectsWrongBytes(t *testing.T) {
	s := openStore(t, t.TempDir(), nil)
	b := s.NewBatch()
	defer b.Abort()
	c := store.RawCID([]byte("right"))
	var me *store.MismatchError
	if err := b.PutBlock(c, []byte("wrong")); !errors.As(err, &me) {
		t.Fatalf("PutBlock of wrong bytes: %v, want *MismatchError", err)
	}
	if s.HasBlock(c) {
		t.Fatal("wrong bytes stored")
	}
	var ie *store.IncompleteError
	if _, err := b.Commit(c, store.Pinned()); !errors.As(err, &ie) {
		t.Fatalf("commit without the block: %v", err)
	}
}

// TestDamagedSealedBlockIsNeverServed: blocks of a blob committed with fsync
// are checked after a restart against the CRC-32C its metadata recorded
// rather than hashed; every kind of damage is still caught, the block
// removed, and a new put repairs it.
func TestDamagedSealedBlockIsNeverServed(t *testing.T) {
	data := storetest.Bytes(8, 5*testChunk)
	damages := map[string]func(b, other []byte) []byte{
		"one bit flipped":         func(b, _ []byte) []byte { b[100] ^= 1; return b },
		"truncated to nothing":    func([]byte, []byte) []byte { return nil },
		"one byte appended":       func(b, _ []byte) []byte { return append(b, 0) },
		"another chunk's bytes":   func(_, other []byte) []byte { return other },
		"last 512 bytes zeroed":   func(b, _ []byte) []byte { clear(b[len(b)-512:]); return b },
		"two far bits flipped":    func(b, _ []byte) []byte { b[1] ^= 0x80; b[len(b)-2] ^= 1; return b },
		"first 4 KiB overwritten": func(b, other []byte) []byte { copy(b, other); return b },
	}
	for name, damage := range damages {
		t.Run(name, func(t *testing.T) {
			dir := t.TempDir()
			sync := func(o *store.Options) { o.NoSync = false }
			s := openStore(t, dir, sync)
			info, err := s.PutBytes(data, store.Pinned())
			if err != nil {
				t.Fatal(err)
			}
			m, _ := s.Manifest(info.CID)
			s.Close()
			path := filepath.Join(dir, "blocks", m.ChunkCID(2).String())
			b, _ := os.ReadFile(path)
			other, _ := os.ReadFile(filepath.Join(dir, "blocks", m.ChunkCID(3).String()))
			if err := os.WriteFile(path, damage(b, other), 0o644); err != nil {
				t.Fatal(err)
			}
			s = openStore(t, dir, sync)
			r, err := s.Get(info.CID)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(r)
			r.Close()
			var ce *store.CorruptError
			if !errors.As(err, &ce) || !bytes.Equal(got, data[:len(got)]) || len(got) > 2*testChunk {
				t.Fatalf("read %d bytes, %v; want the first two chunks and a *CorruptError", len(got), err)
			}
			if _, err := os.Stat(path); !os.IsNotExist(err) || s.Has(info.CID) {
				t.Fatal("damaged block not removed")
			}
			if _, err := s.PutBytes(data, store.Pinned()); err != nil {
				t.Fatal(err)
			}
			s.Close()
			s = openStore(t, dir, sync)
			if !bytes.Equal(readAll(t, s, info.CID), data) {
				t.Fatal("repair failed")
			}
		})
	}
}
