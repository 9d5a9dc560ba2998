package contrib

import (
	"errors"
	"fmt"
	"math"

	"tangent/fl/agg"
	"tangent/fl/fixed"
	"tangent/fl/vec"
)

// One is the Q32.32 fixed-point unit of Projection scores.
const One = 1 << 32

// maxScore is where Q32.32 scores saturate (2^31 units).
const maxScore = 1 << 31

// ToFixed converts a non-negative float64 score to Q32.32, flooring, with
// NaN and negatives mapped to 0 and values ≥ 2^31 saturated.
func ToFixed(s float64) uint64 {
	if !(s > 0) {
		return 0
	}
	if s >= maxScore {
		return maxScore * One
	}
	return uint64(math.Floor(s * One)) // ×2^32 is exact in float64
}

// Projection scores each delta of round r by max(0, ⟨Δ_i, D⟩/‖D‖) with
// D = final − start (float32, element by element), in Q32.32. When the model
// did not move (D = 0) every score is 0. All vectors must have the same
// length and be finite.
func Projection(start, final []float32, deltas [][]float32) ([]uint64, error) {
	if len(start) != len(final) {
		return nil, fmt.Errorf("contrib: start has %d parameters, final %d", len(start), len(final))
	}
	for _, v := range [][]float32{start, final} {
		if j := vec.FirstNonFinite(v); j >= 0 {
			return nil, fmt.Errorf("contrib: model parameter %d is not finite", j)
		}
	}
	for i, d := range deltas {
		if len(d) != len(start) {
			return nil, &agg.InputError{Index: i, Elem: -1, Reason: fmt.Sprintf("has %d elements, the model has %d", len(d), len(start))}
		}
		if j := vec.FirstNonFinite(d); j >= 0 {
			return nil, &agg.InputError{Index: i, Elem: j, Reason: "is not finite"}
		}
	}
	dir := make([]float32, len(start))
	for j := range dir {
		dir[j] = final[j] - start[j]
	}
	out := make([]uint64, len(deltas))
	n := vec.Norm(dir)
	if n == 0 || math.IsInf(n, 1) {
		return out, nil
	}
	for i, d := range deltas {
		out[i] = ToFixed(vec.Dot(d, dir) / n)
	}
	return out, nil
}

// Evaluator scores a model deterministically (higher is better), e.g.
// correct predictions on a fixed validation set. It must not keep model.
type Evaluator func(model []float32) (int64, error)

// Apply returns start + WeightedMean(deltas, weights), each element rounded
// to float32 (start itself when deltas is empty).
func Apply(start []float32, deltas [][]float32, weights []uint64) ([]float32, error) {
	out := make([]float32, len(start))
	copy(out, start)
	if len(deltas) == 0 {
		return out, nil
	}
	mean, err := agg.WeightedMean(nil, deltas, weights)
	if err != nil {
		return nil, err
	}
	if len(mean) != len(start) {
		return nil, fmt.Errorf("contrib: updates have %d elements, the model %d", len(mean), len(start))
	}
	for j := range out {
		out[j] = out[j] + mean[j]
	}
	return out, nil
}

// LeaveOneOut returns, for each update i, eval(Apply(start, all)) −
// eval(Apply(start, all but i)). Positive means the update helped. It
// calls eval len(deltas)+1 times, in order: all, then without 0, 1, ….
func LeaveOneOut(start []float32, deltas [][]float32, weights []uint64, eval Evaluator) ([]int64, error) {
	if len(weights) != len(deltas) {
		return nil, fmt.Errorf("contrib: %d weights for %d updates", len(weights), len(deltas))
	}
	full, err := Apply(start, deltas, weights)
	if err != nil {
		return nil, err
	}
	base, err := eval(full)
	if err != nil {
		return nil, err
	}
	out := make([]int64, len(deltas))
	xs := make([][]float32, 0, len(deltas))
	ws := make([]uint64, 0, len(deltas))
	for i := range deltas {
		xs, ws = xs[:0], ws[:0]
		for k := range deltas {
			if k != i && weights[k] != 0 {
				xs, ws = append(xs, deltas[k]), append(ws, weights[k])
			}
		}
		m, err := Apply(start, xs, ws)
		if err != nil {
			return nil, err
		}
		v, err := eval(m)
		if err != nil {
			return nil, err
		}
		out[i] = base - v
	}
	return out, nil
}

// ErrNoContribution is returned by Payout when no score is positive: there
// is nobody to pay, and the caller returns the bounty to the planner.
var ErrNoContribution = errors.New("contrib: no positive contribution to pay")

// Payout splits bounty in proportion to scores, exactly (the parts sum to
// bounty; fixed.Split). Use PayoutSigned for scores that can be negative.
func Payout(bounty uint64, scores []uint64) ([]uint64, error) {
	parts, err := fixed.Split(bounty, scores)
	if errors.Is(err, fixed.ErrNoShares) {
		return nil, ErrNoContribution
	}
	return parts, err
}

// PayoutSigned is Payout with negative scores counted as zero.
func PayoutSigned(bounty uint64, scores []int64) ([]uint64, error) {
	u := make([]uint64, len(scores))
	for i, s := range scores {
		if s > 0 {
			u[i] = uint64(s)
		}
	}
	return Payout(bounty, u)
}

// Accumulate adds per-update scores into per-owner totals: totals[owner[i]]
// += scores[i]. It returns an error on an owner out of range or an overflow.
func Accumulate(totals []uint64, owner []int, scores []uint64) error {
	if len(owner) != len(scores) {
		return fmt.Errorf("contrib: %d owners for %d scores", len(owner), len(scores))
	}
	for i, o := range owner {
		if o < 0 || o >= len(totals) {
			return fmt.Errorf("contrib: update %d has owner %d, only %d owners", i, o, len(totals))
		}
		s := totals[o] + scores[i]
		if s < totals[o] {
			return fixed.ErrOverflow
		}
		totals[o] = s
	}
	return nil
}
