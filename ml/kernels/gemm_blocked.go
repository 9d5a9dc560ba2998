package kernels

import "sync"

// gemmKernel is one implementation of the Gemm micro-kernel together with
// its blocking parameters. All implementations compute the same bits: each
// C element is one FMA32 chain, p ascending, and blocking over k continues
// the chain from the value stored in C.
type gemmKernel struct {
	name       string
	mr, nr     int // register tile: up to mr rows of C by nr columns
	kc, mc, nc int // cache blocks: kc of k, mc rows of A, nc columns of B
	fixedMR    bool

	// tile computes the rows×cols tile of C starting at c[0] (leading
	// dimension ldc), rows ≤ mr, cols ≤ nr, from a packed A panel ap
	// (element (i,p) at ap[p*astride+i], astride ≥ rows) and a packed B
	// panel bp (element (p,j) at bp[p*nr+j]), both kc long, zero-padded.
	// With load it continues each chain from C; otherwise it starts from +0.
	// It reads and writes no element of c outside the tile.
	tile func(kc int, ap []float32, astride int, bp, c []float32, ldc, rows, cols int, load bool)
}

// activeGemm is the implementation Gemm uses, chosen at init from the CPU
// features (see gemm_amd64.go); tests switch it to check every path.
var activeGemm = &goGemm

// minParallelFlops is the size (m*n*k) below which Gemm does not start
// goroutines.
const minParallelFlops = 32 * 32 * 32

// gemmBlocked computes Gemm with kernel g, splitting C into disjoint
// column (or row) ranges of whole panels over up to Workers() goroutines.
func gemmBlocked(g *gemmKernel, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	w := Workers()
	if m*n*k < minParallelFlops {
		w = 1
	}
	npan := (n + g.nr - 1) / g.nr
	mpan := (m + g.mr - 1) / g.mr
	switch {
	case w <= 1 || (npan == 1 && mpan == 1):
		gemmSerial(g, transA, transB, m, n, k, a, lda, b, ldb, c, ldc, accumulate)
	case npan >= w*2 || npan >= mpan:
		// Split the columns: each worker owns whole nr-panels of C.
		w = min(w, npan)
		parallelRange(w, 1, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				j0 := t * npan / w * g.nr
				j1 := min((t+1)*npan/w*g.nr, n)
				bo := j0
				if transB {
					bo = j0 * ldb
				}
				gemmSerial(g, transA, transB, m, j1-j0, k, a, lda, b[bo:], ldb, c[j0:], ldc, accumulate)
			}
		})
	default:
		// Split the rows: each worker owns whole mr-panels of C.
		w = min(w, mpan)
		parallelRange(w, 1, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				i0 := t * mpan / w * g.mr
				i1 := min((t+1)*mpan/w*g.mr, m)
				ao := i0 * lda
				if transA {
					ao = i0
				}
				gemmSerial(g, transA, transB, i1-i0, n, k, a[ao:], lda, b, ldb, c[i0*ldc:], ldc, accumulate)
			}
		})
	}
}

// packBuf holds one goroutine's packing buffers.
type packBuf struct{ a, b []float32 }

var packPool = sync.Pool{New: func() any { return new(packBuf) }}

// gemmSerial computes Gemm on the calling goroutine. For each kc-block of
// k and mc-block of rows it packs A into panels of mrEff rows (once); then
// for each nc-block of columns it packs B into nr-wide panels (kc×nc,
// meant to stay in L2) and runs the micro-kernel on every tile, row panel
// by row panel, so that the A panel (kc×mrEff) stays in L1 while the B
// panels stream from L2.
//
// mrEff ≤ mr spreads the rows evenly over the panels (16 rows make two
// panels of 8, not 14+2), so edge panels do not run short, slow kernels.
func gemmSerial(g *gemmKernel, transA, transB bool, m, n, k int, a []float32, lda int, b []float32, ldb int, c []float32, ldc int, accumulate bool) {
	mr, nr := g.mr, g.nr
	if !g.fixedMR {
		mr = (m + (m+mr-1)/mr - 1) / ((m + mr - 1) / mr)
	}
	kc, mc, nc := min(g.kc, k), min(roundUp(g.mc, mr), roundUp(m, mr)), min(g.nc, roundUp(n, nr))
	buf := packPool.Get().(*packBuf)
	defer packPool.Put(buf)
	buf.a = grow(buf.a, mc*kc)
	buf.b = grow(buf.b, kc*nc)
	ap, bp := buf.a, buf.b
	for pc := 0; pc < k; pc += kc {
		kcur := min(kc, k-pc)
		load := accumulate || pc > 0
		for ic := 0; ic < m; ic += mc {
			mcur := min(mc, m-ic)
			packA(ap, mr, transA, a, lda, ic, mcur, pc, kcur)
			for jc := 0; jc < n; jc += nc {
				ncur := min(nc, n-jc)
				packB(bp, nr, transB, b, ldb, pc, kcur, jc, ncur)
				for ir := 0; ir < mcur; ir += mr {
					rows := min(mr, mcur-ir)
					apan := ap[ir*kcur : (ir+mr)*kcur]
					for jr := 0; jr < ncur; jr += nr {
						bpan := bp[jr*kcur : (jr+nr)*kcur]
						cols := min(nr, ncur-jr)
						co := (ic+ir)*ldc + jc + jr
						g.tile(kcur, apan, mr, bpan, c[co:co+(rows-1)*ldc+cols], ldc, rows, cols, load)
					}
				}
			}
		}
	}
}

