//go:build amd64 && !purego

package kernels

// archGemmPaths returns the assembly Gemm implementations this CPU
// supports, best last.
func archGemmPaths() []*gemmKernel { return nil }
