package store

import (
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
)

// pauseMetaRemoveFS blocks the first removal of a meta/ file, before it
// happens, until released.
type pauseMetaRemoveFS struct {
	OSFS
	once    sync.Once
	paused  chan struct{}
	release chan struct{}
}

func newPauseMetaRemoveFS() *pauseMetaRemoveFS {
	return &pauseMetaRemoveFS{paused: make(chan struct{}), release: make(chan struct{})}
}

func (p *pauseMetaRemoveFS) Remove(name string) error {
	if strings.Contains(name, "/meta/") {
		p.once.Do(func() {
			close(p.paused)
			<-p.release
		})
	}
	return p.OSFS.Remove(name)
}

func gcRaceData() []byte {
	data := make([]byte, 20000)
	for i := range data {
		data[i] = byte(i * 7)
	}
	return data
}

// runDuringGC runs GC(11) on a store holding a blob kept until 10, and op
// while GC is about to remove the blob's metadata; it gives op a moment to
// finish (it may wait for GC instead) before letting GC go on. It returns
// op's error, the blob's CID and the store's directory, closed.
func runDuringGC(t *testing.T, op func(s *Store, c cid.Cid) error) (error, cid.Cid, string) {
	t.Helper()
	dir := t.TempDir()
	fs := newPauseMetaRemoveFS()
	o := quietOpts()
	o.FS = fs
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.PutBytes(gcRaceData(), Until(10))
	if err != nil {
		t.Fatal(err)
	}
	gcDone := make(chan error, 1)
	go func() { _, err := s.GC(11); gcDone <- err }()
	<-fs.paused
	opDone := make(chan error, 1)
	go func() { opDone <- op(s, info.CID) }()
	var opErr error
	finished := false
	select {
	case opErr = <-opDone:
		finished = true
	case <-time.After(200 * time.Millisecond): // waiting for GC, as it should
	}
	close(fs.release)
	if err := <-gcDone; err != nil {
		t.Fatalf("GC: %v", err)
	}
	if !finished {
		opErr = <-opDone
	}
	s.Close()
	return opErr, info.CID, dir
}

// reopenHas reports whether the store in dir, reopened, lists c and can
// read all of it.
func reopenHas(t *testing.T, dir string, c cid.Cid) (Info, bool) {
	t.Helper()
	s, err := Open(dir, quietOpts())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	info, err := s.Stat(c)
	if err != nil {
		return info, false
	}
	r, err := s.Get(c)
	if err != nil {
		t.Fatalf("blob %s is listed after a restart but unreadable: %v", c, err)
	}
	defer r.Close()
	got, err := io.ReadAll(r)
	if err != nil || string(got) != string(gcRaceData()) {
		t.Fatalf("blob %s after a restart: %d bytes, %v", c, len(got), err)
	}
	return info, true
}

// A Pin that returns nil while GC is dropping the blob must keep it: GC
// re-checks under metaMu, or the Pin waits and finds the blob gone.
func TestPinDuringGCKeepsBlob(t *testing.T) {
	err, c, dir := runDuringGC(t, func(s *Store, c cid.Cid) error { return s.Pin(c) })
	info, ok := reopenHas(t, dir, c)
	switch {
	case err == nil && !ok:
		t.Fatal("Pin returned nil but GC dropped the blob")
	case err == nil && !info.Retention.Pinned:
		t.Fatalf("Pin returned nil but the blob is not pinned after a restart: %+v", info.Retention)
	case err != nil && !errors.Is(err, ErrNotFound):
		t.Fatalf("Pin: %v", err)
	case err != nil && ok:
		t.Fatal("Pin failed but the blob is still there")
	}
}

// A Commit of the blob GC is dropping must leave it committed.
func TestCommitDuringGCKeepsBlob(t *testing.T) {
	err, c, dir := runDuringGC(t, func(s *Store, c cid.Cid) error {
		_, err := s.PutBytes(gcRaceData(), Pinned())
		return err
	})
	if err != nil {
		t.Fatalf("PutBytes: %v", err)
	}
	info, ok := reopenHas(t, dir, c)
	if !ok {
		t.Fatal("Commit returned nil but GC dropped the blob")
	}
	if !info.Retention.Pinned {
		t.Fatalf("recommitted blob is not pinned after a restart: %+v", info.Retention)
	}
}
