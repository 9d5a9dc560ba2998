package consensus

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func ppm(x float64) uint32 { return uint32(math.Round(x * PPM)) }

// refQuantile is the simple twin: try every candidate value, keep the
// largest whose supporting stake is ≥ κ of the total (big-enough floats are
// exact here because the test stakes are small).
func refQuantile(stakes []uint64, values []uint32, kappa uint32) uint32 {
	var total uint64
	for _, s := range stakes {
		total += s
	}
	best, found := uint32(0), false
	for i, w := range values {
		if stakes[i] == 0 {
			continue
		}
		var sup uint64
		for j, v := range values {
			if v >= w {
				sup += stakes[j]
			}
		}
		if sup*PPM >= uint64(kappa)*total && (!found || w > best) {
			best, found = w, true
		}
	}
	return best
}

// TestWeightedQuantileSubtensorVectors replays test_math_weighted_median_col
// from opentensor/subtensor (pallets/subtensor/src/tests/math.rs): stakes
// [0, .75, .25, 0] (and [0, .3, .2, .5]), a 4×3 weight matrix, and the
// expected column medians at several majorities κ.
func TestWeightedQuantileSubtensorVectors(t *testing.T) {
	w1 := [][]float64{{0, 0.1, 0}, {0, 0.2, 0.4}, {0, 0.3, 0.1}, {0, 0.4, 0.5}}
	w2 := [][]float64{{0, 0.1, 0}, {0, 0.2, 0.4}, {0, 0.3, 0.1}, {0, 0, 0.5}}
	cases := []struct {
		stakes []uint64
		w      [][]float64
		kappa  float64
		want   []float64
	}{
		{[]uint64{0, 0}, [][]float64{{0, 0}, {0, 0}}, 0.5, []float64{0, 0}},
		{[]uint64{0, 75, 25, 0}, w1, 0.24, []float64{0, 0.3, 0.4}},
		{[]uint64{0, 75, 25, 0}, w1, 0.26, []float64{0, 0.2, 0.4}},
		{[]uint64{0, 75, 25, 0}, w1, 0.76, []float64{0, 0.2, 0.1}},
		{[]uint64{0, 30, 20, 50}, w2, 0.51, []float64{0, 0, 0.4}},
	}
	for k, c := range cases {
		for j := range c.want {
			col := make([]uint32, len(c.w))
			for i := range c.w {
				col[i] = ppm(c.w[i][j])
			}
			got, err := WeightedQuantile(c.stakes, col, ppm(c.kappa))
			if err != nil {
				t.Fatal(err)
			}
			if got != ppm(c.want[j]) {
				t.Errorf("case %d column %d: %d, subtensor expects %d", k, j, got, ppm(c.want[j]))
			}
		}
	}
}

// TestWeightedQuantileDocExample is the worked example on subtensor.com's
// Yuma Consensus reference page: stakes 500/300/200 TAO score a miner 0.8,
// 0.5, 0.3; with κ = 0.51 the consensus is 0.5. With κ = 0.5 exactly, 0.8 is
// supported by exactly half the stake, so eq. 3 (≥ κ) gives 0.8.
func TestWeightedQuantileDocExample(t *testing.T) {
	stakes := []uint64{500, 300, 200}
	vals := []uint32{ppm(0.8), ppm(0.5), ppm(0.3)}
	if got, _ := WeightedQuantile(stakes, vals, ppm(0.51)); got != ppm(0.5) {
		t.Errorf("κ=0.51: %d, want 0.5", got)
	}
	if got, _ := WeightedQuantile(stakes, vals, ppm(0.5)); got != ppm(0.8) {
		t.Errorf("κ=0.5: %d, want 0.8", got)
	}
}

func TestWeightedQuantileMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		n := 1 + r.IntN(9)
		stakes := make([]uint64, n)
		vals := make([]uint32, n)
		for i := range stakes {
			stakes[i] = r.Uint64N(5) * r.Uint64N(1000)
			vals[i] = uint32(r.IntN(6)) * 200_000
		}
		kappa := uint32(r.IntN(PPM + 1))
		if r.IntN(3) == 0 {
			kappa = uint32(r.IntN(5)) * 250_000
		}
		got, _ := WeightedQuantile(stakes, vals, kappa)
		if want := refQuantile(stakes, vals, kappa); got != want {
			t.Fatalf("stakes %v vals %v κ %d: %d, reference %d", stakes, vals, kappa, got, want)
		}
	}
	if _, err := WeightedQuantile([]uint64{math.MaxUint64, 1}, []uint32{1, 2}, 1); !errors.Is(err, ErrStakeOverflow) {
		t.Errorf("stake overflow: %v", err)
	}
}

// TestYumaWorkedExample works the formulas of subtensor's docs/consensus.md
// by hand on the two-validator example of subtensor.com's Yuma page:
// V0 (60 % stake) weights M0..M2 at .5/.3/.2, V1 (40 %) at .4/.4/.2, κ = .5.
//
//	C   = [.5, .3, .2]            (M1: .4 has only 40 % support, .3 has 100 %)
//	W̄0 = [.5, .3, .2], W̄1 = [.4, .3, .2]   → validator trust [1.0, 0.9]
//	P   = .6·W0 + .4·W1 = [.46, .34, .20]
//	R   = .6·W̄0 + .4·W̄1 = [.46, .30, .20],  I = R/.96 = [.479167, .3125, .208333]
//	T   = R/P = [1, .882353, 1]
//	ΔB0 = [.30/.46, .18/.30, .12/.20] = [.652174, .6, .6], ΔB1 = 1 − ΔB0
//	D   = ΔB·I = [.625, .375]
func TestYumaWorkedExample(t *testing.T) {
	e, err := Yuma([]uint64{600, 400}, [][]uint64{{5, 3, 2}, {4, 4, 2}}, ppm(0.5))
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got []uint32, want []float64) {
		t.Helper()
		for i := range want {
			if d := math.Abs(float64(got[i])/PPM - want[i]); d > 3e-6 {
				t.Errorf("%s[%d] = %d ppm, want %.6f", name, i, got[i], want[i])
			}
		}
	}
	near("consensus", e.Consensus, []float64{.5, .3, .2})
	near("validator trust", e.ValidatorTrust, []float64{1, .9})
	near("prerank", e.Prerank, []float64{.46, .34, .20})
	near("rank", e.Rank, []float64{.46, .30, .20})
	near("incentive", e.Incentive, []float64{.46 / .96, .30 / .96, .20 / .96})
	near("trust", e.Trust, []float64{1, .30 / .34, 1})
	near("bonds V0", e.Bonds[0], []float64{.30 / .46, .6, .6})
	near("dividends", e.Dividends, []float64{.625, .375})
}

// yumaTwin evaluates docs/consensus.md's table directly in float64.
func yumaTwin(stakes []float64, w [][]float64, kappa float64) (c, vt, inc, div []float64) {
	nv, nm := len(w), len(w[0])
	tot := 0.0
	for _, s := range stakes {
		tot += s
	}
	S := make([]float64, nv)
	W := make([][]float64, nv)
	for i := range w {
		S[i] = stakes[i] / tot
		sum := 0.0
		for _, x := range w[i] {
			sum += x
		}
		W[i] = make([]float64, nm)
		for j := range w[i] {
			if sum > 0 {
				W[i][j] = w[i][j] / sum
			}
		}
	}
	c = make([]float64, nm)
	for j := range nm {
		for _, cand := range W {
			wv := cand[j]
			sup := 0.0
			for i := range W {
				if W[i][j] >= wv {
					sup += S[i]
				}
			}
			if sup >= kappa-1e-12 && wv > c[j] {
				c[j] = wv
			}
		}
	}
	vt = make([]float64, nv)
	R := make([]float64, nm)
	Wc := make([][]float64, nv)
	for i := range W {
		Wc[i] = make([]float64, nm)
		for j := range nm {
			Wc[i][j] = math.Min(W[i][j], c[j])
			vt[i] += Wc[i][j]
			R[j] += S[i] * Wc[i][j]
		}
	}
	rs := 0.0
	for _, r := range R {
		rs += r
	}
	inc = make([]float64, nm)
	for j := range R {
		if rs > 0 {
			inc[j] = R[j] / rs
		}
	}
	div = make([]float64, nv)
	ds := 0.0
	for i := range W {
		for j := range nm {
			if R[j] > 0 {
				div[i] += S[i] * Wc[i][j] / R[j] * inc[j]
			}
		}
		ds += div[i]
	}
	for i := range div {
		if ds > 0 {
			div[i] /= ds
		}
	}
	return
}

