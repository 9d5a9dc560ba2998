package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"

	dbm "github.com/cometbft/cometbft-db"
	abci "github.com/cometbft/cometbft/abci/types"
	cfg "github.com/cometbft/cometbft/config"
	cmtjson "github.com/cometbft/cometbft/libs/json"
	cmtnode "github.com/cometbft/cometbft/node"
	"github.com/cometbft/cometbft/p2p"
	"github.com/cometbft/cometbft/privval"

	"tangent/app/iavlstore"
)

// startComet builds and starts an in-process CometBFT node over app. The
// app is reached through a consensus-synchronized local client: consensus
// calls are serialized by CometBFT, while CheckTx (one goroutine per RPC
// request or peer) and Query run concurrently with them and with each other.
// app.App synchronizes what they share, and verifies CheckTx signatures
// before taking its lock, so signature checks use every core. The mempool's
// client is asynchronous (mempoolClient), so txs that nobody waits for
// (peers', BroadcastTxAsync's) are verified in large groups.
func startComet(ctx context.Context, c *cfg.Config, app abci.Application, dbs *dbTracker, logger *slog.Logger, cometLevel slog.Level) (*cmtnode.Node, error) {
	nodeKey, err := p2p.LoadNodeKey(c.NodeKeyFile())
	if err != nil {
		return nil, fmt.Errorf("node key %s: %w (run `tangent init --home %s` first)", c.NodeKeyFile(), err, c.RootDir)
	}
	pv, err := LoadPrivValidator(c)
	if err != nil {
		return nil, err
	}
	n, err := cmtnode.NewNode(ctx, c, pv, nodeKey,
		newClientCreator(app),
		cmtnode.DefaultGenesisDocProviderFunc(c),
		dbs.provider,
		cmtnode.DefaultMetricsProvider(c.Instrumentation),
		NewCometLogger(logger, cometLevel),
	)
	if err != nil {
		return nil, fmt.Errorf("create CometBFT node in %s: %w", c.RootDir, err)
	}
	if err := n.Start(); err != nil {
		return nil, fmt.Errorf("start CometBFT node in %s: %w", c.RootDir, err)
	}
	return n, nil
}

// ParseLevel reads a log level name (debug, info, warn, error).
func ParseLevel(s string) (slog.Level, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(strings.ToUpper(s))); err != nil {
		return 0, fmt.Errorf("log level %q: want debug, info, warn or error", s)
	}
	return l, nil
}

// LoadPrivValidator reads the validator's consensus key and its last-sign
// state (which prevents double signing after a restart). Unlike privval's
// loader it returns errors instead of exiting the process. A missing state
// file is created empty (a fresh home).
func LoadPrivValidator(c *cfg.Config) (*privval.FilePV, error) {
	keyFile, stateFile := c.PrivValidatorKeyFile(), c.PrivValidatorStateFile()
	b, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("validator key: %w (run `tangent init --home %s` first)", err, c.RootDir)
	}
	var key privval.FilePVKey
	if err := cmtjson.Unmarshal(b, &key); err != nil {
		return nil, fmt.Errorf("validator key %s is corrupt: %w", keyFile, err)
	}
	if key.PrivKey == nil {
		return nil, fmt.Errorf("validator key %s holds no private key", keyFile)
	}
	pv := privval.NewFilePV(key.PrivKey, keyFile, stateFile)
	b, err = os.ReadFile(stateFile)
	switch {
	case errors.Is(err, os.ErrNotExist):
		pv.Save()
		return pv, nil
	case err != nil:
		return nil, err
	}
	var st privval.FilePVLastSignState
	if err := cmtjson.Unmarshal(b, &st); err != nil {
		return nil, fmt.Errorf("validator sign state %s is corrupt: %w (restoring it wrongly risks double signing)", stateFile, err)
	}
	pv.LastSignState.Height, pv.LastSignState.Round, pv.LastSignState.Step = st.Height, st.Round, st.Step
	pv.LastSignState.Signature, pv.LastSignState.SignBytes = st.Signature, st.SignBytes
	return pv, nil
}

// dbTracker remembers every database CometBFT opens, so that Stop can close
// the ones CometBFT's own OnStop leaves open (the tx index): a node can then
// be started again in the same process.
type dbTracker struct {
	mu  sync.Mutex
	dbs []*onceCloseDB
}

type onceCloseDB struct {
	dbm.DB
	once sync.Once
	err  error
}

func (d *onceCloseDB) Close() error {
	d.once.Do(func() { d.err = d.DB.Close() })
	return d.err
}

func (t *dbTracker) provider(ctx *cfg.DBContext) (dbm.DB, error) {
	var db dbm.DB
	var err error
	if ctx.Config.DBBackend == string(dbm.PebbleDBBackend) {
		// The app store's options, not Pebble's defaults: see
		// iavlstore.PebbleOptions.
		db, err = dbm.NewPebbleDBWithOpts(ctx.ID, ctx.Config.DBDir(), iavlstore.PebbleOptions())
	} else {
		db, err = cfg.DefaultDBProvider(ctx)
	}
	if err != nil {
		return nil, err
	}
	w := &onceCloseDB{DB: db}
	t.mu.Lock()
	t.dbs = append(t.dbs, w)
	t.mu.Unlock()
	return w, nil
}

func (t *dbTracker) closeAll() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	var errs []error
	for _, d := range t.dbs {
		if err := d.Close(); err != nil {
			errs = append(errs, err)
		}
	}
	t.dbs = nil
	return errors.Join(errs...)
}
