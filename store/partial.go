package store

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"sort"

	"github.com/ipfs/go-cid"
)

// Partial blobs. A fetch that is interrupted (every provider gone, the
// process killed) leaves blocks that no committed blob references; without
// a record they would go at the next GC, and a fetch after a restart would
// start over. Batch.KeepPartial records, in partial/<cid>, that the blocks
// of an uncommitted blob are to be kept for Options.PartialGrace ledger
// heights: the first GC after the record is written stamps it with
// height+PartialGrace (the store learns heights only from GC), and GC drops
// it once the height passes that. Committing the blob removes the record;
// so does a write that needs the space to stay within the quota.
// After a restart the blocks are unverified until used: a resumed fetch
// checks each one (Batch.Have) before counting it.
//
// Record: "TGPART1\n", keepUntil (8 bytes big-endian, 0 until stamped),
// CRC-32C of the preceding bytes (4 bytes big-endian).

const partMagic = "TGPART1\n"

// PartialInfo describes an uncommitted blob whose blocks are kept.
type PartialInfo struct {
	CID cid.Cid
	// KeepUntil is the last height the blocks are kept through; 0 until the
	// first GC after the record was written stamps it.
	KeepUntil uint64
	// Present and Blocks count the blob's blocks in the store and in all
	// (Blocks is 1 while the root is missing or unreadable).
	Present, Blocks int
}

type partialState struct {
	c         cid.Cid
	keepUntil uint64
	blocks    []string // block keys, the root first
}

func (s *Store) partialDir() string           { return filepath.Join(s.dir, "partial") }
func (s *Store) partialPath(c cid.Cid) string { return filepath.Join(s.partialDir(), c.String()) }

func encodePartial(keepUntil uint64) []byte {
	b := binary.BigEndian.AppendUint64([]byte(partMagic), keepUntil)
	return binary.BigEndian.AppendUint32(b, crc32c(b))
}

func decodePartial(b []byte) (uint64, error) {
	if len(b) != len(partMagic)+8+4 || string(b[:len(partMagic)]) != partMagic {
		return 0, errors.New("bad partial record header or length")
	}
	if crc32c(b[:len(b)-4]) != binary.BigEndian.Uint32(b[len(b)-4:]) {
		return 0, errors.New("partial record checksum mismatch")
	}
	return binary.BigEndian.Uint64(b[len(partMagic):]), nil
}

// writePartial writes c's record. It is not fsynced: losing it to a power
// failure only means refetching.
func (s *Store) writePartial(c cid.Cid, keepUntil uint64) error {
	if err := s.writeFile(s.partialPath(c), encodePartial(keepUntil), syncNone); err != nil {
		return fmt.Errorf("store: write partial record of %s: %w", c, err)
	}
	return nil
}

// recoverPartials loads the records of partial blobs (during Open, after
// the blobs): their blocks are referenced so that GC keeps them.
func (s *Store) recoverPartials() error {
	ents, err := s.fs.ReadDir(s.partialDir())
	if err != nil {
		return fmt.Errorf("store: read %s: %w", s.partialDir(), err)
	}
	for _, e := range ents {
		path := filepath.Join(s.partialDir(), e.Name())
		c, err := cid.Decode(e.Name())
		if err == nil {
			_, err = DigestOf(c)
		}
		var until uint64
		if err == nil {
			var b []byte
			if b, err = s.readFile(path, 64); err == nil {
				until, err = decodePartial(b)
			}
		}
		if err == nil && s.blobs[c.KeyString()] != nil {
			err = errors.New("the blob is committed")
		}
		if err != nil {
			s.opts.Logger.Warn("store: removing a partial record", "name", e.Name(), "err", err)
			if rerr := s.fs.Remove(path); rerr != nil {
				return fmt.Errorf("store: remove partial record: %w", rerr)
			}
			continue
		}
		s.addPartial(c, until)
	}
	return nil
}

// addPartial references the blocks of partial blob c so that GC keeps
// them. Callers do not hold s.mu.
func (s *Store) addPartial(c cid.Cid, until uint64) {
	_, keys := s.describe(c)
	key := c.KeyString()
	s.mu.Lock()
	defer s.mu.Unlock()
	if p := s.partials[key]; p != nil {
		p.keepUntil = max(p.keepUntil, until)
		return
	}
	s.partials[key] = &partialState{c: c, keepUntil: until, blocks: keys}
	for _, k := range keys {
		s.state(k, nil).refs++
	}
}

