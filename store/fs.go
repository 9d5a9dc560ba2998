package store

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"

	"golang.org/x/sys/unix"
)

// FS is the filesystem the disk store writes through. OSFS is the real one;
// tests wrap it to inject faults (storetest.ErrorFS). Paths are OS paths.
type FS interface {
	// Create creates name, which must not exist, for writing.
	Create(name string) (File, error)
	// Open opens name for reading.
	Open(name string) (File, error)
	Rename(oldname, newname string) error
	Remove(name string) error
	MkdirAll(dir string) error
	ReadDir(dir string) ([]fs.DirEntry, error)
	// SyncDir makes the entries of dir (creations, renames, removals)
	// durable.
	SyncDir(dir string) error
	// Lock takes an exclusive lock on name (created if needed), failing at
	// once with ErrLocked if another process holds it. The lock is released
	// by Close or by the death of the process.
	Lock(name string) (io.Closer, error)
}

// File is an open file of an FS.
type File interface {
	io.Reader
	io.ReaderAt
	io.Writer
	io.Closer
	Sync() error
	Stat() (fs.FileInfo, error)
}

// ErrLocked is returned by FS.Lock, and so by Open, when another process
// holds the store.
var ErrLocked = errors.New("locked by another process")

// OSFS is the operating system's filesystem.
type OSFS struct{}

var _ FS = OSFS{}

func (OSFS) Create(name string) (File, error) {
	return os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
}

func (OSFS) Open(name string) (File, error)            { return os.Open(name) }
func (OSFS) Rename(oldname, newname string) error      { return os.Rename(oldname, newname) }
func (OSFS) Remove(name string) error                  { return os.Remove(name) }
func (OSFS) MkdirAll(dir string) error                 { return os.MkdirAll(dir, 0o755) }
func (OSFS) ReadDir(dir string) ([]fs.DirEntry, error) { return os.ReadDir(dir) }

func (OSFS) SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}

func (OSFS) Lock(name string) (io.Closer, error) {
	f, err := os.OpenFile(name, os.O_RDWR|os.O_CREATE, 0o644)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, ErrLocked
		}
		return nil, fmt.Errorf("flock %s: %w", name, err)
	}
	return f, nil
}
