// Package diloco is the outer step of DiLoCo (Douillard et al., "DiLoCo:
// Distributed Low-Communication Training of Language Models", 2023):
// workers each take H local optimizer steps from the shared parameters θ,
// then the outer step treats the averaged change as a gradient,
//
//	Δ      = Σ_i w_i (θ − θ_i) / Σ_i w_i      (pseudo-gradient; PseudoGradient)
//	v      = μ·v + Δ                          (Outer.Step)
//	θ      = θ − η·(Δ + μ·v)   with Nesterov  (θ − η·v without)
//
// which is PyTorch's SGD(momentum=μ, nesterov=True) applied to Δ; the paper
// uses η = 0.7, μ = 0.9 (DefaultConfig). With η = 1 and μ = 0 it is FedAvg.
//
// Determinism: differences θ − θ_i are float32; their weighted mean uses
// fl/agg.WeightedMean; the update runs element by element in float32 with
// every product explicitly rounded:
//
//	v[j] = float32(μ·v[j]) + Δ[j];  u = Δ[j] + float32(μ·v[j]);  θ[j] = θ[j] − float32(η·u)
//
// The momentum buffer is the caller's state to checkpoint (Momentum,
// SetMomentum).
package diloco
