package p2p

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/ipfs/go-cid"
	golog "github.com/ipfs/go-log/v2"
	"github.com/libp2p/go-libp2p"
	dht "github.com/libp2p/go-libp2p-kad-dht"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/core/protocol"
	rcmgr "github.com/libp2p/go-libp2p/p2p/host/resource-manager"
	"github.com/libp2p/go-libp2p/p2p/muxer/yamux"
	"github.com/libp2p/go-libp2p/p2p/security/noise"
	tlssec "github.com/libp2p/go-libp2p/p2p/security/tls"
	"github.com/libp2p/go-libp2p/p2p/transport/tcp"
	ma "github.com/multiformats/go-multiaddr"

	"tangent/store"
)

// ProtocolID is the blob exchange protocol.
const ProtocolID protocol.ID = "/tangent/blob/1.0.0"

// Source is what a node serves blocks and proofs from. *store.Store
// implements it; tests wrap it to make a lying provider.
type Source interface {
	// ReadBlock returns block c, reading into buf when it is large enough.
	ReadBlock(c cid.Cid, buf []byte) ([]byte, error)
	// Prove answers an availability challenge for blob c.
	Prove(c cid.Cid, ch store.Challenge) (store.Proof, error)
}

var _ Source = (*store.Store)(nil)

// Limits bound what peers can take from a node. The zero value of a field
// means its default (DefaultLimits).
type Limits struct {
	// StreamsPerPeer bounds a peer's inbound blob-protocol streams.
	StreamsPerPeer int
	// MemoryPerPeer bounds the memory (stream buffers, muxer windows) the
	// libp2p resource manager grants one peer.
	MemoryPerPeer int64
	// BytesPerSecPerPeer bounds the block bytes served to one peer per
	// second (negative: unlimited), with bursts of BurstPerPeer bytes.
	BytesPerSecPerPeer float64
	BurstPerPeer       float64
	// IdleTimeout closes an inbound stream with no request for this long,
	// and resets one whose peer does not take a response for this long.
	IdleTimeout time.Duration
}

// DefaultLimits returns the limits New uses for zero fields.
func DefaultLimits() Limits {
	return Limits{
		StreamsPerPeer:     8,
		MemoryPerPeer:      256 << 20,
		BytesPerSecPerPeer: 1 << 30,
		BurstPerPeer:       64 << 20,
		IdleTimeout:        30 * time.Second,
	}
}

// Config configures a Node.
type Config struct {
	// Key is the node's identity (required): the same ed25519 key type as
	// ledger accounts.
	Key ed25519.PrivateKey
	// ListenAddrs are multiaddrs to listen on (default
	// /ip4/127.0.0.1/tcp/0). Empty with NoListen set: dial only.
	ListenAddrs []string
	NoListen    bool
	// Store is where fetched blobs go and, unless Source is set, what the
	// node serves.
	Store *store.Store
	// Source overrides what the node serves (tests: a lying provider).
	Source Source
	// Peers are known providers, used when a fetch names none, and the
	// DHT's bootstrap peers.
	Peers []peer.AddrInfo
	// DHT runs a Kademlia DHT (server mode, prefix DHTPrefix): Provide
	// announces blobs, and a fetch that names no providers looks them up.
	DHT bool
	// Security is "tls" (default: fastest here, AES-GCM) or "noise"; both
	// are offered, this one first.
	Security string
	Limits   Limits
	Logger   *slog.Logger
	// Now is the clock for rate limiting (default time.Now).
	Now func() time.Time
}

// Node is a libp2p host that serves and fetches blobs.
type Node struct {
	host   host.Host
	store  *store.Store
	source Source
	scores *Scores
	limits Limits
	rate   *rateLimiter
	log    *slog.Logger
	now    func() time.Time

	dht    *dht.IpfsDHT
	cancel context.CancelFunc

	mu    sync.Mutex
	peers map[peer.ID]bool // the peer list
}

