// Package agg holds Tangent's deterministic aggregation rules for model
// updates (DESIGN.md §1.1 step 5): any node recomputes the aggregate from the
// accepted updates in the order the ledger fixed and gets the same bits.
//
// Rules:
//
//	WeightedMean  FedAvg with integer weights (e.g. sample counts)
//	Median        coordinate-wise median
//	TrimmedMean   coordinate-wise mean after dropping the b lowest and b highest
//	MultiKrum     Blanchard et al. 2017: average of the m updates with the
//	              lowest sum of squared distances to their n−f−2 nearest peers
//	FLTrust       Cao et al. 2021: trust = ReLU(cosine with a reference
//	              update), each update rescaled to the reference's norm
//
// Contract. Updates are float32 vectors of equal length, in the order the
// ledger fixed; a rule never modifies them and never keeps them. Every rule
// rejects an empty input, a length mismatch and any NaN or ±Inf element with
// an *InputError naming the update index (and the element), so one bad
// upload is attributable. The result is written to dst when len(dst) equals
// the update length, otherwise to a new slice; it is returned either way.
// When a rule returns an error, dst may hold partial results.
//
// Numerics (see fl's package doc). Each output coordinate is computed in
// float64 and rounded once to float32 at the end:
//
//	WeightedMean  s = 0; for i in order: s = s + float64(c_i·float64(x_i[j]));  out = float32(s / W)
//
// with c_i = float64(w_i) and W = float64(Σ w_i) (exact: Σ w_i ≤ 2^53).
// FLTrust and MultiKrum use the same kernel with their own coefficients.
// Median and TrimmedMean sort each coordinate's values by IEEE total order
// (-0 before +0), so the selection does not depend on the sort algorithm;
// TrimmedMean sums the kept values in ascending order. The fast kernels are
// tested bit-equal to plain reference loops, and golden hashes of each
// rule's output are pinned (run the tests with GOAMD64=v3 too).
package agg
