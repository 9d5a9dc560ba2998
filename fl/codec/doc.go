// Package codec compresses model updates for upload (DESIGN.md §1.1 step 2):
// top-k sparsification with error feedback, optional 8-bit quantization, and
// a versioned, bounded, canonical binary format.
//
// # Compression
//
// A trainer keeps one Compressor per model. Each round,
//
//	acc      = update + residual              (float32, element by element)
//	sent     = the K entries of acc with the largest |acc| (ties: lower index),
//	           optionally quantized to 8 bits
//	residual = acc − dense(sent)              (what was not sent waits for later rounds)
//
// This is error feedback (Seide et al. 2014; Stich et al. 2018; Lin et al.'s
// Deep Gradient Compression 2018): nothing is lost, only delayed, so the
// sum of everything sent plus the residual equals the sum of the updates.
//
// Quantization is deterministic nearest rounding with one scale per message:
// scale = float32(max|v| / 127), q = round-half-away-from-zero(v / scale)
// clamped to [-127, 127], and the value carried is float32(q)·scale. It is
// not stochastic (unbiased) rounding; it does not need to be, because the
// rounding error goes into the residual and is sent later. The absolute
// error of each value is at most scale/2 (plus one float32 rounding).
// A message whose max|v| is zero or so small that the scale would be
// subnormal is sent unquantized.
//
// # Wire format, version 1
//
//	byte 0      version = 1
//	byte 1      flags: bit 0 = quantized values, bit 1 = bitmap index encoding;
//	            the other bits are zero
//	uvarint     dim, 1 ≤ dim ≤ Limits.MaxDim
//	uvarint     nnz, 0 ≤ nnz ≤ dim
//	indices     delta encoding: nnz uvarints, the first index, then for each
//	            next index the gap idx[k] − idx[k−1] − 1
//	            bitmap encoding: ceil(dim/8) bytes, bit i%8 of byte i/8 set iff
//	            index i is present; padding bits zero; popcount = nnz
//	values      unquantized: nnz float32, little-endian, finite
//	            quantized: the scale as a float32 (finite, normal, > 0), then
//	            nnz int8 in [-127, 127]
//
// The encoding is canonical: varints are minimal, the index encoding is the
// smaller of the two (delta on a tie), a message with no entries is not
// quantized, and nothing follows the values. Decode rejects anything else,
// so Encode(Decode(b)) == b for every accepted b, and a content hash of the
// bytes identifies the update. Decode never allocates more than a constant
// times len(b), and rejects inputs longer than Limits.MaxBytes.
//
// Ownership: Decode's result does not alias its input; Encode's result is
// new. Compress returns slices owned by the caller.
package codec
