package kernels

// gemmPaths returns every Gemm implementation this CPU can run, the pure-Go
// one first.
func gemmPaths() []*gemmKernel {
	ps := []*gemmKernel{&goGemm}
	return append(ps, archGemmPaths()...)
}

// withGemm runs fn with Gemm forced to use g.
func withGemm(g *gemmKernel, fn func()) {
	old := activeGemm
	activeGemm = g
	defer func() { activeGemm = old }()
	fn()
}
