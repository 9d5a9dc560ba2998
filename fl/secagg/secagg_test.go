package secagg

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"testing"
)

// pairKey stands in for an X25519 agreement: both sides derive the same key.
func pairKey(i, j uint32) [32]byte {
	lo, hi := min(i, j), max(i, j)
	var b [8]byte
	binary.BigEndian.PutUint32(b[:], lo)
	binary.BigEndian.PutUint32(b[4:], hi)
	return sha256.Sum256(b[:])
}

func TestMasksCancel(t *testing.T) {
	const n, dim, scale = 5, 10_000, 1 << 16
	ids := []uint32{3, 9, 4, 20, 7} // any distinct ids, any order
	var plain, masked [][]uint32
	var wantSum []float64 = make([]float64, dim)
	for k, id := range ids {
		x := make([]float32, dim)
		for j := range x {
			x[j] = float32(math.Sin(float64(k*dim+j))) * 3
		}
		q, err := Encode(x, scale)
		if err != nil {
			t.Fatal(err)
		}
		for j := range q {
			wantSum[j] += float64(int32(q[j]))
		}
		plain = append(plain, slices.Clone(q))
		var peers []Peer
		for _, o := range ids {
			if o != id {
				peers = append(peers, Peer{ID: o, Key: pairKey(id, o)})
			}
		}
		if err := Mask(q, id, peers, 42); err != nil {
			t.Fatal(err)
		}
		masked = append(masked, q)
	}
	// Each masked vector hides its plaintext: almost no element survives.
	for k := range masked {
		same := 0
		for j := range masked[k] {
			if masked[k][j] == plain[k][j] {
				same++
			}
		}
		if same > 5 {
			t.Errorf("trainer %d: %d elements unmasked", k, same)
		}
	}
	sum, err := Sum(masked)
	if err != nil {
		t.Fatal(err)
	}
	for j := range sum {
		if float64(int32(sum[j])) != wantSum[j] {
			t.Fatalf("element %d: masked sum %d, plain sum %v", j, int32(sum[j]), wantSum[j])
		}
	}
	dec := Decode(sum, scale)
	if math.Abs(float64(dec[1])-wantSum[1]/scale) > 1e-6 {
		t.Errorf("decode: %v vs %v", dec[1], wantSum[1]/scale)
	}
	// A missing trainer leaves the others' masks uncancelled.
	partial, _ := Sum(masked[:n-1])
	bad := 0
	for j := range partial {
		if float64(int32(partial[j])) != wantSum[j]-float64(int32(plain[n-1][j])) {
			bad++
		}
	}
	if bad < dim-5 {
		t.Errorf("dropout: only %d of %d elements wrong", bad, dim)
	}
}

// TestStreamGolden pins the mask stream: every trainer must derive the same
// masks from the same key, whatever its implementation.
func TestStreamGolden(t *testing.T) {
	m := make([]uint32, 8)
	stream(m, pairKey(1, 2), 7, 1, 2)
	var b []byte
	for _, v := range m {
		b = binary.LittleEndian.AppendUint32(b, v)
	}
	// Cross-checked with OpenSSL: 32 zero bytes through
	// openssl enc -aes-256-ctr -K <SHA-256 of the derivation input> -iv 0.
	const want = "b73894d49941630e98d7cebb0e4b76ff6d5eab49fc11d47ab4a4567e400fb76d"
	if got := hex.EncodeToString(b); got != want {
		t.Errorf("stream = %s, want %s", got, want)
	}
	m2 := make([]uint32, 5000)
	stream(m2, pairKey(1, 2), 7, 1, 2)
	if !slices.Equal(m, m2[:8]) {
		t.Error("stream depends on the output length")
	}
	stream(m2, pairKey(1, 2), 8, 1, 2)
	if slices.Equal(m, m2[:8]) {
		t.Error("stream does not depend on the round")
	}
}

func TestErrors(t *testing.T) {
	if _, err := Encode([]float32{1e30}, 1<<16); err == nil {
		t.Error("overflowing value accepted")
	}
	x := make([]uint32, 3)
	if err := Mask(x, 1, []Peer{{ID: 1}}, 0); err == nil {
		t.Error("self as peer accepted")
	}
	if err := Mask(x, 1, []Peer{{ID: 2}, {ID: 2}}, 0); err == nil {
		t.Error("duplicate peer accepted")
	}
	if _, err := Sum([][]uint32{{1}, {1, 2}}); err == nil {
		t.Error("length mismatch accepted")
	}
}
