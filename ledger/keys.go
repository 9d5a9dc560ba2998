package ledger

import (
	"tangent/ledger/chain"
	"tangent/ledger/collections"
)

// Keys the ledger core owns (see README.md, "State").
var (
	// ChainIDKey → the chain id string, written by InitChain.
	ChainIDKey = []byte("ledger/chain_id")
)

// FeeCollector is the module account that collects the fees of a block;
// EndBlock pays its whole balance to the block proposer's operator account.
var FeeCollector = chain.ModuleAddress("fee_collector")

var chainIDItem = collections.NewItem(ChainIDKey, "ledger/chain_id", collections.StringValue)