// packA copies op(A)[i0:i0+mcur, p0:p0+kcur] into mr-high panels: panel q
// holds rows i0+q*mr.. as dst[q*mr*kcur + p*mr + i], zero-padded to mr rows.
func packA(dst []float32, mr int, trans bool, a []float32, lda, i0, mcur, p0, kcur int) {
	for q := 0; q*mr < mcur; q++ {
		pan := dst[q*mr*kcur : (q+1)*mr*kcur]
		rows := min(mr, mcur-q*mr)
		ib := i0 + q*mr
		if trans {
			// op(A)[i,p] = a[p*lda+i]: rows of the panel are contiguous.
			copyBlock(pan, mr, mr, a[p0*lda+ib:], lda, rows, kcur)
			continue
		}
		transposeBlock(pan, mr, mr, a[ib*lda+p0:], lda, rows, kcur)
	}
}

// packB copies op(B)[p0:p0+kcur, j0:j0+ncur] into nr-wide panels: panel q
// holds columns j0+q*nr.. as dst[q*nr*kcur + p*nr + j], zero-padded to nr.
func packB(dst []float32, nr int, trans bool, b []float32, ldb, p0, kcur, j0, ncur int) {
	npan := (ncur + nr - 1) / nr
	for q := 0; q < npan; q++ {
		pan := dst[q*nr*kcur : (q+1)*nr*kcur]
		cols := min(nr, ncur-q*nr)
		for h := 0; h < nr; h += 16 {
			lanes := min(16, nr-h)
			n := max(0, min(lanes, cols-h))
			var src []float32
			switch {
			case n > 0 && trans: // op(B)[p,j] = b[j*ldb+p]
				src = b[(j0+q*nr+h)*ldb+p0:]
			case n > 0: // row p of the block is contiguous in b
				src = b[p0*ldb+j0+q*nr+h:]
			}
			if trans {
				transposeBlock(pan[h:], nr, lanes, src, ldb, n, kcur)
			} else {
				copyBlock(pan[h:], nr, lanes, src, ldb, n, kcur)
			}
		}
	}
}

// copyBlock sets dst[p*dstride+l] = src[p*lds+l] for p < kc and l < lanes,
// with +0 for l ≥ cols (cols ≤ lanes ≤ 16). On amd64 with AVX-512 it is
// replaced by an assembly version.
var copyBlock = copyGo

func copyGo(dst []float32, dstride, lanes int, src []float32, lds, cols, kc int) {
	for p := 0; p < kc; p++ {
		d := dst[p*dstride : p*dstride+lanes]
		if cols > 0 {
			copy(d, src[p*lds:p*lds+cols])
		}
		clear(d[cols:])
	}
}

// transposeBlock sets dst[p*dstride+l] = src[l*lds+p] for p < kc and
// l < lanes, with +0 for l ≥ rows (rows ≤ lanes ≤ 16). On amd64 with
// AVX-512 it is replaced by an assembly version.
var transposeBlock = transposeGo

func transposeGo(dst []float32, dstride, lanes int, src []float32, lds, rows, kc int) {
	for l := 0; l < rows; l++ {
		s := src[l*lds : l*lds+kc]
		for p, v := range s {
			dst[p*dstride+l] = v
		}
	}
	for l := rows; l < lanes; l++ {
		for p := 0; p < kc; p++ {
			dst[p*dstride+l] = 0
		}
	}
}

