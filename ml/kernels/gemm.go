package kernels

import "fmt"

// Gemm computes C = op(A)·op(B) (+ C when accumulate), where op(A) is m×k
// and op(B) is k×n, all row-major with leading dimensions lda, ldb, ldc.
// op(A) is A when !transA (A is m×k, element (i,p) at a[i*lda+p]) and A's
// transpose when transA (A is k×m, element (i,p) of op(A) at a[p*lda+i]);
// likewise for B.
//
// Its bits are defined by GemmRef: for each (i, j)
//
//	acc := accumulate ? C[i,j] : +0
//	for p := 0; p < k; p++ { acc = FMA32(op(A)[i,p], op(B)[p,j], acc) }
//	C[i,j] = acc
//
// one fused multiply-add chain per element, p ascending. Gemm computes the
// same bits faster (packed panels, cache blocking over k that stores and
// reloads the partial chain in C, SIMD FMA, and up to Workers() goroutines
// over disjoint tiles of C).
//
// Gemm reads a and b and writes only the m×n elements of c; it keeps no
// reference to any slice after it returns. c must not overlap a or b.
// It panics if a dimension is negative, a leading dimension is too small
// or a slice is too short.
func Gemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	if m == 0 || n == 0 {
		return
	}
	if k == 0 {
		if !accumulate {
			for i := 0; i < m; i++ {
				clear(c[i*ldc : i*ldc+n])
			}
		}
		return
	}
	gemmBlocked(activeGemm, matrix{transA, a, lda}, matrix{transB, b, ldb}, m, n, k, c, ldc, accumulate)
}

// GemmRef is the reference loop that defines Gemm's result (see Gemm).
// It is slow; use it to check and to re-execute single elements.
func GemmRef(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	checkGemm(transA, transB, m, n, k, a, lda, b, ldb, c, ldc)
	for i := 0; i < m; i++ {
		for j := 0; j < n; j++ {
			var acc float32
			if accumulate {
				acc = c[i*ldc+j]
			}
			for p := 0; p < k; p++ {
				var av, bv float32
				if transA {
					av = a[p*lda+i]
				} else {
					av = a[i*lda+p]
				}
				if transB {
					bv = b[j*ldb+p]
				} else {
					bv = b[p*ldb+j]
				}
				acc = FMA32(av, bv, acc)
			}
			c[i*ldc+j] = acc
		}
	}
}

// checkGemm panics unless the arguments describe valid matrices.
func checkGemm(transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int) {
	if m < 0 || n < 0 || k < 0 {
		panic(fmt.Sprintf("kernels: Gemm: negative dimension m=%d n=%d k=%d", m, n, k))
	}
	checkMatrix("A", transA, m, k, a, lda)
	checkMatrix("B", transB, k, n, b, ldb)
	checkMatrix("C", false, m, n, c, ldc)
}

// checkMatrix panics unless s holds an r×c matrix (stored c×r when trans)
// with leading dimension ld.
func checkMatrix(name string, trans bool, r, c int, s []float32, ld int) {
	if trans {
		r, c = c, r
	}
	if ld < max(c, 1) {
		panic(fmt.Sprintf("kernels: Gemm: leading dimension of %s is %d, need ≥ %d", name, ld, max(c, 1)))
	}
	if r == 0 || c == 0 {
		return
	}
	if need := (r-1)*ld + c; len(s) < need {
		panic(fmt.Sprintf("kernels: Gemm: %s has %d elements, need ≥ %d", name, len(s), need))
	}
}
