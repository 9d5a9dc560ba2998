package p2p_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"

	"tangent/p2p"
	"tangent/p2p/p2ptest"
	"tangent/store"
	"tangent/store/storetest"
)

func put(t testing.TB, s *store.Store, seed uint64, size int) (store.Info, []byte) {
	t.Helper()
	data := storetest.Bytes(seed, size)
	info, err := s.PutBytes(data, store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	return info, data
}

// commitment returns the availability commitment of the blob with cid c
// stored in s (a blob larger than one chunk, so it has a manifest).
func commitment(t testing.TB, s *store.Store, c cid.Cid) store.Commitment {
	t.Helper()
	m, err := s.Manifest(c)
	if err != nil {
		t.Fatal(err)
	}
	return store.CommitmentOf(&m)
}

func digestOf(t testing.TB, s *store.Store, c cid.Cid) [32]byte {
	t.Helper()
	r, err := s.Get(c)
	if err != nil {
		t.Fatalf("Get %s: %v", c, err)
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		t.Fatal(err)
	}
	var d [32]byte
	h.Sum(d[:0])
	return d
}

func ctxT(t testing.TB, d time.Duration) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	t.Cleanup(cancel)
	return ctx
}

func TestPeerIDIsTheAccountKey(t *testing.T) {
	pub, priv, _ := ed25519.GenerateKey(rand.Reader)
	id, err := p2p.PeerIDFromPubKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	back, err := p2p.PubKeyFromPeerID(id)
	if err != nil || !bytes.Equal(back, pub) {
		t.Fatalf("round trip: %v", err)
	}
	n := p2ptest.NewNode(t, func(c *p2p.Config) { c.Key = priv })
	if n.ID() != id {
		t.Fatalf("node with key %x has peer ID %s, want %s", pub, n.ID(), id)
	}
	if _, err := p2p.PubKeyFromPeerID(peer.ID("not a peer id")); !errors.Is(err, p2p.ErrNotEd25519) {
		t.Fatalf("bad peer ID: %v", err)
	}
}

// TestTransfer100MiB moves a 100 MiB blob between two real libp2p hosts on
// 127.0.0.1 and checks it arrives byte-identical.
func TestTransfer100MiB(t *testing.T) {
	size := 100 << 20
	if testing.Short() {
		size = 8 << 20
	}
	a := p2ptest.NewNode(t, nil)
	b := p2ptest.NewNode(t, nil)
	info, data := put(t, a.Store(), 1, size)
	want := sha256.Sum256(data)
	data = nil
	b.AddPeer(a.AddrInfo())
	var last p2p.Progress
	start := time.Now()
	got, err := b.Fetch(ctxT(t, 3*time.Minute), info.CID, p2p.FetchOptions{
		Retention: store.Pinned(),
		Progress:  func(p p2p.Progress) { last = p },
	})
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(start)
	t.Logf("%d MiB in %v: %.0f MB/s", size>>20, el, float64(size)/el.Seconds()/1e6)
	if got.CID != info.CID || got.Size != int64(size) || !got.Complete {
		t.Fatalf("fetched %+v", got)
	}
	if last.Done != int64(size) || last.Total != int64(size) {
		t.Fatalf("last progress %+v", last)
	}
	if digestOf(t, b.Store(), info.CID) != want {
		t.Fatal("fetched bytes differ")
	}
	// A second fetch is local.
	if _, err := b.Fetch(ctxT(t, time.Second), info.CID, p2p.FetchOptions{Retention: store.Pinned()}); err != nil {
		t.Fatal(err)
	}
}