func TestYumaMatchesFormulaTwin(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 7))
	for trial := range 300 {
		nv, nm := 1+r.IntN(6), 1+r.IntN(6)
		stakes := make([]uint64, nv)
		fs := make([]float64, nv)
		w := make([][]uint64, nv)
		fw := make([][]float64, nv)
		for i := range nv {
			stakes[i] = 1 + r.Uint64N(1000)
			fs[i] = float64(stakes[i])
			w[i] = make([]uint64, nm)
			fw[i] = make([]float64, nm)
			for j := range nm {
				// Weights on a grid so that normalized values are exact in ppm.
				w[i][j] = uint64(r.IntN(3))
				fw[i][j] = float64(w[i][j])
			}
			w[i][0]++ // no zero rows
			fw[i][0]++
			sum := uint64(0)
			for _, x := range w[i] {
				sum += x
			}
			for j := range nm { // scale rows to sum to 10^6 so ppm normalization is exact
				w[i][j] = w[i][j] * 1_000_000 / sum
				fw[i][j] = float64(w[i][j])
			}
			w[i][0] += 1_000_000 - func() uint64 {
				s := uint64(0)
				for _, x := range w[i] {
					s += x
				}
				return s
			}()
			fw[i][0] = float64(w[i][0])
		}
		kappa := 0.5
		e, err := Yuma(stakes, w, ppm(kappa))
		if err != nil {
			t.Fatal(err)
		}
		// The twin uses normalized float stakes; the fixed-point code compares
		// raw stakes exactly. Nudge κ in the twin by 1e-12 so exact ties agree.
		c, vt, inc, div := yumaTwin(fs, fw, kappa)
		check := func(name string, got []uint32, want []float64, tol float64) {
			for i := range want {
				if d := math.Abs(float64(got[i])/PPM - want[i]); d > tol {
					t.Fatalf("trial %d %s[%d] = %d ppm, twin %.7f", trial, name, i, got[i], want[i])
				}
			}
		}
		check("consensus", e.Consensus, c, 1e-6)
		check("validator trust", e.ValidatorTrust, vt, 1e-6*float64(nm))
		check("incentive", e.Incentive, inc, 1e-5)
		check("dividends", e.Dividends, div, 1e-4)
	}
}

// lowballRound is five validators of equal stake scoring six updates. The
// honest four agree up to a little noise; validator 4 scores update 2 (a
// competitor's honest update) at zero and everything else honestly.
func lowballRound() ([]uint64, [][]uint32) {
	truth := []float64{0.80, 0.70, 0.75, 0.90, 0.60, 0.20}
	noise := [][]float64{
		{+.01, -.01, 0, +.02, -.01, 0},
		{-.01, +.01, +.01, 0, 0, +.01},
		{0, 0, -.01, -.01, +.01, -.01},
		{+.02, 0, 0, +.01, -.02, 0},
		{0, 0, 0, 0, 0, 0},
	}
	scores := make([][]uint32, 5)
	for v := range scores {
		scores[v] = make([]uint32, len(truth))
		for u := range truth {
			scores[v][u] = ppm(truth[u] + noise[v][u])
		}
	}
	scores[4][2] = 0 // the low-ball
	return []uint64{100, 100, 100, 100, 100}, scores
}

