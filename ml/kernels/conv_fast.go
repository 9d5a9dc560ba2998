package kernels

import (
	"math/bits"
	"sync"
)

// The fast convolutions run the Gemm micro-kernels on implicit matrices
// (im2col) that are never stored: the driver's packing routines gather
// their panels straight from the (zero-padded) tensors through index tables
// (gather operands), so each output element is exactly the FMA chain of the
// reference loop, in the same order:
//
//	forward, per image n:  Y_n[k, (oh,ow)]  = W[k, (c,r,s)] · Xcol_n[(c,r,s), (oh,ow)]
//	data, per image n:     dX_n[c, (ih,iw)] = W'[c, (k,r,s)] · dYcol_n[(k,r,s), (ih,iw)]
//	filter:                dW[k, (c,r,s)]   = dY[k, (n,oh,ow)] · Xcol[(n,oh,ow), (c,r,s)]
//
// Xcol reads the input padded with zeros; dYcol reads dy dilated by the
// stride and padded with zeros (a full correlation with the flipped
// kernel). The forward and data passes are parallel over images (or over
// columns when there are fewer images than workers); the filter pass is
// one Gemm, parallel over its outputs.

// bufPools recycle scratch buffers, one pool per power-of-two capacity.
var bufPools [64]sync.Pool

func getBuf(n int) *[]float32 {
	class := bits.Len(uint(n))
	if p, ok := bufPools[class].Get().(*[]float32); ok {
		*p = (*p)[:n]
		return p
	}
	b := make([]float32, n, 1<<class)
	return &b
}

func putBuf(p *[]float32) { bufPools[bits.Len(uint(cap(*p)-1))].Put(p) }

// padded returns x zero-padded to N×C×(H+2PadH)×(W+2PadW), or x itself
// without padding; release returns the buffer.
func padded(s ConvShape, x []float32) (xp []float32, hp, wp int, release func()) {
	if s.PadH == 0 && s.PadW == 0 {
		return x[:s.InLen()], s.H, s.W, func() {}
	}
	hp, wp = s.H+2*s.PadH, s.W+2*s.PadW
	bp := getBuf(s.N * s.C * hp * wp)
	xp = *bp
	ParallelFor(s.N, func(n int) {
		for c := 0; c < s.C; c++ {
			dst := xp[(n*s.C+c)*hp*wp : (n*s.C+c+1)*hp*wp]
			clear(dst[:s.PadH*wp])
			clear(dst[(s.PadH+s.H)*wp:])
			src := x[(n*s.C+c)*s.H*s.W:]
			for i := 0; i < s.H; i++ {
				row := dst[(s.PadH+i)*wp : (s.PadH+i+1)*wp]
				clear(row[:s.PadW])
				copy(row[s.PadW:s.PadW+s.W], src[i*s.W:(i+1)*s.W])
				clear(row[s.PadW+s.W:])
			}
		}
	})
	return xp, hp, wp, func() { putBuf(bp) }
}

// perImage runs fn(n) for every image, in parallel over images when there
// are at least as many images as workers; otherwise sequentially, and fn
// must use gemmBlocked to parallelize inside.
func perImage(nImages int, fn func(n int, parallel bool)) {
	if nImages >= Workers() {
		ParallelFor(nImages, func(n int) { fn(n, false) })
		return
	}
	for n := 0; n < nImages; n++ {
		fn(n, true)
	}
}

// gemmImage computes one image's Gemm, serially or with gemmBlocked.
func gemmImage(parallel bool, a, b operand, m, n, k int, c []float32, ldc int) {
	if parallel {
		gemmBlocked(activeGemm, a, b, m, n, k, c, ldc, false)
	} else {
		gemmSerial(activeGemm, a, b, 0, m, 0, n, k, c, ldc, false)
	}
}

