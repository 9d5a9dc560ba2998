package store_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"testing"

	"tangent/store"
	"tangent/store/storetest"
)

func testManifest(t testing.TB, size int64, cs int) store.Manifest {
	data := storetest.Bytes(uint64(size), int(size))
	var ds []store.Digest
	for lo := 0; lo < len(data); lo += cs {
		ds = append(ds, sha256.Sum256(data[lo:min(lo+cs, len(data))]))
	}
	m, err := store.NewManifest(size, cs, ds)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestManifestEncodingIsPinned pins the exact DAG-CBOR bytes of a small
// manifest, so that a change to the encoding (and so to every CID of a large
// blob) cannot go unnoticed.
func TestManifestEncodingIsPinned(t *testing.T) {
	m := store.Manifest{Size: 4097, ChunkSize: 4096, Chunks: []store.Digest{sha256.Sum256([]byte("a")), sha256.Sum256([]byte("b"))}}
	m.Root = store.ChunkRoot(m.Chunks)
	enc := m.Encode()
	// a5 map(5); 64 "root" 5820 bytes(32); 64 "size" 191001 uint 4097;
	// 64 "type" 6f "tangent/blob/v1"; 66 "chunks" 82 array(2) of
	// d82a 5825 00 01 55 12 20 <digest>; 69 "chunkSize" 191000 uint 4096.
	wantPrefix := "a564726f6f745820"
	wantMiddle := "6473697a6519100164747970656f74616e67656e742f626c6f622f7631666368756e6b7382d82a58250001551220"
	wantSuffix := "696368756e6b53697a65191000"
	h := hex.EncodeToString(enc)
	if h[:len(wantPrefix)] != wantPrefix || !bytes.Contains(enc, mustHex(t, wantMiddle)) || h[len(h)-len(wantSuffix):] != wantSuffix {
		t.Fatalf("encoding changed:\n%s", h)
	}
	if len(enc) != 1+5+2+32+5+3+5+1+15+7+1+2*41+10+3 {
		t.Fatalf("encoded length %d", len(enc))
	}
	back, err := store.DecodeManifest(enc)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(back.Encode(), enc) {
		t.Fatal("decode-encode changed the bytes")
	}
}

func mustHex(t *testing.T, s string) []byte {
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestManifestRejects(t *testing.T) {
	good := testManifest(t, 3*4096+5, 4096)
	enc := good.Encode()
	cases := map[string][]byte{
		"empty":      {},
		"truncated":  enc[:len(enc)-1],
		"trailing":   append(append([]byte{}, enc...), 0),
		"bad root":   func() []byte { m := good; m.Root[0] ^= 1; return m.Encode() }(),
		"size short": func() []byte { m := good; m.Size = 2*4096 + 1; m.Chunks = m.Chunks[:3]; return m.Encode() }(),
		"one chunk": func() []byte {
			m := good
			m.Size = 100
			m.Chunks = m.Chunks[:1]
			m.Root = store.ChunkRoot(m.Chunks)
			return m.Encode()
		}(),
		"odd chunk size":     func() []byte { m := good; m.ChunkSize = 5000; return m.Encode() }(),
		"non-minimal uint":   bytes.Replace(enc, mustHex(t, "6473697a65193005"), mustHex(t, "6473697a651a00003005"), 1),
		"indefinite map":     append([]byte{0xbf}, enc[1:]...),
		"huge array":         bytes.Replace(enc, mustHex(t, "666368756e6b7384"), mustHex(t, "666368756e6b739bffffffffffffffff"), 1),
		"wrong key order":    bytes.Replace(enc, []byte("size"), []byte("sizf"), 1),
		"chunk not raw link": bytes.Replace(enc, mustHex(t, "d82a58250001551220"), mustHex(t, "d82a58250001711220"), 1),
	}
	for name, b := range cases {
		if _, err := store.DecodeManifest(b); err == nil {
			t.Errorf("%s: accepted", name)
		} else {
			var me *store.ManifestError
			if !errors.As(err, &me) {
				t.Errorf("%s: error %v is not a *ManifestError", name, err)
			}
		}
	}
}

// FuzzDecodeManifest: whatever DecodeManifest accepts re-encodes to the same
// bytes (one encoding per manifest, so one CID per blob), and it never
// panics or allocates beyond its input.
func FuzzDecodeManifest(f *testing.F) {
	for _, size := range []int64{4097, 3*4096 + 5, 64 * 4096} {
		m := testManifest(f, size, 4096)
		f.Add(m.Encode())
	}
	f.Add([]byte{0xa5})
	f.Add([]byte{0xa5, 0x64, 'r', 'o', 'o', 't', 0x58, 0x20})
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := store.DecodeManifest(b)
		if err != nil {
			return
		}
		if !bytes.Equal(m.Encode(), b) {
			t.Fatalf("accepted a non-canonical encoding")
		}
		if store.ChunkRoot(m.Chunks) != m.Root {
			t.Fatal("accepted a wrong root")
		}
	})
}

func FuzzDecodeShardManifest(f *testing.F) {
	sm := store.ShardManifest{K: 3, M: 2, Blob: store.RawCID([]byte("x")), Size: 1000, PieceSize: store.ShardPieceSize(1000, 3)}
	for i := range 5 {
		sm.Shards = append(sm.Shards, store.RawCID([]byte{byte(i)}))
	}
	f.Add(sm.Encode())
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := store.DecodeShardManifest(b)
		if err != nil {
			return
		}
		if !bytes.Equal(m.Encode(), b) {
			t.Fatalf("accepted a non-canonical encoding")
		}
	})
}

func TestLargestManifestFitsInABlock(t *testing.T) {
	ds := make([]store.Digest, store.MaxChunks)
	m, err := store.NewManifest(int64(store.MaxChunks)*store.MaxChunkSize, store.MaxChunkSize, ds)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(m.Encode()); n > store.MaxManifestSize {
		t.Fatalf("a manifest of %d chunks is %d bytes, over MaxManifestSize %d", store.MaxChunks, n, store.MaxManifestSize)
	}
	if _, err := store.NewManifest(int64(store.MaxChunks+1)*store.MaxChunkSize, store.MaxChunkSize, append(ds, store.Digest{})); err == nil {
		t.Fatal("a manifest over MaxChunks was built")
	}
}
