package audit

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"testing"

	"tangent/verify/merkle"
	"tangent/verify/seedrand"
)

func checkpoints(n int) []merkle.Hash {
	out := make([]merkle.Hash, n)
	for i := range out {
		out[i] = sha256.Sum256(binary.BigEndian.AppendUint64(nil, uint64(i)))
	}
	return out
}

func TestCommitAndSegments(t *testing.T) {
	cps := checkpoints(11) // 10 segments
	c := Commit(cps)
	if c.Segments() != 10 || c.Root != merkle.RootOfHashes(cps) {
		t.Fatalf("commitment %+v", c)
	}
	tree := merkle.NewTree(merkle.LeafHashesOf(cps))
	for i := range uint64(10) {
		p, err := SegmentProof(tree, i)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.VerifySegment(i, cps[i], cps[i+1], p); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := c.VerifySegment(i, cps[i], cps[(i+2)%11], p); err == nil {
			t.Fatalf("segment %d: wrong end checkpoint verified", i)
		}
		enc := p.Encode()
		t.Logf("segment %d proof: %d bytes", i, len(enc))
	}
	if _, err := SegmentProof(tree, 10); err == nil {
		t.Fatal("segment past the end")
	}
	p, _ := SegmentProof(tree, 3)
	if c.VerifySegment(4, cps[4], cps[5], p) == nil {
		t.Fatal("proof for segment 3 accepted for segment 4")
	}
}

func TestSampleProperties(t *testing.T) {
	for _, tc := range []struct{ n, s uint64 }{{10, 3}, {10, 10}, {10, 20}, {1, 1}, {0, 5}, {1 << 40, 8}, {1000, 999}} {
		got := Sample([]byte("seed"), tc.n, tc.s)
		if uint64(len(got)) != min(tc.n, tc.s) {
			t.Fatalf("Sample(%d, %d) has %d entries", tc.n, tc.s, len(got))
		}
		seen := map[uint64]bool{}
		for _, x := range got {
			if x >= tc.n || seen[x] {
				t.Fatalf("Sample(%d, %d) = %v: out of range or repeated", tc.n, tc.s, got)
			}
			seen[x] = true
		}
		again := Sample([]byte("seed"), tc.n, tc.s)
		for i := range got {
			if got[i] != again[i] {
				t.Fatal("Sample is not deterministic")
			}
		}
	}
	// Golden: pins the sampling rule; a change here is a consensus change.
	if got := fmt.Sprint(Sample([]byte("tangent"), 100, 5)); got != "[34 97 98 86 12]" {
		t.Fatalf("Sample(\"tangent\", 100, 5) = %s, want [34 97 98 86 12]", got)
	}
}

func TestAssign(t *testing.T) {
	vs := [][]byte{[]byte("alice"), []byte("bob"), []byte("carol")}
	a := Assign([]byte("block-hash"), 100, 4, vs)
	if len(a) != 3 || fmt.Sprint(a[1]) != fmt.Sprint(Sample(VerifierSeed([]byte("block-hash"), []byte("bob")), 100, 4)) {
		t.Fatalf("Assign = %v", a)
	}
	if fmt.Sprint(a[0]) == fmt.Sprint(a[1]) {
		t.Fatal("two verifiers got the same sample")
	}
	// The verifier seed binds both the shared seed and the address.
	if string(VerifierSeed([]byte("a\x00b"), []byte("c"))) == string(VerifierSeed([]byte("a"), []byte("b\x00c"))) {
		t.Fatal("VerifierSeed is ambiguous")
	}
}

func TestSampleUniform(t *testing.T) {
	// Every segment is equally likely to be in the sample: chi-square over
	// inclusion counts (n=10, s=3, 20000 seeds).
	const n, s, trials = 10, 3, 20000
	var counts [n]float64
	for i := range trials {
		for _, x := range Sample(binary.BigEndian.AppendUint32(nil, uint32(i)), n, s) {
			counts[x]++
		}
	}
	want := float64(trials) * s / n
	chi := 0.0
	for _, c := range counts {
		chi += (c - want) * (c - want) / want
	}
	if chi > 27.88 { // 0.999 quantile, 9 degrees of freedom
		t.Fatalf("chi-square %.1f, counts %v", chi, counts)
	}
}

