package consensus

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// TestScoreRoundProperties checks invariants on random rounds: consensus is
// one of the staked validators' scores (or 0 without stake), trust values
// are in [0, PPM] with Tangent's never above Yuma's, a validator scoring
// exactly at consensus has trust PPM, and rewards sum to the pool. It also
// checks that the result does not depend on the order of the validators.
func TestScoreRoundProperties(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	for trial := range 500 {
		nv, nu := 1+r.IntN(8), 1+r.IntN(6)
		stakes := make([]uint64, nv)
		scores := make([][]uint32, nv)
		for v := range nv {
			stakes[v] = r.Uint64N(4) * r.Uint64N(1<<40)
			scores[v] = make([]uint32, nu)
			for u := range nu {
				scores[v][u] = uint32(r.IntN(PPM + 1))
				if r.IntN(4) == 0 {
					scores[v][u] = uint32(r.IntN(3)) * 500_000
				}
			}
		}
		p := Params{Kappa: uint32(r.IntN(PPM + 1)), Accept: 500_000, MinTrust: 900_000}
		res, err := ScoreRound(stakes, scores, p)
		if err != nil {
			t.Fatal(err)
		}
		var total uint64
		for _, s := range stakes {
			total += s
		}
		for u, c := range res.Consensus {
			var cands []uint32
			for v := range nv {
				if stakes[v] > 0 {
					cands = append(cands, scores[v][u])
				}
			}
			if (total == 0 && c != 0) || (total > 0 && !slices.Contains(cands, c)) {
				t.Fatalf("trial %d update %d: consensus %d not a staked score %v", trial, u, c, cands)
			}
		}
		for v := range nv {
			if res.Trust[v] > PPM || res.YumaTrust[v] > PPM || res.Trust[v] > res.YumaTrust[v] {
				t.Fatalf("trial %d validator %d: trust %d, Yuma %d", trial, v, res.Trust[v], res.YumaTrust[v])
			}
			if slices.Equal(scores[v], res.Consensus) && res.Trust[v] != PPM {
				t.Fatalf("trial %d: validator at consensus has trust %d", trial, res.Trust[v])
			}
		}
		if rw, err := Rewards(1_000_003, stakes, res.Trust); err == nil {
			var s uint64
			for _, x := range rw {
				s += x
			}
			if s != 1_000_003 {
				t.Fatalf("trial %d: rewards sum %d", trial, s)
			}
		}
		// Reverse the validators: consensus is unchanged, per-validator
		// values are reversed.
		rs, rsc := slices.Clone(stakes), slices.Clone(scores)
		slices.Reverse(rs)
		slices.Reverse(rsc)
		rev, _ := ScoreRound(rs, rsc, p)
		if !slices.Equal(rev.Consensus, res.Consensus) {
			t.Fatalf("trial %d: consensus depends on validator order", trial)
		}
		slices.Reverse(rev.Trust)
		if !slices.Equal(rev.Trust, res.Trust) {
			t.Fatalf("trial %d: trust depends on validator order", trial)
		}
	}
}
