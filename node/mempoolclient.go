package node

import (
	"context"
	"sync"

	abcicli "github.com/cometbft/cometbft/abci/client"
	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/cometbft/cometbft/proxy"
)

// AsyncChecker is an application whose CheckTx of a new tx can answer later
// (app.App): done is called once, and txs submitted one after another are
// answered in that order. CheckTxDry answers what CheckTx would without
// admitting the tx.
type AsyncChecker interface {
	abci.Application
	CheckTxAsync(tx []byte, done func(*abci.CheckTxResponse))
	CheckTxDry(tx []byte) *abci.CheckTxResponse
}

// clientCreator is CometBFT's consensus-synchronized local client creator
// (consensus calls serialized, the others concurrent) with an asynchronous
// mempool client when the app can answer CheckTx later.
type clientCreator struct {
	proxy.ClientCreator
	app abci.Application
}

func newClientCreator(app abci.Application) proxy.ClientCreator {
	return clientCreator{ClientCreator: proxy.NewConsensusSyncLocalClientCreator(app), app: app}
}

func (c clientCreator) NewABCIMempoolClient() (abcicli.Client, error) {
	local, err := c.ClientCreator.NewABCIMempoolClient()
	if err != nil {
		return nil, err
	}
	if ac, ok := c.app.(AsyncChecker); ok {
		return newMempoolClient(local, ac), nil
	}
	return local, nil
}

// mempoolClient is the mempool's connection to an AsyncChecker: CheckTxAsync
// of a new tx queues it and returns, as a socket client would, so the
// mempool reactor (which does not wait for answers) and BroadcastTxAsync
// stream txs into the app's check pipe instead of handing them over one
// at a time. The ReqRes completes, and the mempool's callback runs, when
// the app answers. Flush waits until every queued tx is answered; CometBFT
// calls it with the mempool locked before Commit, so no answer arrives
// during Commit, Update or the recheck. Rechecks, and everything else, go
// to the synchronous local client.
//
// At most maxPending txs wait for an answer; CheckTxAsync blocks beyond
// that (as a socket client's full request queue does), so a peer sending
// faster than the node verifies is slowed down instead of growing the
// queue without bound.
type mempoolClient struct {
	abcicli.Client
	app        AsyncChecker
	maxPending int

	mu      sync.Mutex
	pending int       // queued txs not answered yet
	changed sync.Cond // pending went down
}

// defaultMaxPending is mempoolClient's bound: a few of the app's largest
// CheckTx groups.
const defaultMaxPending = 2048

func newMempoolClient(local abcicli.Client, app AsyncChecker) *mempoolClient {
	c := &mempoolClient{Client: local, app: app, maxPending: defaultMaxPending}
	c.changed.L = &c.mu
	return c
}

func (c *mempoolClient) CheckTxAsync(ctx context.Context, req *abci.CheckTxRequest) (*abcicli.ReqRes, error) {
	if req.Type != abci.CHECK_TX_TYPE_CHECK {
		return c.Client.CheckTxAsync(ctx, req)
	}
	rr := abcicli.NewReqRes(abci.ToCheckTxRequest(req))
	c.mu.Lock()
	for c.pending >= c.maxPending {
		c.changed.Wait()
	}
	c.pending++
	c.mu.Unlock()
	c.app.CheckTxAsync(req.Tx, func(res *abci.CheckTxResponse) {
		rr.Response = abci.ToCheckTxResponse(res)
		rr.InvokeCallback()
		rr.Done()
		c.mu.Lock()
		c.pending--
		c.changed.Broadcast()
		c.mu.Unlock()
	})
	return rr, nil
}

// CheckTx is the synchronous check of a new tx. The mempool itself only
// calls CheckTxAsync; this is the check_tx RPC, which asks whether the tx
// would be admitted but does not add it to the mempool, so the app must not
// count it among the mempool's txs either (else the sender's next nonce
// would move past a tx that is nowhere).
func (c *mempoolClient) CheckTx(ctx context.Context, req *abci.CheckTxRequest) (*abci.CheckTxResponse, error) {
	if req.Type != abci.CHECK_TX_TYPE_CHECK {
		return c.Client.CheckTx(ctx, req)
	}
	return c.app.CheckTxDry(req.Tx), nil
}

// Flush waits until every tx queued so far is answered.
func (c *mempoolClient) Flush(context.Context) error {
	c.mu.Lock()
	for c.pending > 0 {
		c.changed.Wait()
	}
	c.mu.Unlock()
	return nil
}
