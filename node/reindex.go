package node

import (
	"fmt"
	"log/slog"

	abcitypes "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	sm "github.com/cometbft/cometbft/state"
	"github.com/cometbft/cometbft/state/indexer/block"
	"github.com/cometbft/cometbft/state/txindex"
	"github.com/cometbft/cometbft/store"
	"github.com/cometbft/cometbft/types"
)

// maxCatchUp bounds how many of the latest heights catchUpIndex looks at.
const maxCatchUp = 1000

// catchUpIndex indexes the committed blocks the tx indexer missed.
//
// CometBFT's indexer writes asynchronously, from events published after a
// block is committed, so a node killed with SIGKILL can have committed
// blocks (in its block store, with their results in the state store) whose
// txs are not indexed: a client looking up such a tx by hash (client.Wait)
// would never find a tx that is in the chain. CometBFT does not repair this
// itself (its reindex-event command does, by hand); Start runs this before
// CometBFT opens the databases: from the block store's height down, it
// finds the heights whose block is not in the block index (the indexer
// writes a block's txs, then the block) and indexes their txs and block
// events from the saved FinalizeBlock results, as reindex-event would.
func catchUpIndex(c *cfg.Config, dbs *dbTracker, chainID string, log *slog.Logger) error {
	if c.TxIndex.Indexer != "kv" {
		return nil
	}
	bsDB, err := dbs.provider(&cfg.DBContext{ID: "blockstore", Config: c})
	if err != nil {
		return err
	}
	stDB, err := dbs.provider(&cfg.DBContext{ID: "state", Config: c})
	if err != nil {
		return err
	}
	defer dbs.closeAll()
	bs := store.NewBlockStore(bsDB)
	ss := sm.NewStore(stDB, sm.StoreOptions{DiscardABCIResponses: c.Storage.DiscardABCIResponses})
	txIdx, blockIdx, off, err := block.IndexerFromConfig(c, dbs.provider, chainID)
	if err != nil || off {
		return err
	}
	top, base := bs.Height(), bs.Base()
	from := top + 1
	for h := top; h >= max(base, 1) && h > top-maxCatchUp; h-- {
		ok, err := blockIdx.Has(h)
		if err != nil {
			return fmt.Errorf("tx index: %w", err)
		}
		if ok {
			break
		}
		from = h
	}
	n := 0
	for h := from; h <= top; h++ {
		blk, _ := bs.LoadBlock(h)
		res, err := ss.LoadFinalizeBlockResponse(h)
		if blk == nil || err != nil {
			break // not executed yet: CometBFT replays it, and indexes it then
		}
		if len(res.TxResults) > 0 {
			b := txindex.NewBatch(int64(len(res.TxResults)))
			for i, r := range res.TxResults {
				if err := b.Add(&abcitypes.TxResult{Height: h, Index: uint32(i), Tx: blk.Txs[i], Result: *r}); err != nil {
					return err
				}
			}
			if err := txIdx.AddBatch(b); err != nil {
				return fmt.Errorf("tx index: height %d: %w", h, err)
			}
		}
		if err := blockIdx.Index(types.EventDataNewBlockEvents{Height: h, Events: res.Events, NumTxs: int64(len(res.TxResults))}); err != nil {
			return fmt.Errorf("block index: height %d: %w", h, err)
		}
		n++
	}
	if n > 0 {
		log.Info("indexed blocks the tx indexer had missed (the node stopped before indexing them)", "from", from, "to", from+int64(n)-1)
	}
	return nil
}
