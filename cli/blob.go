package cli

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/term"

	"tangent/p2p"
	"tangent/store"
)

// Files of the blob commands under the node home.
const (
	blobStoreDir = "blobs"   // the content-addressed store
	p2pKeyFile   = "p2p_key" // hex ed25519 seed of the p2p identity
)

// progressThreshold: transfers at least this large show a progress bar.
const progressThreshold = 8 << 20

type blobFlags struct {
	home        string
	jsonOut     bool
	quota       int64
	maxBlobSize int64
	progress    string
}

func (f *blobFlags) register(c *cobra.Command) {
	c.Flags().StringVar(&f.home, "home", "", "node home directory (required)")
	c.Flags().BoolVar(&f.jsonOut, "json", false, "print one JSON object on stdout")
	c.Flags().Int64Var(&f.quota, "quota", 0, "store quota in bytes (default 64 GiB; -1: none)")
	c.Flags().Int64Var(&f.maxBlobSize, "max-blob-size", 0, "largest blob in bytes (default 8 GiB)")
	c.Flags().StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (large transfers on a terminal), always or never")
	c.MarkFlagRequired("home")
}

func (f *blobFlags) openStore() (*store.Store, error) {
	if f.home == "" {
		return nil, errors.New("--home is required")
	}
	s, err := store.Open(filepath.Join(f.home, blobStoreDir), store.Options{Quota: f.quota, MaxBlobSize: f.maxBlobSize})
	if errors.Is(err, store.ErrLocked) {
		return nil, fmt.Errorf("the blob store of --home %s is in use by another tangent process (a running 'tangent blob serve' or node holds it); stop that process first, or use another --home", f.home)
	}
	return s, err
}

func (f *blobFlags) bar(total int64, desc string) *progressbar.ProgressBar {
	show := false
	switch f.progress {
	case "always":
		show = true
	case "auto":
		show = total >= progressThreshold && term.IsTerminal(int(os.Stderr.Fd()))
	}
	if !show {
		return nil
	}
	return progressbar.NewOptions64(total,
		progressbar.OptionSetWriter(os.Stderr),
		progressbar.OptionSetDescription(desc),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionThrottle(100*time.Millisecond),
		progressbar.OptionSetWidth(30),
		progressbar.OptionShowCount(),
		progressbar.OptionOnCompletion(func() { fmt.Fprintln(os.Stderr) }),
	)
}

func printJSON(c *cobra.Command, v any) error {
	enc := json.NewEncoder(c.OutOrStdout())
	return enc.Encode(v)
}

func newBlobCmd() *cobra.Command {
	c := &cobra.Command{
		Use:   "blob",
		Short: "Content-addressed blobs: put, get (from peers), serve, list",
	}
	c.AddCommand(newBlobPutCmd(), newBlobGetCmd(), newBlobServeCmd(), newBlobLsCmd(), newBlobShardCmd(), newBlobGCCmd())
	return c
}

type blobResult struct {
	CID       string  `json:"cid"`
	Size      int64   `json:"size"`
	Kind      string  `json:"kind"`
	Out       string  `json:"out,omitempty"`
	Source    string  `json:"source,omitempty"`
	Seconds   float64 `json:"seconds,omitempty"`    // put, get: the whole command
	MBPerSec  float64 `json:"mb_per_sec,omitempty"` // size / seconds
	Pinned    bool    `json:"pinned"`
	KeepUntil uint64  `json:"keep_until,omitempty"`
}

func result(info store.Info, el time.Duration) blobResult {
	r := blobResult{CID: info.CID.String(), Size: info.Size, Kind: info.Kind.String(), Seconds: el.Seconds(),
		Pinned: info.Retention.Pinned, KeepUntil: info.Retention.KeepUntil}
	if el > 0 {
		r.MBPerSec = float64(info.Size) / el.Seconds() / 1e6
	}
	return r
}

