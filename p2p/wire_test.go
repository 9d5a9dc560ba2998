package p2p_test

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/network"

	"tangent/p2p"
	"tangent/p2p/p2ptest"
	"tangent/store"
	"tangent/verify/merkle"
)

func frame(typ byte, payload []byte) []byte {
	b := []byte{p2p.WireVersion, typ}
	b = binary.BigEndian.AppendUint32(b, uint32(len(payload)))
	return append(b, payload...)
}

func TestWireRoundTrip(t *testing.T) {
	c := store.RawCID([]byte("x"))
	for _, req := range []p2p.Request{
		{Type: p2p.MsgGetBlock, CID: c},
		{Type: p2p.MsgProve, CID: c, Challenge: store.Challenge{Seed: store.Digest{1, 2}, Count: 3}},
	} {
		b := p2p.AppendRequest(nil, req)
		got, err := p2p.ReadRequest(bytes.NewReader(b))
		if err != nil || got.Type != req.Type || got.CID != req.CID || got.Challenge != req.Challenge {
			t.Fatalf("%+v -> %+v, %v", req, got, err)
		}
	}
	pr := store.Proof{Chunks: []store.ChunkProof{
		{Data: []byte("abc"), Proof: merkle.InclusionProof{Index: 5, Size: 7, Path: []merkle.Hash{{1}, {2}, {3}}}},
		{Data: nil, Proof: merkle.InclusionProof{Index: 0, Size: 1}},
	}}
	resp, err := p2p.ReadResponse(bufio.NewReader(bytes.NewReader(p2p.AppendProof(nil, pr))), nil)
	if err != nil || len(resp.Proof.Chunks) != 2 || resp.Proof.Chunks[0].Proof.Index != 5 || string(resp.Proof.Chunks[0].Data) != "abc" || resp.Proof.Chunks[0].Proof.Path[1] != (merkle.Hash{2}) {
		t.Fatalf("proof round trip: %+v %v", resp, err)
	}
	resp, err = p2p.ReadResponse(bufio.NewReader(bytes.NewReader(p2p.AppendError(nil, p2p.CodeNotFound, "nope"))), nil)
	if err != nil || resp.Err.Code != p2p.CodeNotFound || resp.Err.Msg != "nope" {
		t.Fatalf("error round trip: %+v %v", resp, err)
	}
}

func TestWireRejects(t *testing.T) {
	c := store.RawCID([]byte("x")).Bytes()
	for name, b := range map[string][]byte{
		"bad version":       {9, p2p.MsgGetBlock, 0, 0, 0, 0},
		"unknown type":      frame(0x33, nil),
		"response as req":   frame(p2p.MsgBlock, []byte("x")),
		"oversized":         {p2p.WireVersion, p2p.MsgGetBlock, 0x7f, 0xff, 0xff, 0xff},
		"garbage CID":       frame(p2p.MsgGetBlock, []byte("garbage")),
		"CID with trailer":  frame(p2p.MsgGetBlock, append(append([]byte{}, c...), 0)),
		"CIDv0 / sha1 etc.": frame(p2p.MsgGetBlock, []byte{0x01, 0x55, 0x11, 0x14, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20}),
		"truncated":         frame(p2p.MsgGetBlock, c)[:10],
		"prove count 0":     frame(p2p.MsgProve, append(append(append([]byte{byte(len(c))}, c...), make([]byte, 32)...), 0)),
		"prove count 99":    frame(p2p.MsgProve, append(append(append([]byte{byte(len(c))}, c...), make([]byte, 32)...), 99)),
	} {
		_, err := p2p.ReadRequest(bytes.NewReader(b))
		var we *p2p.WireError
		if !errors.As(err, &we) {
			t.Errorf("%s: %v, want a *WireError", name, err)
		}
	}
	if _, err := p2p.ReadRequest(bytes.NewReader(nil)); err != io.EOF {
		t.Errorf("empty stream: %v, want io.EOF", err)
	}
}

