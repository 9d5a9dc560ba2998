package app

import (
	"crypto/rand"
	"sync"

	"tangent/ledger"
)

// sigBatcher verifies the signatures of concurrent CheckTx calls in
// batches, the way a database groups the commits of concurrent
// transactions: a call queues its tx; if no goroutine is verifying, or
// fewer than max are and at least minBatch txs wait, it takes the oldest
// queued txs (up to maxBatch, its own among them or not) and verifies them
// in one ledger.VerifyBatch; else it waits. Under load the queue fills
// while a verifier works, so batches grow with the number of concurrent
// callers (peers, RPC connections); a lone call is verified at once,
// without waiting for company, and more verifiers join only when there is
// a batch worth their while.
//
// A batch with an invalid signature costs a single verification per
// signature on top of the batch (to find the culprit), so a peer sending
// bad signatures could make honest txs cost more than before batching.
// After such a batch the next soloAfterFailure txs are verified one at a
// time, which bounds the cost of an attack at about one single
// verification per tx, as without batching.
type sigBatcher struct {
	led      *ledger.Ledger
	max      int // concurrent verifiers
	minBatch int // queued txs for which a second (third, ...) verifier starts
	maxBatch int

	mu     sync.Mutex
	cond   sync.Cond
	queue  []*sigJob
	active int
	solo   int // txs still to verify one at a time

	// counters (under mu), for tests and metrics
	batches, verified int64
}

const soloAfterFailure = 256

type sigJob struct {
	p        *ledger.Prepared
	ok, done bool
}

func newSigBatcher(led *ledger.Ledger, verifiers, maxBatch int) *sigBatcher {
	s := &sigBatcher{led: led, max: max(verifiers, 1), minBatch: min(16, max(maxBatch, 1)), maxBatch: max(maxBatch, 1)}
	s.cond.L = &s.mu
	return s
}

// verify reports whether p's signature is valid, verifying it in a batch
// with whatever other CheckTx calls are waiting.
func (s *sigBatcher) verify(p *ledger.Prepared) bool {
	if p.Verified() {
		return true
	}
	j := &sigJob{p: p}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.queue = append(s.queue, j)
	for !j.done {
		if len(s.queue) == 0 || s.active >= s.max || s.active > 0 && len(s.queue) < s.minBatch {
			s.cond.Wait()
			continue
		}
		n := min(len(s.queue), s.maxBatch)
		if s.solo > 0 {
			n = 1
			s.solo--
		}
		batch := make([]*sigJob, n)
		copy(batch, s.queue)
		s.queue = append(s.queue[:0], s.queue[n:]...)
		s.active++
		s.mu.Unlock()

		ps := make([]*ledger.Prepared, n)
		for i, b := range batch {
			ps[i] = b.p
		}
		ok := s.led.VerifyBatch(ps, rand.Reader)

		s.mu.Lock()
		s.active--
		s.batches++
		s.verified += int64(n)
		failed := false
		for i, b := range batch {
			b.ok, b.done = ok[i], true
			failed = failed || !ok[i]
		}
		if failed && n > 1 {
			s.solo = soloAfterFailure
		}
		s.cond.Broadcast()
	}
	return j.ok
}

// stats returns the number of batches and of signatures verified so far.
func (s *sigBatcher) stats() (batches, verified int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.batches, s.verified
}