func newBlobPutCmd() *cobra.Command {
	var f blobFlags
	var keepUntil uint64
	c := &cobra.Command{
		Use:   "put FILE",
		Short: "Store a file in the node's blob store and print its CID",
		Long: `Store a file (- for standard input) in the node's content-addressed store
(under --home) and print its CID. A file of at most 1 MiB gets the IPFS raw CID of its bytes; a larger one
is cut into 1 MiB chunks under a DAG-CBOR manifest whose CID names it. The blob
is pinned unless --keep-until gives the last ledger height to keep it.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			in, size := c.InOrStdin(), int64(-1) // -1: unknown (a pipe)
			if args[0] != "-" {
				file, err := os.Open(args[0])
				if err != nil {
					return fmt.Errorf("cannot read %s: %w", args[0], err)
				}
				defer file.Close()
				in = file
			}
			if file, ok := in.(*os.File); ok {
				fi, err := file.Stat()
				if err != nil {
					return err
				}
				if fi.IsDir() {
					return fmt.Errorf("%s is a directory; blob put stores one file", args[0])
				}
				if fi.Mode().IsRegular() {
					size = fi.Size()
				}
			}
			s, err := f.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			ret := store.Pinned()
			if c.Flags().Changed("keep-until") {
				ret = store.Until(keepUntil)
			}
			r := in
			bar := f.bar(size, "storing")
			if bar != nil {
				pr := progressbar.NewReader(in, bar)
				r = &pr
			}
			start := time.Now()
			info, err := s.Put(r, ret)
			if err != nil {
				return err
			}
			if bar != nil {
				bar.Finish()
			}
			if f.jsonOut {
				return printJSON(c, result(info, time.Since(start)))
			}
			fmt.Fprintf(c.OutOrStdout(), "%s\t%d bytes\n", info.CID, info.Size)
			return nil
		},
	}
	f.register(c)
	c.Flags().Uint64Var(&keepUntil, "keep-until", 0, "keep the blob through this ledger height instead of pinning it")
	return c
}

func newBlobGetCmd() *cobra.Command {
	var f blobFlags
	var out string
	var peers []string
	var timeout time.Duration
	var useDHT bool
	c := &cobra.Command{
		Use:   "get CID --out FILE",
		Short: "Write a blob to a file, fetching it from peers if it is not local",
		Long: `Write blob CID to --out (- for standard output). If the node's store does not have it, fetch it from
the --peer nodes (multiaddrs ending in /p2p/<peer id>, as 'tangent blob serve'
prints): chunks come in parallel from every peer, each verified against its CID,
and are kept in the store (pinned). A CID naming an erasure-coded shard set is
rebuilt from any k shards.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if out == "" {
				return errors.New("--out FILE is required (--out - writes the blob to stdout)")
			}
			if out == "-" && f.jsonOut {
				return errors.New("--out - writes the blob to stdout, where --json would print its object too; give --out a file")
			}
			id, err := store.ParseCID(args[0])
			if err != nil {
				return err
			}
			if err := checkOutPath(out); err != nil {
				return err
			}
			s, err := f.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			start := time.Now()
			source := "local"
			info, err := s.Stat(id)
			if err != nil || !info.Complete || info.Kind == store.KindShards {
				if len(peers) == 0 && (err != nil || !info.Complete) {
					return fmt.Errorf("blob %s is not in the local store; pass --peer MULTIADDR of a node that has it (one running 'tangent blob serve')", id)
				}
				source = "peers"
				info, err = fetchFromPeers(c, &f, s, id, peers, timeout, useDHT)
				if err != nil {
					return err
				}
			}
			if err := writeBlob(s, info.CID, out, c.OutOrStdout()); err != nil {
				return err
			}
			if f.jsonOut {
				r := result(info, time.Since(start))
				r.Out, r.Source = out, source
				return printJSON(c, r)
			}
			summary := c.OutOrStdout()
			if out == "-" {
				summary = c.ErrOrStderr() // stdout carries the blob
			}
			fmt.Fprintf(summary, "%s\t%d bytes\t-> %s (%s)\n", info.CID, info.Size, out, source)
			return nil
		},
	}
	f.register(c)
	c.Flags().StringVar(&out, "out", "", "file to write, or - for standard output (required)")
	c.Flags().StringArrayVar(&peers, "peer", nil, "multiaddr of a provider, e.g. /ip4/127.0.0.1/tcp/4001/p2p/12D3Koo... (repeatable)")
	c.Flags().DurationVar(&timeout, "timeout", 30*time.Minute, "give up after this long")
	c.Flags().BoolVar(&useDHT, "dht", false, "also look providers up on the Tangent DHT, joined through the --peer nodes")
	return c
}

