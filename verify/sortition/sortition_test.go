package sortition

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"math"
	"testing"

	"tangent/verify/vrf"
)

func TestLowestWithVRF(t *testing.T) {
	alpha := Alpha("tangent/solver/v1", []byte("job-7"), []byte("beacon"))
	var vs []Volunteer
	for i := range 8 {
		seed := sha256.Sum256([]byte{byte(i)})
		priv := ed25519.NewKeyFromSeed(seed[:])
		pub := priv.Public().(ed25519.PublicKey)
		pi, err := vrf.Prove(priv, alpha)
		if err != nil {
			t.Fatal(err)
		}
		out, err := vrf.Verify(pub, alpha, pi)
		if err != nil {
			t.Fatal(err)
		}
		vs = append(vs, Volunteer{Address: pub, Output: out})
	}
	w, err := Lowest(vs)
	if err != nil {
		t.Fatal(err)
	}
	for i, v := range vs {
		if string(v.Output[:]) < string(vs[w].Output[:]) {
			t.Fatalf("volunteer %d has a lower output than winner %d", i, w)
		}
	}
	// Order of the list does not matter.
	rev := make([]Volunteer, len(vs))
	for i := range vs {
		rev[len(vs)-1-i] = vs[i]
	}
	w2, _ := Lowest(rev)
	if string(rev[w2].Address) != string(vs[w].Address) {
		t.Fatal("winner depends on list order")
	}
	// Ties go to the smaller address.
	tie := []Volunteer{{Address: []byte{9}}, {Address: []byte{3}}, {Address: []byte{5}}}
	if w, _ := Lowest(tie); w != 1 {
		t.Fatalf("tie winner %d, want 1", w)
	}
	if _, err := Lowest(nil); !errors.Is(err, ErrNoCandidates) {
		t.Fatal(err)
	}
}

func members(stakes ...uint64) []Member {
	out := make([]Member, len(stakes))
	for i, s := range stakes {
		out[i] = Member{Address: []byte{byte(i + 1)}, Stake: s}
	}
	return out
}

func seedOf(i int) []byte { return binary.BigEndian.AppendUint32(nil, uint32(i)) }

func TestCommitteeRules(t *testing.T) {
	ms := members(5, 0, 7, 1)
	c, err := Committee([]byte("s"), ms, 3)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int]bool{}
	for _, i := range c {
		if ms[i].Stake == 0 || seen[i] {
			t.Fatalf("committee %v: zero-stake or repeated member", c)
		}
		seen[i] = true
	}
	if _, err := Committee([]byte("s"), ms, 4); !errors.Is(err, ErrNoCandidates) {
		t.Fatalf("k above members with stake: %v", err)
	}
	unsorted := []Member{{Address: []byte{2}, Stake: 1}, {Address: []byte{1}, Stake: 1}}
	if _, err := Committee(nil, unsorted, 1); !errors.Is(err, ErrNotSorted) {
		t.Fatalf("unsorted: %v", err)
	}
	dup := []Member{{Address: []byte{1}, Stake: 1}, {Address: []byte{1}, Stake: 1}}
	if _, err := Committee(nil, dup, 1); !errors.Is(err, ErrNotSorted) {
		t.Fatalf("repeated address: %v", err)
	}
	if _, err := Committee(nil, members(math.MaxUint64, 1), 1); err == nil {
		t.Fatal("overflowing stake accepted")
	}
	a, _ := Committee([]byte("x"), members(1, 2, 3, 4, 5, 6), 4)
	b, _ := Committee([]byte("x"), members(1, 2, 3, 4, 5, 6), 4)
	for i := range a {
		if a[i] != b[i] {
			t.Fatal("Committee is not deterministic")
		}
	}
}

func TestCommitteeFairSingle(t *testing.T) {
	// One seat: member i wins with probability stake_i / total.
	stakes := []uint64{1, 2, 3, 4, 10}
	const trials = 20000
	counts := make([]float64, len(stakes))
	for i := range trials {
		c, err := Committee(seedOf(i), members(stakes...), 1)
		if err != nil {
			t.Fatal(err)
		}
		counts[c[0]]++
	}
	chi := 0.0
	for i, s := range stakes {
		want := trials * float64(s) / 20
		chi += (counts[i] - want) * (counts[i] - want) / want
	}
	if chi > 18.47 { // 0.999 quantile, 4 degrees of freedom
		t.Fatalf("chi-square %.1f, counts %v", chi, counts)
	}
}

func TestCommitteeFairTwoSeats(t *testing.T) {
	// Two seats without replacement: P(i in committee) = p_i + sum_{j != i}
	// p_j * s_i / (T - s_j). Each member's inclusion rate must match within
	// 4 standard deviations.
	stakes := []uint64{1, 2, 3, 4}
	const T, trials = 10.0, 20000
	counts := make([]float64, len(stakes))
	for i := range trials {
		c, _ := Committee(seedOf(i), members(stakes...), 2)
		for _, m := range c {
			counts[m]++
		}
	}
	for i, si := range stakes {
		p := float64(si) / T
		for j, sj := range stakes {
			if j != i {
				p += float64(sj) / T * float64(si) / (T - float64(sj))
			}
		}
		sigma := math.Sqrt(p * (1 - p) / trials)
		if rate := counts[i] / trials; math.Abs(rate-p) > 4*sigma {
			t.Errorf("member %d (stake %d): rate %.4f, want %.4f (sigma %.4f)", i, si, rate, p, sigma)
		}
	}
}
