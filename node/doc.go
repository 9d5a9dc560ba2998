// Package node is the composition root of a Tangent node: it loads a home
// directory (config.toml through CometBFT's config, genesis.json with
// Tangent's app state inside, the node and validator keys), opens the app's
// persistent state (app/iavlstore under HOME/data), and runs CometBFT
// in-process with the app (app.App) behind a local ABCI client.
//
// Usage:
//
//	n, err := node.Start(ctx, home, node.Options{Logger: logger})
//	...
//	<-ctx.Done()
//	err = n.Stop()
//
// or node.Run(ctx, home, opts), which does both and returns when ctx ends.
// Stop is clean (CometBFT's stores and the app's database are closed), but
// nothing depends on it: a node killed with SIGKILL restarts from its last
// commit and CometBFT's handshake replays what the app missed.
//
// Logs are structured (log/slog). CometBFT's own messages go through the
// same logger at Options.CometLevel (warn by default, so only its errors
// show).
//
// Home layout and config loading are in config.go (Home, LoadConfig,
// SaveConfig); InitHome and InitTestnet in init.go write new homes.
package node
