package p2p_test

import (
	"crypto/sha256"
	"strings"
	"testing"
	"time"

	"tangent/p2p"
	"tangent/p2p/p2ptest"
	"tangent/store"
)

// inconsistentBlob stores a blob whose manifest claims 3 chunks of 4 KiB
// but links a 10-byte chunk 0: every chunk matches its CID, yet no
// provider can ever deliver a 4 KiB chunk 0.
func inconsistentBlob(t *testing.T, s *store.Store) store.Info {
	t.Helper()
	cs := store.MinChunkSize
	chunks := [][]byte{make([]byte, 10), make([]byte, cs), make([]byte, cs)}
	chunks[1][0], chunks[2][0] = 1, 2
	var ds []store.Digest
	for _, c := range chunks {
		ds = append(ds, sha256.Sum256(c))
	}
	m, err := store.NewManifest(int64(3*cs), cs, ds)
	if err != nil {
		t.Fatal(err)
	}
	b := s.NewBatch()
	defer b.Abort()
	for _, c := range chunks {
		if err := b.PutBlock(store.RawCID(c), c); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.PutBlock(m.CID(), m.Encode()); err != nil {
		t.Fatal(err)
	}
	info, err := b.Commit(m.CID(), store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

// A chunk whose length is not what the manifest requires is refused, even
// if it matches its CID: the fetch fails with a clear error instead of
// storing a "complete" blob that breaks its readers.
func TestFetchRejectsChunkOfWrongLength(t *testing.T) {
	a := p2ptest.NewNode(t, nil)
	b := p2ptest.NewNode(t, nil)
	info := inconsistentBlob(t, a.Store())
	b.AddPeer(a.AddrInfo())
	_, err := b.Fetch(ctxT(t, 10*time.Second), info.CID, p2p.FetchOptions{Retention: store.Pinned(), Timeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "inconsistent manifest") {
		t.Fatalf("fetch of an inconsistent manifest: err = %v, want an inconsistent-manifest error", err)
	}
	if st, err := b.Store().Stat(info.CID); err == nil && st.Complete {
		t.Fatalf("inconsistent blob stored as complete: %+v", st)
	}
}