func TestSmallBlobAndNotFound(t *testing.T) {
	a := p2ptest.NewNode(t, nil)
	b := p2ptest.NewNode(t, nil)
	info, _ := put(t, a.Store(), 2, 1000)
	b.AddPeer(a.AddrInfo())
	got, err := b.Fetch(ctxT(t, 30*time.Second), info.CID, p2p.FetchOptions{Retention: store.Pinned()})
	if err != nil || got.CID != info.CID || got.Kind != store.KindRaw {
		t.Fatalf("small blob: %+v %v", got, err)
	}
	missing := store.RawCID([]byte("nobody has this"))
	_, err = b.Fetch(ctxT(t, 30*time.Second), missing, p2p.FetchOptions{})
	var fe *p2p.FetchError
	if !errors.As(err, &fe) || fe.Missing != -1 {
		t.Fatalf("fetch of a missing blob: %v", err)
	}
	t.Logf("error text: %v", err)
	c := p2ptest.NewNode(t, nil)
	if _, err := c.Fetch(ctxT(t, time.Second), missing, p2p.FetchOptions{}); !errors.Is(err, p2p.ErrNoProviders) {
		t.Fatalf("fetch without providers: %v", err)
	}
}

// TestLyingProviderIsRejected: a provider serves corrupt chunks; each is
// rejected on arrival, fetched from an honest provider instead, and the
// liar is banned.
func TestLyingProviderIsRejected(t *testing.T) {
	honest := p2ptest.NewNode(t, nil)
	info, data := put(t, honest.Store(), 3, 24<<20+5)
	liarStore := p2ptest.NewStore(t, nil)
	if _, err := liarStore.PutBytes(data, store.Pinned()); err != nil {
		t.Fatal(err)
	}
	lying := &p2ptest.Lying{Store: liarStore, Corrupt: func(c cid.Cid) bool { return c.Type() == store.CodecRaw }}
	liar := p2ptest.NewNode(t, func(c *p2p.Config) { c.Store = liarStore; c.Source = lying })
	b := p2ptest.NewNode(t, nil)
	b.AddPeer(liar.AddrInfo())
	b.AddPeer(honest.AddrInfo())
	got, err := b.Fetch(ctxT(t, 2*time.Minute), info.CID, p2p.FetchOptions{
		Providers: []peer.ID{liar.ID(), honest.ID()},
		Retention: store.Pinned(),
	})
	if err != nil {
		t.Fatal(err)
	}
	if got.CID != info.CID || digestOf(t, b.Store(), info.CID) != sha256.Sum256(data) {
		t.Fatal("fetched bytes differ")
	}
	if lying.Lies.Load() == 0 {
		t.Fatal("the liar was never asked for a chunk: the test proves nothing")
	}
	if !b.Scores().Banned(liar.ID()) {
		t.Fatalf("liar not banned: score %d", b.Scores().Score(liar.ID()))
	}
	if b.Scores().Score(honest.ID()) <= 0 {
		t.Fatalf("honest provider scored %d", b.Scores().Score(honest.ID()))
	}
	t.Logf("liar served %d blocks, %d corrupt; penalties: %v", lying.Served.Load(), lying.Lies.Load(), b.Scores().Events(liar.ID()))
	// Banned: the gater refuses it.
	if err := b.Connect(ctxT(t, 5*time.Second), liar.AddrInfo()); err == nil {
		t.Fatal("a banned peer could connect again")
	}
}

func TestLyingRootIsRejected(t *testing.T) {
	honest := p2ptest.NewNode(t, nil)
	info, data := put(t, honest.Store(), 4, 3<<20)
	liarStore := p2ptest.NewStore(t, nil)
	liarStore.PutBytes(data, store.Pinned())
	lying := &p2ptest.Lying{Store: liarStore, Corrupt: func(c cid.Cid) bool { return c == info.CID }}
	liar := p2ptest.NewNode(t, func(c *p2p.Config) { c.Store = liarStore; c.Source = lying })
	b := p2ptest.NewNode(t, nil)
	b.AddPeer(liar.AddrInfo())
	b.AddPeer(honest.AddrInfo())
	got, err := b.Fetch(ctxT(t, time.Minute), info.CID, p2p.FetchOptions{Providers: []peer.ID{liar.ID(), honest.ID()}, Retention: store.Pinned()})
	if err != nil || got.CID != info.CID {
		t.Fatalf("%v", err)
	}
	if lying.Lies.Load() != 1 || !b.Scores().Banned(liar.ID()) {
		t.Fatalf("lies %d, banned %v", lying.Lies.Load(), b.Scores().Banned(liar.ID()))
	}
}