// New starts a node: a libp2p host with TCP, TLS 1.3 and Noise, yamux, the
// resource manager bounding every peer, and the blob protocol handler.
func New(cfg Config) (*Node, error) {
	key, err := hostKey(cfg.Key)
	if err != nil {
		return nil, err
	}
	if cfg.Store == nil && cfg.Source == nil {
		return nil, errors.New("p2p: Config needs a Store or a Source")
	}
	lim := cfg.Limits
	d := DefaultLimits()
	if lim.StreamsPerPeer == 0 {
		lim.StreamsPerPeer = d.StreamsPerPeer
	}
	if lim.MemoryPerPeer == 0 {
		lim.MemoryPerPeer = d.MemoryPerPeer
	}
	if lim.BytesPerSecPerPeer == 0 {
		lim.BytesPerSecPerPeer = d.BytesPerSecPerPeer
	}
	if lim.BurstPerPeer == 0 {
		lim.BurstPerPeer = d.BurstPerPeer
	}
	if lim.IdleTimeout == 0 {
		lim.IdleTimeout = d.IdleTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	n := &Node{
		store:  cfg.Store,
		source: cfg.Source,
		scores: newScores(),
		limits: lim,
		rate:   newRateLimiter(lim.BytesPerSecPerPeer, lim.BurstPerPeer, cfg.Now),
		log:    cfg.Logger,
		now:    cfg.Now,
		peers:  make(map[peer.ID]bool),
	}
	if n.source == nil {
		n.source = cfg.Store
	}
	rm, err := resourceManager(lim)
	if err != nil {
		return nil, err
	}
	listen := cfg.ListenAddrs
	if len(listen) == 0 && !cfg.NoListen {
		listen = []string{"/ip4/127.0.0.1/tcp/0"}
	}
	tlsOpt := libp2p.Security(tlssec.ID, tlssec.New)
	noiseOpt := libp2p.Security(noise.ID, noise.New)
	secs := []libp2p.Option{tlsOpt, noiseOpt}
	switch cfg.Security {
	case "", "tls":
	case "noise":
		secs = []libp2p.Option{noiseOpt, tlsOpt}
	default:
		return nil, fmt.Errorf("p2p: unknown security %q (want tls or noise)", cfg.Security)
	}
	opts := []libp2p.Option{
		libp2p.Identity(key),
		libp2p.ListenAddrStrings(listen...),
		libp2p.Transport(tcp.NewTCPTransport),
		libp2p.Muxer(yamux.ID, yamux.DefaultTransport),
		libp2p.ResourceManager(rm),
		libp2p.ConnectionGater(gater{n.scores}),
		libp2p.DisableRelay(),
		libp2p.DisableMetrics(),
		libp2p.UserAgent("tangent"),
	}
	if cfg.NoListen && len(cfg.ListenAddrs) == 0 {
		opts = append(opts, libp2p.NoListenAddrs)
	}
	opts = append(opts, secs...)
	h, err := libp2p.New(opts...)
	if err != nil {
		rm.Close()
		return nil, fmt.Errorf("p2p: start host: %w", err)
	}
	n.host = h
	n.scores.onBan = func(p peer.ID) {
		n.log.Warn("p2p: banning peer", "peer", p, "reasons", n.scores.Events(p))
		// A short grace lets a last error frame out; the gater and the
		// stream handler refuse the peer from now on.
		time.AfterFunc(200*time.Millisecond, func() { h.Network().ClosePeer(p) })
	}
	h.SetStreamHandler(ProtocolID, n.handleStream)
	for _, ai := range cfg.Peers {
		n.AddPeer(ai)
	}
	var ctx context.Context
	ctx, n.cancel = context.WithCancel(context.Background())
	if cfg.DHT {
		if err := n.startDHT(ctx, cfg.Peers); err != nil {
			n.cancel()
			h.Close()
			return nil, err
		}
	}
	return n, nil
}

func resourceManager(lim Limits) (network.ResourceManager, error) {
	scaling := rcmgr.DefaultLimits
	libp2p.SetDefaultServiceLimits(&scaling)
	base := scaling.AutoScale()
	partial := rcmgr.PartialLimitConfig{
		PeerDefault: rcmgr.ResourceLimits{
			Memory: rcmgr.LimitVal64(lim.MemoryPerPeer),
		},
		Stream: rcmgr.ResourceLimits{
			Memory: rcmgr.LimitVal64(streamMemory),
		},
		ProtocolPeer: map[protocol.ID]rcmgr.ResourceLimits{
			ProtocolID: {
				StreamsInbound:  rcmgr.LimitVal(lim.StreamsPerPeer),
				StreamsOutbound: rcmgr.LimitVal(4 * lim.StreamsPerPeer),
				Streams:         rcmgr.LimitVal(5 * lim.StreamsPerPeer),
				Memory:          rcmgr.LimitVal64(lim.MemoryPerPeer),
			},
		},
	}
	rm, err := rcmgr.NewResourceManager(rcmgr.NewFixedLimiter(partial.Build(base)))
	if err != nil {
		return nil, fmt.Errorf("p2p: resource manager: %w", err)
	}
	return rm, nil
}

// Close stops the DHT and the host: connections and streams close, fetches
// from this node fail over to other providers.
func (n *Node) Close() error {
	n.cancel()
	var err error
	if n.dht != nil {
		err = n.dht.Close()
	}
	return errors.Join(err, n.host.Close())
}

// ID returns the node's peer ID.
func (n *Node) ID() peer.ID { return n.host.ID() }

// Host returns the underlying libp2p host.
func (n *Node) Host() host.Host { return n.host }

// Scores returns the node's local peer scores.
func (n *Node) Scores() *Scores { return n.scores }

// Store returns the node's store.
func (n *Node) Store() *store.Store { return n.store }

// Addrs returns the node's full multiaddrs (with /p2p/<id>).
func (n *Node) Addrs() []ma.Multiaddr {
	ai := peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()}
	out, _ := peer.AddrInfoToP2pAddrs(&ai)
	return out
}

