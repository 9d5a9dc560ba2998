package p2ptest

import (
	"crypto/ed25519"
	"crypto/rand"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/ipfs/go-cid"

	"tangent/p2p"
	"tangent/store"
)

var quietOnce sync.Once

// Quiet is a logger that drops everything.
var Quiet = slog.New(slog.DiscardHandler)

// NewStore opens a store in a temporary directory (fsync off: tests).
func NewStore(t testing.TB, mod func(*store.Options)) *store.Store {
	t.Helper()
	o := store.Options{NoSync: true, Logger: Quiet}
	if mod != nil {
		mod(&o)
	}
	s, err := store.Open(t.TempDir(), o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// NewNode starts a node with a fresh key and a fresh store on 127.0.0.1,
// closed when the test ends. mod may adjust the config.
func NewNode(t testing.TB, mod func(*p2p.Config)) *p2p.Node {
	t.Helper()
	quietOnce.Do(p2p.QuietLibp2pLogs)
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cfg := p2p.Config{Key: key, Logger: Quiet}
	if mod != nil {
		mod(&cfg)
	}
	if cfg.Store == nil {
		cfg.Store = NewStore(t, nil)
	}
	n, err := p2p.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return n
}

// Lying serves from a store but corrupts the blocks Corrupt selects (one
// flipped byte), as a provider that lost data or wants to poison a fetch
// would. It counts what it serves.
type Lying struct {
	*store.Store
	Corrupt func(c cid.Cid) bool
	Served  atomic.Int64
	Lies    atomic.Int64
}

func (l *Lying) ReadBlock(c cid.Cid, buf []byte) ([]byte, error) {
	data, err := l.Store.ReadBlock(c, buf)
	if err != nil {
		return nil, err
	}
	l.Served.Add(1)
	if l.Corrupt != nil && l.Corrupt(c) && len(data) > 0 {
		l.Lies.Add(1)
		out := append([]byte(nil), data...)
		out[len(out)/2] ^= 0x5a
		return out, nil
	}
	return data, nil
}

// Counting serves from a store and counts blocks served.
type Counting struct {
	*store.Store
	mu     sync.Mutex
	served map[cid.Cid]int
}

func (c *Counting) ReadBlock(k cid.Cid, buf []byte) ([]byte, error) {
	data, err := c.Store.ReadBlock(k, buf)
	if err == nil {
		c.mu.Lock()
		if c.served == nil {
			c.served = make(map[cid.Cid]int)
		}
		c.served[k]++
		c.mu.Unlock()
	}
	return data, err
}

// Served returns how many blocks were served.
func (c *Counting) Served() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, v := range c.served {
		n += v
	}
	return n
}
