package store

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ipfs/go-cid"
)

// Put reads r to its end, stores the bytes as one blob with retention ret
// and returns its Info. Chunks are hashed and written by Options.Workers
// goroutines; memory use is about (Workers+2) chunks. A blob of at most one
// chunk is stored as a single raw block (its CID is the raw CID of the
// bytes); a larger one as raw chunks under a Manifest. Putting a blob the
// store already has only merges the retention. Errors: *TooLargeError,
// *QuotaError, read and I/O errors; nothing is committed then.
func (s *Store) Put(r io.Reader, ret Retention) (Info, error) {
	b := s.NewBatch()
	defer b.Abort()
	cs := s.opts.ChunkSize
	limit := s.opts.MaxBlobSize

	readChunk := func(buf []byte) (int, bool, error) {
		n, err := io.ReadFull(r, buf)
		switch err {
		case nil:
			return n, false, nil
		case io.EOF, io.ErrUnexpectedEOF:
			return n, true, nil
		}
		return n, true, fmt.Errorf("store: read input: %w", err)
	}

	first := make([]byte, cs)
	n0, eof, err := readChunk(first)
	if err != nil {
		return Info{}, err
	}
	if int64(n0) > limit {
		return Info{}, &TooLargeError{Size: int64(n0), Limit: limit}
	}
	var second []byte
	n1 := 0
	if !eof {
		second = make([]byte, cs)
		n1, eof, err = readChunk(second)
		if err != nil {
			return Info{}, err
		}
	}
	if n1 == 0 {
		data := first[:n0]
		c := RawCID(data)
		if err := b.put(c, data); err != nil {
			return Info{}, err
		}
		return b.Commit(c, ret)
	}

	// Two or more chunks: hash and write them in parallel.
	workers := s.opts.Workers
	free := make(chan []byte, workers+2)
	for range workers {
		free <- nil // allocated on first use
	}
	type job struct {
		i    int
		data []byte
		buf  []byte
	}
	jobs := make(chan job)
	var (
		mu      sync.Mutex
		digests []Digest
		werr    error
		wg      sync.WaitGroup
	)
	failed := func() error {
		mu.Lock()
		defer mu.Unlock()
		return werr
	}
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				if failed() == nil {
					d := sha256.Sum256(j.data)
					err := b.put(cidFromDigest(CodecRaw, d), j.data)
					mu.Lock()
					if err != nil && werr == nil {
						werr = err
					}
					digests[j.i] = d
					mu.Unlock()
				}
				free <- j.buf
			}
		}()
	}
	dispatch := func(i int, buf []byte, n int) {
		mu.Lock()
		digests = append(digests, Digest{})
		mu.Unlock()
		jobs <- job{i: i, data: buf[:n], buf: buf}
	}
	total := int64(n0) + int64(n1)
	dispatch(0, first, n0)
	dispatch(1, second, n1)
	i := 2
	var rerr error
	for !eof {
		if total > limit {
			rerr = &TooLargeError{Size: total, Limit: limit}
			break
		}
		if failed() != nil {
			break
		}
		buf := <-free
		if buf == nil {
			buf = make([]byte, cs)
		}
		var n int
		n, eof, rerr = readChunk(buf)
		if rerr != nil {
			break
		}
		if n == 0 {
			free <- buf
			break
		}
		total += int64(n)
		dispatch(i, buf, n)
		i++
	}
	close(jobs)
	wg.Wait()
	if rerr == nil && total > limit {
		rerr = &TooLargeError{Size: total, Limit: limit}
	}
	if err := errors.Join(rerr, werr); err != nil {
		return Info{}, err
	}
	m, err := NewManifest(total, cs, digests)
	if err != nil {
		return Info{}, err
	}
	enc := m.Encode()
	root := CIDOf(CodecManifest, enc)
	if err := b.put(root, enc); err != nil {
		return Info{}, err
	}
	return b.Commit(root, ret)
}

// PutBytes stores data as one blob; see Put.
func (s *Store) PutBytes(data []byte, ret Retention) (Info, error) {
	return s.Put(bytes.NewReader(data), ret)
}

// CIDOfBlob returns the CID Put would give data with chunks of chunkSize,
// without storing anything.
func CIDOfBlob(data []byte, chunkSize int) (cid.Cid, error) {
	if !validChunkSize(chunkSize) {
		return cid.Undef, fmt.Errorf("store: chunk size %d is not a power of two in [%d, %d]", chunkSize, MinChunkSize, MaxChunkSize)
	}
	if len(data) <= chunkSize {
		return RawCID(data), nil
	}
	n := NumChunks(int64(len(data)), chunkSize)
	ds := make([]Digest, n)
	for i := range ds {
		lo := i * chunkSize
		ds[i] = sha256.Sum256(data[lo:min(lo+chunkSize, len(data))])
	}
	m, err := NewManifest(int64(len(data)), chunkSize, ds)
	if err != nil {
		return cid.Undef, err
	}
	return m.CID(), nil
}
