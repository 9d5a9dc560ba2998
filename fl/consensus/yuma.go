package consensus

import (
	"fmt"

	"tangent/fl/fixed"
)

// Epoch is one Yuma Consensus epoch in fixed point (ppm), per
// opentensor/subtensor docs/consensus.md "Mathematical definitions".
type Epoch struct {
	Stake          []uint32   // S_i = stake_i / Σ stake
	Weights        [][]uint32 // W_ij, each row normalized to sum ≈ 1 (zero rows stay zero)
	Prerank        []uint32   // P_j = Σ_i S_i·W_ij
	Consensus      []uint32   // C_j = stake-weighted κ-quantile of column j
	Clipped        [][]uint32 // W̄_ij = min(W_ij, C_j)
	Rank           []uint32   // R_j = Σ_i S_i·W̄_ij
	Incentive      []uint32   // I_j = R_j / Σ_k R_k
	Trust          []uint32   // T_j = R_j / P_j (miner trust)
	ValidatorTrust []uint32   // T_vi = Σ_j W̄_ij
	Bonds          [][]uint32 // ΔB_ij = S_i·W̄_ij / Σ_k S_k·W̄_kj (bonds penalty β = 1, no EMA)
	Dividends      []uint32   // D_i = Σ_j ΔB_ij·I_j, normalized to sum ≈ 1
}

// Yuma runs one epoch on raw weights (any non-negative integers per row; a
// row is normalized by its sum) and raw stakes. Every product-sum is taken
// exactly and divided once, rounding down, so results are within a few ppm
// of the real-valued formulas (the tests check against a float64 twin).
func Yuma(stakes []uint64, weights [][]uint64, kappa uint32) (Epoch, error) {
	if kappa > PPM {
		return Epoch{}, fmt.Errorf("consensus: kappa %d > %d", kappa, PPM)
	}
	if len(weights) != len(stakes) {
		return Epoch{}, fmt.Errorf("consensus: %d stakes for %d weight rows", len(stakes), len(weights))
	}
	total, err := fixed.Sum(stakes)
	if err != nil {
		return Epoch{}, ErrStakeOverflow
	}
	nv := len(stakes)
	nm := 0
	if nv > 0 {
		nm = len(weights[0])
	}
	e := Epoch{
		Stake:          make([]uint32, nv),
		Weights:        make([][]uint32, nv),
		Prerank:        make([]uint32, nm),
		Consensus:      make([]uint32, nm),
		Clipped:        make([][]uint32, nv),
		Rank:           make([]uint32, nm),
		Incentive:      make([]uint32, nm),
		Trust:          make([]uint32, nm),
		ValidatorTrust: make([]uint32, nv),
		Bonds:          make([][]uint32, nv),
		Dividends:      make([]uint32, nv),
	}
	for i, row := range weights {
		if len(row) != nm {
			return Epoch{}, &InputError{Validator: i, Update: -1, Reason: fmt.Sprintf("has %d weights, validator 0 has %d", len(row), nm)}
		}
		sum, err := fixed.Sum(row)
		if err != nil {
			return Epoch{}, &InputError{Validator: i, Update: -1, Reason: "weights sum overflows uint64"}
		}
		e.Weights[i] = make([]uint32, nm)
		for j, w := range row {
			if sum > 0 {
				e.Weights[i][j] = fixed.Ratio(w, sum)
			}
		}
		if total > 0 {
			e.Stake[i] = fixed.Ratio(stakes[i], total)
		}
	}
	col := make([]uint32, nv)
	order := make([]int, 0, nv)
	for j := range nm {
		for i := range nv {
			col[i] = e.Weights[i][j]
		}
		e.Consensus[j] = quantile(stakes, col, kappa, total, order)
	}
	// Sums below use ppm·ppm products: ≤ 10^12 each, ≤ 10^12 in total for
	// normalized stake, so uint64 never overflows.
	var rankSum uint64
	rankRaw := make([]uint64, nm)
	for i := range nv {
		e.Clipped[i] = make([]uint32, nm)
		var vt uint64
		for j := range nm {
			c := min(e.Weights[i][j], e.Consensus[j])
			e.Clipped[i][j] = c
			vt += uint64(c)
		}
		e.ValidatorTrust[i] = uint32(min(vt, PPM))
	}
	for j := range nm {
		var pre uint64
		for i := range nv {
			pre += uint64(e.Stake[i]) * uint64(e.Weights[i][j])
			rankRaw[j] += uint64(e.Stake[i]) * uint64(e.Clipped[i][j])
		}
		e.Prerank[j] = uint32(pre / PPM)
		e.Rank[j] = uint32(rankRaw[j] / PPM)
		rankSum += rankRaw[j]
		if pre > 0 {
			e.Trust[j] = fixed.Ratio(rankRaw[j], pre)
		}
	}
	for j := range nm {
		if rankSum > 0 {
			e.Incentive[j] = fixed.Ratio(rankRaw[j], rankSum)
		}
	}
	divRaw := make([]uint64, nv)
	var divSum uint64
	for i := range nv {
		e.Bonds[i] = make([]uint32, nm)
		for j := range nm {
			if rankRaw[j] > 0 {
				e.Bonds[i][j] = fixed.Ratio(uint64(e.Stake[i])*uint64(e.Clipped[i][j]), rankRaw[j])
			}
			divRaw[i] += uint64(e.Bonds[i][j]) * uint64(e.Incentive[j])
		}
		divSum += divRaw[i]
	}
	for i := range nv {
		if divSum > 0 {
			e.Dividends[i] = fixed.Ratio(divRaw[i], divSum)
		}
	}
	return e, nil
}
