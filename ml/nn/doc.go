// Package nn builds a network from a model spec and runs its forward and
// backward passes with explicit, hand-written gradients: Dense, Conv2D,
// MaxPool2D, ReLU, Flatten, Dropout, and the softmax cross-entropy loss.
//
// # Operators
//
// Every computation of a training step is one of the operators listed in
// Exec's comment ("dense.forward", "conv2d.backward_filter", ...). An operator
// is a pure function of its input tensors and its attributes: Exec runs any
// one of them alone, on fresh buffers, and gives the bits that the step
// computed (the step calls the same ml/kernels routines with the same
// arguments, only into reused buffers). A step run with a trace.Recorder
// records each operator with Merkle commitments of its inputs and outputs.
//
// # Bits
//
// All arithmetic is ml/kernels': FMA32 chains for GEMM and convolution, float32
// sums in a stated order for bias gradients and pooling backward, Exp32/Log32
// for the loss. The few loops written here (dropout masks, the loss) use
// explicitly rounded float32 operations only: products are wrapped in
// float32() so the compiler cannot fuse them with an addition (see ml/kernels'
// package comment on FMA contraction). Parallelism (kernels.Workers()) only
// splits independent outputs, so the results do not depend on it.
//
// # Initialization
//
// Network.Init draws every weight and bias from U(-1/√fan_in, 1/√fan_in),
// PyTorch's default for Linear and Conv2d (kaiming_uniform with a = √5), from
// Philox stream tensor.StreamInit of the seed: layers in order, weight then
// bias, elements in row-major order, value j of a tensor from word j of the
// stream (see tensor.RNG.FillUniform).
//
// # Buffers and ownership
//
// A Network owns its activation and gradient buffers and reuses them across
// steps; the tensors Forward and Backward return are valid until the next
// call. Parameter tensors (Param.W) and gradients (Param.G) are owned by the
// network; optimizers update W in place. A Network is not safe for
// concurrent use.
package nn
