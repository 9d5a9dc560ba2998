// Package dp holds differential-privacy tools for trainers (DESIGN.md §1.1
// step 2): a Rényi-DP accountant for the Poisson-subsampled Gaussian
// mechanism, the conversion from RDP to (ε, δ), and the clip-and-noise step
// a trainer applies to its update.
//
// # Accountant
//
// One step of DP-SGD (or of DP-FedAvg at the user level) samples each record
// with probability q, clips each contribution to L2 norm C and adds
// N(0, σ²C²) noise. Its Rényi divergence of order α is ε_α = log(A_α)/(α−1)
// (Mironov, Talwar, Zhang 2019, "Rényi Differential Privacy of the Sampled
// Gaussian Mechanism", §3), where for integer α
//
//	A_α = Σ_{k=0..α} C(α,k) (1−q)^(α−k) q^k exp((k²−k)/(2σ²))
//
// and for fractional α the two-sided series of their §3.3 with the
// erfc terms. The code follows TF-Privacy's rdp_accountant.py
// (_compute_log_a_int, _compute_log_a_frac) term by term, in log space.
// T steps compose additively: ε_α(T) = T·ε_α. q = 1 is the plain Gaussian
// mechanism, α/(2σ²).
//
// Two conversions to (ε, δ)-DP are offered; both minimize over the orders:
//
//	Standard  (Mironov 2017, Prop. 3):  ε = ε_α + log(1/δ)/(α−1)
//	Improved  (Canonne, Kamath, Steinke 2020, Prop. 12; Balle et al. 2020):
//	          ε = ε_α + log1p(−1/α) − log(δ·α)/(α−1)   (α > 1.01)
//
// Improved is what TF-Privacy's compute_dp_sgd_privacy and Google's
// dp_accounting report today and is the default (Epsilon); Standard
// reproduces older published figures (Abadi et al. 2016's moments
// accountant is the standard conversion at integer orders).
//
// Checked against published values (see dp_test.go for the tolerances):
// TF-Privacy's rdp_accountant_test.py (compute_rdp vectors, the conversion
// test), compute_dp_sgd_privacy_test.py (ε = 0.7242 and 1.4155), the
// TF-Privacy MNIST tutorial (σ = 1.1, q = 256/60000, 60 epochs,
// δ = 1e-5 → ε = 2.92), and Abadi et al. 2016 §3.1 (q = 0.01, σ = 4,
// δ = 1e-5, T = 10000 → ε ≈ 1.26).
//
// The accountant uses math.Exp, math.Log, math.Log1p, math.Lgamma and
// math.Erfc. Its ε is reported, never recomputed by the ledger for
// consensus, and is not promised to be bit-identical across architectures.
//
// # Clip and noise
//
// ClipL2 and AddGaussianNoise are deterministic given their inputs and the
// NormalSource, which the caller owns and seeds (for example a
// *math/rand/v2.Rand over a seeded ChaCha8 or PCG): the package never
// creates randomness. The arithmetic is float64 per element with one
// explicit rounding to float32 (see fl's package doc).
package dp
