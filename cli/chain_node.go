package cli

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"tangent/node"
)

func parseTiming(s string) (node.BlockTiming, error) {
	switch s {
	case "devnet", "":
		return node.TimingDevnet, nil
	case "default", "production":
		return node.TimingDefault, nil
	case "test", "fast":
		return node.TimingTest, nil
	}
	return 0, fmt.Errorf("--block-timing %q: want devnet, default or test", s)
}

func newInitCmd() *cobra.Command {
	var f chainFlags
	var chainID, timing string
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Create a one-validator node home (keys, genesis with a funded key named validator, config)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := parseTiming(timing)
			if err != nil {
				return err
			}
			res, err := node.InitHome(f.home, node.InitOptions{ChainID: chainID, Timing: t})
			if err != nil {
				return err
			}
			return f.output(cmd, res, fmt.Sprintf(
				"initialized %s for chain %s\nvalidator account: %s (key %q in %s)\nstart it with: tangent start --home %s",
				res.Home, res.ChainID, res.Address, node.ValidatorKeyName, node.Home(f.home).KeysDir(), f.home))
		},
	}
	f.addHome(cmd)
	f.addJSON(cmd)
	cmd.Flags().StringVar(&chainID, "chain-id", "tangent-1", "chain id")
	cmd.Flags().StringVar(&timing, "block-timing", "devnet", "block timing written to config.toml: devnet (~0.3 s blocks), default (1 s) or test (fastest)")
	return cmd
}

func newTestnetCmd() *cobra.Command {
	var f chainFlags
	var n, basePort int
	var out, chainID, timing string
	cmd := &cobra.Command{
		Use:   "testnet",
		Short: "Write N validator homes wired to each other on 127.0.0.1",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			t, err := parseTiming(timing)
			if err != nil {
				return err
			}
			res, err := node.InitTestnet(out, n, node.TestnetOptions{
				InitOptions: node.InitOptions{ChainID: chainID, Timing: t}, BasePort: basePort,
			})
			if err != nil {
				return err
			}
			homes := make([]string, len(res))
			var sb strings.Builder
			fmt.Fprintf(&sb, "wrote %d homes for chain %s:\n", len(res), chainID)
			for i, r := range res {
				homes[i] = r.Home
				fmt.Fprintf(&sb, "  %s  p2p %s  rpc %s  validator %s\n", r.Home, r.P2PAddr, r.RPCAddr, r.Address)
			}
			fmt.Fprintf(&sb, "start each with: tangent start --home %s\n", filepath.Join(out, "nodeN"))
			return f.output(cmd, map[string]any{"homes": homes, "chain_id": chainID, "nodes": res}, sb.String())
		},
	}
	f.addJSON(cmd)
	cmd.Flags().IntVar(&n, "validators", 4, "number of validators")
	cmd.Flags().StringVar(&out, "out", "testnet", "directory to write the homes into")
	cmd.Flags().StringVar(&chainID, "chain-id", "tangent-testnet", "chain id")
	cmd.Flags().IntVar(&basePort, "base-port", 26656, "node i uses port base+2i for p2p and base+2i+1 for RPC")
	cmd.Flags().StringVar(&timing, "block-timing", "devnet", "devnet, default or test")
	return cmd
}

func newStartCmd() *cobra.Command {
	var f chainFlags
	var logLevel, cometLevel string
	var jsonLogs, checkInvariants, indexEvents bool
	cmd := &cobra.Command{
		Use:   "start",
		Short: "Run a node until SIGINT or SIGTERM (safe to kill -9: it restarts from its last commit)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			level, err := node.ParseLevel(logLevel)
			if err != nil {
				return err
			}
			clevel, err := node.ParseLevel(cometLevel)
			if err != nil {
				return err
			}
			logger := newLogger(cmd.ErrOrStderr(), min(level, clevel), jsonLogs)
			if os.Getenv("GOGC") == "" {
				debug.SetGCPercent(node.GCPercent)
			}
			log.SetFlags(0)
			log.SetOutput(node.StdLogWriter(logger))
			ctx, stop := signal.NotifyContext(cmdContext(cmd), os.Interrupt, syscall.SIGTERM)
			defer stop()
			opts := node.Options{Logger: logger, CometLevel: clevel}
			opts.App.CheckInvariants = checkInvariants
			opts.App.IndexEvents = indexEvents
			n, err := node.Start(ctx, f.home, opts)
			if err != nil {
				return err
			}
			logger.Info("running; stop with Ctrl-C", "rpc", n.RPCAddress())
			<-ctx.Done()
			logger.Info("shutting down")
			return n.Stop()
		},
	}
	f.addHome(cmd)
	cmd.Flags().StringVar(&logLevel, "log-level", "info", "debug, info, warn or error")
	cmd.Flags().StringVar(&cometLevel, "comet-log-level", "warn", "lowest level of CometBFT's own messages shown")
	cmd.Flags().BoolVar(&jsonLogs, "log-json", false, "log JSON lines to stderr")
	cmd.Flags().BoolVar(&checkInvariants, "check-invariants", false, "check the supply invariants after every block (walks all state)")
	cmd.Flags().BoolVar(&indexEvents, "index-events", false, "index the address attributes of events, so tx_search finds the txs of an address (txs are always found by hash)")
	return cmd
}

func cmdContext(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}
