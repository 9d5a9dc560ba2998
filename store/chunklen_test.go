package store

import (
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
)

// badLenBlob stores (without committing) a manifest whose chunk 1 hashes
// to bytes of length mid, not the chunk size, and returns the manifest's
// CID and the blob's claimed size.
func badLenBlob(t *testing.T, s *Store, mid int) (cid.Cid, *Batch) {
	t.Helper()
	const cs = 4096
	chunks := [][]byte{make([]byte, cs), make([]byte, mid), {7}}
	for i := range chunks[0] {
		chunks[0][i] = byte(i)
	}
	for i := range chunks[1] {
		chunks[1][i] = byte(3 * i)
	}
	var ds []Digest
	for _, c := range chunks {
		ds = append(ds, sha256.Sum256(c))
	}
	m, err := NewManifest(2*cs+1, cs, ds)
	if err != nil {
		t.Fatal(err)
	}
	b := s.NewBatch()
	enc := m.Encode()
	root := CIDOf(CodecManifest, enc)
	if err := b.PutBlock(root, enc); err != nil {
		t.Fatal(err)
	}
	for i, c := range chunks {
		if err := b.PutBlock(m.ChunkCID(i), c); err != nil {
			t.Fatal(err)
		}
	}
	return root, b
}

func quietOpts() Options {
	return Options{ChunkSize: 4096, NoSync: true, Logger: slog.New(slog.DiscardHandler)}
}

// A manifest fixes its chunks' CIDs, not their lengths: Commit refuses a
// blob whose chunks are not the lengths the manifest says, and a Reader of
// such a blob (committed by an older version) fails with a *CorruptError
// instead of panicking, spinning, or writing more than Size.
func TestShortChunkIsCorrupt(t *testing.T) { testBadChunkLen(t, 100) }

func TestLongChunkIsCorrupt(t *testing.T) { testBadChunkLen(t, 5000) }

func testBadChunkLen(t *testing.T, mid int) {
	dir := t.TempDir()
	s, err := Open(dir, quietOpts())
	if err != nil {
		t.Fatal(err)
	}
	root, b := badLenBlob(t, s, mid)
	_, err = b.Commit(root, Pinned())
	var ce *CorruptError
	if !errors.As(err, &ce) {
		t.Fatalf("Commit of a blob with a %d-byte chunk 1: %v, want *CorruptError", mid, err)
	}
	if want := "chunk 1 of blob " + root.String(); !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "4096") {
		t.Errorf("Commit error %q does not say which chunk and lengths", err)
	}
	b.Abort()
	if _, err := s.Stat(root); !errors.Is(err, ErrNotFound) {
		t.Fatalf("refused blob is listed: %v", err)
	}

	// As an older version would have: commit it anyway.
	if _, err := s.writeMeta(root, Pinned(), nil); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s, err = Open(dir, quietOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Get(root)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	p := make([]byte, r.Size())
	readDone := make(chan error, 1)
	go func() { _, err := r.ReadAt(p, 0); readDone <- err }()
	select {
	case err := <-readDone:
		if !errors.As(err, &ce) {
			t.Errorf("ReadAt: %v, want *CorruptError", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("ReadAt does not return")
	}
	done := make(chan struct{})
	var n int64
	go func() {
		defer close(done)
		r.Seek(0, io.SeekStart)
		n, err = r.WriteTo(io.Discard)
	}()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("WriteTo does not return")
	}
	if !errors.As(err, &ce) {
		t.Errorf("WriteTo: %v, want *CorruptError", err)
	}
	if n > r.Size() {
		t.Errorf("WriteTo wrote %d bytes of a %d-byte blob", n, r.Size())
	}
	// The chunk itself is intact: nothing was deleted.
	if _, err := os.Stat(filepath.Join(dir, "blocks", cidChunk1(t, s, root).String())); err != nil {
		t.Errorf("intact chunk deleted: %v", err)
	}
}

func cidChunk1(t *testing.T, s *Store, root cid.Cid) cid.Cid {
	m, err := s.Manifest(root)
	if err != nil {
		t.Fatal(err)
	}
	return m.ChunkCID(1)
}
