package app

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"tangent/ledger"
	"tangent/ledger/ledgertest"
	"tangent/ledger/state"
	banktypes "tangent/ledger/x/bank/types"
)

// TestSigBatcher: concurrent calls that queue while the verifier is busy
// are verified together, a bad signature among them fails alone (the
// others stay valid, a ZIP-215-only signature among them is valid), and
// after it the batcher verifies one at a time for a while.
func TestSigBatcher(t *testing.T) {
	led := ledger.New(state.NewMem(), ledger.Options{})
	s := newSigBatcher(led, 1, 64)
	p := ledger.DefaultGenesis("batch-1").Auth.Params
	const n = 40
	var txs [][]byte
	for i := range n {
		k := ledgertest.NewKey(fmt.Sprintf("batch/%d", i))
		to := &banktypes.MsgSend{To: k.Addr, Amount: 1}
		switch i {
		case 7:
			txs = append(txs, k.TorsionTxMinFee("batch-1", 0, p, to))
		default:
			txs = append(txs, k.TxMinFee("batch-1", 0, p, to))
		}
	}
	txs[13][len(txs[13])-40] ^= 1 // inside S: a bad signature
	ps := make([]*ledger.Prepared, n)
	for i, b := range txs {
		var err error
		if ps[i], err = led.Prepare(b); err != nil {
			t.Fatal(err)
		}
	}

	// Hold the only verifier slot so that every call queues.
	s.mu.Lock()
	s.active = 1
	s.mu.Unlock()
	ok := make([]bool, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() { defer wg.Done(); ok[i] = s.verify(ps[i]) }()
	}
	for deadline := time.Now().Add(10 * time.Second); ; {
		s.mu.Lock()
		q := len(s.queue)
		s.mu.Unlock()
		if q == n {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("only %d of %d calls queued", q, n)
		}
		time.Sleep(time.Millisecond)
	}
	s.mu.Lock()
	s.active = 0
	s.cond.Broadcast()
	s.mu.Unlock()
	wg.Wait()

	for i := range n {
		if ok[i] != (i != 13) {
			t.Errorf("tx %d: valid = %v", i, ok[i])
		}
		if ps[i].Verified() != (i != 13) {
			t.Errorf("tx %d: marked verified = %v", i, ps[i].Verified())
		}
	}
	batches, verified := s.stats()
	if batches != 1 || verified != n {
		t.Fatalf("%d signatures in %d batches, want %d in 1", verified, batches, n)
	}
	if s.solo != soloAfterFailure {
		t.Fatalf("after a failed batch, solo = %d, want %d", s.solo, soloAfterFailure)
	}
	// Already verified: no new batch.
	if !s.verify(ps[0]) {
		t.Fatal("a verified tx fails")
	}
	if b, _ := s.stats(); b != 1 {
		t.Fatal("a verified tx was verified again")
	}
}
