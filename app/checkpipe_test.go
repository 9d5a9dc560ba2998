package app

import (
	"slices"
	"sync"
	"testing"
	"time"

	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	banktypes "tangent/ledger/x/bank/types"
)

// TestCheckPipe: concurrent CheckTx calls that queue while a group is being
// processed are verified in one batch and checked in arrival order (so a
// sender's consecutive nonces are all accepted); a bad signature among them
// fails alone, a ZIP-215-only signature (torsion R) is valid, and after the
// failed batch the pipe goes one tx at a time for a while.
func TestCheckPipe(t *testing.T) {
	a, sim, _ := oneBlockApp(t)
	const n = 24
	txs := pipeTxs(sim, n)

	holdPipe(a.pipe)
	res := make([]ledger.Result, n)
	var wg sync.WaitGroup
	for i := range n {
		pr, err := a.led.Prepare(txs[i])
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		go func() { defer wg.Done(); res[i] = a.pipe.check(txs[i], pr) }()
		waitQueued(t, a.pipe, i+1)
	}
	a.pipe.mu.Lock()
	a.pipe.queue[0].wake <- true // hand the lead to the oldest caller
	a.pipe.mu.Unlock()
	wg.Wait()

	for i, r := range res {
		if i == 13 {
			if r.Code != chain.ErrInvalidSignature.Code() {
				t.Errorf("tx 13 (bad signature): code %d %s", r.Code, r.Log)
			}
			continue
		}
		if !r.IsOK() {
			t.Errorf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	batches, verified := a.pipe.stats()
	if batches != 1 || verified != n {
		t.Fatalf("%d signatures in %d groups, want %d in 1", verified, batches, n)
	}
	if a.pipe.solo != soloAfterFailure {
		t.Fatalf("after a failed batch, solo = %d, want %d", a.pipe.solo, soloAfterFailure)
	}
	if a.pipe.leading || len(a.pipe.queue) != 0 {
		t.Fatalf("after the group: leading %v, %d queued", a.pipe.leading, len(a.pipe.queue))
	}
}

// holdPipe makes the pipe look led, so that every call queues, in order,
// until the test hands the lead over.
func holdPipe(c *checkPipe) {
	c.mu.Lock()
	c.leading = true
	c.mu.Unlock()
}

// waitQueued waits until n txs are queued in the pipe.
func waitQueued(t *testing.T, c *checkPipe, n int) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		c.mu.Lock()
		q := len(c.queue)
		c.mu.Unlock()
		if q == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d txs queued, want %d", q, n)
		}
	}
}

// pipeTxs returns n transfers of accounts 0-3 in round-robin, each
// sender's in nonce order: tx 7 carries a ZIP-215-only (torsion R) signature,
// tx 13 a bad one (and its nonce is used again by the sender's next tx).
func pipeTxs(sim *ledgertest.Sim, n int) [][]byte {
	acc := sim.Accounts()
	g := sim.Genesis()
	p := g.Auth.Params
	var txs [][]byte
	nonce := map[int]uint64{0: 1} // account 0 sent nonce 0 in block 1
	for i := range n {
		k := i % 4
		msg := &banktypes.MsgSend{To: acc[(k+1)%4].Addr, Amount: 1}
		if i == 7 {
			txs = append(txs, acc[k].TorsionTxMinFee(g.ChainID, nonce[k], p, msg))
		} else {
			txs = append(txs, acc[k].TxMinFee(g.ChainID, nonce[k], p, msg))
		}
		if i != 13 {
			nonce[k]++
		}
	}
	txs[13][len(txs[13])-40] ^= 1 // inside S: a bad signature (its nonce is not used)
	return txs
}

// TestCheckPipeSubmit: submitted txs (CheckTxAsync) mixed with a waiting
// caller are checked in queue order and their done calls come in that
// order; the lead passes from the pipe's goroutine to the waiting caller
// when its tx heads the queue, and back once it has its answer.
func TestCheckPipeSubmit(t *testing.T) {
	a, sim, _ := oneBlockApp(t)
	const n, waiting = 24, 8
	txs := pipeTxs(sim, n)
	a.pipe.maxBatch = 8 // groups 0-7 (pipe), 8-15 (the waiting caller), then 16-23

	holdPipe(a.pipe)
	res := make([]ledger.Result, n)
	var order []int
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range n {
		pr, err := a.led.Prepare(txs[i])
		if err != nil {
			t.Fatal(err)
		}
		wg.Add(1)
		if i != waiting {
			a.pipe.submit(txs[i], pr, func(r ledger.Result) {
				mu.Lock()
				res[i] = r
				order = append(order, i)
				mu.Unlock()
				wg.Done()
			})
			continue
		}
		go func() { defer wg.Done(); res[i] = a.pipe.check(txs[i], pr) }()
		waitQueued(t, a.pipe, i+1)
	}
	go a.pipe.drive()
	wg.Wait()

	for i, r := range res {
		if want := i != 13; r.IsOK() != want {
			t.Errorf("tx %d: code %d %s", i, r.Code, r.Log)
		}
	}
	var want []int
	for i := range n {
		if i != waiting {
			want = append(want, i)
		}
	}
	if !slices.Equal(order, want) {
		t.Fatalf("done calls in order %v, want %v", order, want)
	}
	// The bad signature in group 8-15 sends 16-23 through one at a time.
	if batches, verified := a.pipe.stats(); batches != 2+8 || verified != n {
		t.Fatalf("%d signatures in %d groups, want %d in 10", verified, batches, n)
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(time.Millisecond) {
		a.pipe.mu.Lock()
		idle := !a.pipe.leading && len(a.pipe.queue) == 0
		a.pipe.mu.Unlock()
		if idle {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the pipe did not go idle")
		}
	}
}

// TestCheckPipeLoneCaller: a caller alone never waits for company, even
// right after a large group.
func TestCheckPipeLoneCaller(t *testing.T) {
	a, sim, _ := oneBlockApp(t)
	a.pipe.linger = time.Hour
	a.pipe.lastSize = 1
	acc := sim.Accounts()
	g := sim.Genesis()
	start := time.Now()
	for n := range uint64(5) {
		b := acc[2].TxMinFee(g.ChainID, n, g.Auth.Params, &banktypes.MsgSend{To: acc[3].Addr, Amount: 1})
		pr, err := a.led.Prepare(b)
		if err != nil {
			t.Fatal(err)
		}
		if r := a.pipe.check(b, pr); !r.IsOK() {
			t.Fatalf("tx %d: %s", n, r.Log)
		}
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("5 sequential calls took %v", d)
	}
	// After a group of 3, a lone caller waits at most one linger, then
	// groups of one do not wait.
	a.pipe.linger = 50 * time.Millisecond
	a.pipe.lastSize = 3
	start = time.Now()
	for n := uint64(5); n < 10; n++ {
		b := acc[2].TxMinFee(g.ChainID, n, g.Auth.Params, &banktypes.MsgSend{To: acc[3].Addr, Amount: 1})
		pr, _ := a.led.Prepare(b)
		if r := a.pipe.check(b, pr); !r.IsOK() {
			t.Fatalf("tx %d: %s", n, r.Log)
		}
	}
	if d := time.Since(start); d < 50*time.Millisecond || d > 200*time.Millisecond {
		t.Fatalf("5 sequential calls after a group of 3 took %v, want one linger (50ms) and no more", d)
	}
}
