package consensus

import (
	"errors"
	"fmt"
	"math/bits"
	"slices"

	"tangent/fl/fixed"
)

// PPM is the unit of scores, κ and trust: 1.0 = 1_000_000.
const PPM = fixed.PPM

// Params are the round's consensus parameters (chain parameters, in genesis).
type Params struct {
	Kappa    uint32 // stake fraction that must support the consensus score, ppm (0.5 = 500_000)
	Accept   uint32 // an update is accepted when its consensus score is ≥ Accept, ppm
	MinTrust uint32 // a validator whose trust is below MinTrust is an outlier this round, ppm
}

// DefaultParams: κ = 0.5, accept at consensus ≥ 0.5, outlier below trust
// 0.9 (honest validators scoring on different held-out samples typically
// stay within a few percent of consensus).
func DefaultParams() Params { return Params{Kappa: 500_000, Accept: 500_000, MinTrust: 900_000} }

// Validate checks every field is at most PPM.
func (p Params) Validate() error {
	if p.Kappa > PPM || p.Accept > PPM || p.MinTrust > PPM {
		return fmt.Errorf("consensus: params %+v: every field is in ppm and must be ≤ %d", p, PPM)
	}
	return nil
}

// ErrStakeOverflow is returned when the total stake does not fit in a uint64.
var ErrStakeOverflow = errors.New("consensus: total stake overflows uint64")

// InputError names the validator (and update) whose input is unusable.
type InputError struct {
	Validator int
	Update    int // -1 when the whole row is at fault
	Reason    string
}

func (e *InputError) Error() string {
	if e.Update >= 0 {
		return fmt.Sprintf("consensus: validator %d, update %d: %s", e.Validator, e.Update, e.Reason)
	}
	return fmt.Sprintf("consensus: validator %d: %s", e.Validator, e.Reason)
}

// geq128 reports a·x ≥ b·y, computed exactly.
func geq128(a, x, b, y uint64) bool {
	h1, l1 := bits.Mul64(a, x)
	h2, l2 := bits.Mul64(b, y)
	return h1 > h2 || (h1 == h2 && l1 >= l2)
}

// WeightedQuantile returns the largest value w among values[i] (with
// stakes[i] > 0) such that the stake of entries with value ≥ w is at least
// κ of the total stake — the stake-weighted κ-quantile of Yuma Consensus
// (subtensor's weighted_median with majority κ). It returns 0 when no entry
// has stake. stakes and values have equal length; the stake total must fit
// in a uint64 (see ErrStakeOverflow) and kappa ≤ PPM.
func WeightedQuantile(stakes []uint64, values []uint32, kappa uint32) (uint32, error) {
	if len(stakes) != len(values) {
		return 0, fmt.Errorf("consensus: %d stakes for %d values", len(stakes), len(values))
	}
	total, err := fixed.Sum(stakes)
	if err != nil {
		return 0, ErrStakeOverflow
	}
	return quantile(stakes, values, kappa, total, make([]int, 0, len(values))), nil
}

// quantile is WeightedQuantile with the total precomputed; order is scratch.
func quantile(stakes []uint64, values []uint32, kappa uint32, total uint64, order []int) uint32 {
	if total == 0 {
		return 0
	}
	order = order[:0]
	for i, s := range stakes {
		if s > 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case values[a] > values[b]:
			return -1
		case values[a] < values[b]:
			return 1
		}
		return a - b
	})
	var support uint64
	for k := 0; k < len(order); {
		v := values[order[k]]
		for k < len(order) && values[order[k]] == v {
			support += stakes[order[k]]
			k++
		}
		if geq128(support, PPM, uint64(kappa), total) {
			return v
		}
	}
	return 0 // only when kappa > PPM
}

// Round is ScoreRound's verdict for one round.
type Round struct {
	Consensus []uint32 // per update: stake-weighted κ-quantile of its scores, ppm
	Accepted  []bool   // per update: Consensus ≥ Params.Accept
	Trust     []uint32 // per validator: Σ min(s, C) / Σ max(s, C), ppm (two-sided; Tangent's rule)
	YumaTrust []uint32 // per validator: Σ min(s, C) / Σ s, ppm (one-sided; Bittensor's rule, for comparison)
	Deviation []uint64 // per validator: Σ |s − C|, ppm·updates
	Outlier   []bool   // per validator: Trust < Params.MinTrust
}

