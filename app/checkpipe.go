package app

import (
	"crypto/rand"
	"sync"
	"time"

	"tangent/ledger"
	"tangent/ledger/chain"
)

// checkPipe admits concurrent CheckTx calls in groups, the way a database
// commits concurrent transactions: each call queues its tx; one caller at a
// time leads: it takes the queued txs (up to maxBatch, oldest first, its
// own among them or not), verifies their signatures in one batch
// (ledger.VerifyBatch), runs the checker on each in queue order, wakes
// their callers, and hands the lead to the oldest caller still queued.
// Queue order is admission order: two txs of one sender queued in nonce
// order are checked in nonce order.
//
// Verifying and checking in one stage is what lets batches form: with two
// separately locked stages, callers would queue at the checker and reach
// the verifier one at a time. On a busy node, though, callers come back
// with their next tx one by one, as the scheduler gets to them, so a
// leader that started at once would mostly find itself alone. So a leader
// waits, at most linger, until as many txs are queued as the last group
// had: with many concurrent callers (RPC connections, peers, a load
// generator) groups stay large; a lone caller (last group of one) never
// waits, and when callers go away the groups shrink after one linger.
//
// Callers that cannot wait (CheckTxAsync: the mempool's asynchronous ABCI
// client, fed by peers' streams) queue through submit, which returns at
// once; a goroutine of the pipe's own leads while such a job heads the
// queue, and each job's done runs on the leader, in queue order, before the
// lead moves on. So txs one goroutine submits in nonce order reach the
// mempool in nonce order, and a stream that does not wait lets groups grow
// to maxBatch.
//
// A batch with an invalid signature costs a single verification per
// signature on top of the batch (to find the culprit), so a peer sending
// bad signatures could make honest txs cost more than without batching.
// After such a batch the next soloAfterFailure txs are processed one at a
// time, which bounds the cost of an attack at about one single
// verification per tx, as without batching.
type checkPipe struct {
	a        *App
	maxBatch int
	linger   time.Duration

	mu       sync.Mutex
	queue    []*checkJob
	leading  bool          // a caller leads (or is about to)
	want     int           // the lingering leader waits for this many queued
	arrive   chan struct{} // wakes a lingering leader (buffered 1)
	lastSize int           // txs in the last group
	solo     int           // txs still to process one at a time

	// counters (under mu), for tests and metrics
	batches, verified int64
}

const soloAfterFailure = 256

type checkJob struct {
	tx   []byte
	p    *ledger.Prepared    // nil: the checker reports why it does not decode
	res  ledger.Result       // written by the group's leader before it wakes the caller
	wake chan bool           // check's caller: true: lead; false: res is ready
	done func(ledger.Result) // submit's caller (wake is nil): called by the leader
}

func newCheckPipe(a *App, maxBatch int, linger time.Duration) *checkPipe {
	return &checkPipe{a: a, maxBatch: max(maxBatch, 1), linger: linger, arrive: make(chan struct{}, 1)}
}

// check admits (or rejects) a new tx, p being its Prepared form if it
// decoded.
func (c *checkPipe) check(tx []byte, p *ledger.Prepared) ledger.Result {
	j := &checkJob{tx: tx, p: p, wake: make(chan bool, 1)}
	lead := c.enqueue(j)
	for {
		if !lead {
			if lead = <-j.wake; !lead {
				return j.res
			}
		}
		mine, keep := c.lead(j)
		if mine {
			if keep { // a submitted job heads the queue: the pipe's goroutine takes over
				go c.drive()
			}
			return j.res
		}
		lead = keep
	}
}

// submit queues a new tx like check but returns at once; done receives the
// result, on the goroutine that processes the tx's group. Txs submitted one
// after another get their done calls in that order.
func (c *checkPipe) submit(tx []byte, p *ledger.Prepared, done func(ledger.Result)) {
	if c.enqueue(&checkJob{tx: tx, p: p, done: done}) {
		go c.drive()
	}
}

