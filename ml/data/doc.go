// Package data loads IDX datasets (Fashion-MNIST, MNIST), orders them into
// deterministic seeded batches, and partitions them among federated clients.
//
// Loading: Load(dir) reads the four files train-images-idx3-ubyte,
// train-labels-idx1-ubyte, t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte
// from dir, each either gzip-compressed (".gz") or raw. DefaultDir is where
// Debian's dataset-fashion-mnist package installs them. Every error names the
// file and says what to do.
//
// Batching: a Loader's order is a pure function of (seed, epoch): epoch e
// visits the examples in the Fisher-Yates permutation drawn from Philox
// stream tensor.StreamShuffle with counter high word e. The loader's whole
// state is its Cursor (epoch, position), which checkpoints store. Batches have
// exactly the batch size; the last Len%Batch examples of each permutation are
// skipped (drop-last), so every step sees a full batch.
//
// Pixels become float32 as float32(v)/255 (one exactly rounded division).
//
// Partitioning (IID, Dirichlet, KLabels) is seeded and uses only integer
// arithmetic and the platform-independent float64 functions of ml/detmath, so
// a seed gives the same client index lists on every machine.
package data
