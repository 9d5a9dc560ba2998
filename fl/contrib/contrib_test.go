package contrib

import (
	"errors"
	"math"
	"slices"
	"testing"

	"tangent/fl/internal/splitmix"
	"tangent/fl/vec"
)

func TestProjectionBasics(t *testing.T) {
	start := []float32{0, 0, 0}
	final := []float32{3, 4, 0} // D = (3,4,0), ‖D‖ = 5
	deltas := [][]float32{
		{3, 4, 0},   // along D: 5
		{-3, -4, 0}, // against: 0
		{0, 0, 7},   // orthogonal: 0
		{1.5, 2, 9}, // half along plus orthogonal: 2.5
	}
	got, err := Projection(start, final, deltas)
	if err != nil {
		t.Fatal(err)
	}
	want := []uint64{5 * One, 0, 0, 5 * One / 2}
	if !slices.Equal(got, want) {
		t.Errorf("got %v want %v", got, want)
	}
	got, _ = Projection(final, final, deltas)
	if !slices.Equal(got, make([]uint64, 4)) {
		t.Errorf("no movement should score 0: %v", got)
	}
	if _, err := Projection(start, final, [][]float32{{1, 2}}); err == nil {
		t.Error("short delta accepted")
	}
	if _, err := Projection(start, final, [][]float32{{1, float32(math.NaN()), 0}}); err == nil {
		t.Error("NaN delta accepted")
	}
	if ToFixed(math.Inf(1)) != maxScore*One || ToFixed(math.NaN()) != 0 || ToFixed(-1) != 0 {
		t.Error("ToFixed edge cases")
	}
}

func TestPayout(t *testing.T) {
	p, err := Payout(1000, []uint64{0, 3 * One, One})
	if err != nil || !slices.Equal(p, []uint64{0, 750, 250}) {
		t.Errorf("Payout = %v, %v", p, err)
	}
	if _, err := Payout(1000, []uint64{0, 0}); !errors.Is(err, ErrNoContribution) {
		t.Errorf("no contribution: %v", err)
	}
	p, err = PayoutSigned(10, []int64{-5, 1, 1, 1})
	if err != nil || !slices.Equal(p, []uint64{0, 4, 3, 3}) {
		t.Errorf("PayoutSigned = %v, %v", p, err)
	}
	tot := make([]uint64, 2)
	if err := Accumulate(tot, []int{1, 0, 1}, []uint64{5, 2, 3}); err != nil || !slices.Equal(tot, []uint64{2, 8}) {
		t.Errorf("Accumulate = %v, %v", tot, err)
	}
	if err := Accumulate(tot, []int{2}, []uint64{1}); err == nil {
		t.Error("owner out of range accepted")
	}
}

// Roles of the left-handed scenario.
const (
	nMajority = 6
	left      = nMajority     // the honest minority
	attacker  = nMajority + 1 // sign-flips the majority's direction, amplified
	freerider = nMajority + 2 // uploads nothing useful
	nTrainers = nMajority + 3
	dim       = 64
	rounds    = 20
	lateRound = 4 // first round in which validators accept the left-handed update
)

var roleName = map[int]string{left: "left-handed", attacker: "attacker", freerider: "free-rider"}

// localUpdate is 5 steps of gradient descent, step 0.3, on trainer k's loss
// ½‖P_k(w − t_k)‖², where P_k masks the coordinates its data speaks about;
// it returns the update w_local − w (float32 with explicit rounding).
func localUpdate(w, target []float32, lo, hi int) []float32 {
	local := slices.Clone(w)
	for range 5 {
		for j := lo; j < hi; j++ {
			local[j] = local[j] - float32(0.3*(local[j]-target[j]))
		}
	}
	d := make([]float32, len(w))
	for j := range d {
		d[j] = local[j] - w[j]
	}
	return d
}

type scenario struct {
	starts  [][]float32   // w_r for each round
	deltas  [][][]float32 // per round, per trainer
	final   []float32
	truth   []float32
	weights []uint64
}

// runLeftHanded simulates DESIGN.md §1.1 step 7. Majority trainers' data
// covers coordinates 0..47; the left-handed trainer's covers 32..63, the
// only data about 48..63, and it has half a majority trainer's samples. In
// the first lateRound rounds the validators hold majority-like data only,
// see no gain from the left-handed updates and reject them; from then on
// the validation set includes left-handed data and its updates are
// accepted, so the model moves its way late. The attacker (always
// rejected) sends −3× the honest majority's mean update; the free-rider
// sends zeros (and is accepted: it harms nobody but dilutes).
func runLeftHanded() scenario {
	s := splitmix.Gen(77)
	truth := make([]float32, dim)
	for j := range truth {
		truth[j] = s.Float(1)
	}
	targets := make([][]float32, nTrainers)
	for k := range targets {
		targets[k] = make([]float32, dim)
		for j := range truth {
			targets[k][j] = truth[j] + s.Float(0.05)
		}
	}
	sc := scenario{truth: truth, weights: make([]uint64, nTrainers)}
	for k := range sc.weights {
		sc.weights[k] = 1000
	}
	sc.weights[left] = 500
	w := make([]float32, dim)
	for r := range rounds {
		sc.starts = append(sc.starts, slices.Clone(w))
		ds := make([][]float32, nTrainers)
		for k := 0; k < nMajority; k++ {
			ds[k] = localUpdate(w, targets[k], 0, 48)
		}
		ds[left] = localUpdate(w, targets[left], 32, 64)
		honestMean, err := Apply(make([]float32, dim), ds[:nMajority], sc.weights[:nMajority])
		if err != nil {
			panic(err)
		}
		ds[attacker] = make([]float32, dim)
		for j := range honestMean {
			ds[attacker][j] = -3 * honestMean[j]
		}
		ds[freerider] = make([]float32, dim)
		sc.deltas = append(sc.deltas, ds)
		var acc [][]float32
		var ws []uint64
		for k := range nTrainers {
			accepted := k < nMajority || k == freerider || (k == left && r >= lateRound)
			if accepted {
				acc, ws = append(acc, ds[k]), append(ws, sc.weights[k])
			}
		}
		next, err := Apply(w, acc, ws)
		if err != nil {
			panic(err)
		}
		w = next
	}
	sc.final = w
	return sc
}