// FuzzDecodeRequest: any accepted request re-encodes to the same frame.
func FuzzDecodeRequest(f *testing.F) {
	c := store.RawCID([]byte("x"))
	f.Add(p2p.AppendRequest(nil, p2p.Request{Type: p2p.MsgGetBlock, CID: c}))
	f.Add(p2p.AppendRequest(nil, p2p.Request{Type: p2p.MsgProve, CID: c, Challenge: store.Challenge{Count: 16}}))
	f.Add([]byte{1, 1, 0, 0, 0, 2, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		req, err := p2p.ReadRequest(bytes.NewReader(b))
		if err != nil {
			return
		}
		enc := p2p.AppendRequest(nil, req)
		if !bytes.Equal(enc, b[:len(enc)]) {
			t.Fatalf("accepted %x, re-encodes as %x", b, enc)
		}
	})
}

// FuzzReadResponse: any accepted Proof or Error frame re-encodes to the same
// bytes; nothing panics or allocates past the frame limits.
func FuzzReadResponse(f *testing.F) {
	f.Add(p2p.AppendProof(nil, store.Proof{Chunks: []store.ChunkProof{{Data: []byte("ab"), Proof: merkle.InclusionProof{Index: 3, Size: 4, Path: []merkle.Hash{{9}, {8}}}}}}))
	f.Add(p2p.AppendError(nil, p2p.CodeBusy, "later"))
	f.Add(frame(p2p.MsgBlock, []byte("data")))
	f.Add([]byte{1, p2p.MsgProof, 0, 0, 0, 1, 0x80})
	f.Fuzz(func(t *testing.T, b []byte) {
		resp, err := p2p.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
		if err != nil {
			return
		}
		var enc []byte
		switch resp.Type {
		case p2p.MsgProof:
			enc = p2p.AppendProof(nil, resp.Proof)
		case p2p.MsgError:
			enc = p2p.AppendError(nil, resp.Err.Code, resp.Err.Msg)
		case p2p.MsgBlock:
			enc = append(p2p.AppendBlockHeader(nil, len(resp.Data)), resp.Data...)
		}
		if !bytes.Equal(enc, b[:len(enc)]) {
			t.Fatalf("accepted %x, re-encodes as %x", b, enc)
		}
	})
}

