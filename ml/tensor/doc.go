// Package tensor holds Tangent's float32 tensor and its counter-based random
// number generator.
//
// A Tensor is a shape and a contiguous row-major []float32 (strides are
// derived from the shape; there are no views with other strides). The data
// slice is owned by the tensor; functions that return a tensor return a new
// one unless their comment says otherwise.
//
// RNG is Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1,
// 2, 3", SC'11): a pure function of a 64-bit key and a 128-bit counter, so any
// element of a random stream can be computed independently of the others
// (dropout masks are filled in parallel and re-executed alone) and the whole
// state of a stream is (seed, stream id, counter), which checkpoints store.
// Everything here uses integer arithmetic or exactly rounded float32
// operations: the same seed gives the same bits on every platform.
package tensor
