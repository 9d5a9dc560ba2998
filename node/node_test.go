package node_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	abcicli "github.com/cometbft/cometbft/abci/client"
	"github.com/cometbft/cometbft/p2p"

	"tangent/client"
	"tangent/client/keyring"
	"tangent/ledger"
	"tangent/ledger/chain"
	"tangent/ledger/ledgertest"
	"tangent/ledger/tx"
	banktypes "tangent/ledger/x/bank/types"
	"tangent/node"
	"tangent/node/nodetest"
)

const testFee = 100_000

func sendTx(k *keyring.Key, chainID string, nonce uint64, to chain.Address, amount uint64) []byte {
	return signedSend(k.PrivateKey(), chainID, nonce, to, amount)
}

func signedSend(priv ed25519.PrivateKey, chainID string, nonce uint64, to chain.Address, amount uint64) []byte {
	t := &tx.Tx{ChainID: chainID, Nonce: nonce, Fee: testFee, Msgs: []chain.Msg{&banktypes.MsgSend{To: to, Amount: amount}}}
	t.Sign(priv)
	return t.Encode()
}

func balance(t *testing.T, c *client.Client, addr chain.Address) (uint64, int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	p, err := c.Query(ctx, ledger.AccountKey(addr), 0)
	if err != nil {
		t.Fatal(err)
	}
	acc, err := ledger.DecodeAccount(p.Value)
	if err != nil {
		t.Fatal(err)
	}
	return acc.Balance, p.Height
}

