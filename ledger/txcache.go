package ledger

import (
	"io"
	"sync"
	"sync/atomic"

	"tangent/ledger/chain"
	"tangent/ledger/tx"
)

// Prepared is a tx decoded once and shared by every step that looks at the
// same bytes: CheckTx, recheck, ProcessProposal and DeliverTx find it in
// the ledger's tx cache instead of decoding (and verifying) again. It is
// immutable once made, except for the flag recording that its signature
// verified; handlers must not modify its messages.
type Prepared struct {
	Tx     *tx.Tx
	Signer chain.Address
	raw    string // the tx bytes (also the cache key)

	verified atomic.Bool
}

// Verified reports whether the signature has been verified (and found
// valid) under the ledger's rule.
func (p *Prepared) Verified() bool { return p.verified.Load() }

// signed returns what the signature covers (SignDomain || body) and the
// signature.
func (p *Prepared) signed() (msg, sig []byte) {
	n := len(p.raw) - tx.SigLen
	msg = make([]byte, 0, len(tx.SignDomain)+len(p.raw))
	msg = append(append(msg, tx.SignDomain...), p.raw[:n]...)
	sig = append(msg[len(msg):], p.raw[n:]...) // same allocation
	return msg, sig
}

// txCache maps tx bytes to their Prepared form. Entries live from the first
// check of a tx until it is executed in a block (or rejected); the oldest
// are evicted first when the cache is full. A hit is exactly as good as a
// decode and a verification: the key is the whole tx, bytes for bytes.
// Safe for concurrent use.
type txCache struct {
	mu   sync.Mutex
	m    map[string]*Prepared
	ring []string // insertion order, for eviction (may name removed keys)
	next int
}

func newTxCache(size int) *txCache {
	if size <= 0 {
		return &txCache{}
	}
	return &txCache{m: make(map[string]*Prepared, min(size, 1<<16)), ring: make([]string, 0, size)}
}

func (c *txCache) get(b []byte) *Prepared {
	if c.m == nil {
		return nil
	}
	c.mu.Lock()
	p := c.m[string(b)]
	c.mu.Unlock()
	return p
}

// put inserts p under p.raw unless an entry exists, and returns the entry
// kept.
func (c *txCache) put(p *Prepared) *Prepared {
	if c.m == nil {
		return p
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	k := p.raw
	if old, ok := c.m[k]; ok {
		return old
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, k)
	} else {
		delete(c.m, c.ring[c.next])
		c.ring[c.next] = k
		c.next = (c.next + 1) % len(c.ring)
	}
	c.m[k] = p
	return p
}

func (c *txCache) remove(b []byte) {
	if c.m == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, string(b))
	c.mu.Unlock()
}

func (c *txCache) removeKey(k string) {
	if c.m == nil {
		return
	}
	c.mu.Lock()
	delete(c.m, k)
	c.mu.Unlock()
}