// ScoreRound computes the consensus of a round from the revealed scores:
// scores[v][u] is validator v's score of update u in ppm (0 … PPM), stakes[v]
// its stake. Validators that did not reveal are left out by the caller.
func ScoreRound(stakes []uint64, scores [][]uint32, p Params) (Round, error) {
	if err := p.Validate(); err != nil {
		return Round{}, err
	}
	if len(scores) != len(stakes) {
		return Round{}, fmt.Errorf("consensus: %d stakes for %d validators' scores", len(stakes), len(scores))
	}
	total, err := fixed.Sum(stakes)
	if err != nil {
		return Round{}, ErrStakeOverflow
	}
	nu := 0
	if len(scores) > 0 {
		nu = len(scores[0])
	}
	for v, row := range scores {
		if len(row) != nu {
			return Round{}, &InputError{Validator: v, Update: -1, Reason: fmt.Sprintf("scored %d updates, validator 0 scored %d", len(row), nu)}
		}
		for u, s := range row {
			if s > PPM {
				return Round{}, &InputError{Validator: v, Update: u, Reason: fmt.Sprintf("score %d exceeds %d (1.0)", s, PPM)}
			}
		}
	}
	r := Round{
		Consensus: make([]uint32, nu),
		Accepted:  make([]bool, nu),
		Trust:     make([]uint32, len(scores)),
		YumaTrust: make([]uint32, len(scores)),
		Deviation: make([]uint64, len(scores)),
		Outlier:   make([]bool, len(scores)),
	}
	col := make([]uint32, len(scores))
	order := make([]int, 0, len(scores))
	for u := range nu {
		for v := range scores {
			col[v] = scores[v][u]
		}
		r.Consensus[u] = quantile(stakes, col, p.Kappa, total, order)
		r.Accepted[u] = r.Consensus[u] >= p.Accept
	}
	for v, row := range scores {
		// Sums of at most 2^32 values ≤ 10^6 each: below 2^52, no overflow.
		var sumMin, sumMax, sumS, dev uint64
		for u, s := range row {
			c := r.Consensus[u]
			sumMin += uint64(min(s, c))
			sumMax += uint64(max(s, c))
			sumS += uint64(s)
			dev += uint64(max(s, c) - min(s, c))
		}
		r.Trust[v] = fixed.Ratio(sumMin, sumMax)
		r.YumaTrust[v] = fixed.Ratio(sumMin, sumS)
		r.Deviation[v] = dev
		r.Outlier[v] = r.Trust[v] < p.MinTrust
	}
	return r, nil
}

// Rewards splits pool among validators in proportion to stake·trust,
// exactly (fixed.Split: largest remainder, ties to the lower index). The
// products are exact 128-bit values; when their sum would not fit in 64
// bits, all of them are shifted right by the same number of bits first
// (deterministic; only the low bits of very large products are dropped).
// It returns fixed.ErrNoShares when every share is zero.
func Rewards(pool uint64, stakes []uint64, trust []uint32) ([]uint64, error) {
	if len(stakes) != len(trust) {
		return nil, fmt.Errorf("consensus: %d stakes for %d trust values", len(stakes), len(trust))
	}
	his := make([]uint64, len(stakes))
	los := make([]uint64, len(stakes))
	width := 0 // bit length of the largest product
	for i := range stakes {
		his[i], los[i] = bits.Mul64(stakes[i], uint64(trust[i]))
		if his[i] != 0 {
			width = max(width, 64+bits.Len64(his[i]))
		} else {
			width = max(width, bits.Len64(los[i]))
		}
	}
	// The sum of n values below 2^w is below 2^(w+len(n)).
	shift := max(0, width+bits.Len(uint(len(stakes)))-64)
	shares := make([]uint64, len(stakes))
	for i := range shares {
		if shift == 0 {
			shares[i] = los[i]
		} else if shift < 64 {
			shares[i] = los[i]>>shift | his[i]<<(64-shift)
		} else {
			shares[i] = his[i] >> (shift - 64)
		}
	}
	return fixed.Split(pool, shares)
}
