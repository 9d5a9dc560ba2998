package client

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	cmtbytes "github.com/cometbft/cometbft/libs/bytes"
	rpcclient "github.com/cometbft/cometbft/rpc/client"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	ctypes "github.com/cometbft/cometbft/rpc/core/types"
	"github.com/cometbft/cometbft/types"
	ics23 "github.com/cosmos/ics23/go"
)

// Query paths and proof types shared with app/ (see the package doc).
const (
	QueryPathStore   = "/store"
	ProofOpICS23IAVL = "ics23:iavl"
)

// Options tune a Client. The zero value is usable.
type Options struct {
	// PollInterval is the first interval between two /tx polls in Wait
	// (default 50 ms, doubling up to 500 ms).
	PollInterval time.Duration
	// TrustedValidatorsHash, when set, is the only validator set hash Query
	// accepts; otherwise Query trusts the node's /validators answer and
	// checks that it matches the header and signed the commit.
	TrustedValidatorsHash []byte
	// RequestTimeout bounds one HTTP request (default 30 s).
	RequestTimeout time.Duration
}

// Client is a connection to one node's RPC endpoint.
type Client struct {
	rpc    *rpchttp.HTTP
	remote string
	opts   Options

	mu      sync.Mutex
	chainID string
	wsOn    bool
	hc      *http.Client // for BroadcastBatch
}

// New returns a client for the node RPC at remote ("tcp://127.0.0.1:26657"
// or "http://host:port"). It does not connect until the first call.
func New(remote string, opts Options) (*Client, error) {
	if opts.PollInterval <= 0 {
		opts.PollInterval = 50 * time.Millisecond
	}
	if opts.RequestTimeout <= 0 {
		opts.RequestTimeout = 30 * time.Second
	}
	rpc, err := rpchttp.NewWithTimeout(remote, uint(opts.RequestTimeout/time.Second))
	if err != nil {
		return nil, fmt.Errorf("node RPC address %q: %w", remote, err)
	}
	return &Client{rpc: rpc, remote: remote, opts: opts}, nil
}

// RPC exposes the underlying CometBFT RPC client for calls this package does
// not wrap (blocks, validators, net info).
func (c *Client) RPC() *rpchttp.HTTP { return c.rpc }

// Remote is the RPC address the client talks to.
func (c *Client) Remote() string { return c.remote }

// Close stops the websocket connection, if Subscribe opened one.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.wsOn {
		c.wsOn = false
		return c.rpc.Stop()
	}
	return nil
}

func (c *Client) wrap(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	msg := err.Error()
	if strings.Contains(msg, "connection refused") || strings.Contains(msg, "no such host") {
		return fmt.Errorf("cannot reach the node at %s (is `tangent start` running?): %w", c.remote, err)
	}
	return fmt.Errorf("node %s: %w", c.remote, err)
}

// ChainID returns the chain id of the node (cached after the first call).
func (c *Client) ChainID(ctx context.Context) (string, error) {
	c.mu.Lock()
	id := c.chainID
	c.mu.Unlock()
	if id != "" {
		return id, nil
	}
	st, err := c.rpc.Status(ctx)
	if err != nil {
		return "", c.wrap(err)
	}
	c.mu.Lock()
	c.chainID = st.NodeInfo.Network
	c.mu.Unlock()
	return st.NodeInfo.Network, nil
}

// Status returns the node's status (latest height, app hash, catching up).
func (c *Client) Status(ctx context.Context) (*ctypes.ResultStatus, error) {
	st, err := c.rpc.Status(ctx)
	return st, c.wrap(err)
}