// dropPartialLocked forgets partial blob key's record (the caller removes
// the file). Callers hold s.mu.
func (s *Store) dropPartialLocked(key string) {
	p := s.partials[key]
	if p == nil {
		return
	}
	delete(s.partials, key)
	for _, k := range p.blocks {
		if st := s.blocks[k]; st != nil {
			st.refs--
			s.dropIfUnused(k)
		}
	}
}

// dropPartialsLocked forgets every partial record (the quota needs their
// space); blocks held by running batches stay until those end. Callers
// hold s.mu.
func (s *Store) dropPartialsLocked() {
	for key, p := range s.partials {
		if err := s.fs.Remove(s.partialPath(p.c)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			s.opts.Logger.Warn("store: cannot remove a partial record", "cid", p.c, "err", err)
			continue
		}
		s.opts.Logger.Warn("store: dropping the blocks of a partial fetch to make room", "cid", p.c)
		s.dropPartialLocked(key)
	}
}

// KeepPartial records that the blocks of blob root, whose root block this
// batch has stored, are kept for Options.PartialGrace heights after the
// next GC even if the batch is aborted or the process dies, so that a fetch
// can resume. Commit of root removes the record.
func (b *Batch) KeepPartial(root cid.Cid) error {
	s := b.s
	if !s.HasBlock(root) {
		return &IncompleteError{CID: root, Missing: 1}
	}
	s.mu.Lock()
	p, closed := s.partials[root.KeyString()], s.closed
	s.mu.Unlock()
	if closed {
		return errClosed
	}
	if p != nil {
		return nil // already recorded (a resumed fetch)
	}
	if err := s.writePartial(root, 0); err != nil {
		return err
	}
	s.addPartial(root, 0)
	return nil
}

// removePartial deletes blob c's partial record, if any (Commit calls it).
func (s *Store) removePartial(c cid.Cid) error {
	key := c.KeyString()
	s.mu.Lock()
	_, ok := s.partials[key]
	s.mu.Unlock()
	if !ok {
		return nil
	}
	if err := s.fs.Remove(s.partialPath(c)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: remove partial record of %s: %w", c, err)
	}
	s.mu.Lock()
	s.dropPartialLocked(key)
	s.mu.Unlock()
	return nil
}

// gcPartials stamps fresh partial records with height+PartialGrace and
// drops those whose height has passed. GC calls it before sweeping.
func (s *Store) gcPartials(height uint64) (dropped int, err error) {
	s.mu.Lock()
	var stamp, drop []*partialState
	for _, p := range s.partials {
		switch {
		case p.keepUntil == 0:
			stamp = append(stamp, p)
		case p.keepUntil < height:
			drop = append(drop, p)
		}
	}
	s.mu.Unlock()
	var errs []error
	until := height + s.opts.PartialGrace
	for _, p := range stamp {
		if err := s.writePartial(p.c, until); err != nil {
			errs = append(errs, err)
			continue
		}
		s.mu.Lock()
		p.keepUntil = until
		s.mu.Unlock()
	}
	sort.Slice(drop, func(i, j int) bool { return drop[i].c.String() < drop[j].c.String() })
	for _, p := range drop {
		if err := s.fs.Remove(s.partialPath(p.c)); err != nil && !errors.Is(err, fs.ErrNotExist) {
			errs = append(errs, fmt.Errorf("store: remove partial record of %s: %w", p.c, err))
			continue
		}
		s.mu.Lock()
		s.dropPartialLocked(p.c.KeyString())
		s.mu.Unlock()
		dropped++
	}
	return dropped, errors.Join(errs...)
}

// Partials lists the uncommitted blobs whose blocks are kept, sorted by
// CID string.
func (s *Store) Partials() []PartialInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]PartialInfo, 0, len(s.partials))
	for _, p := range s.partials {
		pi := PartialInfo{CID: p.c, KeepUntil: p.keepUntil, Blocks: len(p.blocks)}
		for _, k := range p.blocks {
			if st := s.blocks[k]; st != nil && st.present {
				pi.Present++
			}
		}
		out = append(out, pi)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CID.String() < out[j].CID.String() })
	return out
}
