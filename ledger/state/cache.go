package state

import (
	"bytes"
	"slices"
)

// Cache buffers writes over a parent KV: reads see the buffered writes
// first, Write applies them to the parent in ascending key order (so the
// parent sees the same sequence of Set/Delete calls on every node), and
// Discard drops them. The ledger stacks caches: one per block over the app's
// store, one per tx for message writes, and one for CheckTx.
//
// A Cache is reusable: after Write or Discard it is empty and keeps its
// allocated memory. It is not safe for concurrent use.
type Cache struct {
	parent KV
	m      map[string]centry
	keys   []string // scratch for sorting
}

type centry struct {
	key     []byte // the caller's key (Set and Delete take ownership)
	val     []byte
	deleted bool
}

var _ KV = (*Cache)(nil)

// NewCache returns an empty cache over parent.
func NewCache(parent KV) *Cache {
	return &Cache{parent: parent, m: make(map[string]centry)}
}

// Parent returns the KV the cache writes to.
func (c *Cache) Parent() KV { return c.parent }

// SetParent points the (empty) cache at another parent. It panics if the
// cache holds writes.
func (c *Cache) SetParent(p KV) {
	if len(c.m) != 0 {
		panic("state: SetParent on a cache with pending writes")
	}
	c.parent = p
}

// Dirty is the number of buffered writes (sets and deletes).
func (c *Cache) Dirty() int { return len(c.m) }

// Get implements KV.
func (c *Cache) Get(key []byte) []byte {
	if e, ok := c.m[string(key)]; ok {
		if e.deleted {
			return nil
		}
		return e.val
	}
	return c.parent.Get(key)
}

// Has implements KV.
func (c *Cache) Has(key []byte) bool {
	if e, ok := c.m[string(key)]; ok {
		return !e.deleted
	}
	return c.parent.Has(key)
}

// Set implements KV.
func (c *Cache) Set(key, value []byte) {
	if value == nil {
		panic("state: Set with a nil value")
	}
	c.m[string(key)] = centry{key: key, val: value}
}

// Delete implements KV.
func (c *Cache) Delete(key []byte) {
	c.m[string(key)] = centry{key: key, deleted: true}
}

// sortedKeys returns the buffered keys in [start, end), ascending.
func (c *Cache) sortedKeys(start, end []byte) []string {
	ks := c.keys[:0]
	for k := range c.m {
		if inRange([]byte(k), start, end) {
			ks = append(ks, k)
		}
	}
	slices.Sort(ks)
	c.keys = ks[:0]
	return ks
}

// Write applies the buffered writes to the parent in ascending key order and
// empties the cache.
func (c *Cache) Write() {
	if len(c.m) == 0 {
		return
	}
	ks := c.keys[:0]
	for k := range c.m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for _, k := range ks {
		e := c.m[k]
		if e.deleted {
			c.parent.Delete(e.key)
		} else {
			c.parent.Set(e.key, e.val)
		}
	}
	clear(ks)
	c.keys = ks[:0]
	clear(c.m)
}

// Discard drops the buffered writes.
func (c *Cache) Discard() { clear(c.m) }

// Iterator implements KV: it merges the buffered writes (a sorted snapshot
// taken now) with the parent's iterator.
func (c *Cache) Iterator(start, end []byte, ascending bool) Iterator {
	ks := slices.Clone(c.sortedKeys(start, end))
	it := &mergeIter{parent: c.parent.Iterator(start, end, ascending), asc: ascending}
	it.keys = make([][]byte, len(ks))
	it.ents = make([]centry, len(ks))
	for i, k := range ks {
		j := i
		if !ascending {
			j = len(ks) - 1 - i
		}
		it.ents[j] = c.m[k]
		it.keys[j] = it.ents[j].key
	}
	it.settle()
	return it
}

// mergeIter merges a sorted list of cached entries with a parent iterator;
// cached entries win on equal keys and deleted ones are skipped.
type mergeIter struct {
	parent Iterator
	keys   [][]byte
	ents   []centry
	i      int
	asc    bool
	// which source the current item comes from
	fromCache bool
	valid     bool
}

// cmp orders a before b in iteration order (<0).
func (it *mergeIter) cmp(a, b []byte) int {
	c := bytes.Compare(a, b)
	if !it.asc {
		c = -c
	}
	return c
}

// settle positions on the next visible item.
func (it *mergeIter) settle() {
	for {
		pv := it.parent.Valid()
		cv := it.i < len(it.keys)
		switch {
		case !pv && !cv:
			it.valid = false
			return
		case !cv:
			it.valid, it.fromCache = true, false
			return
		case !pv:
			if it.ents[it.i].deleted {
				it.i++
				continue
			}
			it.valid, it.fromCache = true, true
			return
		}
		c := it.cmp(it.keys[it.i], it.parent.Key())
		if c == 0 {
			// The cache shadows the parent.
			it.parent.Next()
			c = -1
		}
		if c < 0 {
			if it.ents[it.i].deleted {
				it.i++
				continue
			}
			it.valid, it.fromCache = true, true
			return
		}
		it.valid, it.fromCache = true, false
		return
	}
}

func (it *mergeIter) Valid() bool { return it.valid }

func (it *mergeIter) Next() {
	if !it.valid {
		return
	}
	if it.fromCache {
		it.i++
	} else {
		it.parent.Next()
	}
	it.settle()
}

func (it *mergeIter) Key() []byte {
	if it.fromCache {
		return it.keys[it.i]
	}
	return it.parent.Key()
}

func (it *mergeIter) Value() []byte {
	if it.fromCache {
		return it.ents[it.i].val
	}
	return it.parent.Value()
}

func (it *mergeIter) Error() error { return it.parent.Error() }
func (it *mergeIter) Close() error { return it.parent.Close() }
