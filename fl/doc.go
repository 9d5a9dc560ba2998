// Package fl holds the pure rules of Tangent's federated protocol (DESIGN.md
// section 1.1): update compression, aggregation, consensus scoring, privacy
// accounting, contribution measures, secure-aggregation masks and the DiLoCo
// outer step. The package fl itself holds no code; each rule lives in a
// subpackage so that a reader can take one alone:
//
//	fl/vec        deterministic float32 vector kernels (dot, norm, distance, hash)
//	fl/codec      top-k + error feedback compressor, 8-bit quantization, wire format
//	fl/agg        FedAvg, coordinate median, trimmed mean, Multi-Krum, FLTrust
//	fl/fixed      integer fixed-point helpers (ppm, 128-bit mul-div, exact payout split)
//	fl/consensus  stake-weighted median scoring with Yuma-style clipping, validator trust
//	fl/dp         Rényi-DP accountant for the sampled Gaussian mechanism, clip + noise
//	fl/contrib    final-settlement contribution: projection, leave-one-out, payout
//	fl/secagg     pairwise additive masks over Z/2^32 that cancel in the sum
//	fl/diloco     DiLoCo outer step (Nesterov momentum on the averaged pseudo-gradient)
//
// # Purity
//
// Nothing under fl/ performs I/O, reads a clock, starts a goroutine or uses a
// global random generator; randomness (DP noise) comes from a generator the
// caller passes in. Only the standard library is imported. Benchmarks may use
// clocks and goroutines; library code may not (internal/lint checks imports).
//
// # The determinism contract
//
// Every result another node or the ledger recomputes (aggregates, scores,
// contributions, payouts, codec bytes) is bit-identical on every machine,
// GOARCH and GOAMD64 level, because:
//
//  1. Fixed order. Every reduction runs in a documented, input-order-only
//     order: updates in the order given (index 0 first), coordinates in
//     increasing index order, and where a kernel keeps several partial sums
//     (fl/vec), the lane assignment and the final combination are part of
//     the definition and a plain loop (the "simple twin") reproduces them.
//     No map iteration, no sort whose result depends on the algorithm: sorts
//     use total orders (float keys mapped to integers, ties by index).
//
//  2. Explicit rounding, never an implicit FMA. The Go specification lets a
//     compiler fuse x*y + z into one fused multiply-add (it does on arm64 and
//     on amd64 with GOAMD64=v3). Tangent's fl code chooses the other option
//     the spec offers: every product that feeds an addition is explicitly
//     rounded with a conversion, float32(a*b) + c or float64(a*b) + c, which
//     the spec forbids the compiler to fuse. (fl does not use fma32.)
//     Accumulations of float32 data run in float64; a product of two float32
//     values is exact in float64, so those products cannot round at all.
//     Tests pin golden SHA-256 hashes of aggregation results and of a whole
//     seeded federated task (pipeline_test.go: compression, wire format,
//     scoring, consensus, aggregation, settlement), and compare the float64
//     partial sums of the kernels bit for bit with plain reference loops;
//     that comparison fails if a conversion is dropped and the compiler
//     fuses. Run them with GOAMD64=v3 (FMA instructions allowed) as well as
//     the default, and on arm64 when available (qemu-user works):
//
//     go test ./fl/...
//     GOAMD64=v3 go test ./fl/...
//     GOARCH=arm64 go test -c -o /tmp/agg.test ./fl/agg && qemu-aarch64 /tmp/agg.test
//
//  3. Integers for the ledger. fl/fixed, fl/consensus and the payout split
//     of fl/contrib use no floating point at all: scores and trust are
//     parts per million (uint32/uint64), products are taken in 128 bits
//     and rounding is floor (toward zero) unless a function says otherwise.
//
// Functions whose results are reported but never recomputed for consensus
// (the DP accountant's ε uses math.Exp, math.Log and math.Lgamma, which are
// not guaranteed bit-identical across architectures) say so in their doc.
package fl
