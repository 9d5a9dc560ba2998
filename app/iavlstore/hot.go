package iavlstore

import "sync"

// hotCache holds values of one committed version, the latest: views of that
// version and the working tree (for keys the block has not written) read
// them without going through IAVL. That saves IAVL's locked fast-node lookup
// on every read, and lets the mempool checker keep reading while the next
// version is being saved: a miss has to wait for the save (see
// Store.saving), a hit does not.
//
// Commit moves the cache to the new version by applying the version's
// writes, which the store records as the working tree takes them. A value
// read from IAVL is added only if the cache still holds the version it was
// read at, so a read that races with Commit cannot put an old value into
// the new version. The cache holds at most max keys: beyond that, reads
// stop adding and only keys already cached are updated.
type hotCache struct {
	mu      sync.RWMutex
	version int64
	m       map[string][]byte // nil: known to be absent
	max     int
}

func newHotCache(max int) *hotCache { return &hotCache{m: make(map[string][]byte), max: max} }

// get returns the value of key in version v, and whether the cache knows it.
func (h *hotCache) get(v int64, key []byte) ([]byte, bool) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	if h.version != v {
		return nil, false
	}
	val, ok := h.m[string(key)]
	return val, ok
}

// fill records val (nil: absent) as key's value in version v, if the cache
// holds v and has room.
func (h *hotCache) fill(v int64, key, val []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.version == v && len(h.m) < h.max {
		h.m[string(key)] = val
	}
}

// advance moves the cache to version v, whose writes since v-1 are writes
// (nil: deleted). A cache that held another version than v-1 starts empty.
func (h *hotCache) advance(v int64, writes map[string][]byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.version != v-1 {
		clear(h.m)
	}
	for k, val := range writes {
		if _, ok := h.m[k]; ok || len(h.m) < h.max {
			h.m[k] = val
		}
	}
	h.version = v
}

// reset empties the cache and makes it hold version v.
func (h *hotCache) reset(v int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	clear(h.m)
	h.version = v
}
