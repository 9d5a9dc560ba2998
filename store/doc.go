// Package store is Tangent's content-addressed blob store: models, updates,
// datasets and checkpoints live here, the ledger holds only their CIDs.
//
// # Content ids
//
// Every CID is version 1 with a sha2-256 multihash, so the same bytes have
// the same id here and in IPFS. A blob of at most one chunk (1 MiB) is named
// by the raw-codec CID of its bytes: "hello world\n" is
// bafkreifjjcie6lypi6ny7amxnfftagclbuxndqonfipmb64f2km2devei4, as in IPFS. A
// larger blob is cut into 1 MiB chunks, each a raw block named by its raw
// CID, listed in a Manifest: a Tangent-specific record (type
// "tangent/blob/v1") encoded as canonical DAG-CBOR and named by its CID with
// codec dag-cbor (0x71). The codec is honest: the manifest really is
// DAG-CBOR with real CID links, so an IPFS node can decode it and walk to
// (and pin) every chunk; the blob's CID is not the CID `ipfs add` would give
// the same file (that would be a UnixFS dag-pb tree). The manifest also
// carries the total size and the RFC 6962 Merkle root over the chunks'
// sha2-256 digests, which availability proofs and ledger commitments use.
// DecodeManifest accepts only the canonical encoding, so one blob has one
// CID. Erasure-coded shard sets (ShardManifest, type "tangent/shards/v1")
// are DAG-CBOR too.
//
// # The disk store
//
// Store keeps blocks as files under its directory (blocks/<cid>), each
// written whole to a temporary file and renamed into place, so a block file
// is never torn by a kill -9; writeback to disk starts as each block is
// written (sync_file_range on Linux), and every block is fsynced before a
// blob that needs it counts. A blob is committed by writing meta/<cid> (its
// retention; temporary file, fsync, rename, directory fsync) only after
// every block it needs has been fsynced and the blocks directory synced.
// Open recovers from a crash (kill -9 or power loss): it deletes temporary
// files and indexes what is there.
//
// Every block is checked the first time a process reads it, and a block
// that fails is deleted and reported as a *CorruptError: the store never
// returns bytes that do not match their CID. Blocks this process wrote or
// fetched were hashed against their CID as they arrived. A blob committed
// with fsync is sealed: its metadata also records the CRC-32C of each of
// its blocks, taken from the verified bytes; after a restart those blocks
// are checked against the recorded CRC (a few GB/s) instead of hashed again
// (SHA-256, a few hundred MB/s here). That catches what crashes and disks
// do to files (torn, truncated, replaced or bit-rotted: every error of up
// to three bits, anything else but for a 2^-32 chance); it is not meant to
// stop someone who can write the store's files, who could rewrite the
// metadata too. Other blocks (left by an interrupted write, or by a NoSync
// store) are hashed against their CID. A per-blob size limit
// (*TooLargeError) and a per-store quota (*QuotaError) bound the disk used.
// A second process opening the same directory fails.
//
// # Retention
//
// Each blob has a Retention: kept through ledger height KeepUntil (proof
// data such as checkpoints through its challenge window: ThroughWindow), or
// pinned. GC(height) drops expired blobs and deletes the blocks no kept blob
// references (chunks shared between blobs are stored once and kept while
// any blob needs them). GC's removal of blobs, Commit and the retention
// setters (SetRetention, Pin, Unpin) are serialized: a Commit or setter
// that returns nil has its retention on disk and in force, and a setter
// that GC overtakes returns ErrNotFound. Blocks left by an interrupted
// write are reclaimed by GC or when space is needed, except those of a
// partial blob: a fetch
// records (Batch.KeepPartial) that the blocks of the blob it is assembling
// are kept for Options.PartialGrace heights after the first GC that sees
// the record, so that it resumes after a failure or a restart; committing
// the blob removes the record (Partials lists them).
//
// # Erasure coding and availability proofs
//
// EncodeShards spreads a blob over k+m shards (Reed-Solomon,
// klauspost/reedsolomon), each stored as an ordinary blob; Rebuild restores
// the blob from any k, and RebuildShards regenerates lost shards. Challenge,
// Prove and CheckProof implement availability proofs: a seed names chunk
// indices, the provider answers with the chunks and their Merkle audit
// paths, and CheckProof, a pure function of the commitment, the challenge,
// the answer and the height it arrived at, detects wrong, missing and late
// answers. The Merkle trees and inclusion proofs are tangent/verify/merkle's
// (RFC 6962), the construction every Tangent component uses; the blob's root
// is merkle.RootOfHashes of its chunks' digests (ChunkRoot).
//
// # Caller's duties
//
// Open one Store per directory and Close it. Readers from Get hold their
// blob's blocks until Close. Batch is for writers that assemble a blob from
// blocks received elsewhere (the p2p fetcher): PutBlock verifies each block
// against its CID, and Commit, which makes the blob visible, refuses a blob
// whose chunks are not the lengths its manifest says (a manifest fixes its
// chunks' CIDs, not their lengths: a fetcher checks each chunk against
// Manifest.ChunkLen as it arrives). A Reader fails with a *CorruptError
// rather than serve such a chunk. The pure parts (CIDs, manifests, proofs,
// erasure layout) use no clock, randomness or I/O.
package store
