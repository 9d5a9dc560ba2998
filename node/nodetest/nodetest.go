// Package nodetest helps tests run real Tangent nodes on 127.0.0.1: free
// ports, homes with fast block timing, and waiting for heights.
package nodetest

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"tangent/client"
	"tangent/node"
)

// FreePorts returns n distinct TCP ports that were free on 127.0.0.1 a
// moment ago (another process may still take one; tests retry rarely).
func FreePorts(t testing.TB, n int) []int {
	t.Helper()
	var ls []net.Listener
	var ports []int
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		ls = append(ls, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	for _, l := range ls {
		l.Close()
	}
	return ports
}

// InitHome writes a one-validator home with test block timing on free
// ports and returns its path and init result.
func InitHome(t testing.TB, opts node.InitOptions) (string, node.InitResult) {
	t.Helper()
	home := t.TempDir()
	if opts.Timing == node.TimingDefault {
		opts.Timing = node.TimingTest
	}
	res, err := node.InitHome(home, opts)
	if err != nil {
		t.Fatal(err)
	}
	res.P2PAddr, res.RPCAddr = UseFreePorts(t, home)
	return home, res
}

// UseFreePorts rewrites home's config.toml to listen on free ports of
// 127.0.0.1 and returns the new P2P and RPC listen addresses.
func UseFreePorts(t testing.TB, home string) (p2pAddr, rpcAddr string) {
	t.Helper()
	ports := FreePorts(t, 2)
	c, err := node.LoadConfig(home)
	if err != nil {
		t.Fatal(err)
	}
	c.P2P.ListenAddress = "tcp://127.0.0.1:" + strconv.Itoa(ports[0])
	c.RPC.ListenAddress = "tcp://127.0.0.1:" + strconv.Itoa(ports[1])
	if err := node.SaveConfig(home, c); err != nil {
		t.Fatal(err)
	}
	return c.P2P.ListenAddress, c.RPC.ListenAddress
}

// TestnetPorts returns free (p2p, rpc) port pairs for n nodes.
func TestnetPorts(t testing.TB, n int) [][2]int {
	ps := FreePorts(t, 2*n)
	out := make([][2]int, n)
	for i := range out {
		out[i] = [2]int{ps[2*i], ps[2*i+1]}
	}
	return out
}

// WaitHeight polls c until the node's latest height is at least h.
func WaitHeight(t testing.TB, c *client.Client, h int64, timeout time.Duration) int64 {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	var last int64
	var lastErr error
	for {
		got, err := c.LatestHeight(ctx)
		if err == nil && got >= h {
			return got
		}
		if err == nil {
			last = got
		}
		lastErr = err
		select {
		case <-ctx.Done():
			t.Fatalf("node %s did not reach height %d within %v (at %d, last error %v)", c.Remote(), h, timeout, last, lastErr)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