// LatestHeight returns the node's latest committed block height.
func (c *Client) LatestHeight(ctx context.Context) (int64, error) {
	st, err := c.Status(ctx)
	if err != nil {
		return 0, err
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// TxError is a tx rejected by CheckTx (Height 0) or failed in a block.
type TxError struct {
	Hash      []byte
	Height    int64 // 0 when CheckTx rejected it
	Codespace string
	Code      uint32
	Log       string
}

func (e *TxError) Error() string {
	where := "rejected by the node's CheckTx"
	if e.Height > 0 {
		where = fmt.Sprintf("failed in block %d", e.Height)
	}
	return fmt.Sprintf("tx %X %s: code %d (%s): %s", e.Hash, where, e.Code, e.Codespace, e.Log)
}

// Broadcast submits tx and returns its hash once the node's CheckTx
// accepted it (the tx is in the mempool, not yet in a block).
func (c *Client) Broadcast(ctx context.Context, tx []byte) ([]byte, error) {
	res, err := c.rpc.BroadcastTxSync(ctx, tx)
	if err != nil {
		if te := parseInvalidTx(err); te != nil {
			return nil, te
		}
		if strings.Contains(err.Error(), "mempool is full") {
			return nil, fmt.Errorf("node %s: %w; retry later (%v)", c.remote, ErrMempoolFull, err)
		}
		if strings.Contains(err.Error(), "tx already exists in cache") {
			return nil, fmt.Errorf("node %s: this exact tx was already submitted (same bytes): %w", c.remote, ErrAlreadySubmitted)
		}
		return nil, c.wrap(err)
	}
	if res.Code != 0 {
		return nil, &TxError{Hash: res.Hash, Codespace: res.Codespace, Code: res.Code, Log: res.Log}
	}
	return res.Hash, nil
}

// invalidTxRE matches CometBFT v1's mempool.ErrInvalidTx as the RPC error
// text carries it: v1 reports a CheckTx rejection of BroadcastTxSync as an
// RPC error, not as a result with a code.
var invalidTxRE = regexp.MustCompile(`(?s)tx ([0-9A-Fa-f]*) is invalid: code=(\d+), data=[0-9A-Fa-f]*, log='(.*)', codespace='([^']*)'`)

func parseInvalidTx(err error) *TxError {
	m := invalidTxRE.FindStringSubmatch(err.Error())
	if m == nil {
		return nil
	}
	code, perr := strconv.ParseUint(m[2], 10, 32)
	if perr != nil {
		return nil
	}
	hash, _ := hex.DecodeString(m[1])
	return &TxError{Hash: hash, Code: uint32(code), Log: m[3], Codespace: m[4]}
}

// Result is a committed tx.
type Result struct {
	Hash   []byte
	Height int64
	Index  uint32
	Code   uint32
	Log    string
	Events []Event
}

// Wait returns the committed result of the tx with the given hash, polling
// the node's tx index until it appears or ctx ends. A tx that failed in its
// block returns both the Result and a *TxError.
func (c *Client) Wait(ctx context.Context, hash []byte) (*Result, error) {
	interval := c.opts.PollInterval
	for {
		res, err := c.rpc.Tx(ctx, hash, false)
		if err == nil {
			r := &Result{Hash: res.Hash, Height: res.Height, Index: res.Index, Code: res.TxResult.Code,
				Log: res.TxResult.Log, Events: convertEvents(res.TxResult.Events)}
			if res.TxResult.Code != 0 {
				return r, &TxError{Hash: res.Hash, Height: res.Height, Codespace: res.TxResult.Codespace,
					Code: res.TxResult.Code, Log: res.TxResult.Log}
			}
			return r, nil
		}
		if !strings.Contains(err.Error(), "not found") {
			if ctx.Err() != nil {
				break
			}
			return nil, c.wrap(err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(interval):
			interval = min(2*interval, 500*time.Millisecond)
			continue
		}
		break
	}
	return nil, fmt.Errorf("tx %X not found in a committed block before the deadline (%v); it may still be included: look it up with its hash", hash, ctx.Err())
}

// BroadcastAndWait submits tx and waits for the block that includes it.
func (c *Client) BroadcastAndWait(ctx context.Context, tx []byte) (*Result, error) {
	hash, err := c.Broadcast(ctx, tx)
	if err != nil {
		return nil, err
	}
	return c.Wait(ctx, hash)
}

// Proven is a state value read at a committed height and verified.
type Proven struct {
	Key    []byte
	Value  []byte // nil: the key is absent (proved by a non-membership proof)
	Height int64  // the state after block Height
	// AppHash is the root the proof was checked against: the app hash in
	// the header of block Height+1, signed by the validators.
	AppHash []byte
}

// Query reads key at height and verifies the proof as the package doc
// says. Height 0 means the newest committed state: the state after block L,
// the node's latest block. Its app hash is signed in the header of block
// L+1, so Query waits for that block (one block time) before it answers: a
// read right after a tx's inclusion therefore sees the tx, which is what a
// user expects of "committed state".
func (c *Client) Query(ctx context.Context, key []byte, height int64) (*Proven, error) {
	if height == 0 {
		// The app's last commit, not /status's latest block: CometBFT
		// stores block L before the app has committed its state.
		info, err := c.rpc.ABCIInfo(ctx)
		if err != nil {
			return nil, c.wrap(err)
		}
		height = max(info.Response.LastBlockHeight, 1)
	}
	res, err := c.rpc.ABCIQueryWithOptions(ctx, QueryPathStore, cmtbytes.HexBytes(key),
		rpcclient.ABCIQueryOptions{Height: height, Prove: true})
	if err != nil {
		return nil, c.wrap(err)
	}
	r := res.Response
	if r.Code != 0 {
		return nil, fmt.Errorf("query %x at height %d: code %d (%s): %s", key, height, r.Code, r.Codespace, r.Log)
	}
	if !bytes.Equal(r.Key, key) {
		return nil, fmt.Errorf("query %x: node answered for key %x", key, r.Key)
	}
	if r.ProofOps == nil || len(r.ProofOps.Ops) != 1 || r.ProofOps.Ops[0].Type != ProofOpICS23IAVL {
		return nil, fmt.Errorf("query %x at height %d: node returned no %s proof", key, r.Height, ProofOpICS23IAVL)
	}
	var proof ics23.CommitmentProof
	if err := proof.Unmarshal(r.ProofOps.Ops[0].Data); err != nil {
		return nil, fmt.Errorf("query %x: malformed proof: %w", key, err)
	}
	appHash, err := c.TrustedAppHash(ctx, r.Height+1)
	if err != nil {
		return nil, err
	}
	var value []byte
	if len(r.Value) > 0 || proof.GetExist() != nil {
		value = r.Value
		if value == nil {
			value = []byte{}
		}
		if !ics23.VerifyMembership(ics23.IavlSpec, appHash, &proof, key, value) {
			return nil, fmt.Errorf("query %x at height %d: proof does not verify against app hash %X: the node's answer is not the chain's state", key, r.Height, appHash)
		}
	} else if !ics23.VerifyNonMembership(ics23.IavlSpec, appHash, &proof, key) {
		return nil, fmt.Errorf("query %x at height %d: absence proof does not verify against app hash %X", key, r.Height, appHash)
	}
	return &Proven{Key: key, Value: value, Height: r.Height, AppHash: appHash}, nil
}

// TrustedAppHash returns the app hash in the header of block h after
// checking the header against +2/3 of its validator set's signatures. It
// waits (up to the ctx deadline) for block h if it is not committed yet.
func (c *Client) TrustedAppHash(ctx context.Context, h int64) ([]byte, error) {
	chainID, err := c.ChainID(ctx)
	if err != nil {
		return nil, err
	}
	var com *ctypes.ResultCommit
	for wait := 50 * time.Millisecond; ; wait = min(2*wait, 500*time.Millisecond) {
		// The latest block's commit is the node's "seen" commit, not yet
		// canonical (included in the next block); its signatures verify
		// the same way.
		com, err = c.rpc.Commit(ctx, &h)
		if err == nil {
			break
		}
		if err != nil && !strings.Contains(err.Error(), "must be less than or equal to the current blockchain height") {
			return nil, c.wrap(err)
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("waiting for block %d to verify a proof: %w", h, ctx.Err())
		case <-time.After(wait):
		}
	}
	sh := com.SignedHeader
	if err := sh.ValidateBasic(chainID); err != nil {
		return nil, fmt.Errorf("header %d from %s is malformed: %w", h, c.remote, err)
	}
	vals, err := c.validators(ctx, h)
	if err != nil {
		return nil, err
	}
	vs := types.NewValidatorSet(vals)
	if !bytes.Equal(vs.Hash(), sh.ValidatorsHash) {
		return nil, fmt.Errorf("validator set of block %d does not match its header", h)
	}
	if t := c.opts.TrustedValidatorsHash; t != nil && !bytes.Equal(t, sh.ValidatorsHash) {
		return nil, fmt.Errorf("block %d is signed by validator set %X, not the trusted %X", h, sh.ValidatorsHash, t)
	}
	if err := types.VerifyCommitLight(chainID, vs, sh.Commit.BlockID, h, sh.Commit); err != nil {
		return nil, fmt.Errorf("commit of block %d does not verify: %w", h, err)
	}
	return sh.AppHash, nil
}

func (c *Client) validators(ctx context.Context, h int64) ([]*types.Validator, error) {
	var out []*types.Validator
	perPage := 100
	for page := 1; ; page++ {
		p := page
		res, err := c.rpc.Validators(ctx, &h, &p, &perPage)
		if err != nil {
			return nil, c.wrap(err)
		}
		out = append(out, res.Validators...)
		if len(out) >= res.Total || len(res.Validators) == 0 {
			return out, nil
		}
	}
}

// Event is an ABCI event of a tx or block.
type Event struct {
	Type  string            `json:"type"`
	Attrs map[string]string `json:"attrs"`
}

// Subscribe streams the events matching query (CometBFT query syntax). The
// channel closes when ctx ends. Each ResultEvent carries the events of one
// tx or block; Message events are flattened into Event values.
func (c *Client) Subscribe(ctx context.Context, query string) (<-chan ctypes.ResultEvent, error) {
	c.mu.Lock()
	if !c.wsOn {
		if err := c.rpc.Start(); err != nil {
			c.mu.Unlock()
			return nil, c.wrap(err)
		}
		c.wsOn = true
	}
	c.mu.Unlock()
	in, err := c.rpc.Subscribe(ctx, "tangent-client", query, 1000)
	if err != nil {
		return nil, c.wrap(err)
	}
	out := make(chan ctypes.ResultEvent, 1000)
	go func() {
		defer close(out)
		defer func() {
			uctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
			_ = c.rpc.Unsubscribe(uctx, "tangent-client", query)
			cancel()
		}()
		for {
			select {
			case <-ctx.Done():
				return
			case ev := <-in:
				select {
				case out <- ev:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out, nil
}

// HashHex formats a tx hash as CometBFT prints it (upper-case hex).
func HashHex(h []byte) string { return strings.ToUpper(hex.EncodeToString(h)) }
