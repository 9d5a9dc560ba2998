// Package merkle implements the Merkle trees of RFC 6962 / RFC 9162
// (Certificate Transparency v1 and v2) over SHA-256, and the proofs Tangent
// puts in transactions.
//
// # The construction (every Tangent component uses exactly this one)
//
//   - A leaf's hash is SHA-256(0x00 || data); an interior node's hash is
//     SHA-256(0x01 || left || right). The different prefixes keep a leaf from
//     ever being passed off as a node (second-preimage resistance).
//   - A tree over n > 1 leaves splits at k, the largest power of two smaller
//     than n: root = node(MTH(D[0:k]), MTH(D[k:n])). Odd counts need no
//     padding or duplication: the split rule handles them (a lone last node is
//     carried up a level unchanged).
//   - The empty tree's root is SHA-256("") (e3b0c442...).
//
// Data is committed either as a list of leaves (RootOfLeaves: each leaf's
// bytes are hashed with the leaf prefix; a list of 32-byte hashes, such as a
// job's checkpoint hashes, is committed by treating each hash as a leaf's
// bytes: RootOfHashes) or as a byte string cut into fixed-size chunks
// (RootOfChunks: chunk i is data[i*size : (i+1)*size], the last chunk may be
// shorter, empty data has no chunks and the empty root). The ML trace commits
// tensors as 4096-byte chunks of their little-endian float32 bytes
// (TensorChunkSize). The blob store cuts blobs into 1 MiB chunks
// (BlobChunkSize) and commits the list of the chunks' SHA-256 digests with
// RootOfHashes, so that a chunk's CID and its Merkle leaf hash the same bytes
// once.
//
// # Proofs
//
// An InclusionProof is the RFC 9162 §2.1.3 audit path of one leaf, verified
// by the algorithm of §2.1.3.2. A RangeProof proves a contiguous run of
// leaves [Begin, End) against the root with the sibling hashes a verifier
// cannot compute itself (at most two per tree level); a one-leaf range proof
// is exactly that leaf's audit path. Both have a compact binary encoding
// (Encode / DecodeInclusionProof / DecodeRangeProof) whose hash count is
// implied by the header, so a decoded proof is canonical and its size is
// bounded (MaxInclusionProofSize, MaxRangeProofSize); decoders reject anything
// else. As in RFC 9162, a root means nothing without its tree size: a proof
// against a tree of n leaves can also recompute the root of a tree of a
// different size, so commit (root, size) together and verify proofs against
// the committed size.
//
// # Contract
//
// The package is pure: no I/O, clocks or goroutines; all functions are safe
// for concurrent use on distinct values. Functions return freshly allocated
// slices the caller owns; Tree keeps the leaf hashes it is given and the
// caller must not modify them afterwards.
package merkle