// TestProviderKilledMidTransfer: one of two providers dies a third of the
// way through; the transfer completes from the other.
func TestProviderKilledMidTransfer(t *testing.T) {
	a := p2ptest.NewNode(t, nil)
	info, data := put(t, a.Store(), 5, 48<<20)
	cStore := p2ptest.NewStore(t, nil)
	cStore.PutBytes(data, store.Pinned())
	counting := &p2ptest.Counting{Store: cStore}
	// The survivor is slow, so that the victim is mid-transfer when it dies.
	c := p2ptest.NewNode(t, func(cfg *p2p.Config) {
		cfg.Store, cfg.Source = cStore, counting
		cfg.Limits.BytesPerSecPerPeer = 40 << 20
		cfg.Limits.BurstPerPeer = 1 << 20
	})
	b := p2ptest.NewNode(t, nil)
	b.AddPeer(a.AddrInfo())
	b.AddPeer(c.AddrInfo())
	var once sync.Once
	var killedAt atomic.Int64
	got, err := b.Fetch(ctxT(t, 2*time.Minute), info.CID, p2p.FetchOptions{
		Retention: store.Pinned(),
		Progress: func(p p2p.Progress) {
			if p.Done > p.Total/3 {
				once.Do(func() {
					killedAt.Store(p.Done)
					go a.Close()
				})
			}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if killedAt.Load() == 0 || killedAt.Load() >= int64(len(data)) {
		t.Fatalf("the provider was not killed mid-transfer (at %d)", killedAt.Load())
	}
	if got.CID != info.CID || digestOf(t, b.Store(), info.CID) != sha256.Sum256(data) {
		t.Fatal("fetched bytes differ")
	}
	if counting.Served() == 0 {
		t.Fatal("the survivor served nothing")
	}
	t.Logf("killed at %d of %d bytes; the survivor served %d blocks", killedAt.Load(), len(data), counting.Served())
}

// TestResume: a fetch cancelled halfway leaves its verified chunks; the next
// fetch gets only the rest.
func TestResume(t *testing.T) {
	aStore := p2ptest.NewStore(t, nil)
	info, data := put(t, aStore, 6, 20<<20)
	counting := &p2ptest.Counting{Store: aStore}
	a := p2ptest.NewNode(t, func(c *p2p.Config) { c.Store, c.Source = aStore, counting })
	b := p2ptest.NewNode(t, nil)
	b.AddPeer(a.AddrInfo())
	ctx, cancel := context.WithCancel(context.Background())
	_, err := b.Fetch(ctx, info.CID, p2p.FetchOptions{
		Retention: store.Pinned(),
		Progress: func(p p2p.Progress) {
			if p.Done >= p.Total/2 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled fetch: %v", err)
	}
	first := counting.Served()
	if _, err := b.Fetch(ctxT(t, time.Minute), info.CID, p2p.FetchOptions{Retention: store.Pinned()}); err != nil {
		t.Fatal(err)
	}
	second := counting.Served() - first
	if second >= 21 || first+second > 21+2*8+2 {
		t.Fatalf("served %d blocks then %d more for a blob of 21 blocks", first, second)
	}
	if digestOf(t, b.Store(), info.CID) != sha256.Sum256(data) {
		t.Fatal("resumed fetch gave different bytes")
	}
	t.Logf("first fetch served %d blocks, resumed fetch %d", first, second)
}

// TestRebuildFromShardsOver10Providers: a blob is erasure-coded 6+4 over 10
// providers; the origin and 4 providers go away; a new node fetches the
// shard set from the 6 left and rebuilds the blob.
func TestRebuildFromShardsOver10Providers(t *testing.T) {
	const k, m = 6, 4
	origin := p2ptest.NewNode(t, nil)
	info, data := put(t, origin.Store(), 7, 30<<20+123)
	set, sm, err := origin.Store().EncodeShards(info.CID, k, m, store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	provs := make([]*p2p.Node, k+m)
	for j := range provs {
		provs[j] = p2ptest.NewNode(t, nil)
		provs[j].AddPeer(origin.AddrInfo())
		ctx := ctxT(t, time.Minute)
		if _, err := provs[j].Fetch(ctx, set, p2p.FetchOptions{ManifestOnly: true, Retention: store.Pinned()}); err != nil {
			t.Fatalf("provider %d: shard manifest: %v", j, err)
		}
		if _, err := provs[j].Fetch(ctx, sm.Shards[j], p2p.FetchOptions{Retention: store.Pinned()}); err != nil {
			t.Fatalf("provider %d: shard: %v", j, err)
		}
		if provs[j].Store().Has(info.CID) {
			t.Fatal("a provider holds the whole blob")
		}
	}
	origin.Close()
	for _, j := range []int{0, 3, 7, 9} { // m shards gone, data and parity
		provs[j].Close()
	}
	n := p2ptest.NewNode(t, nil)
	for _, p := range provs {
		n.AddPeer(p.AddrInfo())
	}
	got, err := n.Fetch(ctxT(t, 2*time.Minute), set, p2p.FetchOptions{Retention: store.Pinned(), Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if got.CID != info.CID || digestOf(t, n.Store(), info.CID) != sha256.Sum256(data) {
		t.Fatal("rebuilt blob differs")
	}
	// With one more provider gone, there are not enough shards.
	provs[1].Close()
	n2 := p2ptest.NewNode(t, nil)
	for _, p := range provs {
		n2.AddPeer(p.AddrInfo())
	}
	_, err = n2.Fetch(ctxT(t, 2*time.Minute), set, p2p.FetchOptions{Timeout: 5 * time.Second})
	var ne *store.NotEnoughShardsError
	if !errors.As(err, &ne) || ne.Have != k-1 {
		t.Fatalf("with %d shards left: %v", k-1, err)
	}
}

func TestAvailabilityChallengeOverTheWire(t *testing.T) {
	a := p2ptest.NewNode(t, nil)
	info, data := put(t, a.Store(), 8, 9<<20+7)
	com := commitment(t, a.Store(), info.CID)
	b := p2ptest.NewNode(t, nil)
	b.AddPeer(a.AddrInfo())
	ch := store.Challenge{Seed: sha256.Sum256([]byte("block 1234")), Count: 4, Deadline: 1240}
	proof, err := b.Challenge(ctxT(t, 30*time.Second), a.ID(), info.CID, ch, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.CheckProof(com, ch, proof, 1235); err != nil {
		t.Fatalf("honest provider failed: %v", err)
	}
	if err := store.CheckProof(com, ch, proof, 1241); err == nil {
		t.Fatal("late answer accepted")
	}
	// A provider that lost (or garbled) a chunk fails.
	ls := p2ptest.NewStore(t, nil)
	ls.PutBytes(data, store.Pinned())
	liar := p2ptest.NewNode(t, func(c *p2p.Config) {
		c.Store = ls
		c.Source = lyingProver{ls}
	})
	b.AddPeer(liar.AddrInfo())
	proof, err = b.Challenge(ctxT(t, 30*time.Second), liar.ID(), info.CID, ch, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	var pe *store.ProofError
	if err := store.CheckProof(com, ch, proof, 1235); !errors.As(err, &pe) || pe.Fault != store.FaultBadPath {
		t.Fatalf("garbled proof: %v", err)
	}
	// Not holding the blob at all: an error answer.
	c := p2ptest.NewNode(t, nil)
	b.AddPeer(c.AddrInfo())
	if _, err := b.Challenge(ctxT(t, 30*time.Second), c.ID(), info.CID, ch, 10*time.Second); err == nil {
		t.Fatal("a provider without the blob produced a proof")
	}
}

type lyingProver struct{ *store.Store }

func (l lyingProver) Prove(c cid.Cid, ch store.Challenge) (store.Proof, error) {
	p, err := l.Store.Prove(c, ch)
	if err == nil && len(p.Chunks) > 1 {
		p.Chunks[1].Data = append([]byte(nil), p.Chunks[1].Data...)
		p.Chunks[1].Data[0] ^= 1
	}
	return p, err
}

func TestRateLimitPerPeer(t *testing.T) {
	a := p2ptest.NewNode(t, func(c *p2p.Config) {
		c.Limits.BytesPerSecPerPeer = 8 << 20
		c.Limits.BurstPerPeer = 2 << 20
	})
	info, _ := put(t, a.Store(), 9, 10<<20)
	b := p2ptest.NewNode(t, nil)
	b.AddPeer(a.AddrInfo())
	start := time.Now()
	if _, err := b.Fetch(ctxT(t, time.Minute), info.CID, p2p.FetchOptions{Retention: store.Pinned()}); err != nil {
		t.Fatal(err)
	}
	// 10 MiB at 8 MiB/s with a 2 MiB burst: at least one second.
	if el := time.Since(start); el < 900*time.Millisecond {
		t.Fatalf("10 MiB at 8 MiB/s took only %v", el)
	}
}

// TestResumeAfterRestart: a fetch interrupted halfway, then the fetching
// node restarts (store closed and reopened) and garbage-collects: the
// chunks it had are kept (store.Batch.KeepPartial) and the next fetch gets
// only the rest.
func TestResumeAfterRestart(t *testing.T) {
	aStore := p2ptest.NewStore(t, nil)
	info, data := put(t, aStore, 7, 20<<20)
	counting := &p2ptest.Counting{Store: aStore}
	a := p2ptest.NewNode(t, func(c *p2p.Config) { c.Store, c.Source = aStore, counting })
	dir := t.TempDir()
	open := func() *store.Store {
		s, err := store.Open(dir, store.Options{NoSync: true, Logger: p2ptest.Quiet, PartialGrace: 5})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	bs := open()
	b := p2ptest.NewNode(t, func(c *p2p.Config) { c.Store = bs })
	b.AddPeer(a.AddrInfo())
	ctx, cancel := context.WithCancel(context.Background())
	_, err := b.Fetch(ctx, info.CID, p2p.FetchOptions{
		Retention: store.Pinned(),
		Progress: func(p p2p.Progress) {
			if p.Done >= p.Total/2 {
				cancel()
			}
		},
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled fetch: %v", err)
	}
	b.Close()
	bs.Close()
	// Requests the cancelled fetch had pipelined may still reach a's store
	// after the cancel: count them with the first fetch.
	first := counting.Served()
	for settled := time.Now(); time.Since(settled) < 100*time.Millisecond; time.Sleep(5 * time.Millisecond) {
		if n := counting.Served(); n != first {
			first, settled = n, time.Now()
		}
	}

	bs = open()
	for h := uint64(1); h <= 6; h++ { // through the grace: 1+5
		if st, err := bs.GC(h); err != nil || st.Blocks != 0 {
			t.Fatalf("GC(%d) after the restart: %+v %v", h, st, err)
		}
	}
	ps := bs.Partials()
	if len(ps) != 1 || ps[0].Present < 10 || ps[0].Blocks != 21 {
		t.Fatalf("partial fetch after restart and GC: %+v", ps)
	}
	present := ps[0].Present // the manifest and the chunks stored
	b = p2ptest.NewNode(t, func(c *p2p.Config) { c.Store = bs })
	b.AddPeer(a.AddrInfo())
	if _, err := b.Fetch(ctxT(t, time.Minute), info.CID, p2p.FetchOptions{Retention: store.Pinned()}); err != nil {
		t.Fatal(err)
	}
	// The resumed fetch asks for the root again, then only for the chunks
	// that are missing.
	second := counting.Served() - first
	if second > 21-present+1 {
		t.Fatalf("served %d blocks, then %d more after the restart, for a blob of 21 blocks of which %d were stored", first, second, present)
	}
	if len(bs.Partials()) != 0 {
		t.Fatal("partial record kept after the fetch completed")
	}
	if digestOf(t, bs, info.CID) != sha256.Sum256(data) {
		t.Fatal("resumed fetch gave different bytes")
	}
	t.Logf("first fetch served %d blocks, after the restart %d", first, second)
}