// enqueue appends j to the queue and reports whether its caller must lead
// (no group is being processed).
func (c *checkPipe) enqueue(j *checkJob) (lead bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.queue = append(c.queue, j)
	if !c.leading {
		c.leading = true
		return true
	}
	if c.want > 0 && len(c.queue) >= c.want {
		c.want = 0
		select {
		case c.arrive <- struct{}{}:
		default:
		}
	}
	return false
}

// drive leads on behalf of submitted jobs, for as long as the lead stays
// with it.
func (c *checkPipe) drive() {
	for {
		if _, keep := c.lead(nil); !keep {
			return
		}
	}
}

// lead processes one group and hands the lead on: to the caller waiting
// for the oldest queued tx, or (keep) to the calling goroutine itself when
// that tx is self's or was submitted. It reports whether self's tx was in
// the group.
func (c *checkPipe) lead(self *checkJob) (mine, keep bool) {
	c.mu.Lock()
	if c.linger > 0 && c.solo == 0 && len(c.queue) < min(c.lastSize, c.maxBatch) {
		c.want = min(c.lastSize, c.maxBatch)
		c.mu.Unlock()
		t := time.NewTimer(c.linger)
		select {
		case <-c.arrive:
		case <-t.C:
		}
		t.Stop()
		c.mu.Lock()
		c.want = 0
		select { // a wake-up sent after the timer fired
		case <-c.arrive:
		default:
		}
	}
	n := min(len(c.queue), c.maxBatch)
	if c.solo > 0 {
		n = 1
		c.solo--
	}
	batch := make([]*checkJob, n)
	copy(batch, c.queue)
	c.queue = append(c.queue[:0], c.queue[n:]...)
	c.mu.Unlock()

	verified, failed := c.process(batch)
	// Submitted jobs hear back before the lead moves on, so that the next
	// group's cannot overtake them.
	for _, b := range batch {
		if b.done != nil {
			b.done(b.res)
		}
	}

	c.mu.Lock()
	c.lastSize = n
	c.batches++
	c.verified += int64(verified)
	if failed && verified > 1 {
		c.solo = soloAfterFailure
	}
	for _, b := range batch {
		switch {
		case b == self:
			mine = true
		case b.wake != nil:
			b.wake <- false
		}
	}
	switch {
	case len(c.queue) == 0:
		c.leading = false
	case c.queue[0] == self || c.queue[0].wake == nil:
		keep = true
	default:
		c.queue[0].wake <- true
	}
	c.mu.Unlock()
	return mine, keep
}

// process verifies the batch's signatures not verified yet, then checks
// each tx in order. It returns how many signatures it verified and whether
// any was invalid.
func (c *checkPipe) process(batch []*checkJob) (verified int, failed bool) {
	var ps []*ledger.Prepared
	var at []int
	for i, j := range batch {
		if j.p != nil && !j.p.Verified() {
			ps = append(ps, j.p)
			at = append(at, i)
		}
	}
	var bad map[int]bool
	if len(ps) > 0 {
		for k, ok := range c.a.led.VerifyBatch(ps, rand.Reader) {
			if !ok {
				if bad == nil {
					bad = map[int]bool{}
				}
				bad[at[k]] = true
			}
		}
	}
	c.a.chkMu.Lock()
	for i, j := range batch {
		if bad[i] {
			j.res = errResult(chain.ErrInvalidSignature.Wrapf("signature does not verify for public key %s (signer %s)", j.p.Tx.PubKey, j.p.Signer))
		} else {
			j.res = c.a.chk.CheckTx(j.tx, ledger.CheckNew)
		}
	}
	c.a.chkMu.Unlock()
	return len(ps), len(bad) > 0
}

func errResult(err error) ledger.Result {
	cs, code, log := chain.ABCIInfo(err)
	return ledger.Result{Code: code, Codespace: cs, Log: log}
}

// stats returns the number of groups processed and of signatures they
// verified.
func (c *checkPipe) stats() (batches, verified int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.batches, c.verified
}
