package merkle

import (
	"encoding/hex"
	"fmt"
	"testing"
)

// The Certificate Transparency reference leaves and roots for sizes 0..8
// (RFC 6962; transparency-dev/merkle testonly), and two inclusion proofs.
var ctLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}

var ctRoots = []string{
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

var ctProofs = []struct {
	index int
	path  []string
}{
	{0, []string{"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7", "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e", "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
	{5, []string{"bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b", "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0", "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
}

func leaves(t *testing.T) [][]byte {
	t.Helper()
	out := make([][]byte, len(ctLeaves))
	for i, s := range ctLeaves {
		b, err := hex.DecodeString(s)
		if err != nil {
			t.Fatal(err)
		}
		out[i] = b
	}
	return out
}

func TestRootsMatchRFC6962(t *testing.T) {
	data := leaves(t)
	for n := 0; n <= len(data); n++ {
		got := Root(data[:n])
		if hex.EncodeToString(got[:]) != ctRoots[n] {
			t.Errorf("size %d: root %x, RFC 6962 says %s", n, got, ctRoots[n])
		}
	}
}

func TestProofsMatchRFC6962(t *testing.T) {
	data := leaves(t)
	hs := make([]Hash, len(data))
	for i, d := range data {
		hs[i] = LeafHash(d)
	}
	for _, tc := range ctProofs {
		path := Proof(hs, tc.index)
		if len(path) != len(tc.path) {
			t.Fatalf("index %d: path length %d, want %d", tc.index, len(path), len(tc.path))
		}
		for j := range path {
			if hex.EncodeToString(path[j][:]) != tc.path[j] {
				t.Errorf("index %d step %d: %x, want %s", tc.index, j, path[j], tc.path[j])
			}
		}
	}
}

func TestEveryProofVerifiesAndNothingElse(t *testing.T) {
	for n := 1; n <= 37; n++ {
		hs := make([]Hash, n)
		for i := range hs {
			hs[i] = LeafHash([]byte(fmt.Sprintf("leaf-%d", i)))
		}
		root := RootFromLeafHashes(hs)
		for i := 0; i < n; i++ {
			path := Proof(hs, i)
			if err := Verify(root, hs[i], uint64(i), uint64(n), path); err != nil {
				t.Fatalf("n=%d i=%d: honest proof rejected: %v", n, i, err)
			}
			if n > 1 {
				if Verify(root, hs[(i+1)%n], uint64(i), uint64(n), path) == nil {
					t.Fatalf("n=%d i=%d: proof for another leaf accepted", n, i)
				}
				if Verify(root, hs[i], uint64((i+1)%n), uint64(n), path) == nil && hs[i] != hs[(i+1)%n] {
					t.Fatalf("n=%d i=%d: proof accepted at another index", n, i)
				}
			}
			if len(path) > 0 {
				bad := append([]Hash{}, path...)
				bad[0][0] ^= 1
				if Verify(root, hs[i], uint64(i), uint64(n), bad) == nil {
					t.Fatalf("n=%d i=%d: tampered proof accepted", n, i)
				}
				if Verify(root, hs[i], uint64(i), uint64(n), path[:len(path)-1]) == nil {
					t.Fatalf("n=%d i=%d: truncated proof accepted", n, i)
				}
				if Verify(root, hs[i], uint64(i), uint64(n), append(append([]Hash{}, path...), path[0])) == nil {
					t.Fatalf("n=%d i=%d: extended proof accepted", n, i)
				}
			}
			if Verify(root, hs[i], uint64(n), uint64(n), path) == nil {
				t.Fatalf("n=%d: index out of range accepted", n)
			}
		}
	}
}
