package ledger

import "sync"

// SigCache remembers the hashes of txs whose signature verified, so that a
// tx checked in CheckTx (or PreVerify) is not verified again in DeliverTx.
// A hit is exactly as good as a verification: the hash covers the signed
// bytes, the public key and the signature. It holds at most its size;
// the oldest entries are evicted first. Safe for concurrent use.
type SigCache struct {
	mu   sync.Mutex
	m    map[[32]byte]struct{}
	ring [][32]byte
	next int
}

// NewSigCache returns a cache holding up to size hashes (size <= 0 disables
// caching).
func NewSigCache(size int) *SigCache {
	if size <= 0 {
		return &SigCache{}
	}
	return &SigCache{m: make(map[[32]byte]struct{}, size), ring: make([][32]byte, 0, size)}
}

// Has reports whether h is cached.
func (c *SigCache) Has(h [32]byte) bool {
	if c.m == nil {
		return false
	}
	c.mu.Lock()
	_, ok := c.m[h]
	c.mu.Unlock()
	return ok
}

// Add records h as verified.
func (c *SigCache) Add(h [32]byte) {
	if c.m == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.m[h]; ok {
		return
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, h)
	} else {
		delete(c.m, c.ring[c.next])
		c.ring[c.next] = h
		c.next = (c.next + 1) % len(c.ring)
	}
	c.m[h] = struct{}{}
}

// Len is the number of cached hashes.
func (c *SigCache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}
