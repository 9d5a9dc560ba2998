package storetest

import (
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"sync"

	"tangent/store"
)

// ErrInjected is the error ErrorFS injects.
var ErrInjected = errors.New("storetest: injected I/O error")

// Op names the filesystem operations ErrorFS counts.
type Op string

// The mutating operations ErrorFS can fail. Reads are never failed: the
// point is to cut writes short at every step, as a crash or a full disk
// would.
const (
	OpCreate  Op = "create"
	OpWrite   Op = "write"
	OpSync    Op = "sync"
	OpRename  Op = "rename"
	OpRemove  Op = "remove"
	OpSyncDir Op = "syncdir"
	OpMkdir   Op = "mkdir"
)

// ErrorFS wraps an FS and fails the FailAt-th mutating operation (1-based;
// 0 never fails) and, if Sticky, every one after it, as a disk that died
// would. A failed Write first writes half its bytes (a torn write).
type ErrorFS struct {
	FS     store.FS
	FailAt int
	Sticky bool

	mu     sync.Mutex
	count  int
	failed bool
	log    []Op
}

var _ store.FS = (*ErrorFS)(nil)

// Count returns how many mutating operations were attempted.
func (e *ErrorFS) Count() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.count
}

// Failed reports whether an error was injected.
func (e *ErrorFS) Failed() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.failed
}

func (e *ErrorFS) step(op Op) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.count++
	e.log = append(e.log, op)
	if (e.FailAt > 0 && e.count == e.FailAt) || (e.Sticky && e.failed) {
		e.failed = true
		return &fs.PathError{Op: string(op), Path: "(injected)", Err: ErrInjected}
	}
	return nil
}

func (e *ErrorFS) Create(name string) (store.File, error) {
	if err := e.step(OpCreate); err != nil {
		return nil, err
	}
	f, err := e.FS.Create(name)
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, e: e}, nil
}

func (e *ErrorFS) Open(name string) (store.File, error) {
	f, err := e.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &errorFile{File: f, e: e}, nil
}

func (e *ErrorFS) Rename(o, n string) error {
	if err := e.step(OpRename); err != nil {
		return err
	}
	return e.FS.Rename(o, n)
}

func (e *ErrorFS) Remove(name string) error {
	if err := e.step(OpRemove); err != nil {
		return err
	}
	return e.FS.Remove(name)
}

func (e *ErrorFS) MkdirAll(dir string) error {
	if err := e.step(OpMkdir); err != nil {
		return err
	}
	return e.FS.MkdirAll(dir)
}

func (e *ErrorFS) ReadDir(dir string) ([]fs.DirEntry, error) { return e.FS.ReadDir(dir) }

func (e *ErrorFS) SyncDir(dir string) error {
	if err := e.step(OpSyncDir); err != nil {
		return err
	}
	return e.FS.SyncDir(dir)
}

func (e *ErrorFS) Lock(name string) (io.Closer, error) { return e.FS.Lock(name) }

type errorFile struct {
	store.File
	e *ErrorFS
}

func (f *errorFile) Write(p []byte) (int, error) {
	if err := f.e.step(OpWrite); err != nil {
		n, _ := f.File.Write(p[:len(p)/2])
		return n, err
	}
	return f.File.Write(p)
}

func (f *errorFile) Sync() error {
	if err := f.e.step(OpSync); err != nil {
		return err
	}
	return f.File.Sync()
}

// Bytes returns n deterministic pseudo-random bytes for seed.
func Bytes(seed uint64, n int) []byte {
	var key [32]byte
	for i := range 8 {
		key[i] = byte(seed >> (8 * i))
	}
	b := make([]byte, n)
	rand.NewChaCha8(key).Read(b)
	return b
}
