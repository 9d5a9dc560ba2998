package node

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
)

// heldApp answers CheckTxAsync only when the test releases the answers;
// its synchronous CheckTx (rechecks) answers code 7 at once.
type heldApp struct {
	abci.BaseApplication
	mu   sync.Mutex
	held []func(*abci.CheckTxResponse)
	txs  [][]byte
}

func (h *heldApp) CheckTx(context.Context, *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	return &abci.CheckTxResponse{Code: 7}, nil
}

func (h *heldApp) CheckTxAsync(tx []byte, done func(*abci.CheckTxResponse)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.held = append(h.held, done)
	h.txs = append(h.txs, tx)
}

func (h *heldApp) CheckTxDry([]byte) *abci.CheckTxResponse { return &abci.CheckTxResponse{Code: 9} }

// release answers the oldest held tx with code = its first byte.
func (h *heldApp) release() {
	h.mu.Lock()
	done, tx := h.held[0], h.txs[0]
	h.held, h.txs = h.held[1:], h.txs[1:]
	h.mu.Unlock()
	done(&abci.CheckTxResponse{Code: uint32(tx[0])})
}

func returnsWithin(f func(), d time.Duration) bool {
	ch := make(chan struct{})
	go func() { f(); close(ch) }()
	select {
	case <-ch:
		return true
	case <-time.After(d):
		return false
	}
}

// TestMempoolClient: new txs are queued and answered later, each ReqRes
// completing with its own answer and running its callback; Flush returns
// only when every queued tx is answered; a recheck goes to the synchronous
// client; beyond maxPending, CheckTxAsync waits for an answer.
func TestMempoolClient(t *testing.T) {
	app := &heldApp{}
	c := newMempoolClient(abcicli.NewUnsyncLocalClient(app), app)
	c.maxPending = 3
	ctx := context.Background()
	var got []uint32
	var rrs []*abcicli.ReqRes
	for i := range 3 {
		rr, err := c.CheckTxAsync(ctx, &abci.CheckTxRequest{Tx: []byte{byte(10 + i)}, Type: abci.CHECK_TX_TYPE_CHECK})
		if err != nil {
			t.Fatal(err)
		}
		rr.SetCallback(func(r *abci.Response) error { got = append(got, r.GetCheckTx().Code); return nil })
		rrs = append(rrs, rr)
	}
	if !returnsWithin(func() {
		rr, _ := c.CheckTxAsync(ctx, &abci.CheckTxRequest{Tx: []byte{1}, Type: abci.CHECK_TX_TYPE_RECHECK})
		if rr.Response.GetCheckTx().Code != 7 {
			t.Errorf("recheck answered %v, want the synchronous client's code 7", rr.Response)
		}
	}, 5*time.Second) {
		t.Fatal("a recheck waited for the queued txs")
	}

	fourth := make(chan *abcicli.ReqRes, 1)
	go func() {
		rr, _ := c.CheckTxAsync(ctx, &abci.CheckTxRequest{Tx: []byte{13}, Type: abci.CHECK_TX_TYPE_CHECK})
		fourth <- rr
	}()
	select {
	case <-fourth:
		t.Fatal("a 4th tx was queued beyond maxPending 3")
	case <-time.After(100 * time.Millisecond):
	}
	flushed := make(chan struct{})
	go func() { c.Flush(ctx); close(flushed) }()

	app.release() // tx 10: room for the 4th
	var rr4 *abcicli.ReqRes
	select {
	case rr4 = <-fourth:
	case <-time.After(5 * time.Second):
		t.Fatal("the 4th tx stayed blocked after an answer made room")
	}
	rr4.SetCallback(func(r *abci.Response) error { got = append(got, r.GetCheckTx().Code); return nil })
	for range 3 {
		select {
		case <-flushed:
			t.Fatal("Flush returned with txs unanswered")
		case <-time.After(20 * time.Millisecond):
		}
		app.release()
	}
	select {
	case <-flushed:
	case <-time.After(5 * time.Second):
		t.Fatal("Flush did not return once every tx was answered")
	}
	for i, rr := range append(rrs, rr4) {
		rr.Wait()
		if code := rr.Response.GetCheckTx().Code; code != uint32(10+i) {
			t.Errorf("tx %d answered code %d", i, code)
		}
	}
	if want := []uint32{10, 11, 12, 13}; !slices.Equal(got, want) {
		t.Errorf("callbacks saw %v, want %v", got, want)
	}
}
