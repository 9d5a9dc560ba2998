package p2p_test

import (
	"crypto/sha256"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/peer"

	"tangent/p2p"
	"tangent/p2p/p2ptest"
	"tangent/store"
)

// TestDHTFindsProviders: five nodes on a Tangent DHT, each knowing only the
// first; one provides a blob, another finds it through the DHT (not its peer
// list) and fetches it.
func TestDHTFindsProviders(t *testing.T) {
	boot := p2ptest.NewNode(t, func(c *p2p.Config) { c.DHT = true })
	nodes := []*p2p.Node{boot}
	for range 4 {
		nodes = append(nodes, p2ptest.NewNode(t, func(c *p2p.Config) {
			c.DHT = true
			c.Peers = []peer.AddrInfo{boot.AddrInfo()}
		}))
	}
	ctx := ctxT(t, time.Minute)
	for _, n := range nodes[1:] {
		if err := n.Connect(ctx, boot.AddrInfo()); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes {
		if err := n.WaitDHT(ctx, 1); err != nil {
			t.Fatal(err)
		}
	}
	provider, seeker := nodes[2], nodes[4]
	info, data := put(t, provider.Store(), 12, 3<<20)
	if err := provider.ProvideAll(ctx); err != nil {
		t.Fatal(err)
	}
	found, err := seeker.FindProviders(ctx, info.CID, 5)
	if err != nil {
		t.Fatal(err)
	}
	ok := false
	for _, ai := range found {
		ok = ok || ai.ID == provider.ID()
	}
	if !ok {
		t.Fatalf("DHT lookup found %v, not the provider %s", found, provider.ID())
	}
	// The seeker's peer list holds only the bootstrap node, which lacks the
	// blob: the fetch must come from the provider the DHT names.
	got, err := seeker.Fetch(ctx, info.CID, p2p.FetchOptions{Retention: store.Pinned()})
	if err != nil {
		t.Fatal(err)
	}
	if got.CID != info.CID || digestOf(t, seeker.Store(), info.CID) != sha256.Sum256(data) {
		t.Fatal("fetched bytes differ")
	}
}