func fetchFromPeers(c *cobra.Command, f *blobFlags, s *store.Store, id cid.Cid, peers []string, timeout time.Duration, useDHT bool) (store.Info, error) {
	key, err := loadOrCreateKey(f.home)
	if err != nil {
		return store.Info{}, err
	}
	p2p.QuietLibp2pLogs()
	node, err := p2p.New(p2p.Config{Key: key, Store: s, NoListen: !useDHT, DHT: useDHT})
	if err != nil {
		return store.Info{}, err
	}
	defer node.Close()
	ctx, cancel := context.WithTimeout(c.Context(), timeout)
	defer cancel()
	var reached int
	var errs []error
	for _, a := range peers {
		ai, err := p2p.ParseAddr(a)
		if err != nil {
			return store.Info{}, err
		}
		if err := node.Connect(ctx, ai); err != nil {
			errs = append(errs, err)
			continue
		}
		reached++
	}
	if reached == 0 && len(peers) > 0 {
		return store.Info{}, fmt.Errorf("could not reach any peer: %w", errors.Join(errs...))
	}
	if useDHT {
		wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		err := node.WaitDHT(wctx, 1)
		cancel()
		if err != nil {
			return store.Info{}, err
		}
	}
	var bar *progressbar.ProgressBar
	var last p2p.Progress
	info, err := node.Fetch(ctx, id, p2p.FetchOptions{
		Retention: store.Pinned(),
		Progress: func(p p2p.Progress) {
			last = p
			if bar == nil {
				bar = f.bar(p.Total, "fetching")
				if bar == nil {
					return
				}
			}
			bar.Set64(p.Done)
			bar.Describe(fmt.Sprintf("fetching from %d peers", p.Providers))
		},
	})
	if bar != nil {
		bar.Finish()
	}
	if err != nil && ctx.Err() != nil {
		got := ""
		if last.Total > 0 {
			got = fmt.Sprintf(" with %d of %d bytes fetched", last.Done, last.Total)
		}
		why := fmt.Sprintf("gave up after --timeout %s", timeout)
		if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
			why = "interrupted"
		}
		return info, fmt.Errorf("fetching %s: %s%s; the chunks fetched so far are kept: run the same 'blob get' again to resume", id, why, got)
	}
	return info, err
}

// checkOutPath fails early, before any transfer, when path cannot be
// written: its directory is missing or it is a directory itself.
func checkOutPath(path string) error {
	if path == "-" {
		return nil
	}
	if fi, err := os.Stat(path); err == nil && fi.IsDir() {
		return fmt.Errorf("--out %s is a directory; give the path of the file to write", path)
	}
	dir := filepath.Dir(path)
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("--out %s: directory %s does not exist; create it first", path, dir)
	}
	if !fi.IsDir() {
		return fmt.Errorf("--out %s: %s is not a directory", path, dir)
	}
	return nil
}

// writeBlob writes blob c to path atomically (a temporary file, created
// with the usual permissions under the umask, renamed), or to w if path is
// "-".
func writeBlob(s *store.Store, c cid.Cid, path string, w io.Writer) error {
	r, err := s.Get(c)
	if err != nil {
		return err
	}
	defer r.Close()
	if path == "-" {
		if _, err := r.WriteTo(w); err != nil {
			return fmt.Errorf("cannot write the blob to stdout: %w", err)
		}
		return nil
	}
	var rnd [6]byte
	rand.Read(rnd[:])
	name := filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+"."+hex.EncodeToString(rnd[:])+".tmp")
	tmp, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o666)
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	_, err = r.WriteTo(tmp)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}

