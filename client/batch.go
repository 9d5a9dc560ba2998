package client

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// ErrMempoolFull is returned (wrapped) when the node's mempool has no room;
// the tx was not accepted and may be sent again later.
var ErrMempoolFull = errors.New("mempool is full")

// ErrAlreadySubmitted is returned (wrapped) when the node has already seen
// these exact tx bytes (they are in its mempool or were committed).
var ErrAlreadySubmitted = errors.New("tx already submitted")

// BroadcastBatch submits txs in one JSON-RPC batch request: the node runs
// broadcast_tx_sync for each, in order, and answers all at once. It returns
// each tx's hash, or its error (a *TxError for a CheckTx rejection, or one
// wrapping ErrMempoolFull or ErrAlreadySubmitted). The last result is an
// error only when the request as a whole failed. Batching saves the HTTP
// round trip per tx that dominates BroadcastTxSync's cost.
func (c *Client) BroadcastBatch(ctx context.Context, txs [][]byte) ([][]byte, []error, error) {
	type req struct {
		JSONRPC string         `json:"jsonrpc"`
		ID      int            `json:"id"`
		Method  string         `json:"method"`
		Params  map[string]any `json:"params"`
	}
	reqs := make([]req, len(txs))
	for i, tx := range txs {
		reqs[i] = req{JSONRPC: "2.0", ID: i, Method: "broadcast_tx_sync", Params: map[string]any{"tx": base64.StdEncoding.EncodeToString(tx)}}
	}
	body, err := json.Marshal(reqs)
	if err != nil {
		return nil, nil, err
	}
	url := c.remote
	if rest, ok := strings.CutPrefix(url, "tcp://"); ok {
		url = "http://" + rest
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, nil, err
	}
	hr.Header.Set("Content-Type", "application/json")
	resp, err := c.httpClient().Do(hr)
	if err != nil {
		return nil, nil, c.wrap(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, nil, c.wrap(err)
	}
	var out []struct {
		ID     int `json:"id"`
		Result *struct {
			Code      uint32 `json:"code"`
			Log       string `json:"log"`
			Codespace string `json:"codespace"`
			Hash      string `json:"hash"`
		} `json:"result"`
		Error *struct {
			Code    int    `json:"code"`
			Message string `json:"message"`
			Data    string `json:"data"`
		} `json:"error"`
	}
	if err := json.Unmarshal(b, &out); err != nil {
		var single struct {
			Error *struct {
				Message string `json:"message"`
				Data    string `json:"data"`
			} `json:"error"`
		}
		if json.Unmarshal(b, &single) == nil && single.Error != nil {
			return nil, nil, fmt.Errorf("node %s refused the batch of %d txs: %s: %s (see rpc.max_request_batch_size in its config.toml)",
				c.remote, len(txs), single.Error.Message, single.Error.Data)
		}
		return nil, nil, fmt.Errorf("node %s: batch answer is not a JSON-RPC batch (%.200s): %w", c.remote, b, err)
	}
	hashes := make([][]byte, len(txs))
	errs := make([]error, len(txs))
	seen := 0
	for _, r := range out {
		if r.ID < 0 || r.ID >= len(txs) {
			return nil, nil, fmt.Errorf("node %s: batch answer has unknown id %d", c.remote, r.ID)
		}
		seen++
		switch {
		case r.Error != nil:
			msg := r.Error.Message + ": " + r.Error.Data
			if te := parseInvalidTx(errors.New(msg)); te != nil {
				errs[r.ID] = te
			} else if strings.Contains(msg, "mempool is full") {
				errs[r.ID] = fmt.Errorf("node %s: %w: %s", c.remote, ErrMempoolFull, r.Error.Data)
			} else if strings.Contains(msg, "already exists in cache") {
				errs[r.ID] = fmt.Errorf("node %s: %w", c.remote, ErrAlreadySubmitted)
			} else {
				errs[r.ID] = fmt.Errorf("node %s: %s", c.remote, msg)
			}
		case r.Result == nil:
			errs[r.ID] = fmt.Errorf("node %s: empty answer for tx %d of the batch", c.remote, r.ID)
		case r.Result.Code != 0:
			h, _ := hex.DecodeString(r.Result.Hash)
			errs[r.ID] = &TxError{Hash: h, Code: r.Result.Code, Codespace: r.Result.Codespace, Log: r.Result.Log}
		default:
			hashes[r.ID], _ = hex.DecodeString(r.Result.Hash)
		}
	}
	if seen != len(txs) {
		return nil, nil, fmt.Errorf("node %s: batch of %d txs got %d answers", c.remote, len(txs), seen)
	}
	return hashes, errs, nil
}

func (c *Client) httpClient() *http.Client {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.hc == nil {
		c.hc = &http.Client{Timeout: c.opts.RequestTimeout}
	}
	return c.hc
}
