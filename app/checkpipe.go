package app

import (
	"crypto/rand"
	"slices"
	"sync"
	"time"

	"tangent/ledger"
	"tangent/ledger/chain"
)

// checkPipe admits concurrent CheckTx calls in groups, the way a database
// commits concurrent transactions: each call queues its tx; one caller at a
// time leads: it takes the queued txs (up to maxBatch, oldest first, its
// own among them or not), verifies their signatures in one batch
// (ledger.VerifyBatch), passes the group on to the checker stage and hands
// the lead to the oldest caller still queued. The checker stage (one
// goroutine at a time, runChecker) runs the checker on each tx of each
// group, groups in the order they left the queue, and answers them. So
// queue order is admission order: two txs of one sender queued in nonce
// order are checked in nonce order; and while one group is checked the
// next one's signatures are verified, on another core.
//
// A group stays together from the queue to its answers; that is what lets
// batches form. On a busy node, though, callers come back with their next
// tx one by one, as the scheduler gets to them, so a leader that started
// at once would mostly find itself alone. So a leader waits, at most
// linger, until as many txs are queued as the last group had: with many
// concurrent callers (RPC connections, peers, a load generator) groups stay
// large; a lone caller (last group of one) never waits, and when callers
// go away the groups shrink after one linger.
//
// Callers that cannot wait (CheckTxAsync: the mempool's asynchronous ABCI
// client, fed by peers' streams) queue through submit, which returns at
// once; a goroutine of the pipe's own leads while such a job heads the
// queue, and the checker stage calls each job's done in queue order. So
// txs one goroutine submits in nonce order reach the mempool in nonce
// order, and a stream that does not wait lets groups grow to maxBatch.
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
	stage    []group       // verified groups waiting for the checker, in queue order
	checking bool          // a goroutine runs the checker stage (runChecker)

	// counters (under mu), for tests and metrics
	batches, verified int64
}

const soloAfterFailure = 256

type checkJob struct {
	tx   []byte
	p    *ledger.Prepared    // nil: the checker reports why it does not decode
	res  ledger.Result       // written by the checker stage before it answers
	wake chan bool           // check's caller: true: lead; false: res is ready
	done func(ledger.Result) // submit's caller (wake is nil): called by the checker stage
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
			<-j.wake // from the checker stage: res is ready
			return j.res
		}
		lead = keep
	}
}

// submit queues a new tx like check but returns at once; done receives the
// result, on the checker stage's goroutine. Txs submitted one
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

// lead takes one group, verifies its signatures, passes it to the checker
// stage and hands the lead on: to the caller waiting for the oldest queued
// tx, or (keep) to the calling goroutine itself when that tx is self's or
// was submitted. It reports whether self's tx was in the group (its
// answer then comes through self.wake, from the checker stage).
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
	g := group{jobs: make([]*checkJob, n)}
	copy(g.jobs, c.queue)
	rest := copy(c.queue, c.queue[n:])
	clear(c.queue[rest:]) // drop the taken jobs' pointers
	c.queue = c.queue[:rest]
	c.mu.Unlock()

	verified := c.verify(&g)

	c.mu.Lock()
	c.lastSize = n
	c.batches++
	c.verified += int64(verified)
	if len(g.bad) > 0 && verified > 1 {
		c.solo = soloAfterFailure
	}
	mine = slices.Contains(g.jobs, self)
	// Groups enter the checker stage in the order they left the queue,
	// before the lead moves on.
	c.stage = append(c.stage, g)
	startChecker := !c.checking
	c.checking = true
	switch {
	case len(c.queue) == 0:
		c.leading = false
	case c.queue[0] == self || c.queue[0].wake == nil:
		keep = true
	default:
		c.queue[0].wake <- true
	}
	c.mu.Unlock()
	if startChecker {
		go c.runChecker()
	}
	return mine, keep
}

// group is a batch of jobs whose signatures are verified; bad holds the
// indexes of the invalid ones.
type group struct {
	jobs []*checkJob
	bad  map[int]bool
}

// verify batch-verifies the group's signatures not verified yet and
// returns how many it verified.
func (c *checkPipe) verify(g *group) int {
	var ps []*ledger.Prepared
	var at []int
	for i, j := range g.jobs {
		if j.p != nil && !j.p.Verified() {
			ps = append(ps, j.p)
			at = append(at, i)
		}
	}
	if len(ps) > 0 {
		for k, ok := range c.a.led.VerifyBatch(ps, rand.Reader) {
			if !ok {
				if g.bad == nil {
					g.bad = map[int]bool{}
				}
				g.bad[at[k]] = true
			}
		}
	}
	return len(ps)
}

// runChecker is the checker stage: it checks the verified groups in order
// and answers their jobs, until none is left.
func (c *checkPipe) runChecker() {
	for {
		c.mu.Lock()
		if len(c.stage) == 0 {
			c.checking = false
			c.mu.Unlock()
			return
		}
		g := c.stage[0]
		c.stage[0] = group{}
		c.stage = c.stage[1:]
		c.mu.Unlock()
		c.checkGroup(g)
	}
}

// checkGroup runs the checker on each of the group's txs in order, then
// answers them in order: done for submitted jobs, a wake-up for waiting
// callers.
func (c *checkPipe) checkGroup(g group) {
	c.a.chkMu.Lock()
	for i, j := range g.jobs {
		if g.bad[i] {
			j.res = errResult(chain.ErrInvalidSignature.Wrapf("signature does not verify for public key %s (signer %s)", j.p.Tx.PubKey, j.p.Signer))
		} else {
			j.res = c.a.chk.CheckTx(j.tx, ledger.CheckNew)
		}
	}
	c.a.chkMu.Unlock()
	for _, j := range g.jobs {
		if j.done != nil {
			j.done(j.res)
		} else {
			j.wake <- false
		}
	}
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
