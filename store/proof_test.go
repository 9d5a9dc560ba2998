package store_test

import (
	"errors"
	"testing"

	"tangent/store"
	"tangent/store/storetest"
	"tangent/verify/merkle"
)

func provingStore(t *testing.T, size int) (*store.Store, store.Info, store.Commitment) {
	s := openStore(t, t.TempDir(), nil)
	info, err := s.PutBytes(storetest.Bytes(uint64(size), size), store.Pinned())
	if err != nil {
		t.Fatal(err)
	}
	var com store.Commitment
	if info.Kind == store.KindRaw {
		com, err = store.RawCommitment(info.CID, info.Size)
	} else {
		var m store.Manifest
		m, err = s.Manifest(info.CID)
		com = store.CommitmentOf(&m)
	}
	if err != nil {
		t.Fatal(err)
	}
	return s, info, com
}

func TestChallengeIndices(t *testing.T) {
	ch := store.Challenge{Seed: store.Digest{1, 2, 3}, Count: 8}
	a := ch.Indices(1000)
	b := ch.Indices(1000)
	if len(a) != 8 {
		t.Fatalf("%d indices", len(a))
	}
	seen := map[uint64]bool{}
	for i := range a {
		if a[i] != b[i] || a[i] >= 1000 || seen[a[i]] {
			t.Fatalf("indices not deterministic, distinct and in range: %v", a)
		}
		seen[a[i]] = true
	}
	if got := ch.Indices(3); len(got) != 3 {
		t.Fatalf("blob of 3 chunks: %v", got)
	}
	ch2 := ch
	ch2.Seed[0] ^= 1
	if c2 := ch2.Indices(1000); c2[0] == a[0] && c2[1] == a[1] && c2[2] == a[2] {
		t.Fatal("another seed gave the same indices")
	}
	ch.Count = 1000
	if got := ch.Indices(1 << 40); len(got) != store.MaxChallengeCount {
		t.Fatalf("count not capped: %d", len(got))
	}
}

func TestHonestProviderPasses(t *testing.T) {
	for _, size := range []int{100, testChunk, 37*testChunk + 5} {
		s, info, com := provingStore(t, size)
		ch := store.Challenge{Seed: store.Digest{9}, Count: 5, Deadline: 100}
		p, err := s.Prove(info.CID, ch)
		if err != nil {
			t.Fatal(err)
		}
		if err := store.CheckProof(com, ch, p, 100); err != nil {
			t.Fatalf("size %d: honest proof rejected: %v", size, err)
		}
	}
}

func TestDishonestAnswersAreCaught(t *testing.T) {
	s, info, com := provingStore(t, 37*testChunk+5)
	ch := store.Challenge{Seed: store.Digest{7}, Count: 5, Deadline: 50}
	honest, err := s.Prove(info.CID, ch)
	if err != nil {
		t.Fatal(err)
	}
	clone := func() store.Proof {
		var p store.Proof
		for _, c := range honest.Chunks {
			c.Data = append([]byte{}, c.Data...)
			c.Proof.Path = append([]merkle.Hash{}, c.Proof.Path...)
			p.Chunks = append(p.Chunks, c)
		}
		return p
	}
	other := store.Challenge{Seed: store.Digest{8}, Count: 5, Deadline: 50}
	otherProof, _ := s.Prove(info.CID, other)
	cases := []struct {
		name  string
		p     store.Proof
		at    uint64
		fault store.ProofFault
	}{
		{"late", honest, 51, store.FaultLate},
		{"missing chunk", func() store.Proof { p := clone(); p.Chunks = p.Chunks[:4]; return p }(), 10, store.FaultMissing},
		{"extra chunk", func() store.Proof { p := clone(); p.Chunks = append(p.Chunks, p.Chunks[0]); return p }(), 10, store.FaultMissing},
		{"answers another challenge", otherProof, 10, store.FaultMissing},
		{"flipped byte", func() store.Proof { p := clone(); p.Chunks[2].Data[9] ^= 1; return p }(), 10, store.FaultBadPath},
		{"short chunk", func() store.Proof { p := clone(); p.Chunks[1].Data = p.Chunks[1].Data[1:]; return p }(), 10, store.FaultWrongChunk},
		{"wrong path", func() store.Proof { p := clone(); p.Chunks[3].Proof.Path[0][0] ^= 1; return p }(), 10, store.FaultBadPath},
		{"truncated path", func() store.Proof { p := clone(); p.Chunks[0].Proof.Path = p.Chunks[0].Proof.Path[1:]; return p }(), 10, store.FaultBadPath},
		{"proof claims another index", func() store.Proof { p := clone(); p.Chunks[1].Proof.Index++; return p }(), 10, store.FaultMissing},
		{"proof for another tree size", func() store.Proof { p := clone(); p.Chunks[2].Proof.Size++; return p }(), 10, store.FaultBadPath},
		{"swapped chunks", func() store.Proof {
			p := clone()
			p.Chunks[0].Data, p.Chunks[1].Data = p.Chunks[1].Data, p.Chunks[0].Data
			return p
		}(), 10, store.FaultBadPath},
	}
	for _, tc := range cases {
		err := store.CheckProof(com, ch, tc.p, tc.at)
		var pe *store.ProofError
		if !errors.As(err, &pe) || pe.Fault != tc.fault {
			t.Errorf("%s: %v, want fault %v", tc.name, err, tc.fault)
		}
	}
	if err := store.CheckProof(com, ch, honest, 50); err != nil {
		t.Fatalf("honest proof at the deadline rejected: %v", err)
	}
}

