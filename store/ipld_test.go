package store_test

import (
	"bytes"
	"testing"

	"github.com/ipld/go-ipld-prime/codec/dagcbor"
	cidlink "github.com/ipld/go-ipld-prime/linking/cid"
	"github.com/ipld/go-ipld-prime/node/basicnode"

	"tangent/store"
)

// TestManifestIsDAGCBORForIPLD decodes manifests with go-ipld-prime's
// DAG-CBOR codec (what IPFS implementations use), checks that the chunk
// references are real CID links, and that IPLD re-encodes the exact bytes:
// the dag-cbor codec in the CID is honest.
func TestManifestIsDAGCBORForIPLD(t *testing.T) {
	m := testManifest(t, 5*4096+9, 4096)
	enc := m.Encode()
	nb := basicnode.Prototype.Any.NewBuilder()
	if err := dagcbor.Decode(nb, bytes.NewReader(enc)); err != nil {
		t.Fatalf("go-ipld-prime cannot decode a manifest: %v", err)
	}
	n := nb.Build()
	chunks, err := n.LookupByString("chunks")
	if err != nil || chunks.Length() != int64(len(m.Chunks)) {
		t.Fatalf("chunks: %v", err)
	}
	for i := range m.Chunks {
		e, _ := chunks.LookupByIndex(int64(i))
		l, err := e.AsLink()
		if err != nil {
			t.Fatalf("chunk %d is not a link: %v", i, err)
		}
		if l.(cidlink.Link).Cid != m.ChunkCID(i) {
			t.Fatalf("chunk %d links to %s, want %s", i, l, m.ChunkCID(i))
		}
	}
	var out bytes.Buffer
	if err := dagcbor.Encode(n, &out); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), enc) {
		t.Fatalf("IPLD re-encodes the manifest differently:\n%x\n%x", out.Bytes(), enc)
	}

	sm := store.ShardManifest{K: 2, M: 1, Blob: m.CID(), Size: m.Size, PieceSize: store.ShardPieceSize(m.Size, 2)}
	for i := range 3 {
		sm.Shards = append(sm.Shards, store.RawCID([]byte{byte(i)}))
	}
	enc = sm.Encode()
	nb = basicnode.Prototype.Any.NewBuilder()
	if err := dagcbor.Decode(nb, bytes.NewReader(enc)); err != nil {
		t.Fatalf("go-ipld-prime cannot decode a shard manifest: %v", err)
	}
	out.Reset()
	if err := dagcbor.Encode(nb.Build(), &out); err != nil || !bytes.Equal(out.Bytes(), enc) {
		t.Fatalf("IPLD re-encodes the shard manifest differently: %v", err)
	}
}
