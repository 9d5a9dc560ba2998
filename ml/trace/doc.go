// Package trace records the operators of a training step and commits every
// tensor they read and write, so that a dispute can single out one operator
// and re-execute it alone (ml/nn's Exec does the re-execution).
//
// # Tensor commitments
//
// A tensor is committed by the RFC 6962 Merkle Tree Hash of its
// little-endian float32 bytes cut into 4096-byte chunks (ChunkSize; the last
// chunk may be shorter): leaf = SHA-256(0x00 || chunk), node =
// SHA-256(0x01 || left || right), a tree of n > 1 leaves splits at the
// largest power of two smaller than n, and the empty tensor's root is
// SHA-256(""). This is exactly verify/merkle's RootOfChunks with
// TensorChunkSize, so roots computed here and there agree. Integer tensors
// (class labels) are committed as float32 values (exact below 2**24). The
// shape is recorded next to the root, not hashed into it.
//
// # Records
//
// A Trace is the list of Ops of one step in execution order. Each Op names
// its kind ("dense.forward", "conv2d.backward_filter", "optim.update", ...),
// the layer it belongs to, its attributes (a string map, encoded with sorted
// keys) and its input and output tensors as (name, shape, root). Ops of a step
// chain: an op's input root equals the root of the output it was computed
// from. A Recorder builds a Trace while a step runs; with KeepData it also
// keeps a copy of every tensor, by root, for tests and for serving data to a
// dispute.
package trace