func TestDetectionExact(t *testing.T) {
	for _, tc := range []struct {
		n, c, s  uint64
		num, den int64
	}{
		{10, 1, 1, 1, 10},
		{10, 1, 3, 3, 10},
		{10, 2, 3, 8, 15},  // 1 - C(8,3)/C(10,3) = 1 - 56/120
		{100, 5, 10, 0, 0}, // checked against binomials below
		{10, 0, 5, 0, 1},   // nothing to find
		{10, 8, 3, 1, 1},   // s > n-c: certain
		{4, 4, 0, 0, 1},    // no sample, no detection
	} {
		got, err := Detection(tc.n, tc.c, tc.s)
		if err != nil {
			t.Fatal(err)
		}
		var want *big.Rat
		if tc.den != 0 {
			want = big.NewRat(tc.num, tc.den)
		} else {
			b := new(big.Int).Binomial(int64(tc.n-tc.c), int64(tc.s))
			a := new(big.Int).Binomial(int64(tc.n), int64(tc.s))
			want = new(big.Rat).Sub(big.NewRat(1, 1), new(big.Rat).SetFrac(b, a))
		}
		if got.Cmp(want) != 0 {
			t.Errorf("Detection(%d, %d, %d) = %v, want %v", tc.n, tc.c, tc.s, got, want)
		}
	}
	if _, err := Detection(5, 6, 1); err == nil {
		t.Error("c > n accepted")
	}
	d, _ := DetectionFixed(10, 1, 3)
	if d != 300_000_000_000_000_000 {
		t.Errorf("DetectionFixed(10,1,3) = %d", d)
	}
	d, _ = DetectionFixed(3, 1, 1) // 1/3 rounds down
	if d != 333_333_333_333_333_333 {
		t.Errorf("DetectionFixed(3,1,1) = %d", d)
	}
	// Two independent verifiers with one sample each out of 10, c=1:
	// 1 - (9/10)^2 = 19/100.
	di, _ := DetectionIndependent(10, 1, 1, 2)
	if di.Cmp(big.NewRat(19, 100)) != 0 {
		t.Errorf("DetectionIndependent = %v", di)
	}
	// Parameters: catching a cheater who corrupts 1% of 1000 segments with
	// 99% probability needs this many samples.
	s, _ := MinSamples(1000, 10, FixedOne/100*99)
	d1, _ := DetectionFixed(1000, 10, s)
	d0, _ := DetectionFixed(1000, 10, s-1)
	if d1 < FixedOne/100*99 || d0 >= FixedOne/100*99 {
		t.Fatalf("MinSamples = %d not minimal", s)
	}
	t.Logf("n=1000 c=10: %d samples detect with p >= 0.99", s)
}

func TestDetectionMonteCarlo(t *testing.T) {
	// A seeded simulation: corrupt c segments at seeded positions, sample s,
	// count detections; the rate must agree with the exact value within 4
	// standard deviations.
	const n, c, s, trials = 50, 3, 7, 20000
	rng := seedrand.New("test/montecarlo", []byte("seed-1"))
	hits := 0
	for i := range trials {
		bad := map[uint64]bool{}
		for len(bad) < c {
			bad[rng.Below(n)] = true
		}
		for _, x := range Sample(binary.BigEndian.AppendUint32(nil, uint32(i)), n, s) {
			if bad[x] {
				hits++
				break
			}
		}
	}
	p, _ := Detection(n, c, s)
	pf, _ := p.Float64()
	sigma := math.Sqrt(pf * (1 - pf) / trials)
	rate := float64(hits) / trials
	if math.Abs(rate-pf) > 4*sigma {
		t.Fatalf("Monte-Carlo rate %.4f, exact %.4f (sigma %.4f)", rate, pf, sigma)
	}
	t.Logf("n=%d c=%d s=%d: exact %.4f, simulated %.4f", n, c, s, pf, rate)
}
