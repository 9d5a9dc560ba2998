package p2p

import (
	"sync"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"
)

// rateLimiter is a token bucket per peer over served bytes: a peer may take
// rate bytes per second with bursts of burst bytes. The clock is injected.
type rateLimiter struct {
	rate  float64 // bytes per second; <= 0 means unlimited
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[peer.ID]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate, burst float64, now func() time.Time) *rateLimiter {
	if burst <= 0 {
		burst = rate
	}
	return &rateLimiter{rate: rate, burst: burst, now: now, buckets: make(map[peer.ID]*bucket)}
}

// reserve takes n bytes from p's bucket and returns how long the caller must
// wait before sending them (zero if within the rate).
func (r *rateLimiter) reserve(p peer.ID, n int) time.Duration {
	if r == nil || r.rate <= 0 {
		return 0
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	now := r.now()
	b := r.buckets[p]
	if b == nil {
		b = &bucket{tokens: r.burst, last: now}
		r.buckets[p] = b
		if len(r.buckets) > 4096 {
			r.gcLocked(now)
		}
	}
	b.tokens = min(r.burst, b.tokens+now.Sub(b.last).Seconds()*r.rate)
	b.last = now
	b.tokens -= float64(n)
	if b.tokens >= 0 {
		return 0
	}
	return time.Duration(-b.tokens / r.rate * float64(time.Second))
}

// gcLocked forgets full buckets.
func (r *rateLimiter) gcLocked(now time.Time) {
	for p, b := range r.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*r.rate >= r.burst {
			delete(r.buckets, p)
		}
	}
}
