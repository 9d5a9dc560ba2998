// Package secagg implements pairwise additive masking for secure
// aggregation (Bonawitz et al., "Practical Secure Aggregation for
// Privacy-Preserving Machine Learning", CCS 2017, the masking layer only):
// the aggregator learns the sum of the trainers' updates and nothing about
// any single one.
//
// Each pair of trainers (i, j) shares a 32-byte secret key (agreed out of
// band, e.g. by X25519 between their ledger-registered keys; not this
// package's job). For a round, the pair expands the key into a mask
// stream m_ij over Z/2^32; the trainer with the lower id adds it, the other
// subtracts it. Summed over all trainers, every mask appears once with each
// sign and cancels exactly, because the arithmetic is modular integer
// arithmetic, not floating point.
//
// Updates are therefore first encoded to fixed point: q = round(x·scale) as
// a two's-complement int32 (Encode), masked, summed mod 2^32 (Sum), and the
// sum decoded (Decode). The caller picks scale so that the true sum cannot
// overflow: n · max|x| · scale < 2^31.
//
// The mask stream for (key, round, i, j) is AES-256-CTR with a zero IV,
// keyed by SHA-256("tangent/secagg/v1" ‖ key ‖ round ‖ min(i,j) ‖ max(i,j))
// (integers big-endian, 8 + 4 + 4 bytes), read as little-endian uint32s.
// It is deterministic, so a test or an auditor with the keys can recompute
// it.
//
// Not implemented: recovery when a trainer drops out after masking (the
// secret-sharing layer of Bonawitz et al.): with a dropout the sum is
// garbage and the round must be re-run without that trainer.
package secagg
