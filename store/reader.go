package store

import (
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ipfs/go-cid"
)

// Reader reads a committed blob, verifying each block against its CID as it
// goes (so it never returns bytes that do not hash to the blob's CID). It
// holds the blob's blocks against GC until Close. It implements io.Reader,
// io.ReaderAt, io.WriterTo and io.Seeker; it is not safe for concurrent use
// except ReadAt.
type Reader struct {
	s    *Store
	info Info
	m    *Manifest // nil for a raw blob
	b    *Batch    // holds the blocks
	off  int64

	mu     sync.Mutex
	cached int // chunk index in cache, -1 if none
	cache  []byte
}

// Get opens committed blob c for reading. It returns ErrNotFound if c is not
// committed, an *IncompleteError if blocks are missing, and refuses shard
// sets (rebuild them with Rebuild first).
func (s *Store) Get(c cid.Cid) (*Reader, error) {
	info, err := s.Stat(c)
	if err != nil {
		return nil, err
	}
	if info.Kind == KindShards {
		return nil, fmt.Errorf("store: %s names an erasure-coded shard set, not a blob; rebuild it first", c)
	}
	if !info.Complete {
		return nil, &IncompleteError{CID: c, Missing: -1}
	}
	r := &Reader{s: s, info: info, b: s.NewBatch(), cached: -1}
	s.mu.Lock()
	bs := s.blobs[c.KeyString()]
	if bs == nil {
		s.mu.Unlock()
		return nil, ErrNotFound
	}
	for _, k := range bs.blocks {
		r.b.holdLocked(k, nil)
	}
	s.mu.Unlock()
	if info.Kind == KindChunked {
		m, err := s.Manifest(c)
		if err != nil {
			r.Close()
			return nil, err
		}
		r.m = &m
	}
	return r, nil
}

// Info returns the blob's Info.
func (r *Reader) Info() Info { return r.info }

// Size returns the blob's size.
func (r *Reader) Size() int64 { return r.info.Size }

// Close releases the blob's blocks.
func (r *Reader) Close() error {
	r.b.Abort()
	return nil
}

func (r *Reader) chunkSize() int64 {
	if r.m == nil {
		return max(r.info.Size, 1)
	}
	return int64(r.m.ChunkSize)
}

// chunk returns chunk i's bytes (aliasing the reader's cache).
func (r *Reader) chunk(i int) ([]byte, error) {
	if r.cached == i {
		return r.cache, nil
	}
	c := r.info.CID
	if r.m != nil {
		c = r.m.ChunkCID(i)
	}
	data, err := r.s.ReadBlock(c, r.cache[:0])
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return nil, fmt.Errorf("store: chunk %d of %s vanished: %w", i, r.info.CID, err)
		}
		return nil, err
	}
	if r.m != nil && len(data) != r.m.ChunkLen(i) {
		// The chunk hashes to its CID but the manifest's sizes disagree:
		// serving it would read out of bounds or past Size.
		return nil, chunkLenError(r.info.CID, r.m, i, len(data))
	}
	if r.m == nil && int64(len(data)) != r.info.Size {
		return nil, &CorruptError{CID: c, Err: fmt.Errorf("raw blob %s is %d bytes, its record says %d", c, len(data), r.info.Size)}
	}
	r.cached, r.cache = i, data
	return data, nil
}

// ReadAt reads len(p) bytes at off.
func (r *Reader) ReadAt(p []byte, off int64) (int, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if off < 0 {
		return 0, errors.New("store: negative offset")
	}
	n := 0
	cs := r.chunkSize()
	for n < len(p) {
		if off >= r.info.Size {
			return n, io.EOF
		}
		i := int(off / cs)
		data, err := r.chunk(i)
		if err != nil {
			return n, err
		}
		k := copy(p[n:], data[off-int64(i)*cs:])
		n += k
		off += int64(k)
	}
	return n, nil
}

// Read reads the next bytes.
func (r *Reader) Read(p []byte) (int, error) {
	if r.off >= r.info.Size {
		return 0, io.EOF
	}
	if int64(len(p)) > r.info.Size-r.off {
		p = p[:r.info.Size-r.off]
	}
	n, err := r.ReadAt(p, r.off)
	r.off += int64(n)
	if err == io.EOF && n > 0 {
		err = nil
	}
	return n, err
}

// Seek sets the offset of the next Read.
func (r *Reader) Seek(offset int64, whence int) (int64, error) {
	switch whence {
	case io.SeekStart:
	case io.SeekCurrent:
		offset += r.off
	case io.SeekEnd:
		offset += r.info.Size
	default:
		return 0, errors.New("store: bad whence")
	}
	if offset < 0 {
		return 0, errors.New("store: negative offset")
	}
	r.off = offset
	return offset, nil
}

// WriteTo writes the rest of the blob to w, a chunk at a time.
func (r *Reader) WriteTo(w io.Writer) (int64, error) {
	var total int64
	cs := r.chunkSize()
	for r.off < r.info.Size {
		i := int(r.off / cs)
		r.mu.Lock()
		data, err := r.chunk(i)
		r.mu.Unlock()
		if err != nil {
			return total, err
		}
		n, err := w.Write(data[r.off-int64(i)*cs:])
		total += int64(n)
		r.off += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
