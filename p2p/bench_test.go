package p2p_test

import (
	"context"
	"testing"

	"tangent/p2p"
	"tangent/p2p/p2ptest"
	"tangent/store"
)

// BenchmarkFetch64MiB fetches a 64 MiB blob between two nodes on loopback
// (fsync off); each iteration fetches into a fresh store.
func BenchmarkFetch64MiB(b *testing.B) {
	a := p2ptest.NewNode(b, nil)
	info, _ := put(b, a.Store(), 1, 64<<20)
	b.SetBytes(64 << 20)
	for b.Loop() {
		b.StopTimer()
		n := p2ptest.NewNode(b, nil)
		n.AddPeer(a.AddrInfo())
		b.StartTimer()
		if _, err := n.Fetch(context.Background(), info.CID, p2p.FetchOptions{Retention: store.Pinned()}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		n.Close()
		b.StartTimer()
	}
}
