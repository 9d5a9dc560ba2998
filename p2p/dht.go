package p2p

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
)

// DHTPrefix is the protocol prefix of Tangent's Kademlia DHT
// (/tangent/kad/1.0.0): a network of its own, not the IPFS DHT.
const DHTPrefix protocol.ID = "/tangent"

// ErrNoDHT is returned by Provide and FindProviders on a node started
// without Config.DHT.
var ErrNoDHT = errors.New("p2p: this node runs without the DHT (Config.DHT)")

func (n *Node) startDHT(ctx context.Context, bootstrap []peer.AddrInfo) error {
	d, err := dht.New(ctx, n.host,
		dht.Mode(dht.ModeServer),
		dht.ProtocolPrefix(DHTPrefix),
		dht.BootstrapPeers(bootstrap...),
	)
	if err != nil {
		return fmt.Errorf("p2p: start DHT: %w", err)
	}
	n.dht = d
	return nil
}

// WaitDHT waits until the DHT routing table has at least min peers, or ctx
// ends.
func (n *Node) WaitDHT(ctx context.Context, min int) error {
	if n.dht == nil {
		return ErrNoDHT
	}
	for n.dht.RoutingTable().Size() < min {
		select {
		case <-ctx.Done():
			return fmt.Errorf("p2p: DHT has %d peers, want %d: %w", n.dht.RoutingTable().Size(), min, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

// Provide announces on the DHT that this node has blob (or block) c.
func (n *Node) Provide(ctx context.Context, c cid.Cid) error {
	if n.dht == nil {
		return ErrNoDHT
	}
	if err := n.dht.Provide(ctx, c, true); err != nil {
		return fmt.Errorf("p2p: provide %s: %w", c, err)
	}
	return nil
}

// ProvideAll announces every complete blob of the store.
func (n *Node) ProvideAll(ctx context.Context) error {
	var errs []error
	for _, info := range n.store.List() {
		if info.Complete {
			errs = append(errs, n.Provide(ctx, info.CID))
		}
	}
	return errors.Join(errs...)
}

// FindProviders looks up providers of c on the DHT (at most max) and adds
// them to the peerstore.
func (n *Node) FindProviders(ctx context.Context, c cid.Cid, max int) ([]peer.AddrInfo, error) {
	if n.dht == nil {
		return nil, ErrNoDHT
	}
	var out []peer.AddrInfo
	for ai := range n.dht.FindProvidersAsync(ctx, c, max) {
		if ai.ID == n.host.ID() || n.scores.Banned(ai.ID) {
			continue
		}
		n.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, time.Hour)
		out = append(out, ai)
	}
	return out, nil
}
