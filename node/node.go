package node

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	cfg "github.com/cometbft/cometbft/config"
	cmtnode "github.com/cometbft/cometbft/node"

	"tangent/app"
	"tangent/app/iavlstore"
)

// Options tune a running node. The zero value is valid.
type Options struct {
	// Logger receives the node's structured logs (default: discard).
	Logger *slog.Logger
	// CometLevel is the lowest level of CometBFT's own messages that are
	// logged (default warn: only its errors).
	CometLevel slog.Level
	// App tunes the ABCI app (its Logger defaults to Logger).
	App app.Options
	// Store tunes the app's IAVL store (zero: iavlstore.DefaultOptions).
	Store *iavlstore.Options
	// Config, if set, is used instead of HOME/config/config.toml.
	Config *cfg.Config
}

// Node is a running Tangent node: CometBFT in-process with the app.
type Node struct {
	home  string
	log   *slog.Logger
	cfg   *cfg.Config
	store *iavlstore.Store
	app   *app.App
	comet *cmtnode.Node
	dbs   *dbTracker

	stopOnce sync.Once
	stopErr  error
}

// Start loads the home, opens the app state and starts CometBFT. The node
// runs until Stop; ctx only bounds start-up.
func Start(ctx context.Context, home string, opts Options) (*Node, error) {
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.CometLevel == 0 {
		opts.CometLevel = slog.LevelWarn
	}
	c := opts.Config
	if c == nil {
		var err error
		if c, err = LoadConfig(home); err != nil {
			return nil, err
		}
	}
	so := iavlstore.DefaultOptions()
	if opts.Store != nil {
		so = *opts.Store
	}
	store, err := iavlstore.Open(Home(home).DataDir(), AppDBName, so)
	if err != nil {
		return nil, err
	}
	ao := opts.App
	if ao.Logger == nil {
		ao.Logger = opts.Logger.With("module", "app")
	}
	a, err := app.New(store, ao)
	if err != nil {
		store.Close()
		return nil, err
	}
	dbs := &dbTracker{}
	if err := catchUpIndex(c, dbs, "", opts.Logger); err != nil {
		store.Close()
		return nil, fmt.Errorf("catching up the tx index: %w", err)
	}
	comet, err := startComet(ctx, c, a, dbs, opts.Logger, opts.CometLevel)
	if err != nil {
		dbs.closeAll()
		store.Close()
		return nil, err
	}
	last := store.LastCommit()
	opts.Logger.Info("node started", "home", home, "chain_id", comet.GenesisDoc().ChainID,
		"node_id", comet.NodeInfo().ID(), "rpc", c.RPC.ListenAddress, "p2p", c.P2P.ListenAddress,
		"app_height", last.Version)
	return &Node{home: home, log: opts.Logger, cfg: c, store: store, app: a, comet: comet, dbs: dbs}, nil
}

// RPCAddress is the CometBFT RPC listen address ("tcp://127.0.0.1:26657").
func (n *Node) RPCAddress() string { return n.cfg.RPC.ListenAddress }

// Config is the node's CometBFT configuration.
func (n *Node) Config() *cfg.Config { return n.cfg }

// App is the node's ABCI application.
func (n *Node) App() *app.App { return n.app }

// Comet is the CometBFT node (for its event bus, block store, switch).
func (n *Node) Comet() *cmtnode.Node { return n.comet }

// Stop stops CometBFT and closes the app state. It is safe to call twice.
func (n *Node) Stop() error {
	n.stopOnce.Do(func() {
		var errs []error
		if n.comet.IsRunning() {
			if err := n.comet.Stop(); err != nil {
				errs = append(errs, fmt.Errorf("stop CometBFT: %w", err))
			}
			n.comet.Wait()
		}
		if err := n.dbs.closeAll(); err != nil {
			errs = append(errs, fmt.Errorf("close CometBFT databases: %w", err))
		}
		if err := n.store.Close(); err != nil {
			errs = append(errs, fmt.Errorf("close app state: %w", err))
		}
		n.stopErr = errors.Join(errs...)
		n.log.Info("node stopped", "home", n.home, "app_height", n.store.LastCommit().Version)
	})
	return n.stopErr
}

// Run starts the node and stops it when ctx ends.
func Run(ctx context.Context, home string, opts Options) error {
	n, err := Start(ctx, home, opts)
	if err != nil {
		return err
	}
	<-ctx.Done()
	return n.Stop()
}