func roundUp(x, m int) int { return (x + m - 1) / m * m }

// grow returns s with length n, reallocating when its capacity is short.
func grow(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}

// goGemm is the pure-Go implementation: a 4×4 register tile of FMA32
// chains. It is the fallback on CPUs without AVX2+FMA and on other
// architectures, and the only path with the purego build tag.
var goGemm = gemmKernel{
	name: "go", mr: 4, nr: 4, kc: 256, mc: 128, nc: 1024, fixedMR: true,
	tile: goTile,
}

func goTile(kc int, ap []float32, _ int, bp, c []float32, ldc, rows, cols int, load bool) {
	var acc [16]float32
	if load {
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				acc[i*4+j] = c[i*ldc+j]
			}
		}
	}
	c00, c01, c02, c03 := acc[0], acc[1], acc[2], acc[3]
	c10, c11, c12, c13 := acc[4], acc[5], acc[6], acc[7]
	c20, c21, c22, c23 := acc[8], acc[9], acc[10], acc[11]
	c30, c31, c32, c33 := acc[12], acc[13], acc[14], acc[15]
	ap = ap[:kc*4]
	bp = bp[:kc*4]
	for p := 0; p < kc; p++ {
		a := ap[p*4 : p*4+4 : p*4+4]
		b := bp[p*4 : p*4+4 : p*4+4]
		a0, a1, a2, a3 := a[0], a[1], a[2], a[3]
		b0, b1, b2, b3 := b[0], b[1], b[2], b[3]
		if r, ok := fma32Fast(a0, b0, c00); ok {
			c00 = r
		} else {
			c00 = fma32Slow(a0, b0, c00)
		}
		if r, ok := fma32Fast(a0, b1, c01); ok {
			c01 = r
		} else {
			c01 = fma32Slow(a0, b1, c01)
		}
		if r, ok := fma32Fast(a0, b2, c02); ok {
			c02 = r
		} else {
			c02 = fma32Slow(a0, b2, c02)
		}
		if r, ok := fma32Fast(a0, b3, c03); ok {
			c03 = r
		} else {
			c03 = fma32Slow(a0, b3, c03)
		}
		if r, ok := fma32Fast(a1, b0, c10); ok {
			c10 = r
		} else {
			c10 = fma32Slow(a1, b0, c10)
		}
		if r, ok := fma32Fast(a1, b1, c11); ok {
			c11 = r
		} else {
			c11 = fma32Slow(a1, b1, c11)
		}
		if r, ok := fma32Fast(a1, b2, c12); ok {
			c12 = r
		} else {
			c12 = fma32Slow(a1, b2, c12)
		}
		if r, ok := fma32Fast(a1, b3, c13); ok {
			c13 = r
		} else {
			c13 = fma32Slow(a1, b3, c13)
		}
		if r, ok := fma32Fast(a2, b0, c20); ok {
			c20 = r
		} else {
			c20 = fma32Slow(a2, b0, c20)
		}
		if r, ok := fma32Fast(a2, b1, c21); ok {
			c21 = r
		} else {
			c21 = fma32Slow(a2, b1, c21)
		}
		if r, ok := fma32Fast(a2, b2, c22); ok {
			c22 = r
		} else {
			c22 = fma32Slow(a2, b2, c22)
		}
		if r, ok := fma32Fast(a2, b3, c23); ok {
			c23 = r
		} else {
			c23 = fma32Slow(a2, b3, c23)
		}
		if r, ok := fma32Fast(a3, b0, c30); ok {
			c30 = r
		} else {
			c30 = fma32Slow(a3, b0, c30)
		}
		if r, ok := fma32Fast(a3, b1, c31); ok {
			c31 = r
		} else {
			c31 = fma32Slow(a3, b1, c31)
		}
		if r, ok := fma32Fast(a3, b2, c32); ok {
			c32 = r
		} else {
			c32 = fma32Slow(a3, b2, c32)
		}
		if r, ok := fma32Fast(a3, b3, c33); ok {
			c33 = r
		} else {
			c33 = fma32Slow(a3, b3, c33)
		}
	}
	acc = [16]float32{c00, c01, c02, c03, c10, c11, c12, c13, c20, c21, c22, c23, c30, c31, c32, c33}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			c[i*ldc+j] = acc[i*4+j]
		}
	}
}
