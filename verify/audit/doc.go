// Package audit holds the rules of checkpoint commitments and audit sampling
// for verifiable compute jobs (DESIGN.md §1.2 steps 3-4).
//
// # Commitment
//
// A solver that trains for steps S with checkpoint interval K hashes
// checkpoints c_0 (the initial state), c_1, ..., c_n (n = ceil(S/K)) and
// commits Commitment{Root, Count: n+1}, where Root is the RFC 6962 Merkle
// root (package merkle) over the checkpoint hashes taken as leaves. Segment i
// (0 <= i < n) is the training from c_i to c_{i+1}; a verifier re-executes it
// and proves both ends with one merkle.RangeProof over leaves [i, i+2).
//
// # Sampling
//
// Which segments get re-executed is decided by a seed the solver could not
// know when it committed: a block hash after the commitment, or a VRF output
// of the verifier. Sample draws s distinct segments out of n, uniformly and
// without replacement, with a partial Fisher-Yates shuffle driven by
// SHA-256 in counter mode (package seedrand): the same seed gives the same
// segments on every node.
//
// # Detection
//
// A cheater who corrupts c of n segments escapes a sample of s distinct
// segments with probability C(n-c, s) / C(n, s) (hypergeometric), so one
// verifier detects it with probability 1 - C(n-c, s)/C(n, s); v verifiers with
// independent samples miss it with probability (C(n-c, s)/C(n, s))^v.
// Detection returns the exact rational; DetectionFixed the same value as an
// integer fraction of FixedOne, rounded down, for use in consensus.
//
// The package is pure: no I/O, clocks, floats in results, or goroutines.
package audit
