package node

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	cfg "github.com/cometbft/cometbft/config"
)

// Home layout (DIR is the --home directory):
//
//	DIR/config/config.toml           CometBFT settings (network, mempool, block timing)
//	DIR/config/genesis.json          CometBFT genesis; app_state holds Tangent's genesis
//	DIR/config/node_key.json         p2p identity
//	DIR/config/priv_validator_key.json  consensus signing key (validators only)
//	DIR/data/                        CometBFT block store, state, WAL, priv_validator_state.json
//	DIR/data/tangent.db/             the app's IAVL state in Pebble (app/iavlstore)
//	DIR/keys/NAME.json               account keys (client/keyring), mode 0600
//
// Chain parameters live in genesis and in state, never in config.toml.

// Paths of a home directory.
type Home string

// ConfigFile is DIR/config/config.toml.
func (h Home) ConfigFile() string { return filepath.Join(string(h), "config", "config.toml") }

// GenesisFile is DIR/config/genesis.json.
func (h Home) GenesisFile() string { return filepath.Join(string(h), "config", "genesis.json") }

// KeysDir is DIR/keys, where the keyring keeps account keys.
func (h Home) KeysDir() string { return filepath.Join(string(h), "keys") }

// DataDir is DIR/data.
func (h Home) DataDir() string { return filepath.Join(string(h), "data") }

// AppDBName is the name of the app's state database inside DataDir.
const AppDBName = "tangent"

// GCPercent is the Go GC target `tangent start` sets unless GOGC is set.
// Under load the live heap is about 150 MB (IAVL's node cache, the
// mempool, recent blocks), so letting the heap grow to five times that
// before collecting costs well under a GB, and collecting half as often
// as at 200 saved about 15 % of the CPU per transfer in bench/ledger.sh.
const GCPercent = 400

// BlockTiming is how fast a network makes blocks.
type BlockTiming int

const (
	// TimingDefault is CometBFT's defaults (1 s between blocks): for
	// networks across machines.
	TimingDefault BlockTiming = iota
	// TimingDevnet makes a block about every 300 ms on a quiet machine: for
	// `tangent devnet`, `tangent testnet` and the benchmark.
	TimingDevnet
	// TimingTest makes blocks as fast as a loaded CI machine allows.
	TimingTest
)

// DefaultConfig returns the CometBFT config a Tangent node writes at init:
// CometBFT's defaults with Tangent's mempool and block settings, and timing.
func DefaultConfig(home string, timing BlockTiming) *cfg.Config {
	c := cfg.DefaultConfig()
	c.SetRoot(home)
	c.Moniker = filepath.Base(home)
	c.LogLevel = "warn"
	c.RPC.ListenAddress = "tcp://127.0.0.1:26657"
	c.P2P.ListenAddress = "tcp://127.0.0.1:26656"
	c.P2P.AllowDuplicateIP = true // several nodes on one machine
	c.P2P.AddrBookStrict = false  // loopback peers are fine

	// Mempool: the app verifies each signature once in CheckTx and caches
	// the result; rechecking after a block is then cheap (nonce and balance).
	c.Mempool.Type = cfg.MempoolTypeFlood
	c.Mempool.Size = 50_000
	c.Mempool.CacheSize = 100_000
	// Larger than the ledger's max_tx_bytes parameter, so that an oversized
	// tx reaches CheckTx and gets the ledger's code and log.
	c.Mempool.MaxTxBytes = 1 << 20
	c.Mempool.MaxTxsBytes = 256 << 20
	c.Mempool.RecheckTimeout = 5 * time.Second

	// Index tx results by hash so clients can wait for inclusion.
	c.TxIndex.Indexer = "kv"
	// Each websocket subscriber may fall behind a full block of events.
	c.RPC.MaxSubscriptionsPerClient = 20
	c.RPC.SubscriptionBufferSize = 200_000
	c.RPC.WebSocketWriteBufferSize = 200_000
	c.RPC.TimeoutBroadcastTxCommit = 30 * time.Second
	c.RPC.MaxBodyBytes = 8 << 20
	// Clients (client.BroadcastBatch) submit txs in JSON-RPC batches.
	c.RPC.MaxRequestBatchSize = 500

	switch timing {
	case TimingDevnet:
		c.Consensus.TimeoutPropose = 1 * time.Second
		c.Consensus.TimeoutPrevote = 500 * time.Millisecond
		c.Consensus.TimeoutPrecommit = 500 * time.Millisecond
		c.Consensus.TimeoutCommit = 300 * time.Millisecond
		c.Consensus.PeerGossipSleepDuration = 20 * time.Millisecond
	case TimingTest:
		c.Consensus.TimeoutPropose = 500 * time.Millisecond
		c.Consensus.TimeoutPrevote = 200 * time.Millisecond
		c.Consensus.TimeoutPrecommit = 200 * time.Millisecond
		c.Consensus.TimeoutCommit = 80 * time.Millisecond
		c.Consensus.PeerGossipSleepDuration = 10 * time.Millisecond
		c.Consensus.PeerQueryMaj23SleepDuration = 250 * time.Millisecond
	}
	return c
}

// LoadConfig reads DIR/config/config.toml over CometBFT's defaults, roots
// every path at DIR and validates the result.
func LoadConfig(home string) (*cfg.Config, error) {
	h := Home(home)
	f, err := os.Open(h.ConfigFile())
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a node home: no %s; create one with `tangent init --home %s`", home, h.ConfigFile(), home)
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := parseTOML(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", h.ConfigFile(), err)
	}
	c := cfg.DefaultConfig()
	if err := decodeInto(doc, c); err != nil {
		return nil, fmt.Errorf("%s: %w", h.ConfigFile(), err)
	}
	c.SetRoot(home)
	if err := c.ValidateBasic(); err != nil {
		return nil, fmt.Errorf("%s: %w", h.ConfigFile(), err)
	}
	return c, nil
}

// SaveConfig writes c as DIR/config/config.toml, creating the directories.
func SaveConfig(home string, c *cfg.Config) error {
	h := Home(home)
	for _, d := range []string{filepath.Dir(h.ConfigFile()), h.DataDir()} {
		if err := os.MkdirAll(d, 0o700); err != nil {
			return err
		}
	}
	if err := c.ValidateBasic(); err != nil {
		return fmt.Errorf("config for %s: %w", home, err)
	}
	cfg.WriteConfigFile(h.ConfigFile(), c)
	return nil
}