// TestLowBallingIsFreeUnderYumaButCostsUnderTangent is the exploit of the
// package doc. Under Yuma's one-sided clipping the low-baller keeps trust
// 1.0 — more than the honest validators, whose small noise above consensus
// is clipped. Under Tangent's two-sided trust it loses trust and reward.
func TestLowBallingIsFreeUnderYumaButCostsUnderTangent(t *testing.T) {
	stakes, scores := lowballRound()
	p := DefaultParams()
	r, err := ScoreRound(stakes, scores, p)
	if err != nil {
		t.Fatal(err)
	}
	if !r.Accepted[2] || r.Consensus[2] < ppm(0.74) {
		t.Fatalf("a 20 %% minority moved consensus of update 2 to %d", r.Consensus[2])
	}
	if r.Accepted[5] {
		t.Errorf("the weak update 5 (score 0.2) was accepted")
	}
	t.Logf("Yuma trust %v", r.YumaTrust)
	t.Logf("Tangent trust %v", r.Trust)
	for v := 0; v < 4; v++ {
		if r.YumaTrust[4] < r.YumaTrust[v] {
			t.Errorf("Yuma: low-baller trust %d < honest validator %d's %d: the exploit should be free under one-sided clipping", r.YumaTrust[4], v, r.YumaTrust[v])
		}
		if r.Trust[4] >= r.Trust[v] {
			t.Errorf("Tangent: low-baller trust %d ≥ honest validator %d's %d", r.Trust[4], v, r.Trust[v])
		}
		if r.Outlier[v] {
			t.Errorf("honest validator %d flagged as outlier (trust %d)", v, r.Trust[v])
		}
	}
	if r.YumaTrust[4] != PPM {
		t.Errorf("Yuma trust of the low-baller is %d, want exactly 1.0", r.YumaTrust[4])
	}
	if !r.Outlier[4] {
		t.Errorf("the low-baller (trust %d) is not flagged", r.Trust[4])
	}
	pool := uint64(1_000_000)
	rw, err := Rewards(pool, stakes, r.Trust)
	if err != nil {
		t.Fatal(err)
	}
	yw, _ := Rewards(pool, stakes, r.YumaTrust)
	t.Logf("rewards with Tangent trust %v, with Yuma trust %v", rw, yw)
	var sum uint64
	for v, x := range rw {
		sum += x
		if v < 4 && rw[4] >= x {
			t.Errorf("low-baller reward %d ≥ honest validator %d's %d", rw[4], v, x)
		}
	}
	if sum != pool {
		t.Errorf("rewards sum to %d, pool is %d", sum, pool)
	}
	if yw[4] < yw[0] {
		t.Errorf("under Yuma trust the low-baller should not earn less than an honest validator")
	}
}

