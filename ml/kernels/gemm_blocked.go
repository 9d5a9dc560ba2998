package kernels

import (
	"math"
	"sync"
)

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

	// direct, if not nil, is tile with B read in place from a shifted
	// operand instead of a packed panel: row p of the tile's B is
	// src[pIdx[p]+j0 : pIdx[p]+j0+cols].
	direct func(kc int, ap []float32, astride int, src []float32, pIdx []int32, j0 int, c []float32, ldc, rows, cols int, load bool)
}

// activeGemm is the implementation Gemm uses, chosen at init from the CPU
// features (see gemm_amd64.go); tests switch it to check every path.
var activeGemm = &goGemm

// minParallelFlops is the size (m*n*k) below which Gemm does not start
// goroutines.
const minParallelFlops = 32 * 32 * 32

// gemmChunksPerWorker is how many column chunks gemmBlocked cuts per worker.
const gemmChunksPerWorker = 2

// operand is a matrix that the driver packs into panels, by global row and
// column indices. matrix is a strided matrix, possibly transposed;
// gather is an implicit matrix such as im2col, read by index tables.
type operand interface {
	// packA packs rows i0..i0+mcur-1, columns p0..p0+kc-1 (the operand is
	// A, m×k) into panels of mr rows: element (i0+q*mr+i, p0+p) at
	// dst[q*mr*kc + p*mr + i], zero-padded to mr rows.
	packA(dst []float32, mr, i0, mcur, p0, kc int)
	// packB packs rows p0..p0+kc-1, columns j0..j0+ncur-1 (the operand is
	// B, k×n) into panels of nr columns: element (p0+p, j0+q*nr+j) at
	// dst[q*nr*kc + p*nr + j], zero-padded to nr columns.
	packB(dst []float32, nr, p0, kc, j0, ncur int)
}

// gemmBlocked computes C = A·B (+C) with kernel g, splitting C into
// disjoint column (or row) ranges over up to Workers() goroutines.
func gemmBlocked(g *gemmKernel, a, b operand, m, n, k int, c []float32, ldc int, accumulate bool) {
	w := Workers()
	if m*n*k < minParallelFlops {
		w = 1
	}
	nr := g.nr
	npan := (n + nr - 1) / nr
	if npan < w && nr > 16 && n > 16 {
		nr = 16 // split narrow matrices at half panels
		npan = (n + nr - 1) / nr
	}
	mpan := (m + g.mr - 1) / g.mr
	switch {
	case w <= 1 || (npan == 1 && m == 1):
		gemmSerial(g, a, b, 0, m, 0, n, k, c, ldc, accumulate)
	case npan >= w*2 || npan >= mpan:
		// Split the columns: each chunk owns whole panels of C. More
		// chunks than workers balance an odd panel count (5 panels on 2
		// workers would idle one for a fifth of the call) at the cost of
		// packing A once per chunk.
		chunks := min(npan, w*gemmChunksPerWorker)
		parallelRange(chunks, 1, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				gemmSerial(g, a, b, 0, m, t*npan/chunks*nr, min((t+1)*npan/chunks*nr, n), k, c, ldc, accumulate)
			}
		})
	default:
		// Split the rows evenly.
		w = min(w, m)
		parallelRange(w, 1, func(lo, hi int) {
			for t := lo; t < hi; t++ {
				gemmSerial(g, a, b, t*m/w, (t+1)*m/w, 0, n, k, c, ldc, accumulate)
			}
		})
	}
}

// packBuf holds one goroutine's packing buffers.
type packBuf struct{ a, b []float32 }

var packPool = sync.Pool{New: func() any { return new(packBuf) }}

