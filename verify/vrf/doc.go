// Package vrf implements the verifiable random function ECVRF of RFC 9381
// with the suite ECVRF-EDWARDS25519-SHA512-TAI (suite string 0x03,
// "try-and-increment" encode-to-curve), over the ed25519 keys that Tangent
// accounts already hold.
//
// Why TAI and not ELL2 (0x04): TAI is the suite with the longest deployment
// record (Algorand, Cardano, libsodium's draft VRF) and needs nothing beyond
// RFC 8032 point decoding; its running time depends on the public input
// (alpha), which is harmless here because alpha — a job id, a block hash —
// is public anyway.
//
// # Contract
//
//   - Prove(sk, alpha) is deterministic: the same key and input give the same
//     80-byte proof pi (Gamma || c || s) and the same 64-byte output beta.
//   - Verify(pk, alpha, pi) returns beta only if pi is the proof for exactly
//     (pk, alpha); it runs ECVRF_verify with validate_key = TRUE, so public
//     keys of small order are rejected and the output is unique for a key
//     (full uniqueness, RFC 9381 §3.2). Point and scalar encodings must be
//     canonical (RFC 8032 §5.1.3 strict decoding; s < q).
//   - ProofToHash(pi) gives beta without checking pi: use it only for a proof
//     already verified.
//
// Nobody, the key holder included, can choose beta for a given alpha; anyone
// with pk can check it. That makes "lowest output wins" (package sortition)
// fair as long as alpha is fixed before the volunteers know it.
//
// The package is pure: no I/O, clocks or global randomness.
package vrf