// TestMalformedRequestsCostTheRequester sends protocol violations to a real
// node: each gets one Error frame and a closed stream, the sender's score
// drops until it is banned, and the server keeps serving others.
func TestMalformedRequestsCostTheRequester(t *testing.T) {
	server := p2ptest.NewNode(t, nil)
	info, _ := put(t, server.Store(), 10, 3<<20)
	c := store.RawCID([]byte("x")).Bytes()
	cases := []struct {
		name  string
		frame []byte
		code  p2p.ErrorCode
	}{
		{"bad version", []byte{9, p2p.MsgGetBlock, 0, 0, 0, 1, 0}, p2p.CodeBadVersion},
		{"unknown type", frame(0x33, nil), p2p.CodeBadRequest},
		{"oversized", []byte{p2p.WireVersion, p2p.MsgGetBlock, 0x7f, 0xff, 0xff, 0xff}, p2p.CodeBadRequest},
		{"garbage CID", frame(p2p.MsgGetBlock, []byte("garbage")), p2p.CodeBadRequest},
		{"prove count 99", frame(p2p.MsgProve, append(append(append([]byte{byte(len(c))}, c...), make([]byte, 32)...), 99)), p2p.CodeBadRequest},
	}
	ctx := ctxT(t, time.Minute)
	attacker := p2ptest.NewNode(t, nil)
	attacker.AddPeer(server.AddrInfo())
	for i, tc := range cases {
		s, err := attacker.Host().NewStream(ctx, server.ID(), p2p.ProtocolID)
		if i >= 4 {
			// Four violations cost 100: the attacker is banned.
			if err == nil {
				_, err = s.Write(tc.frame)
				if err == nil {
					_, err = p2p.ReadResponse(bufio.NewReader(s), nil)
				}
			}
			if err == nil {
				t.Fatalf("%s: a banned peer was still served", tc.name)
			}
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if _, err := s.Write(tc.frame); err != nil {
			t.Fatal(err)
		}
		br := bufio.NewReader(s)
		resp, err := p2p.ReadResponse(br, nil)
		if err != nil || resp.Type != p2p.MsgError || resp.Err.Code != tc.code {
			t.Fatalf("%s: got %+v, %v; want an Error frame with code %v", tc.name, resp, err, tc.code)
		}
		t.Logf("%s -> %v", tc.name, resp.Err)
		// Then the stream is closed: a valid request gets nothing.
		s.Write(p2p.AppendRequest(nil, p2p.Request{Type: p2p.MsgGetBlock, CID: info.CID}))
		s.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := p2p.ReadResponse(br, nil); err == nil {
			t.Fatalf("%s: the stream kept serving after a violation", tc.name)
		}
		s.Reset()
		if want := -p2p.PenaltyViolation * (i + 1); server.Scores().Score(attacker.ID()) != want {
			t.Fatalf("%s: attacker score %d, want %d", tc.name, server.Scores().Score(attacker.ID()), want)
		}
	}
	if !server.Scores().Banned(attacker.ID()) {
		t.Fatal("attacker not banned")
	}
	// The server is fine and serves honest peers.
	honest := p2ptest.NewNode(t, nil)
	honest.AddPeer(server.AddrInfo())
	if _, err := honest.Fetch(ctx, info.CID, p2p.FetchOptions{Retention: store.Pinned()}); err != nil {
		t.Fatalf("honest fetch after the attack: %v", err)
	}
}

// TestStreamLimitPerPeer: the resource manager refuses a peer's streams past
// its limit; other peers are unaffected.
func TestStreamLimitPerPeer(t *testing.T) {
	server := p2ptest.NewNode(t, func(c *p2p.Config) { c.Limits.StreamsPerPeer = 2 })
	info, _ := put(t, server.Store(), 11, 1000)
	client := p2ptest.NewNode(t, nil)
	client.AddPeer(server.AddrInfo())
	ctx := ctxT(t, time.Minute)
	req := p2p.AppendRequest(nil, p2p.Request{Type: p2p.MsgGetBlock, CID: info.CID})
	ask := func() (network.Stream, error) {
		s, err := client.Host().NewStream(ctx, server.ID(), p2p.ProtocolID)
		if err != nil {
			return nil, err
		}
		if _, err := s.Write(req); err != nil {
			return s, err
		}
		s.SetReadDeadline(time.Now().Add(5 * time.Second))
		resp, err := p2p.ReadResponse(bufio.NewReader(s), nil)
		if err == nil && resp.Type != p2p.MsgBlock {
			err = errors.New("no block")
		}
		return s, err
	}
	var open []network.Stream
	for i := range 2 {
		s, err := ask()
		if err != nil {
			t.Fatalf("stream %d within the limit: %v", i, err)
		}
		open = append(open, s) // kept open: the server waits for more requests
	}
	if _, err := ask(); err == nil {
		t.Fatal("a third concurrent stream was served past a limit of 2")
	}
	other := p2ptest.NewNode(t, nil)
	other.AddPeer(server.AddrInfo())
	if _, err := other.Fetch(ctx, info.CID, p2p.FetchOptions{}); err != nil {
		t.Fatalf("another peer was refused: %v", err)
	}
	for _, s := range open {
		s.Close()
	}
}

// TestReadResponseHoldsWhatArrives: a peer whose frame header claims the
// largest proof and then sends 100 bytes makes the reader allocate about
// what arrived, not the 16 MiB it claimed.
func TestReadResponseHoldsWhatArrives(t *testing.T) {
	b := []byte{p2p.WireVersion, p2p.MsgProof}
	b = binary.BigEndian.AppendUint32(b, uint32(p2p.MaxProofPayload))
	b = append(b, make([]byte, 100)...)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := p2p.ReadResponse(bufio.NewReader(bytes.NewReader(b)), nil)
	runtime.ReadMemStats(&after)
	if err == nil || !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("a truncated proof frame: %v, want a truncation error", err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Fatalf("reading 100 bytes of a frame that claims %d allocated %d bytes", p2p.MaxProofPayload, got)
	}
}