func conv2DFast(s ConvShape, x, w, bias, y []float32) {
	xp, hp, wp, release := padded(s, x)
	defer release()
	oh, ow := s.OutH(), s.OutW()
	ohw, crs, img := oh*ow, s.C*s.R*s.S, s.C*hp*wp
	pIdx := make([]int32, 0, crs) // row (c,r,s) of Xcol
	for c := 0; c < s.C; c++ {
		for r := 0; r < s.R; r++ {
			for q := 0; q < s.S; q++ {
				pIdx = append(pIdx, int32(c*hp*wp+r*wp+q))
			}
		}
	}
	wm := matrix{false, w, crs}
	if s.StrideH == 1 && s.StrideW == 1 {
		// Compute on the padded input's grid: column j = oh*wp + ow of the
		// wide output reads xp[pIdx[p] + j], so every packed row is one
		// contiguous run (the columns ow ≥ OutW are computed and dropped).
		nw := (oh-1)*wp + ow
		perImage(s.N, func(n int, parallel bool) {
			tp := getBuf(s.K * nw)
			defer putBuf(tp)
			t := *tp
			gemmImage(parallel, wm, newShifted(xp[n*img:(n+1)*img], pIdx, nw), s.K, nw, crs, t, nw)
			yn := y[n*s.K*ohw : (n+1)*s.K*ohw]
			for k := 0; k < s.K; k++ {
				var b float32
				if bias != nil {
					b = bias[k]
				}
				for i := 0; i < oh; i++ {
					src := t[k*nw+i*wp : k*nw+i*wp+ow]
					dst := yn[k*ohw+i*ow : k*ohw+(i+1)*ow]
					if bias == nil {
						copy(dst, src)
						continue
					}
					for j, v := range src {
						dst[j] = v + b
					}
				}
			}
		})
		return
	}
	lIdx := make([]int32, 0, ohw) // column (oh,ow) of Xcol
	for i := 0; i < oh; i++ {
		for j := 0; j < ow; j++ {
			lIdx = append(lIdx, int32(i*s.StrideH*wp+j*s.StrideW))
		}
	}
	perImage(s.N, func(n int, parallel bool) {
		yn := y[n*s.K*ohw : (n+1)*s.K*ohw]
		gemmImage(parallel, wm, newGather(xp[n*img:(n+1)*img], pIdx, lIdx), s.K, ohw, crs, yn, ohw)
		if bias != nil {
			for k, b := range bias[:s.K] {
				row := yn[k*ohw : (k+1)*ohw]
				for i := range row {
					row[i] += b
				}
			}
		}
	})
}

func conv2DBackwardFilterFast(s ConvShape, x, dy, dw, db []float32) {
	xp, hp, wp, release := padded(s, x)
	defer release()
	oh, ow := s.OutH(), s.OutW()
	ohw, crs := oh*ow, s.C*s.R*s.S
	// Xcol[(n,oh,ow), (c,r,s)] = xp[pos + off].
	pos := make([]int32, 0, s.N*ohw)
	for n := 0; n < s.N; n++ {
		for i := 0; i < oh; i++ {
			for j := 0; j < ow; j++ {
				pos = append(pos, int32(n*s.C*hp*wp+i*s.StrideH*wp+j*s.StrideW))
			}
		}
	}
	off := make([]int32, 0, crs)
	for c := 0; c < s.C; c++ {
		for r := 0; r < s.R; r++ {
			for q := 0; q < s.S; q++ {
				off = append(off, int32(c*hp*wp+r*wp+q))
			}
		}
	}
	if db == nil {
		gemmBlocked(activeGemm, batchRows{dy[:s.OutLen()], s.K, ohw}, newGather(xp, pos, off),
			s.K, crs, s.N*ohw, dw, crs, false)
		return
	}
	// The bias gradient rides along as one more column of B, all ones:
	// FMA32(dy, 1, acc) is the float32 sum acc + dy, so column crs of the
	// product is db[k] summed in (n, oh, ow) order, as defined.
	tp := getBuf(s.K * (crs + 1))
	defer putBuf(tp)
	t := *tp
	gemmBlocked(activeGemm, batchRows{dy[:s.OutLen()], s.K, ohw}, onesColumn{newGather(xp, pos, off), crs},
		s.K, crs+1, s.N*ohw, t, crs+1, false)
	for k := 0; k < s.K; k++ {
		copy(dw[k*crs:(k+1)*crs], t[k*(crs+1):k*(crs+1)+crs])
		db[k] = t[k*(crs+1)+crs]
	}
}

// onesColumn is the B operand b with one more column, number n, of ones.
type onesColumn struct {
	b operand
	n int
}

func (x onesColumn) packA(dst []float32, mr, i0, mcur, p0, kc int) {
	panic("kernels: onesColumn is only a B operand")
}