func settle(t *testing.T, sc scenario, bounty uint64) ([]uint64, []uint64) {
	t.Helper()
	totals := make([]uint64, nTrainers)
	owners := make([]int, nTrainers)
	for k := range owners {
		owners[k] = k
	}
	for r := range rounds {
		scores, err := Projection(sc.starts[r], sc.final, sc.deltas[r])
		if err != nil {
			t.Fatal(err)
		}
		if err := Accumulate(totals, owners, scores); err != nil {
			t.Fatal(err)
		}
	}
	pay, err := Payout(bounty, totals)
	if err != nil {
		t.Fatal(err)
	}
	return totals, pay
}

func TestLeftHandedTrainerIsPaid(t *testing.T) {
	sc := runLeftHanded()
	const bounty = 1_000_000
	totals, pay := settle(t, sc, bounty)
	var sum, majority uint64
	for k, p := range pay {
		sum += p
		name := roleName[k]
		if name == "" {
			name = "majority"
			majority += p
		}
		t.Logf("trainer %d (%s): score %.4f, paid %d", k, name, float64(totals[k])/One, p)
	}
	if sum != bounty {
		t.Fatalf("payouts sum to %d, bounty %d", sum, bounty)
	}
	avgMajority := majority / nMajority
	if pay[left] < avgMajority/2 {
		t.Errorf("left-handed trainer paid %d, less than half the average majority trainer (%d)", pay[left], avgMajority)
	}
	if pay[attacker] != 0 || pay[freerider] != 0 {
		t.Errorf("attacker paid %d, free-rider paid %d; want 0", pay[attacker], pay[freerider])
	}
	// Its early updates were rejected, yet they count: paying only for
	// rounds 5–9 would pay it less.
	early := make([]uint64, nTrainers)
	for r := range lateRound {
		s, _ := Projection(sc.starts[r], sc.final, sc.deltas[r])
		_ = Accumulate(early, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, s)
	}
	if early[left] == 0 {
		t.Error("the left-handed trainer's rejected early updates earned nothing")
	}
	// The model did move the left-handed way: at least half the distance
	// on the coordinates only the left-handed data speaks about (FedAvg
	// dilutes a minority's coordinates, so it is not all the way).
	var before, after float64
	for j := 48; j < dim; j++ {
		before += math.Abs(float64(sc.starts[0][j] - sc.truth[j]))
		after += math.Abs(float64(sc.final[j] - sc.truth[j]))
	}
	if after > before/2 {
		t.Errorf("final model covered only %.0f %% of the distance on the left-handed coordinates", 100*(1-after/before))
	}
	// Deterministic: a second run pays the same to the unit.
	_, pay2 := settle(t, runLeftHanded(), bounty)
	if !slices.Equal(pay, pay2) {
		t.Errorf("settlement not deterministic: %v vs %v", pay, pay2)
	}
}

// TestLeaveOneOut uses round lateRound (the first round the left-handed
// update is accepted) with an evaluator on data that includes left-handed records:
// −Σ(w−truth)² in millionths.
func TestLeaveOneOut(t *testing.T) {
	sc := runLeftHanded()
	eval := func(m []float32) (int64, error) {
		diff := make([]float32, len(m))
		for j := range m {
			diff[j] = m[j] - sc.truth[j]
		}
		return -int64(math.Round(vec.Norm2(diff) * 1e6)), nil
	}
	loo, err := LeaveOneOut(sc.starts[lateRound], sc.deltas[lateRound], sc.weights, eval)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("leave-one-out, round %d: %v", lateRound, loo)
	if loo[left] <= 0 {
		t.Errorf("left-handed update's LOO %d, want > 0", loo[left])
	}
	if loo[attacker] >= 0 {
		t.Errorf("attacker's LOO %d, want < 0", loo[attacker])
	}
	if loo[freerider] > 0 {
		t.Errorf("free-rider's LOO %d, want ≤ 0 (it only dilutes)", loo[freerider])
	}
	again, _ := LeaveOneOut(sc.starts[lateRound], sc.deltas[lateRound], sc.weights, eval)
	if !slices.Equal(loo, again) {
		t.Error("leave-one-out not deterministic")
	}
	pay, err := PayoutSigned(1000, loo)
	if err != nil {
		t.Fatal(err)
	}
	if pay[attacker] != 0 || pay[left] == 0 {
		t.Errorf("LOO payout %v", pay)
	}
}
