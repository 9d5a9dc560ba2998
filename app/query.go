package app

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtcrypto "github.com/cometbft/cometbft/api/cometbft/crypto/v1"

	"tangent/app/iavlstore"
	"tangent/ledger"
	"tangent/ledger/chain"
)

// Query paths (ABCI query "path"; the client package uses the same):
//
//	/store             data = raw state key; value = raw stored bytes. With
//	                   prove=true, one ProofOp "ics23:iavl" (membership or
//	                   absence) under the app hash of block height+1.
//	/balance/ADDR      the account record of ADDR (bech32), which holds its
//	/nonce/ADDR        balance and next nonce, with the same proof rules as
//	                   /store; value = uvarint nonce ‖ uvarint balance
//	                   (ledger.DecodeAccount; absent = both 0).
//	/account/ADDR      JSON {"address","balance","nonce"} (no proof).
//	/params            JSON {"auth":…, "staking":…} (no proof).
//
// height 0 means the latest commit. Errors use codespace "app".
const (
	QueryPathStore   = "/store"
	ProofOpICS23IAVL = "ics23:iavl"
)

const codespaceApp = "app"

// Query codes (codespace "app").
const (
	CodeUnknownPath   uint32 = 1
	CodeBadRequest    uint32 = 2
	CodeNoSuchVersion uint32 = 3
	CodeNoProof       uint32 = 4
)

func queryErr(code uint32, format string, args ...any) *abci.QueryResponse {
	return &abci.QueryResponse{Code: code, Codespace: codespaceApp, Log: fmt.Sprintf(format, args...)}
}

// Query reads committed state. It never takes the ledger lock: committed
// versions are immutable.
func (a *App) Query(_ context.Context, req *abci.QueryRequest) (*abci.QueryResponse, error) {
	path := req.Path
	switch {
	case path == QueryPathStore:
		return a.queryKey(req.Data, req.Height, req.Prove), nil
	case strings.HasPrefix(path, "/balance/"), strings.HasPrefix(path, "/nonce/"):
		_, s, _ := strings.Cut(path[1:], "/")
		addr, err := chain.ParseAddress(s)
		if err != nil {
			return queryErr(CodeBadRequest, "%v", err), nil
		}
		return a.queryKey(ledger.AccountKey(addr), req.Height, req.Prove), nil
	case strings.HasPrefix(path, "/account/"):
		addr, err := chain.ParseAddress(strings.TrimPrefix(path, "/account/"))
		if err != nil {
			return queryErr(CodeBadRequest, "%v", err), nil
		}
		return a.queryJSON(req, func(v ledger.View) any {
			return struct {
				Address chain.Address `json:"address"`
				Balance uint64        `json:"balance,string"`
				Nonce   uint64        `json:"nonce,string"`
			}{addr, v.Balance(addr), v.Nonce(addr)}
		}), nil
	case path == "/params":
		return a.queryJSON(req, func(v ledger.View) any {
			return struct {
				ChainID string `json:"chain_id"`
				Auth    any    `json:"auth"`
				Staking any    `json:"staking"`
			}{v.ChainID(), v.AuthParams(), v.StakingParams()}
		}), nil
	}
	return queryErr(CodeUnknownPath, "unknown query path %q; known: /store, /balance/ADDR, /nonce/ADDR, /account/ADDR, /params", path), nil
}

func (a *App) queryKey(key []byte, height int64, prove bool) *abci.QueryResponse {
	if len(key) == 0 {
		return queryErr(CodeBadRequest, "empty key")
	}
	if !prove {
		val, v, err := a.store.GetAt(height, key)
		if err != nil {
			return versionErr(err, height)
		}
		return &abci.QueryResponse{Key: key, Value: val, Height: v}
	}
	val, proof, v, err := a.store.ProveAt(height, key)
	if err != nil {
		return versionErr(err, height)
	}
	data, err := proof.Marshal()
	if err != nil {
		return queryErr(CodeNoProof, "encode proof: %v", err)
	}
	return &abci.QueryResponse{
		Key: key, Value: val, Height: v,
		ProofOps: &cmtcrypto.ProofOps{Ops: []cmtcrypto.ProofOp{{Type: ProofOpICS23IAVL, Key: key, Data: data}}},
	}
}

func (a *App) queryJSON(req *abci.QueryRequest, f func(ledger.View) any) *abci.QueryResponse {
	if req.Prove {
		return queryErr(CodeNoProof, "%s has no proof; query /store (or /balance/ADDR, /nonce/ADDR) with prove=true", req.Path)
	}
	view, err := a.store.View(req.Height)
	if err != nil {
		return versionErr(err, req.Height)
	}
	b, err := json.Marshal(f(ledger.NewView(view)))
	if err != nil {
		return queryErr(CodeBadRequest, "encode: %v", err)
	}
	return &abci.QueryResponse{Value: b, Height: view.Version()}
}

func versionErr(err error, height int64) *abci.QueryResponse {
	if errors.Is(err, iavlstore.ErrVersionPruned) {
		return queryErr(CodeNoSuchVersion, "no state at height %d: %v", height, err)
	}
	return queryErr(CodeBadRequest, "%v", err)
}