// refRoot and refPath are the RFC 6962 definitions written out plainly
// (split at the largest power of two below n), the simple twin of what the
// store gets from verify/merkle: roots and audit paths must stay
// bit-identical to the ones the store committed before the switch.
func refRoot(leaves []merkle.Hash) merkle.Hash {
	switch len(leaves) {
	case 0:
		return merkle.EmptyRoot()
	case 1:
		return leaves[0]
	}
	k := 1
	for k<<1 < len(leaves) {
		k <<= 1
	}
	return merkle.NodeHash(refRoot(leaves[:k]), refRoot(leaves[k:]))
}

func refPath(leaves []merkle.Hash, i int) []merkle.Hash {
	if len(leaves) <= 1 {
		return nil
	}
	k := 1
	for k<<1 < len(leaves) {
		k <<= 1
	}
	if i < k {
		return append(refPath(leaves[:k], i), refRoot(leaves[k:]))
	}
	return append(refPath(leaves[k:], i-k), refRoot(leaves[:k]))
}

func TestRootsAndPathsMatchTheReference(t *testing.T) {
	for _, n := range []int{2, 3, 5, 8, 13, 37, 64, 100} {
		data := storetest.Bytes(uint64(n), n*testChunk-7)
		s, info, com := provingStore(t, len(data))
		m, err := s.Manifest(info.CID)
		if err != nil {
			t.Fatal(err)
		}
		leaves := make([]merkle.Hash, len(m.Chunks))
		for i, d := range m.Chunks {
			leaves[i] = merkle.LeafHash(d[:])
		}
		if got, want := merkle.Hash(m.Root), refRoot(leaves); got != want {
			t.Fatalf("%d chunks: root %s, reference %s", n, got, want)
		}
		if merkle.Hash(store.ChunkRoot(m.Chunks)) != merkle.RootOfHashes(func() []merkle.Hash {
			hs := make([]merkle.Hash, len(m.Chunks))
			for i, d := range m.Chunks {
				hs[i] = merkle.Hash(d)
			}
			return hs
		}()) {
			t.Fatalf("%d chunks: ChunkRoot is not merkle.RootOfHashes of the digests", n)
		}
		ch := store.Challenge{Seed: store.Digest{byte(n)}, Count: store.MaxChallengeCount, Deadline: 1}
		p, err := s.Prove(info.CID, ch)
		if err != nil {
			t.Fatal(err)
		}
		for _, cp := range p.Chunks {
			want := refPath(leaves, int(cp.Proof.Index))
			if len(cp.Proof.Path) != len(want) {
				t.Fatalf("%d chunks, chunk %d: path of %d hashes, reference %d", n, cp.Proof.Index, len(cp.Proof.Path), len(want))
			}
			for j := range want {
				if cp.Proof.Path[j] != want[j] {
					t.Fatalf("%d chunks, chunk %d: path step %d differs from the reference", n, cp.Proof.Index, j)
				}
			}
		}
		if err := store.CheckProof(com, ch, p, 1); err != nil {
			t.Fatal(err)
		}
	}
}
