package p2p_test

import (
	"bufio"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/network"

	"tangent/p2p"
	"tangent/p2p/p2ptest"
	"tangent/store"
)

// serveInconsistentBlob makes node a serve, by hand, a blob whose manifest
// lists a 10-byte chunk 0 for a 3-chunk blob of MinChunkSize chunks: the
// chunk matches its CID, yet no provider can ever deliver the 4 KiB chunk 0
// the manifest's size requires. (The store refuses to commit such a blob,
// so a is a hand-made server, as a malicious provider would be.)
func serveInconsistentBlob(t *testing.T, a *p2p.Node) cid.Cid {
	t.Helper()
	cs := store.MinChunkSize
	chunks := [][]byte{make([]byte, 10), make([]byte, cs), make([]byte, cs)}
	chunks[1][0], chunks[2][0] = 1, 2
	blocks := map[cid.Cid][]byte{}
	var ds []store.Digest
	for _, c := range chunks {
		ds = append(ds, sha256.Sum256(c))
		blocks[store.RawCID(c)] = c
	}
	m, err := store.NewManifest(int64(3*cs), cs, ds)
	if err != nil {
		t.Fatal(err)
	}
	blocks[m.CID()] = m.Encode()
	serveByHand(a, func(req p2p.Request) []byte {
		d, ok := blocks[req.CID]
		if !ok {
			return p2p.AppendError(nil, p2p.CodeNotFound, "not found")
		}
		return append(p2p.AppendBlockHeader(nil, len(d)), d...)
	})
	return m.CID()
}

// serveByHand replaces a's protocol handler with one that answers each
// request with answer's bytes, as a malicious provider may.
func serveByHand(a *p2p.Node, answer func(p2p.Request) []byte) {
	a.Host().SetStreamHandler(p2p.ProtocolID, func(s network.Stream) {
		br := bufio.NewReader(s)
		for {
			req, err := p2p.ReadRequest(br)
			if err != nil {
				s.Reset()
				return
			}
			s.Write(answer(req))
		}
	})
}

// A chunk whose length is not what the manifest requires is refused, even
// if it matches its CID: the fetch fails with a clear error instead of
// storing a "complete" blob that breaks its readers.
func TestFetchRejectsChunkOfWrongLength(t *testing.T) {
	a := p2ptest.NewNode(t, nil)
	b := p2ptest.NewNode(t, nil)
	root := serveInconsistentBlob(t, a)
	b.AddPeer(a.AddrInfo())
	_, err := b.Fetch(ctxT(t, 10*time.Second), root, p2p.FetchOptions{Retention: store.Pinned(), Timeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "inconsistent manifest") {
		t.Fatalf("fetch of an inconsistent manifest: err = %v, want an inconsistent-manifest error", err)
	}
	if st, err := b.Store().Stat(root); err == nil && st.Complete {
		t.Fatalf("inconsistent blob stored as complete: %+v", st)
	}
}

// Proofs cost the requester like blocks: their bytes are charged to its
// rate-limit bucket (they were free, so one small Prove request could make
// a node read and send 16 MiB).
func TestProofsAreRateLimited(t *testing.T) {
	a := p2ptest.NewNode(t, func(c *p2p.Config) {
		c.Limits.BytesPerSecPerPeer = 16 << 20
		c.Limits.BurstPerPeer = 1 << 20
	})
	info, _ := put(t, a.Store(), 11, 8<<20)
	com := commitment(t, a.Store(), info.CID)
	b := p2ptest.NewNode(t, nil)
	b.AddPeer(a.AddrInfo())
	start := time.Now()
	for i := range 2 {
		ch := store.Challenge{Seed: sha256.Sum256([]byte{byte(i)}), Count: 8, Deadline: 10}
		proof, err := b.Challenge(ctxT(t, 30*time.Second), a.ID(), info.CID, ch, 10*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CheckProof(com, ch, proof, 5); err != nil {
			t.Fatalf("honest proof %d: %v", i, err)
		}
	}
	// 16 MiB of proofs at 16 MiB/s with a 1 MiB burst: about a second.
	if el := time.Since(start); el < 700*time.Millisecond {
		t.Fatalf("16 MiB of proofs at 16 MiB/s took only %v", el)
	}
}

// A provider that answers every chunk request Busy is given up after a few
// tries per chunk: the fetch fails instead of running until its context
// ends.
func TestFetchGivesUpOnBusyForever(t *testing.T) {
	a := p2ptest.NewNode(t, nil)
	b := p2ptest.NewNode(t, nil)
	info, _ := put(t, a.Store(), 7, 3<<20)
	// a serves the root honestly, then answers every chunk request Busy.
	serveByHand(a, func(req p2p.Request) []byte {
		if req.CID == info.CID {
			d, _ := a.Store().Block(req.CID)
			return append(p2p.AppendBlockHeader(nil, len(d)), d...)
		}
		return p2p.AppendError(nil, p2p.CodeBusy, "busy")
	})
	b.AddPeer(a.AddrInfo())
	start := time.Now()
	_, err := b.Fetch(ctxT(t, 10*time.Second), info.CID, p2p.FetchOptions{Timeout: time.Second})
	var fe *p2p.FetchError
	if !errors.As(err, &fe) || fe.Missing != 3 {
		t.Fatalf("fetch from an always-busy provider: %v, want a FetchError with 3 chunks missing", err)
	}
	if el := time.Since(start); el > 5*time.Second {
		t.Fatalf("gave up after %v", el)
	}
	if sc := b.Scores().Score(a.ID()); sc >= 0 {
		t.Fatalf("always-busy provider scored %d, want below 0", sc)
	}
}

// A peer that pipelines requests and never reads the answers loses its
// stream after IdleTimeout: it held the stream, a goroutine and a block
// buffer forever.
func TestServerResetsStreamThatDoesNotRead(t *testing.T) {
	a := p2ptest.NewNode(t, func(c *p2p.Config) { c.Limits.IdleTimeout = time.Second })
	b := p2ptest.NewNode(t, nil)
	info, _ := put(t, a.Store(), 9, 1<<20) // one 1 MiB raw block
	if err := b.Connect(ctxT(t, 5*time.Second), a.AddrInfo()); err != nil {
		t.Fatal(err)
	}
	s, err := b.Host().NewStream(ctxT(t, 5*time.Second), a.ID(), p2p.ProtocolID)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Reset()
	var req []byte
	for range 40 {
		req = p2p.AppendRequest(req, p2p.Request{Type: p2p.MsgGetBlock, CID: info.CID})
	}
	if _, err := s.Write(req); err != nil { // and never read
		t.Fatal(err)
	}
	open := func() int {
		k := 0
		for _, c := range a.Host().Network().ConnsToPeer(b.ID()) {
			k += len(c.GetStreams())
		}
		return k
	}
	for deadline := time.Now().Add(6 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		if open() == 0 {
			return
		}
	}
	t.Fatalf("%d server-side streams from a peer that does not read still open 6s later (IdleTimeout 1s)", open())
}