// TestOverScoringCostsUnderBoth: a validator that inflates one update (its
// own, say) loses trust under both rules and cannot move consensus alone.
func TestOverScoringCostsUnderBoth(t *testing.T) {
	stakes, scores := lowballRound()
	scores[4][2] = ppm(0.75)
	scores[4][5] = PPM // inflates the weak update
	r, err := ScoreRound(stakes, scores, DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	if r.Accepted[5] {
		t.Error("a 20 % minority got the weak update accepted")
	}
	if r.YumaTrust[4] >= r.YumaTrust[0] || r.Trust[4] >= r.Trust[0] {
		t.Errorf("over-scorer not penalized: Yuma %d vs %d, Tangent %d vs %d", r.YumaTrust[4], r.YumaTrust[0], r.Trust[4], r.Trust[0])
	}
}

// TestTrustProperties: trust is exactly 1.0 at consensus; a deviation of d
// above or below consensus on one update is the same deviation and costs
// trust under Tangent's rule, while Yuma's rule ignores the one below.
func TestTrustProperties(t *testing.T) {
	stakes := []uint64{10, 10, 10}
	base := []uint32{ppm(.5), ppm(.5), ppm(.5)}
	scores := [][]uint32{slices.Clone(base), slices.Clone(base), slices.Clone(base)}
	r, _ := ScoreRound(stakes, scores, DefaultParams())
	for v, tr := range r.Trust {
		if tr != PPM || r.Deviation[v] != 0 {
			t.Errorf("validator %d at consensus has trust %d deviation %d", v, tr, r.Deviation[v])
		}
	}
	up := [][]uint32{slices.Clone(base), slices.Clone(base), {ppm(.6), ppm(.5), ppm(.5)}}
	down := [][]uint32{slices.Clone(base), slices.Clone(base), {ppm(.4), ppm(.5), ppm(.5)}}
	ru, _ := ScoreRound(stakes, up, DefaultParams())
	rd, _ := ScoreRound(stakes, down, DefaultParams())
	if ru.Deviation[2] != rd.Deviation[2] {
		t.Errorf("deviation up %d != down %d", ru.Deviation[2], rd.Deviation[2])
	}
	if ru.Trust[2] >= PPM || rd.Trust[2] >= PPM {
		t.Errorf("deviation not penalized: up %d down %d", ru.Trust[2], rd.Trust[2])
	}
	if rd.YumaTrust[2] != PPM {
		t.Errorf("Yuma should not penalize the low score: %d", rd.YumaTrust[2])
	}
	zero := [][]uint32{{0, 0}, {0, 0}}
	rz, _ := ScoreRound([]uint64{1, 1}, zero, DefaultParams())
	if rz.Trust[0] != PPM {
		t.Errorf("all-zero agreement: trust %d", rz.Trust[0])
	}
}

func TestScoreRoundErrors(t *testing.T) {
	var ie *InputError
	_, err := ScoreRound([]uint64{1, 1}, [][]uint32{{1, 2}, {3}}, DefaultParams())
	if !errors.As(err, &ie) || ie.Validator != 1 {
		t.Errorf("ragged rows: %v", err)
	}
	_, err = ScoreRound([]uint64{1, 1}, [][]uint32{{1, 2}, {3, PPM + 1}}, DefaultParams())
	if !errors.As(err, &ie) || ie.Validator != 1 || ie.Update != 1 {
		t.Errorf("score over 1.0: %v", err)
	}
	if _, err := ScoreRound([]uint64{1}, nil, DefaultParams()); err == nil {
		t.Error("stake/score count mismatch accepted")
	}
	if _, err := ScoreRound(nil, nil, Params{Kappa: PPM + 1}); err == nil {
		t.Error("kappa over 1.0 accepted")
	}
	if _, err := ScoreRound([]uint64{math.MaxUint64, 1}, [][]uint32{{1}, {1}}, DefaultParams()); !errors.Is(err, ErrStakeOverflow) {
		t.Errorf("stake overflow: %v", err)
	}
}

func TestRewardsLargeStakes(t *testing.T) {
	stakes := []uint64{math.MaxUint64, math.MaxUint64 / 2, 1 << 40}
	trust := []uint32{PPM, PPM, PPM / 2}
	rw, err := Rewards(1_000_000_007, stakes, trust)
	if err != nil {
		t.Fatal(err)
	}
	if rw[0]+rw[1]+rw[2] != 1_000_000_007 {
		t.Fatalf("rewards %v do not sum to the pool", rw)
	}
	if d := math.Abs(float64(rw[0])/float64(rw[1]) - 2); d > 1e-8 {
		t.Errorf("ratio of the two largest: %v", float64(rw[0])/float64(rw[1]))
	}
	small, _ := Rewards(1000, []uint64{3, 3}, []uint32{999_999, 999_998})
	if small[0] != 500 || small[1] != 500 {
		t.Errorf("small stakes: %v", small)
	}
}