// gemmSerial computes rows i0..i1-1, columns j0..j1-1 of C = A·B (+C) on
// the calling goroutine; c holds C from element (0,0). For each kc-block
// of k and mc-block of rows it packs A into panels of mrEff rows (once);
// then for each nc-block of columns it packs B into nr-wide panels (kc×nc,
// meant to stay in L2) and runs the micro-kernel on every tile, row panel
// by row panel, so that the A panel (kc×mrEff) stays in L1 while the B
// panels stream from L2.
//
// mrEff ≤ mr spreads the rows evenly over the panels (16 rows make two
// panels of 8, not 14+2), so edge panels do not run short, slow kernels.
func gemmSerial(g *gemmKernel, a, b operand, i0, i1, j0, j1, k int, c []float32, ldc int, accumulate bool) {
	m, n := i1-i0, j1-j0
	if m <= 0 || n <= 0 {
		return
	}
	mr, nr := g.mr, g.nr
	if !g.fixedMR {
		np := (m + mr - 1) / mr
		mr = (m + np - 1) / np
	}
	kc, mc, nc := min(g.kc, k), min(roundUp(g.mc, mr), roundUp(m, mr)), min(g.nc, roundUp(n, nr))
	buf := packPool.Get().(*packBuf)
	defer packPool.Put(buf)
	buf.a = grow(buf.a, mc*kc)
	buf.b = grow(buf.b, kc*nc)
	ap, bp := buf.a, buf.b
	sb, direct := b.(shifted)
	direct = direct && g.direct != nil
	for pc := 0; pc < k; pc += kc {
		kcur := min(kc, k-pc)
		load := accumulate || pc > 0
		for ic := 0; ic < m; ic += mc {
			mcur := min(mc, m-ic)
			a.packA(ap, mr, i0+ic, mcur, pc, kcur)
			for jc := 0; jc < n; jc += nc {
				ncur := min(nc, n-jc)
				if !direct {
					b.packB(bp, nr, pc, kcur, j0+jc, ncur)
				}
				for ir := 0; ir < mcur; ir += mr {
					rows := min(mr, mcur-ir)
					apan := ap[ir*kcur : (ir+mr)*kcur]
					for jr := 0; jr < ncur; jr += nr {
						if direct {
							cols := min(nr, ncur-jr)
							co := (i0+ic+ir)*ldc + j0 + jc + jr
							g.direct(kcur, apan, mr, sb.src, sb.pIdx[pc:pc+kcur], j0+jc+jr, c[co:co+(rows-1)*ldc+cols], ldc, rows, cols, load)
							continue
						}
						bpan := bp[jr*kcur : (jr+nr)*kcur]
						cols := min(nr, ncur-jr)
						co := (i0+ic+ir)*ldc + j0 + jc + jr
						g.tile(kcur, apan, mr, bpan, c[co:co+(rows-1)*ldc+cols], ldc, rows, cols, load)
					}
				}
			}
		}
	}
}

// matrix is a strided row-major matrix operand: element (r, c) at
// data[r*ld+c], or at data[c*ld+r] when trans.
type matrix struct {
	trans bool
	data  []float32
	ld    int
}

func (x matrix) packA(dst []float32, mr, i0, mcur, p0, kc int) {
	for q := 0; q*mr < mcur; q++ {
		pan := dst[q*mr*kc : (q+1)*mr*kc]
		rows := min(mr, mcur-q*mr)
		ib := i0 + q*mr
		if x.trans {
			// A(i,p) = data[p*ld+i]: rows of the panel are contiguous.
			copyBlock(pan, mr, mr, x.data[p0*x.ld+ib:], x.ld, rows, kc)
		} else {
			transposeBlock(pan, mr, mr, x.data[ib*x.ld+p0:], x.ld, rows, kc)
		}
	}
}

