package state

import (
	"bytes"
	"slices"
)

// Mem is an in-memory KV for unit tests and simulations. It is not safe for
// concurrent use. Iteration works on a sorted snapshot of the keys taken
// when the iterator opens.
type Mem struct {
	m      map[string][]byte
	sorted []string // cached sorted keys; nil when stale
}

var _ KV = (*Mem)(nil)

// NewMem returns an empty Mem.
func NewMem() *Mem { return &Mem{m: map[string][]byte{}} }

// Get implements KV.
func (s *Mem) Get(key []byte) []byte { return s.m[string(key)] }

// Has implements KV.
func (s *Mem) Has(key []byte) bool { _, ok := s.m[string(key)]; return ok }

// Set implements KV.
func (s *Mem) Set(key, value []byte) {
	if value == nil {
		panic("state: Set with a nil value")
	}
	if _, ok := s.m[string(key)]; !ok {
		s.sorted = nil
	}
	s.m[string(key)] = value
}

// Delete implements KV.
func (s *Mem) Delete(key []byte) {
	if _, ok := s.m[string(key)]; ok {
		delete(s.m, string(key))
		s.sorted = nil
	}
}

// Len is the number of keys.
func (s *Mem) Len() int { return len(s.m) }

// Clone returns an independent copy (values are shared; they are never
// modified in place).
func (s *Mem) Clone() *Mem {
	c := &Mem{m: make(map[string][]byte, len(s.m))}
	for k, v := range s.m {
		c.m[k] = v
	}
	return c
}

// Iterator implements KV.
func (s *Mem) Iterator(start, end []byte, ascending bool) Iterator {
	if s.sorted == nil {
		s.sorted = make([]string, 0, len(s.m))
		for k := range s.m {
			s.sorted = append(s.sorted, k)
		}
		slices.Sort(s.sorted)
	}
	lo, hi := 0, len(s.sorted)
	if start != nil {
		lo, _ = slices.BinarySearch(s.sorted, string(start))
	}
	if end != nil {
		hi, _ = slices.BinarySearch(s.sorted, string(end))
	}
	if hi < lo {
		hi = lo
	}
	keys := s.sorted[lo:hi]
	it := &sliceIter{keys: keys, vals: make([][]byte, len(keys)), asc: ascending}
	for i, k := range keys {
		it.vals[i] = s.m[k]
	}
	if !ascending {
		it.i = len(keys) - 1
	}
	return it
}

// sliceIter iterates a sorted snapshot.
type sliceIter struct {
	keys []string
	vals [][]byte
	i    int
	asc  bool
	key  []byte
}

func (it *sliceIter) Valid() bool { return it.i >= 0 && it.i < len(it.keys) }
func (it *sliceIter) Next() {
	if it.asc {
		it.i++
	} else {
		it.i--
	}
}
func (it *sliceIter) Key() []byte   { return []byte(it.keys[it.i]) }
func (it *sliceIter) Value() []byte { return it.vals[it.i] }
func (it *sliceIter) Error() error  { return nil }
func (it *sliceIter) Close() error  { return nil }

// Equal reports whether a and b hold the same pairs (for tests).
func Equal(a, b KV) bool {
	ia, ib := a.Iterator(nil, nil, true), b.Iterator(nil, nil, true)
	defer ia.Close()
	defer ib.Close()
	for ; ia.Valid() && ib.Valid(); ia.Next() {
		if !bytes.Equal(ia.Key(), ib.Key()) || !bytes.Equal(ia.Value(), ib.Value()) {
			return false
		}
		ib.Next()
	}
	return ia.Valid() == ib.Valid()
}
