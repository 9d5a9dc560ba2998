// Package consensus turns validators' revealed scores into the ledger's
// decisions for a federated round (DESIGN.md §1.1 steps 3–4): the consensus
// score of each update, which updates are accepted, and how far each
// validator was from consensus (its trust, which sets its reward).
//
// Everything is integer arithmetic, ready for the ledger: scores, trust and
// κ are parts per million (fixed.PPM = 1.0), stakes are raw uint64 amounts,
// products are taken in 128 bits, and every division rounds down.
//
// # Consensus: Bittensor's stake-weighted κ-quantile
//
// The consensus score of update u is the largest score w that validators
// holding at least a κ fraction of the stake support, i.e. score u at w or
// above (Yuma Consensus, opentensor/subtensor docs/consensus.md, eq. 3):
//
//	C_u = max{ w : Σ_{i: s_iu ≥ w} stake_i ≥ κ · Σ_i stake_i }
//
// with κ = 0.5 by default: the stake-weighted median, upper median on an
// exact tie. Validators with zero stake are ignored, as subtensor's
// weighted_median_col does. The comparison is exact (stake·PPM against
// κ·total in 128 bits), so there is no rounding at the boundary; subtensor
// works with I32F32-normalized stakes and can differ at an exact tie.
// WeightedQuantile is tested against the vectors of subtensor's
// test_math_weighted_median_col (pallets/subtensor/src/tests/math.rs).
//
// # Clipping and low-balling
//
// Yuma clips each weight to consensus from above, W̄ = min(W, C), and a
// validator's trust is the part of its weight that survives,
// Σ_u min(s_u, C_u) / Σ_u s_u (for normalized rows, subtensor's row_sum of
// clipped weights). Over-scoring costs trust; under-scoring does not: a
// validator that scores a competitor's honest update at 0 keeps full trust,
// because min(0, C) = 0 removes the same amount from numerator and
// denominator. That is the known "low-balling" hole: clipping is one-sided
// (subtensor issue #1868, github.com/RaoFoundation/subtensor/issues/1868,
// "Low uid pressure allows even a tiny validator to wreck havoc": "a
// clipping mechanism only for weights above the consensus, while it is
// absent for undervalued weights").
//
// Tangent closes it with two-sided clipping in the trust measure. A
// validator's trust is the weighted Jaccard similarity (Ruzicka) of its
// scores and consensus:
//
//	Trust_i = Σ_u min(s_iu, C_u) / Σ_u max(s_iu, C_u)      (PPM when both are all zero)
//
// Over-scoring raises the denominator, under-scoring lowers the numerator:
// a deviation in either direction costs the same. Trust is 1 exactly when a
// validator scored every update at consensus. Consensus itself (the median)
// is unchanged and already robust to a minority in both directions; what
// changes is that a minority low-baller now pays in reward. Rewards split a
// validator pool in proportion to stake × trust (Rewards), and the ledger
// flags validators under Params.MinTrust as outliers (persistent outliers
// lose stake, DESIGN.md §1.1 step 4). ScoreRound also reports Yuma's
// one-sided trust (YumaTrust) so the difference is visible.
//
// Yuma computes the full Bittensor epoch on normalized weights (prerank,
// consensus, clipped weights, rank, incentive, miner trust, validator trust,
// instant bonds and dividends with bonds penalty β = 1 and no EMA) as
// written in subtensor's docs/consensus.md, for comparison and tests.
package consensus