func (x matrix) packB(dst []float32, nr, p0, kc, j0, ncur int) {
	npan := (ncur + nr - 1) / nr
	for q := 0; q < npan; q++ {
		pan := dst[q*nr*kc : (q+1)*nr*kc]
		cols := min(nr, ncur-q*nr)
		for h := 0; h < nr; h += 16 {
			lanes := min(16, nr-h)
			n := max(0, min(lanes, cols-h))
			var src []float32
			switch {
			case n > 0 && x.trans: // B(p,j) = data[j*ld+p]
				src = x.data[(j0+q*nr+h)*x.ld+p0:]
			case n > 0: // row p of the block is contiguous
				src = x.data[p0*x.ld+j0+q*nr+h:]
			}
			if x.trans {
				transposeBlock(pan[h:], nr, lanes, src, x.ld, n, kc)
			} else {
				copyBlock(pan[h:], nr, lanes, src, x.ld, n, kc)
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

// shifted is an implicit k×n matrix operand whose rows are contiguous runs
// of src: element (p, j) is src[pIdx[p] + j]. It is Gemm's B operand for
// stride-1 convolutions computed on the input's grid; kernels with a
// direct variant read it in place, the others pack it.
type shifted struct {
	src  []float32
	pIdx []int32
}

// newShifted returns the shifted operand with n columns after checking
// that every pIdx[p] + j, j < n, is a valid index of src.
func newShifted(src []float32, pIdx []int32, n int) shifted {
	for _, v := range pIdx {
		if v < 0 || int(v)+n > len(src) {
			panic("kernels: shifted index out of range")
		}
	}
	if len(src) > 1<<31-1 {
		panic("kernels: shifted operand too large")
	}
	return shifted{src, pIdx}
}

func (x shifted) packA(dst []float32, mr, i0, mcur, p0, kc int) {
	panic("kernels: shifted is only a B operand")
}

func (x shifted) packB(dst []float32, nr, p0, kc, j0, ncur int) {
	var lIdx [64]int32
	for q := 0; q*nr < ncur; q++ {
		cols := min(nr, ncur-q*nr)
		for l := range cols {
			lIdx[l] = int32(j0 + q*nr + l)
		}
		gatherBlock(dst[q*nr*kc:(q+1)*nr*kc], nr, nr, x.src, x.pIdx[p0:p0+kc], lIdx[:cols])
	}
}

// gather is an implicit matrix operand: element (r, c) is
// src[rowIdx[r] + colIdx[c]]. newGather checks every index once.
type gather struct {
	src            []float32
	rowIdx, colIdx []int32
}

// newGather returns the gather operand after checking that every
// rowIdx[r] + colIdx[c] is a valid index of src.
func newGather(src []float32, rowIdx, colIdx []int32) gather {
	lo := func(s []int32) (mn, mx int) {
		mn, mx = int(s[0]), int(s[0])
		for _, v := range s {
			mn, mx = min(mn, int(v)), max(mx, int(v))
		}
		return
	}
	rmin, rmax := lo(rowIdx)
	cmin, cmax := lo(colIdx)
	if rmin+cmin < 0 || rmax+cmax >= len(src) || len(src) > 1<<31-1 {
		panic("kernels: gather index out of range")
	}
	return gather{src, rowIdx, colIdx}
}

func (x gather) packA(dst []float32, mr, i0, mcur, p0, kc int) {
	for q := 0; q*mr < mcur; q++ {
		rows := min(mr, mcur-q*mr)
		gatherBlock(dst[q*mr*kc:(q+1)*mr*kc], mr, mr, x.src, x.colIdx[p0:p0+kc], x.rowIdx[i0+q*mr:i0+q*mr+rows])
	}
}

func (x gather) packB(dst []float32, nr, p0, kc, j0, ncur int) {
	for q := 0; q*nr < ncur; q++ {
		cols := min(nr, ncur-q*nr)
		gatherBlock(dst[q*nr*kc:(q+1)*nr*kc], nr, nr, x.src, x.rowIdx[p0:p0+kc], x.colIdx[j0+q*nr:j0+q*nr+cols])
	}
}

// gatherBlock sets dst[p*dstride+l] = src[pIdx[p]+lIdx[l]] for
// p < len(pIdx) and l < len(lIdx), and +0 for len(lIdx) ≤ l < lanes
// (lanes ≤ 32). The indices have been checked by newGather. On amd64 with
// AVX-512 it is replaced by an assembly version.
var gatherBlock = gatherGo

func gatherGo(dst []float32, dstride, lanes int, src []float32, pIdx, lIdx []int32) {
	for p, pi := range pIdx {
		d := dst[p*dstride : p*dstride+lanes]
		for l, li := range lIdx {
			d[l] = src[int(pi)+int(li)]
		}
		clear(d[len(lIdx):])
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

// goGemm is the pure-Go implementation: a 2×4 register tile of FMA32
// chains. It is the fallback on CPUs without AVX2+FMA and on other
// architectures, and the only path with the purego build tag.
var goGemm = gemmKernel{
	name: "go", mr: 2, nr: 4, kc: 256, mc: 128, nc: 1024, fixedMR: true,
	tile: goTile,
}

func goTile(kc int, ap []float32, _ int, bp, c []float32, ldc, rows, cols int, load bool) {
	var acc0 [8]float32
	if load {
		for i := 0; i < rows; i++ {
			for j := 0; j < cols; j++ {
				acc0[i*4+j] = c[i*ldc+j]
			}
		}
	}
	acc := acc0
	if !goTileFast(kc, ap[:kc*2], bp[:kc*4], &acc) {
		// A step needed the slow path of FMA32 (s on a float32 midpoint
		// pattern, or a nonzero |s| below float32's normal range): redo the
		// tile exactly. Rare with real data, whose products have full
		// significands.
		acc = acc0
		for p := 0; p < kc; p++ {
			for i := 0; i < 2; i++ {
				for j := 0; j < 4; j++ {
					acc[i*4+j] = FMA32(ap[p*2+i], bp[p*4+j], acc[i*4+j])
				}
			}
		}
	}
	for i := 0; i < rows; i++ {
		for j := 0; j < cols; j++ {
			c[i*ldc+j] = acc[i*4+j]
		}
	}
}

// goTileFast runs the tile's chains with the fast path of FMA32 only and
// reports whether every step was exact. It has no calls in its loop and
// few enough accumulators to keep them in registers; the checks are folded
// branch-free by OR-ing fmaSlowFlag.
func goTileFast(kc int, ap, bp []float32, acc *[8]float32) bool {
	c00, c01, c02, c03, c10, c11, c12, c13 := acc[0], acc[1], acc[2], acc[3], acc[4], acc[5], acc[6], acc[7]
	var bad uint64
	for p := 0; p < kc; p++ {
		a := ap[p*2 : p*2+2 : p*2+2]
		b := bp[p*4 : p*4+4 : p*4+4]
		a0, a1 := float64(a[0]), float64(a[1])
		b0, b1, b2, b3 := float64(b[0]), float64(b[1]), float64(b[2]), float64(b[3])
		s00 := float64(float64(a0*b0) + float64(c00))
		c00 = float32(s00)
		bad |= fmaSlowFlag(s00)
		s01 := float64(float64(a0*b1) + float64(c01))
		c01 = float32(s01)
		bad |= fmaSlowFlag(s01)
		s02 := float64(float64(a0*b2) + float64(c02))
		c02 = float32(s02)
		bad |= fmaSlowFlag(s02)
		s03 := float64(float64(a0*b3) + float64(c03))
		c03 = float32(s03)
		bad |= fmaSlowFlag(s03)
		s10 := float64(float64(a1*b0) + float64(c10))
		c10 = float32(s10)
		bad |= fmaSlowFlag(s10)
		s11 := float64(float64(a1*b1) + float64(c11))
		c11 = float32(s11)
		bad |= fmaSlowFlag(s11)
		s12 := float64(float64(a1*b2) + float64(c12))
		c12 = float32(s12)
		bad |= fmaSlowFlag(s12)
		s13 := float64(float64(a1*b3) + float64(c13))
		c13 = float32(s13)
		bad |= fmaSlowFlag(s13)
	}
	*acc = [8]float32{c00, c01, c02, c03, c10, c11, c12, c13}
	return bad>>63 == 0
}

// fmaSlowFlag returns a value with the top bit set when float32(s) may not
// be FMA32's result (see fma32Fast): when the low 29 fraction bits of s
// are exactly 1<<28, or when 0 < |s| < 2**-126. Branch-free, for OR-folding
// in loops.
func fmaSlowFlag(s float64) uint64 {
	bits := math.Float64bits(s)
	mid := (bits^1<<28)&(1<<29-1) - 1       // top bit set iff the low 29 bits were 1<<28
	u := bits<<1 - 1                        // |s|'s bits without the sign, minus 1 (wraps for ±0)
	tiny := (u - ((1023-126)<<53 - 1)) &^ u // top bit set iff u < 2**-126's bits - 1, i.e. 0 < |s| < 2**-126
	return mid | tiny
}