// TestTransfersSurviveRestart runs a real in-process CometBFT node, sends
// transfers through client, stops and restarts the node, and finds every
// committed transfer (by tx hash in the index and in proven balances). The
// tx index is deleted while the node is down, as if the node had been
// killed before indexing its last blocks: Start indexes them again.
func TestTransfersSurviveRestart(t *testing.T) {
	home, res := nodetest.InitHome(t, node.InitOptions{ChainID: "restart-1"})
	ctx := context.Background()
	n, err := node.Start(ctx, home, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c, err := client.New(n.RPCAddress(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	key, err := keyring.Open(node.Home(home).KeysDir()).Load(node.ValidatorKeyName)
	if err != nil {
		t.Fatal(err)
	}
	if key.Address != res.Address {
		t.Fatalf("validator key %s, init said %s", key.Address, res.Address)
	}

	// Subscribe to transfer events before sending.
	sctx, scancel := context.WithCancel(ctx)
	defer scancel()
	events, err := c.Subscribe(sctx, "tm.event='Tx' AND bank.transfer.from='"+key.Address.String()+"'")
	if err != nil {
		t.Fatal(err)
	}

	const N = 30
	recipients := make([]chain.Address, 3)
	for i := range recipients {
		recipients[i] = ledgertest.NewKey(fmt.Sprintf("recipient/%d", i)).Addr
	}
	want := map[chain.Address]uint64{}
	var hashes [][]byte
	wctx, wcancel := context.WithTimeout(ctx, 60*time.Second)
	defer wcancel()
	for i := 0; i < N; i++ {
		to := recipients[i%len(recipients)]
		amt := uint64(1000 + i)
		h, err := c.Broadcast(wctx, sendTx(key, "restart-1", uint64(i), to, amt))
		if err != nil {
			t.Fatalf("broadcast %d: %v", i, err)
		}
		want[to] += amt
		hashes = append(hashes, h)
	}
	var lastHeight int64
	for i, h := range hashes {
		r, err := c.Wait(wctx, h)
		if err != nil {
			t.Fatalf("tx %d: %v", i, err)
		}
		if _, ok := client.Find(r.Events, "bank.transfer"); !ok {
			t.Fatalf("tx %d has no bank.transfer event: %+v", i, r.Events)
		}
		lastHeight = max(lastHeight, r.Height)
	}
	got := 0
	for got < N {
		select {
		case <-events:
			got++
		case <-time.After(10 * time.Second):
			t.Fatalf("received %d of %d transfer events", got, N)
		}
	}
	scancel()
	if err := n.Stop(); err != nil {
		t.Fatal(err)
	}
	if err := os.RemoveAll(filepath.Join(node.Home(home).DataDir(), "tx_index.db")); err != nil {
		t.Fatal(err)
	}

	n, err = node.Start(ctx, home, node.Options{})
	if err != nil {
		t.Fatalf("restart: %v", err)
	}
	defer n.Stop()
	// A new client: CometBFT's stopped RPC server keeps serving open
	// keep-alive connections of the old client from closed databases.
	c.Close()
	c, err = client.New(n.RPCAddress(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	nodetest.WaitHeight(t, c, lastHeight+2, 30*time.Second)
	for i, h := range hashes {
		r, err := c.Wait(wctx, h)
		if err != nil || r.Code != 0 {
			t.Fatalf("after restart tx %d: %v %+v", i, err, r)
		}
	}
	for to, amt := range want {
		if b, _ := balance(t, c, to); b != amt {
			t.Fatalf("balance of %s = %d after restart, want %d", to, b, amt)
		}
	}
	// The chain goes on: one more transfer after the restart.
	r, err := c.BroadcastAndWait(wctx, sendTx(key, "restart-1", N, recipients[0], 7))
	if err != nil || r.Height <= lastHeight {
		t.Fatalf("transfer after restart: %v %+v", err, r)
	}
	// A read right after inclusion sees the transfer (read-your-writes).
	if b, h := balance(t, c, recipients[0]); b != want[recipients[0]]+7 || h < r.Height {
		t.Fatalf("balance right after the tx in block %d: %d at height %d, want %d", r.Height, b, h, want[recipients[0]]+7)
	}
}

// TestCheckTxRejectsBadInput sends every kind of bad tx to a real node:
// each is rejected by CheckTx with its registered code and a log that says
// what is wrong, and the sender's state does not change.
func TestCheckTxRejectsBadInput(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	c, key := startValidator(t, ctx, "bad-1")
	to := ledgertest.NewKey("someone").Addr
	poor := ledgertest.NewKey("poor") // no balance at all

	// One good tx first, so that a replay has something to replay.
	good := sendTx(key, "bad-1", 0, to, 5)
	if _, err := c.BroadcastAndWait(ctx, good); err != nil {
		t.Fatal(err)
	}
	balBefore, _ := balance(t, c, key.Address)
	accountBefore, err := c.Query(ctx, ledger.AccountKey(key.Address), 0)
	if err != nil {
		t.Fatal(err)
	}

	badSig := sendTx(key, "bad-1", 1, to, 5)
	badSig[len(badSig)-3] ^= 0x40
	oversized := func() []byte {
		t := &tx.Tx{ChainID: "bad-1", Nonce: 1, Fee: 10_000_000, Msgs: []chain.Msg{ledgertest.RawMsg{TypeName: "bank/send", Body: make([]byte, 70_000)}}}
		t.Sign(key.PrivateKey())
		return t.Encode()
	}()
	unknown := func() []byte {
		t := &tx.Tx{ChainID: "bad-1", Nonce: 1, Fee: testFee, Msgs: []chain.Msg{ledgertest.RawMsg{TypeName: "nosuch/msg", Body: []byte{1}}}}
		t.Sign(key.PrivateKey())
		return t.Encode()
	}()
	for _, tc := range []struct {
		name      string
		tx        []byte
		err       *chain.Error
		codespace string // when err is nil (module codes)
		logHas    string
	}{
		{"bad signature", badSig, chain.ErrInvalidSignature, "", "signature does not verify"},
		{"wrong chain id", sendTx(key, "other-chain", 1, to, 5), chain.ErrWrongChainID, "", `sign it for "bad-1"`},
		{"replayed nonce", sendTx(key, "bad-1", 0, to, 6), chain.ErrNonceReplay, "", "already included"},
		{"insufficient funds (fee)", poor.Tx("bad-1", 0, testFee, &banktypes.MsgSend{To: to, Amount: 1}), chain.ErrFeeUnpaid, "", "fund the account"},
		{"insufficient funds (amount)", sendTx(key, "bad-1", 1, to, balBefore*2), nil, "bank", "insufficient"},
		{"oversized", oversized, chain.ErrTxTooLarge, "", "max_tx_bytes"},
		{"unknown message", unknown, chain.ErrUnknownMsg, "", "nosuch/msg"},
		{"garbage", []byte("this is not a transaction"), chain.ErrTxDecode, "", "decode"},
		{"empty-ish garbage", []byte{1}, chain.ErrTxDecode, "", "decode"},
	} {
		_, err := c.Broadcast(ctx, tc.tx)
		var te *client.TxError
		if !errors.As(err, &te) {
			t.Errorf("%s: got %v, want a CheckTx rejection", tc.name, err)
			continue
		}
		if tc.err != nil && (te.Code != tc.err.Code() || te.Codespace != tc.err.Codespace()) {
			t.Errorf("%s: code %d (%s), want %d (%s): %s", tc.name, te.Code, te.Codespace, tc.err.Code(), tc.err.Codespace(), te.Log)
		}
		if tc.err == nil && (te.Codespace != tc.codespace || te.Code == 0) {
			t.Errorf("%s: code %d (%s), want a %s code: %s", tc.name, te.Code, te.Codespace, tc.codespace, te.Log)
		}
		if !strings.Contains(strings.ToLower(te.Log), strings.ToLower(tc.logHas)) {
			t.Errorf("%s: log %q does not mention %q", tc.name, te.Log, tc.logHas)
		}
		t.Logf("%-28s -> code %d (%s): %s", tc.name, te.Code, te.Codespace, te.Log)
	}
	// The exact bytes of an included tx are stopped by CometBFT's mempool
	// cache before CheckTx; the client says so plainly.
	if _, err := c.Broadcast(ctx, good); err == nil || !strings.Contains(err.Error(), "already submitted") {
		t.Errorf("replaying the bytes of an included tx: %v", err)
	}
	// State untouched: wait a couple of blocks, then compare.
	h, _ := c.LatestHeight(ctx)
	nodetest.WaitHeight(t, c, h+2, 20*time.Second)
	if b, _ := balance(t, c, key.Address); b != balBefore {
		t.Fatalf("balance changed from %d to %d", balBefore, b)
	}
	accountAfter, err := c.Query(ctx, ledger.AccountKey(key.Address), 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(accountAfter.Value, accountBefore.Value) {
		t.Fatalf("account (nonce, balance) changed from %x to %x", accountBefore.Value, accountAfter.Value)
	}
	// A proof from the node must not verify for another value: tamper with
	// the app hash and the client refuses.
	if _, err := c.Query(ctx, ledger.AccountKey(poor.Addr), 0); err != nil {
		t.Fatalf("absence proof: %v", err)
	}
}

// TestBroadcastBatch submits a JSON-RPC batch with good and bad txs: each
// gets its own answer, in order, and the good ones are committed.
func TestBroadcastBatch(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, key := startValidator(t, ctx, "batch-1")
	to := ledgertest.NewKey("batch-recipient").Addr
	good0 := sendTx(key, "batch-1", 0, to, 10)
	good1 := sendTx(key, "batch-1", 1, to, 20)
	bad := sendTx(key, "batch-1", 2, to, 30)
	bad[len(bad)-1] ^= 1
	hashes, errs, err := c.BroadcastBatch(ctx, [][]byte{good0, good1, bad, good0})
	if err != nil {
		t.Fatal(err)
	}
	var te *client.TxError
	if errs[0] != nil || errs[1] != nil || !errors.As(errs[2], &te) || te.Code != chain.ErrInvalidSignature.Code() ||
		!errors.Is(errs[3], client.ErrAlreadySubmitted) {
		t.Fatalf("batch answers: %v", errs)
	}
	for _, h := range hashes[:2] {
		if _, err := c.Wait(ctx, h); err != nil {
			t.Fatal(err)
		}
	}
	if b, _ := balance(t, c, to); b != 30 {
		// The query may read the state one block before the last tx.
		nodetest.WaitHeight(t, c, 3, 10*time.Second)
		h, _ := c.LatestHeight(ctx)
		nodetest.WaitHeight(t, c, h+1, 10*time.Second)
		if b, _ := balance(t, c, to); b != 30 {
			t.Fatalf("recipient has %d, want 30", b)
		}
	}
}

// startValidator starts a one-validator node of chain chainID (stopped when
// the test ends) and returns a client of it and the funded validator key.
func startValidator(t *testing.T, ctx context.Context, chainID string) (*client.Client, *keyring.Key) {
	t.Helper()
	_, c, key := startValidatorNode(t, ctx, chainID)
	return c, key
}

// startValidatorNode is startValidator that also returns the node.
func startValidatorNode(t *testing.T, ctx context.Context, chainID string) (*node.Node, *client.Client, *keyring.Key) {
	t.Helper()
	home, _ := nodetest.InitHome(t, node.InitOptions{ChainID: chainID})
	n, err := node.Start(ctx, home, node.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Stop() })
	c, err := client.New(n.RPCAddress(), client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	key, err := keyring.Open(node.Home(home).KeysDir()).Load(node.ValidatorKeyName)
	if err != nil {
		t.Fatal(err)
	}
	return n, c, key
}

// TestStreamedTxsKeepTheirOrder: txs handed to the mempool without waiting
// for CheckTx's answer, as the mempool reactor does with a peer's txs,
// reach the app's check pipe as a stream; two senders' 300 transfers each,
// sent in nonce order while blocks commit, are all admitted in order and
// committed.
func TestStreamedTxsKeepTheirOrder(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 120*time.Second)
	defer cancel()
	n, c, key := startValidatorNode(t, ctx, "stream-1")
	second := ledgertest.NewKey("stream-second")
	to := ledgertest.NewKey("stream-recipient").Addr
	fund, err := c.BroadcastAndWait(ctx, sendTx(key, "stream-1", 0, second.Addr, 1_000_000_000))
	if err != nil || fund.Code != 0 {
		t.Fatalf("funding: %v %+v", err, fund)
	}
	const perSender = 300
	mp := n.Comet().Mempool()
	var last [][]byte
	errs := make(chan error, 2)
	for i, k := range []ed25519.PrivateKey{key.PrivateKey(), second.Priv} {
		first := uint64(1 - i) // the validator's nonce 0 funded the second sender
		var txs [][]byte
		for j := range uint64(perSender) {
			txs = append(txs, signedSend(k, "stream-1", first+j, to, 1))
		}
		last = append(last, txs[perSender-1])
		go func() {
			var rrs []*abcicli.ReqRes
			for _, b := range txs {
				rr, err := mp.CheckTx(b, p2p.ID(fmt.Sprintf("peer%d", i)))
				if err != nil {
					errs <- err
					return
				}
				rrs = append(rrs, rr)
			}
			for j, rr := range rrs {
				rr.Wait()
				if r := rr.Response.GetCheckTx(); rr.Error() != nil || r.Code != 0 {
					errs <- fmt.Errorf("sender %d tx %d: %v %s", i, j, rr.Error(), r.Log)
					return
				}
			}
			errs <- nil
		}()
	}
	for range 2 {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	for _, b := range last {
		h := tx.Hash(b)
		res, err := c.Wait(ctx, h[:])
		if err != nil || res.Code != 0 {
			t.Fatalf("last tx: %v %+v", err, res)
		}
	}
	h, _ := c.LatestHeight(ctx)
	nodetest.WaitHeight(t, c, h+1, 10*time.Second)
	if b, _ := balance(t, c, to); b != 2*perSender {
		t.Fatalf("recipient has %d, want %d: streamed txs were lost or reordered", b, 2*perSender)
	}
}

// TestCheckTxRPCAdmitsNothing: the check_tx RPC answers whether a tx would
// be admitted without admitting it: checking a transfer twice, then
// broadcasting it, commits it; a bad one gets its code.
func TestCheckTxRPCAdmitsNothing(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	c, key := startValidator(t, ctx, "checktx-1")
	to := ledgertest.NewKey("checktx-recipient").Addr
	good := sendTx(key, "checktx-1", 0, to, 5)
	for range 2 {
		res, err := c.RPC().CheckTx(ctx, good)
		if err != nil || res.Code != 0 {
			t.Fatalf("check_tx of a valid transfer: %v %+v", err, res)
		}
	}
	future := sendTx(key, "checktx-1", 1, to, 5)
	if res, err := c.RPC().CheckTx(ctx, future); err != nil || res.Code != chain.ErrNonceFuture.Code() {
		t.Fatalf("check_tx of nonce 1 before 0: %v %+v", err, res)
	}
	if res, err := c.BroadcastAndWait(ctx, good); err != nil || res.Code != 0 {
		t.Fatalf("broadcast after check_tx: %v %+v", err, res)
	}
}
