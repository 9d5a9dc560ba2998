// Package kernels holds Tangent's bit-exact numeric kernels: GEMM, 2-D
// convolution (forward and both backward passes), max pooling, elementwise
// operations and reductions on row-major float32 slices.
//
// # The contract
//
// The same inputs give the same output bits on every run, for every
// Workers() setting and GOMAXPROCS, on every GOAMD64 level and on amd64 and
// arm64 alike. Each kernel's doc comment states the exact sequence of
// roundings that defines its result, and a plain reference loop (GemmRef,
// Conv2DRef, ...) implements that sequence literally. Fast variants
// (packing, cache blocking, SIMD assembly, goroutines) are tested to equal
// the reference bit for bit on random shapes, including odd sizes that are
// not multiples of any block or vector width. NaN results are NaN, with an
// unspecified payload; every other bit is defined.
//
// # Rounding
//
// Every multiply-accumulate is FMA32(a, b, c): a*b+c computed exactly and
// rounded once to float32, round to nearest even. A dot product is one FMA32
// chain in a fixed index order, starting from +0 (or from the existing
// output when accumulating). Because the chain and its order are fixed per
// output element, a fast kernel may block the reduction (store the partial
// chain and continue it later) and parallelize over outputs without changing
// any bit; it may never split a reduction into partial sums. SIMD
// implementations use the hardware's single-rounding FMA (VFMADD231PS on
// amd64), whose result is FMA32's by IEEE 754.
//
// Plain sums (bias gradients, col2im, pooling backward) are float32
// additions in a stated order. Exp32 and Log32 are pure-Go float64
// evaluations with explicit roundings, then rounded to float32 (math.Exp and
// math.Log are assembly on amd64 and arm64, with CPU-dependent code paths,
// so they are not used). Sqrt32 is the correctly rounded square root.
//
// # No implicit FMA contraction
//
// The Go specification lets the compiler fuse x*y + z into one FMA, and the
// gc compiler does so on arm64, ppc64, s390x, riscv64 and on amd64 with
// GOAMD64=v3 or higher: the same source would then round differently on
// different machines. An explicit conversion forces a rounding and prevents
// fusion, so in this package every product that feeds an addition is
// written as float64(x*y) or float32(x*y), or goes through FMA32, which
// computes the fused result itself from an exact float64 product. A test
// (TestNoImplicitFMA) type-checks the package and fails on any float
// multiplication used directly as an operand of + or -. TestGoldenGOAMD64
// builds and runs the golden test (a SHA-256 of a fixed workload over all
// kernels, pinned in testdata/golden.sha256) with GOAMD64=v1 and v3 and
// with the purego tag, and all must give the pinned hash.
//
// # Implementations
//
// Gemm picks an implementation at start-up with golang.org/x/sys/cpu:
// AVX-512 (ZMM) or AVX2+FMA (YMM) assembly micro-kernels on amd64, and a
// pure-Go kernel elsewhere or with the purego build tag. All share one
// blocked driver (packing into panels, kc/mc/nc cache blocks) and all give
// GemmRef's bits.
//
// # Slices and ownership
//
// Matrices are row-major []float32 with an explicit leading dimension;
// tensors are NCHW. Kernels read their inputs, write only the stated
// elements of their outputs (overwriting them unless documented as
// accumulating) and keep no reference to any slice after returning. Outputs
// must not overlap inputs unless a kernel's comment allows it. Kernels panic
// on invalid shapes or short slices: these are programming errors, and the
// callers (ml/nn) validate user input first.
//
// # Parallelism
//
// SetWorkers sets how many goroutines a kernel may use (the trainer's
// --threads); ParallelFor is the same mechanism for callers. Work is split
// only over independent outputs (tiles of C, batch items, rows), so the
// setting changes speed and never bits.
package kernels