// AddrInfo returns the node's peer ID and listen addresses.
func (n *Node) AddrInfo() peer.AddrInfo {
	return peer.AddrInfo{ID: n.host.ID(), Addrs: n.host.Addrs()}
}

// AddPeer adds a provider to the peer list and its addresses to the
// peerstore (no connection is made until needed).
func (n *Node) AddPeer(ai peer.AddrInfo) {
	if ai.ID == n.host.ID() {
		return
	}
	n.host.Peerstore().AddAddrs(ai.ID, ai.Addrs, time.Hour)
	n.mu.Lock()
	n.peers[ai.ID] = true
	n.mu.Unlock()
}

// Peers returns the peer list, best local score first, without banned peers.
func (n *Node) Peers() []peer.ID {
	n.mu.Lock()
	out := make([]peer.ID, 0, len(n.peers))
	for p := range n.peers {
		if !n.scores.Banned(p) {
			out = append(out, p)
		}
	}
	n.mu.Unlock()
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	n.scores.Rank(out)
	return out
}

// Connect dials a peer and adds it to the peer list.
func (n *Node) Connect(ctx context.Context, ai peer.AddrInfo) error {
	n.AddPeer(ai)
	if err := n.host.Connect(ctx, ai); err != nil {
		return fmt.Errorf("p2p: connect to %s: %w", ai.ID, err)
	}
	return nil
}

// ParseAddr parses a multiaddr with a /p2p/<peer id> part.
func ParseAddr(s string) (peer.AddrInfo, error) {
	ai, err := peer.AddrInfoFromString(s)
	if err != nil {
		return peer.AddrInfo{}, fmt.Errorf("p2p: %q is not a multiaddr ending in /p2p/<peer id>: %w", s, err)
	}
	return *ai, nil
}

// QuietLibp2pLogs lowers libp2p's own logging (go-log) to errors that
// matter, dropping the noise a closing host prints. Commands call it once.
func QuietLibp2pLogs() {
	golog.SetAllLoggers(golog.LevelFatal)
}
