package store

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// readPutRaceFS pauses the first Open of a block file once armed (right
// after opening it) and the first Rename into blocks/ (right after it).
type readPutRaceFS struct {
	OSFS
	armed                     atomic.Bool
	openOnce, renameOnce      sync.Once
	opened, renamed           chan struct{}
	releaseOpen, releaseRenam chan struct{}
}

func (f *readPutRaceFS) Open(name string) (File, error) {
	file, err := f.OSFS.Open(name)
	if f.armed.Load() && strings.Contains(name, "/blocks/") {
		f.openOnce.Do(func() {
			close(f.opened)
			<-f.releaseOpen
		})
	}
	return file, err
}

func (f *readPutRaceFS) Rename(oldname, newname string) error {
	err := f.OSFS.Rename(oldname, newname)
	if f.armed.Load() && strings.Contains(newname, "/blocks/") {
		f.renameOnce.Do(func() {
			close(f.renamed)
			<-f.releaseRenam
		})
	}
	return err
}

// A read that finds a block corrupt must not delete the good copy a
// concurrent PutBlock renamed into place after the read opened the file.
func TestCorruptReadKeepsRepairedBlock(t *testing.T) {
	dir := t.TempDir()
	good := bytes.Repeat([]byte("good block "), 300)
	c := RawCID(good)
	bad := bytes.Repeat([]byte("BAD  block "), 300)
	path := filepath.Join(dir, "blocks", c.String())
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	fs := &readPutRaceFS{opened: make(chan struct{}), renamed: make(chan struct{}),
		releaseOpen: make(chan struct{}), releaseRenam: make(chan struct{})}
	o := quietOpts()
	o.FS = fs
	s, err := Open(dir, o)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fs.armed.Store(true)

	type result struct {
		data []byte
		err  error
	}
	readDone := make(chan result, 1)
	go func() { d, err := s.Block(c); readDone <- result{d, err} }()
	<-fs.opened // the reader holds the bad file open
	b := s.NewBatch()
	putDone := make(chan error, 1)
	go func() { putDone <- b.PutBlock(c, good) }()
	<-fs.renamed // the good copy is in place, not yet marked verified
	close(fs.releaseOpen)
	var rd result
	gotRead := false
	select {
	case rd = <-readDone:
		gotRead = true
	case <-time.After(200 * time.Millisecond): // waiting for the put's stripe
	}
	close(fs.releaseRenam)
	if err := <-putDone; err != nil {
		t.Fatalf("PutBlock: %v", err)
	}
	if !gotRead {
		rd = <-readDone
	}
	if rd.err != nil || !bytes.Equal(rd.data, good) {
		t.Errorf("concurrent read (the put replaced the bad file first): %d bytes, %v", len(rd.data), rd.err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("good block file deleted by the failed read: %v", err)
	}
	if got, err := s.Block(c); err != nil || !bytes.Equal(got, good) {
		t.Fatalf("Block after the race: %d bytes, %v", len(got), err)
	}
	b.Abort()
}
