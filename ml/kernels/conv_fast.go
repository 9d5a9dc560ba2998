package kernels

import "sync"

// The fast convolutions lower to Gemm over the whole batch, with the
// batch×spatial dimension as Gemm's wide n dimension:
//
//	forward:  Y[k, (n,oh,ow)]     = W[k, (c,r,s)] · col[(c,r,s), (n,oh,ow)]
//	filter:   dW[k, (c,r,s)]      = dY[k, (n,oh,ow)] · col[(c,r,s), (n,oh,ow)]ᵀ
//	data:     dcol[(c,r,s), (n,oh,ow)] = Wᵀ · dY[k, (n,oh,ow)], then col2im
//
// col is im2col of the padded input (padding stored as +0), so each output
// element is exactly the FMA chain of the reference loop in the same order.

// bufPool recycles large scratch buffers.
var bufPool sync.Pool

func getBuf(n int) *[]float32 {
	if p, ok := bufPool.Get().(*[]float32); ok && cap(*p) >= n {
		*p = (*p)[:n]
		return p
	}
	b := make([]float32, n)
	return &b
}

func putBuf(p *[]float32) { bufPool.Put(p) }

// im2col writes the (c,r,s) × (n,oh,ow) matrix of the padded input into col
// (leading dimension N*OutH*OutW).
func im2col(s ConvShape, x, col []float32) {
	oh, ow := s.OutH(), s.OutW()
	ld := s.N * oh * ow
	ParallelFor(s.N, func(n int) {
		for c := 0; c < s.C; c++ {
			plane := x[(n*s.C+c)*s.H*s.W : (n*s.C+c+1)*s.H*s.W]
			for r := 0; r < s.R; r++ {
				for q := 0; q < s.S; q++ {
					row := col[((c*s.R+r)*s.S+q)*ld+n*oh*ow:]
					row = row[:oh*ow]
					for i := 0; i < oh; i++ {
						ih := i*s.StrideH - s.PadH + r
						dst := row[i*ow : (i+1)*ow]
						if ih < 0 || ih >= s.H {
							clear(dst)
							continue
						}
						src := plane[ih*s.W : (ih+1)*s.W]
						for j := range dst {
							iw := j*s.StrideW - s.PadW + q
							if iw >= 0 && iw < s.W {
								dst[j] = src[iw]
							} else {
								dst[j] = 0
							}
						}
					}
				}
			}
		}
	})
}

func conv2DFast(s ConvShape, x, w, bias, y []float32) {
	oh, ow := s.OutH(), s.OutW()
	ohw := oh * ow
	nn := s.N * ohw
	crs := s.C * s.R * s.S
	colp := getBuf(crs * nn)
	defer putBuf(colp)
	im2col(s, x, *colp)
	outp := getBuf(s.K * nn)
	defer putBuf(outp)
	out := *outp
	Gemm(false, false, s.K, nn, crs, w, crs, *colp, nn, out, nn, false)
	ParallelFor(s.N, func(n int) {
		for k := 0; k < s.K; k++ {
			src := out[k*nn+n*ohw : k*nn+(n+1)*ohw]
			dst := y[(n*s.K+k)*ohw : (n*s.K+k+1)*ohw]
			if bias == nil {
				copy(dst, src)
				continue
			}
			b := bias[k]
			for i, v := range src {
				dst[i] = v + b
			}
		}
	})
}

// dyMatrix rearranges dy (N×K×OH×OW) into the K × (n,oh,ow) matrix dst.
func dyMatrix(s ConvShape, dy, dst []float32) {
	ohw := s.OutH() * s.OutW()
	nn := s.N * ohw
	ParallelFor(s.N, func(n int) {
		for k := 0; k < s.K; k++ {
			copy(dst[k*nn+n*ohw:k*nn+(n+1)*ohw], dy[(n*s.K+k)*ohw:(n*s.K+k+1)*ohw])
		}
	})
}

func conv2DBackwardFilterFast(s ConvShape, x, dy, dw, db []float32) {
	nn := s.N * s.OutH() * s.OutW()
	crs := s.C * s.R * s.S
	colp := getBuf(crs * nn)
	defer putBuf(colp)
	im2col(s, x, *colp)
	dyp := getBuf(s.K * nn)
	defer putBuf(dyp)
	dyMatrix(s, dy, *dyp)
	Gemm(false, true, s.K, crs, nn, *dyp, nn, *colp, nn, dw, crs, false)
}

func conv2DBackwardDataFast(s ConvShape, dy, w, dx []float32) {
	oh, ow := s.OutH(), s.OutW()
	ohw := oh * ow
	nn := s.N * ohw
	crs := s.C * s.R * s.S
	dyp := getBuf(s.K * nn)
	defer putBuf(dyp)
	dyMatrix(s, dy, *dyp)
	colp := getBuf(crs * nn)
	defer putBuf(colp)
	col := *colp
	Gemm(true, false, crs, nn, s.K, w, crs, *dyp, nn, col, nn, false)
	// col2im: each dx element receives its terms in (r, s) order.
	ParallelFor(s.N, func(n int) {
		for c := 0; c < s.C; c++ {
			plane := dx[(n*s.C+c)*s.H*s.W : (n*s.C+c+1)*s.H*s.W]
			clear(plane)
			for r := 0; r < s.R; r++ {
				for q := 0; q < s.S; q++ {
					row := col[((c*s.R+r)*s.S+q)*nn+n*ohw:]
					row = row[:ohw]
					for i := 0; i < oh; i++ {
						ih := i*s.StrideH - s.PadH + r
						if ih < 0 || ih >= s.H {
							continue
						}
						dst := plane[ih*s.W : (ih+1)*s.W]
						for j, v := range row[i*ow : (i+1)*ow] {
							iw := j*s.StrideW - s.PadW + q
							if iw >= 0 && iw < s.W {
								dst[iw] += v
							}
						}
					}
				}
			}
		}
	})
}