func (c *txCache) len() int {
	if c.m == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

// keyCache remembers expanded public keys (tx.Key) of recent signers, for
// batch verification. The oldest are evicted first. Safe for concurrent use.
type keyCache struct {
	mu   sync.Mutex
	m    map[chain.PubKey]*tx.Key
	ring []chain.PubKey
	next int
}

func newKeyCache(size int) *keyCache {
	if size <= 0 {
		return &keyCache{}
	}
	return &keyCache{m: make(map[chain.PubKey]*tx.Key, min(size, 1<<14)), ring: make([]chain.PubKey, 0, size)}
}

// get returns pub's expanded key, expanding (and caching) it on a miss.
func (c *keyCache) get(pub chain.PubKey) *tx.Key {
	if c.m == nil {
		return tx.ExpandKey(pub)
	}
	c.mu.Lock()
	k := c.m[pub]
	c.mu.Unlock()
	if k != nil {
		return k
	}
	k = tx.ExpandKey(pub) // outside the lock: it takes a while
	c.mu.Lock()
	defer c.mu.Unlock()
	if old, ok := c.m[pub]; ok {
		return old
	}
	if len(c.ring) < cap(c.ring) {
		c.ring = append(c.ring, pub)
	} else {
		delete(c.m, c.ring[c.next])
		c.ring[c.next] = pub
		c.next = (c.next + 1) % len(c.ring)
	}
	c.m[pub] = k
	return k
}

// Prepare decodes txBytes, or finds it already decoded in the tx cache, and
// caches the result. It reads no state and is safe for concurrent use. The
// error wraps a registered code (ErrTxTooLarge, ErrTxDecode, ErrUnknownMsg,
// ErrTooManyMsgs). The ledger keeps a copy of txBytes.
func (l *Ledger) Prepare(txBytes []byte) (*Prepared, error) {
	if p := l.txs.get(txBytes); p != nil {
		return p, nil
	}
	t, err := l.reg.Decode(txBytes)
	if err != nil {
		return nil, err
	}
	return l.txs.put(&Prepared{Tx: t, Signer: t.Signer(), raw: string(txBytes)}), nil
}

// PreVerify prepares txBytes and verifies its signature if that was not
// done yet. It reads no state and is safe for concurrent use. The returned
// error wraps a registered code.
func (l *Ledger) PreVerify(txBytes []byte) error {
	p, err := l.Prepare(txBytes)
	if err != nil {
		return err
	}
	if !l.verifyOne(p) {
		l.txs.remove(txBytes)
		return chain.ErrInvalidSignature.Wrapf("signature does not verify for public key %s", p.Tx.PubKey)
	}
	return nil
}

// verifyOne verifies p's signature (once) under the ledger's rule, with
// the signer's expanded key from the key cache: a signer's next tx then
// verifies in about two thirds of the time (BenchmarkVerifyBatch/n=1).
func (l *Ledger) verifyOne(p *Prepared) bool {
	if p.verified.Load() {
		return true
	}
	msg, sig := p.signed()
	if !l.keys.get(p.Tx.PubKey).Verify(msg, sig) {
		return false
	}
	p.verified.Store(true)
	return true
}

// VerifyBatch verifies, in one batch, the signatures of those ps that are
// not verified yet, marks the valid ones, and reports for each p whether
// its signature is valid. The result is the same as verifying each
// signature on its own (see package tx: batch and single verification
// follow one rule); a batch with an invalid signature costs a single
// verification per signature on top, to find it. Txs with an invalid
// signature leave the tx cache. rand supplies the
// batch's random coefficients: crypto/rand.Reader, never a predictable
// source. Safe for concurrent use; callers split large sets among
// goroutines.
func (l *Ledger) VerifyBatch(ps []*Prepared, rand io.Reader) []bool {
	valid := make([]bool, len(ps))
	var todo []int
	for i, p := range ps {
		if p.verified.Load() {
			valid[i] = true
		} else {
			todo = append(todo, i)
		}
	}
	switch len(todo) {
	case 0:
		return valid
	case 1:
		if valid[todo[0]] = l.verifyOne(ps[todo[0]]); !valid[todo[0]] {
			l.txs.removeKey(ps[todo[0]].raw)
		}
		return valid
	}
	// Expanded keys speed up batches of any size: a small batch uses their
	// precomputed tables, a large one (tx.PippengerThreshold) at least
	// skips decompressing each key, which costs about half as much as
	// expanding it once for the key cache.
	b := tx.NewBatch(len(todo))
	for _, i := range todo {
		p := ps[i]
		msg, sig := p.signed()
		b.AddKey(l.keys.get(p.Tx.PubKey), msg, sig)
	}
	_, ok := b.Verify(rand)
	for j, i := range todo {
		if ok[j] {
			ps[i].verified.Store(true)
			valid[i] = true
		} else {
			l.txs.removeKey(ps[i].raw)
		}
	}
	return valid
}