func (x onesColumn) packB(dst []float32, nr, p0, kc, j0, ncur int) {
	if j0+ncur <= x.n {
		x.b.packB(dst, nr, p0, kc, j0, ncur)
		return
	}
	// Column x.n is in this block: pack the others (zero-padded), then
	// fill it.
	if x.n > j0 {
		x.b.packB(dst, nr, p0, kc, j0, x.n-j0)
	}
	j := x.n - j0
	pan := dst[j/nr*nr*kc : (j/nr+1)*nr*kc]
	if x.n == j0 || j%nr == 0 {
		clear(pan)
	}
	for p := 0; p < kc; p++ {
		pan[p*nr+j%nr] = 1
	}
}

// batchRows is the K × (N·T) matrix A[k, (n,t)] = data[(n*K+k)*T + t]:
// an N×K×T tensor seen with the batch folded into the columns. It is only
// used as Gemm's A operand.
type batchRows struct {
	data []float32
	k, t int
}

func (x batchRows) packA(dst []float32, mr, i0, mcur, p0, kc int) {
	for q := 0; q*mr < mcur; q++ {
		pan := dst[q*mr*kc : (q+1)*mr*kc]
		rows := min(mr, mcur-q*mr)
		ib := i0 + q*mr
		for p := p0; p < p0+kc; {
			n, t := p/x.t, p%x.t
			seg := min(x.t-t, p0+kc-p)
			transposeBlock(pan[(p-p0)*mr:], mr, mr, x.data[(n*x.k+ib)*x.t+t:], x.t, rows, seg)
			p += seg
		}
	}
}

func (x batchRows) packB(dst []float32, nr, p0, kc, j0, ncur int) {
	panic("kernels: batchRows is only an A operand")
}

func conv2DBackwardDataFast(s ConvShape, dy, w, dx []float32) {
	oh, ow := s.OutH(), s.OutW()
	hw, krs := s.H*s.W, s.K*s.R*s.S
	// dy of one image, dilated by the stride and zero-padded: row u of
	// channel k holds output row oh at u = oh*StrideH + R-1-PadH, so that
	// dYcol[(k,r,s), (ih,iw)] = d[k*hd*wd + (ih+R-1-r)*wd + (iw+S-1-s)].
	hd, wd := s.H+s.R-1, s.W+s.S-1
	pIdx := make([]int32, 0, krs)
	for k := 0; k < s.K; k++ {
		for r := 0; r < s.R; r++ {
			for q := 0; q < s.S; q++ {
				pIdx = append(pIdx, int32(k*hd*wd+(s.R-1-r)*wd+(s.S-1-q)))
			}
		}
	}
	// Compute on d's grid: column j = ih*wd + iw reads d[pIdx[p] + j], one
	// contiguous run per packed row; columns iw ≥ W are computed and dropped.
	nw := (s.H-1)*wd + s.W
	// W'[c, (k,r,s)] = w[k,c,r,s].
	wtp := getBuf(s.C * krs)
	defer putBuf(wtp)
	wt := *wtp
	rs := s.R * s.S
	for k := 0; k < s.K; k++ {
		for c := 0; c < s.C; c++ {
			copy(wt[c*krs+k*rs:c*krs+(k+1)*rs], w[(k*s.C+c)*rs:(k*s.C+c+1)*rs])
		}
	}
	wm := matrix{false, wt, krs}
	perImage(s.N, func(n int, parallel bool) {
		dp := getBuf(s.K * hd * wd)
		defer putBuf(dp)
		d := *dp
		clear(d)
		for k := 0; k < s.K; k++ {
			src := dy[(n*s.K+k)*oh*ow:]
			for i := 0; i < oh; i++ {
				u := i*s.StrideH + s.R - 1 - s.PadH
				if u < 0 || u >= hd {
					continue
				}
				row := d[(k*hd+u)*wd : (k*hd+u+1)*wd]
				for j := 0; j < ow; j++ {
					if v := j*s.StrideW + s.S - 1 - s.PadW; v >= 0 && v < wd {
						row[v] = src[i*ow+j]
					}
				}
			}
		}
		tp := getBuf(s.C * nw)
		defer putBuf(tp)
		t := *tp
		gemmImage(parallel, wm, newShifted(d, pIdx, nw), s.C, nw, krs, t, nw)
		dxn := dx[n*s.C*hw : (n+1)*s.C*hw]
		for c := 0; c < s.C; c++ {
			for i := 0; i < s.H; i++ {
				copy(dxn[c*hw+i*s.W:c*hw+(i+1)*s.W], t[c*nw+i*wd:c*nw+i*wd+s.W])
			}
		}
	})
}
