package cli

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"tangent/client"
	"tangent/node"
)

// Helpers shared by the chain commands (init, start, testnet, wallet, tx,
// query): the --home/--json/--node flags, one-object JSON output, and the
// stderr logger.

// chainFlags are the flags every chain command has.
type chainFlags struct {
	home    string
	json    bool
	node    string // RPC address override
	timeout time.Duration
}

func defaultHome() string {
	if h := os.Getenv("TANGENT_HOME"); h != "" {
		return h
	}
	if d, err := os.UserHomeDir(); err == nil {
		return d + "/.tangent"
	}
	return ".tangent"
}

func (f *chainFlags) addHome(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.home, "home", defaultHome(), "node home directory (env TANGENT_HOME)")
}

func (f *chainFlags) addJSON(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&f.json, "json", false, "print one JSON object on stdout")
}

func (f *chainFlags) addNode(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.node, "node", "", "node RPC address (default: the rpc laddr in HOME/config/config.toml)")
	cmd.Flags().DurationVar(&f.timeout, "timeout", 60*time.Second, "give up after this long")
}

// client returns a client for --node, or for the RPC address of the home.
func (f *chainFlags) client() (*client.Client, error) {
	addr := f.node
	if addr == "" {
		c, err := node.LoadConfig(f.home)
		if err != nil {
			return nil, err
		}
		addr = c.RPC.ListenAddress
	}
	return client.New(addr, client.Options{})
}

func (f *chainFlags) context(cmd *cobra.Command) (context.Context, context.CancelFunc) {
	ctx := cmd.Context()
	if ctx == nil {
		ctx = context.Background()
	}
	if f.timeout > 0 {
		return context.WithTimeout(ctx, f.timeout)
	}
	return context.WithCancel(ctx)
}

// output prints v as one JSON object when --json is set, or text otherwise.
func (f *chainFlags) output(cmd *cobra.Command, v any, text string) error {
	w := cmd.OutOrStdout()
	if f.json {
		enc := json.NewEncoder(w)
		return enc.Encode(v)
	}
	if !strings.HasSuffix(text, "\n") {
		text += "\n"
	}
	_, err := io.WriteString(w, text)
	return err
}

// newLogger returns the stderr logger of a command: text, or JSON lines
// when --json asks for machine-readable output.
func newLogger(w io.Writer, level slog.Level, jsonLogs bool) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if jsonLogs {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
