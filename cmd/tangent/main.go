// Command tangent is the single binary of the Tangent network: it builds the
// root command, runs it, prints any error and exits non-zero.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"tangent/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := cli.NewRootCmd().ExecuteContext(ctx)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}
