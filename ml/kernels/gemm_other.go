//go:build !amd64 || purego

package kernels

// archGemmPaths returns the assembly Gemm implementations this CPU
// supports: none on this architecture or with the purego tag.
func archGemmPaths() []*gemmKernel { return nil }