func newBlobServeCmd() *cobra.Command {
	var f blobFlags
	var listen, bootstrap []string
	var useDHT bool
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve the node's blobs to peers until interrupted",
		Long: `Run a blob provider: a libp2p host (the node's ed25519 key as its identity)
serving every blob of the store under --home over /tangent/blob/1.0.0, until
SIGINT or SIGTERM. It prints the multiaddrs other nodes pass to 'blob get --peer'.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := f.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			key, err := loadOrCreateKey(f.home)
			if err != nil {
				return err
			}
			p2p.QuietLibp2pLogs()
			boot, err := parseAddrs(bootstrap)
			if err != nil {
				return err
			}
			node, err := p2p.New(p2p.Config{Key: key, Store: s, ListenAddrs: listen, DHT: useDHT, Peers: boot})
			if err != nil {
				return err
			}
			defer node.Close()
			if useDHT {
				for _, ai := range boot {
					if err := node.Connect(c.Context(), ai); err != nil {
						fmt.Fprintln(c.ErrOrStderr(), "warning:", err)
					}
				}
				go announce(c.Context(), node, c.ErrOrStderr())
			}
			var addrs []string
			for _, a := range node.Addrs() {
				addrs = append(addrs, a.String())
			}
			if f.jsonOut {
				if err := printJSON(c, map[string]any{"peer_id": node.ID().String(), "addrs": addrs, "blobs": len(s.List())}); err != nil {
					return err
				}
			} else {
				fmt.Fprintf(c.OutOrStdout(), "serving %d blobs as %s\n", len(s.List()), node.ID())
				for _, a := range addrs {
					fmt.Fprintf(c.OutOrStdout(), "  --peer %s\n", a)
				}
				fmt.Fprintln(c.ErrOrStderr(), "press Ctrl-C to stop")
			}
			<-c.Context().Done()
			return nil
		},
	}
	f.register(c)
	c.Flags().StringArrayVar(&listen, "listen", []string{"/ip4/127.0.0.1/tcp/0"}, "multiaddr to listen on (repeatable), e.g. /ip4/0.0.0.0/tcp/4001")
	c.Flags().BoolVar(&useDHT, "dht", false, "join the Tangent DHT and announce every blob of the store")
	c.Flags().StringArrayVar(&bootstrap, "bootstrap", nil, "multiaddr of a DHT peer to join through (repeatable)")
	return c
}

func newBlobLsCmd() *cobra.Command {
	var f blobFlags
	c := &cobra.Command{
		Use:   "ls",
		Short: "List the blobs in the node's store",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			s, err := f.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			list := s.List()
			partials := s.Partials()
			used, quota := s.Usage()
			if f.jsonOut {
				rs := []blobResult{}
				for _, info := range list {
					rs = append(rs, result(info, 0))
				}
				ps := []partialResult{}
				for _, p := range partials {
					ps = append(ps, partialResult{CID: p.CID.String(), Present: p.Present, Blocks: p.Blocks, KeepUntil: p.KeepUntil})
				}
				return printJSON(c, map[string]any{"blobs": rs, "partial": ps, "used": used, "quota": quota})
			}
			for _, info := range list {
				keep := "pinned"
				if !info.Retention.Pinned {
					keep = fmt.Sprintf("until height %d", info.Retention.KeepUntil)
				}
				state := ""
				if !info.Complete {
					state = "\tINCOMPLETE"
				}
				fmt.Fprintf(c.OutOrStdout(), "%s\t%s\t%d bytes\t%s%s\n", info.CID, info.Kind, info.Size, keep, state)
			}
			for _, p := range partials {
				keep := "until the next gc's height + the grace"
				if p.KeepUntil > 0 {
					keep = fmt.Sprintf("until height %d", p.KeepUntil)
				}
				fmt.Fprintf(c.OutOrStdout(), "%s\tPARTIAL fetch\t%d of %d blocks\t%s (blob get again resumes it)\n", p.CID, p.Present, p.Blocks, keep)
			}
			fmt.Fprintf(c.OutOrStdout(), "%d blobs, %d bytes used of %d\n", len(list), used, quota)
			return nil
		},
	}
	f.register(c)
	return c
}

// loadOrCreateKey returns the node's p2p identity from home/p2p_key (hex of
// the 32-byte ed25519 seed), creating it on first use. The node composition
// root will pass the node's own key instead.
func loadOrCreateKey(home string) (ed25519.PrivateKey, error) {
	path := filepath.Join(home, p2pKeyFile)
	b, err := os.ReadFile(path)
	if err == nil {
		seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(seed) != ed25519.SeedSize {
			return nil, fmt.Errorf("%s is not a hex ed25519 seed; delete it to get a new identity", path)
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	seed := make([]byte, ed25519.SeedSize)
	if _, err := rand.Read(seed); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(path, []byte(hex.EncodeToString(seed)+"\n"), 0o600); err != nil {
		return nil, err
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

func parseAddrs(ss []string) ([]peer.AddrInfo, error) {
	var out []peer.AddrInfo
	for _, a := range ss {
		ai, err := p2p.ParseAddr(a)
		if err != nil {
			return nil, err
		}
		out = append(out, ai)
	}
	return out, nil
}

// announce provides the store's blobs on the DHT once it has a peer, then
// every 10 minutes (provider records expire).
func announce(ctx context.Context, n *p2p.Node, log io.Writer) {
	for {
		if err := n.WaitDHT(ctx, 1); err != nil {
			return
		}
		if err := n.ProvideAll(ctx); err != nil && ctx.Err() == nil {
			fmt.Fprintln(log, "warning: announcing blobs on the DHT:", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Minute):
		}
	}
}

func newBlobShardCmd() *cobra.Command {
	var f blobFlags
	var k, m int
	c := &cobra.Command{
		Use:   "shard CID --k K --m M",
		Short: "Erasure-code a stored blob into k+m shards (any k rebuild it)",
		Long: `Erasure-code blob CID of the local store (Reed-Solomon) into k data and m
parity shards, each stored as a blob, plus a shard manifest whose CID names the
set. Give each provider one shard; 'blob get SET_CID' on any node rebuilds the
blob from any k of them.`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			id, err := store.ParseCID(args[0])
			if err != nil {
				return err
			}
			s, err := f.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			set, sm, err := s.EncodeShards(id, k, m, store.Pinned())
			if err != nil {
				return err
			}
			var shards []string
			for _, sc := range sm.Shards {
				shards = append(shards, sc.String())
			}
			if f.jsonOut {
				return printJSON(c, map[string]any{"set": set.String(), "cid": id.String(), "k": k, "m": m, "shards": shards, "shard_size": sm.ShardSize()})
			}
			fmt.Fprintf(c.OutOrStdout(), "shard set %s (%d+%d shards of %d bytes)\n", set, k, m, sm.ShardSize())
			for j, sc := range shards {
				fmt.Fprintf(c.OutOrStdout(), "  shard %d\t%s\n", j, sc)
			}
			return nil
		},
	}
	f.register(c)
	c.Flags().IntVar(&k, "k", 6, "data shards")
	c.Flags().IntVar(&m, "m", 4, "parity shards")
	return c
}

type partialResult struct {
	CID       string `json:"cid"`
	Present   int    `json:"present_blocks"`
	Blocks    int    `json:"blocks"`
	KeepUntil uint64 `json:"keep_until"`
}

func newBlobGCCmd() *cobra.Command {
	var f blobFlags
	var height uint64
	c := &cobra.Command{
		Use:   "gc --height H",
		Short: "Drop blobs kept only through a height below H, and unreferenced blocks",
		Long: `Garbage-collect the node's store at ledger height --height: drop every blob
that is not pinned and whose keep-until height is below it, stamp the blocks of
interrupted fetches with a grace period (they are kept for the store's partial
grace after the first gc that sees them, so that 'blob get' can resume), drop
those past it, and delete the blocks no kept blob needs.`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if !c.Flags().Changed("height") {
				return errors.New("--height H is required: the current ledger height")
			}
			s, err := f.openStore()
			if err != nil {
				return err
			}
			defer s.Close()
			st, err := s.GC(height)
			if err != nil {
				return err
			}
			if f.jsonOut {
				return printJSON(c, map[string]any{"height": height, "blobs": st.Blobs, "partials": st.Partials, "blocks": st.Blocks, "bytes": st.Bytes})
			}
			fmt.Fprintf(c.OutOrStdout(), "dropped %d blobs and %d partial fetches: %d blocks, %d bytes\n", st.Blobs, st.Partials, st.Blocks, st.Bytes)
			return nil
		},
	}
	f.register(c)
	c.Flags().Uint64Var(&height, "height", 0, "the current ledger height (required)")
	return c
}
