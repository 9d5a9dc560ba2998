// Package contrib measures what each update contributed to the final model,
// for the final settlement of a federated task (DESIGN.md §1.1 step 7), and
// splits the bounty by it.
//
// Projection (the default measure) scores an update Δ_i made in round r by
// how far it points the way the model finally went from that round:
//
//	D = w_final − w_r,   score_i = max(0, ⟨Δ_i, D⟩ / ‖D‖)
//
// in parameter-space length units, clipped at zero (an update against the
// final direction earns nothing; it does not owe). Every update submitted in
// the round is scored, accepted or not: an honest minority whose updates
// were rejected at the time but whose direction the model took later (the
// "left-handed trainer") is paid, and attackers pointing elsewhere are not.
//
// LeaveOneOut scores update i by eval(model with all updates) − eval(model
// without update i), for a deterministic evaluation function the caller
// supplies (e.g. validation accuracy in basis points on a fixed set).
//
// Determinism: D is rounded to float32 element by element, dot products
// and norms are fl/vec's fixed-order float64 reductions, and scores become
// integers before anything is summed: Score = floor(min(score, 2^31)·2^32)
// (Q32.32, saturating), an exact operation on the float64 value. Payout
// splits a bounty in proportion to integer scores with fixed.Split (exact
// sum, largest remainder, ties to the lower index). Models are built as
// w_r + WeightedMean(Δ) with fl/agg's rounding rules.
package contrib
