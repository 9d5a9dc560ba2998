package kernels

import "fmt"

// ConvShape describes a 2-D convolution as in PyTorch's Conv2d (a
// cross-correlation, no dilation, no groups): input x is N×C×H×W (NCHW),
// weights w are K×C×R×S (OIHW), output y is N×K×OutH×OutW. Positions of
// the padded input outside the image read as +0.
type ConvShape struct {
	N, C, H, W       int // input batch, channels, height, width
	K, R, S          int // output channels, kernel height, kernel width
	StrideH, StrideW int // ≥ 1
	PadH, PadW       int // ≥ 0, zero padding on each side
}

// OutH returns the output height (H+2*PadH-R)/StrideH + 1.
func (s ConvShape) OutH() int { return (s.H+2*s.PadH-s.R)/s.StrideH + 1 }

// OutW returns the output width (W+2*PadW-S)/StrideW + 1.
func (s ConvShape) OutW() int { return (s.W+2*s.PadW-s.S)/s.StrideW + 1 }

// InLen, WeightLen and OutLen return the lengths of x, w and y.
func (s ConvShape) InLen() int     { return s.N * s.C * s.H * s.W }
func (s ConvShape) WeightLen() int { return s.K * s.C * s.R * s.S }
func (s ConvShape) OutLen() int    { return s.N * s.K * s.OutH() * s.OutW() }

// Validate returns an error describing the first invalid field, or nil.
func (s ConvShape) Validate() error {
	switch {
	case s.N < 1 || s.C < 1 || s.H < 1 || s.W < 1:
		return fmt.Errorf("conv input N×C×H×W = %d×%d×%d×%d: every dimension must be ≥ 1", s.N, s.C, s.H, s.W)
	case s.K < 1 || s.R < 1 || s.S < 1:
		return fmt.Errorf("conv weights K×C×R×S = %d×%d×%d×%d: every dimension must be ≥ 1", s.K, s.C, s.R, s.S)
	case s.StrideH < 1 || s.StrideW < 1:
		return fmt.Errorf("conv stride %d×%d: must be ≥ 1", s.StrideH, s.StrideW)
	case s.PadH < 0 || s.PadW < 0:
		return fmt.Errorf("conv padding %d×%d: must be ≥ 0", s.PadH, s.PadW)
	case s.H+2*s.PadH < s.R || s.W+2*s.PadW < s.S:
		return fmt.Errorf("conv kernel %d×%d larger than padded input %d×%d", s.R, s.S, s.H+2*s.PadH, s.W+2*s.PadW)
	}
	return nil
}

func (s ConvShape) check(op string) {
	if err := s.Validate(); err != nil {
		panic("kernels: " + op + ": " + err.Error())
	}
}

func checkLen(op, name string, got, want int) {
	if got < want {
		panic(fmt.Sprintf("kernels: %s: %s has %d elements, need %d", op, name, got, want))
	}
}

// Conv2D computes the convolution y = x ⋆ w (+ bias). Its bits are defined
// by Conv2DRef: for each output element (n, k, oh, ow)
//
//	acc := +0
//	for c, r, s in lexicographic order (padding included, reading +0):
//		acc = FMA32(x[n, c, oh*StrideH-PadH+r, ow*StrideW-PadW+s], w[k, c, r, s], acc)
//	y[n, k, oh, ow] = acc + bias[k]   // a float32 addition; none if bias is nil
//
// bias is nil or K long. Conv2D overwrites y, keeps no slice and may use
// Workers() goroutines over independent outputs.
func Conv2D(s ConvShape, x, w, bias, y []float32) {
	checkConv("Conv2D", s, x, w, bias, y)
	conv2DFast(s, x, w, bias, y)
}

// Conv2DBackwardData computes dx, the gradient of the loss with respect to
// the input, from dy (shaped like y) and the weights. Its bits are defined
// by Conv2DBackwardDataRef: for each input element (n, c, ih, iw)
//
//	acc := +0
//	for k, r, s in lexicographic order (output channels, then kernel positions):
//		acc = FMA32(w[k, c, r, s], d, acc)
//	dx[n, c, ih, iw] = acc
//
// where d = dy[n, k, oh, ow] if ih+PadH-r = oh*StrideH and
// iw+PadW-s = ow*StrideW for an output position (oh, ow), and +0 otherwise:
// one FMA chain per element over the full (k, r, s) range, like a
// convolution of dy, dilated by the stride and zero-padded, with the flipped
// kernel. Conv2DBackwardData overwrites dx.
func Conv2DBackwardData(s ConvShape, dy, w, dx []float32) {
	checkConvBwdData("Conv2DBackwardData", s, dy, w, dx)
	conv2DBackwardDataFast(s, dy, w, dx)
}

// Conv2DBackwardFilter computes dw, the gradient of the loss with respect
// to the weights, and db (nil to skip), that with respect to the bias. Its
// bits are defined by Conv2DBackwardFilterRef: for each weight (k, c, r, s)
//
//	acc := +0
//	for n, oh, ow in lexicographic order (padding included, reading +0):
//		acc = FMA32(dy[n, k, oh, ow], x[n, c, oh*StrideH-PadH+r, ow*StrideW-PadW+s], acc)
//	dw[k, c, r, s] = acc
//
// and db[k] is the float32 sum of dy[n, k, oh, ow] from +0, in (n, oh, ow)
// order: over the batch, then output positions. It overwrites dw and db.
func Conv2DBackwardFilter(s ConvShape, x, dy, dw, db []float32) {
	checkConvBwdFilter("Conv2DBackwardFilter", s, x, dy, dw, db)
	conv2DBackwardFilterFast(s, x, dy, dw, db)
}

func checkConv(op string, s ConvShape, x, w, bias, y []float32) {
	s.check(op)
	checkLen(op, "x", len(x), s.InLen())
	checkLen(op, "w", len(w), s.WeightLen())
	if bias != nil {
		checkLen(op, "bias", len(bias), s.K)
	}
	checkLen(op, "y", len(y), s.OutLen())
}

func checkConvBwdData(op string, s ConvShape, dy, w, dx []float32) {
	s.check(op)
	checkLen(op, "dy", len(dy), s.OutLen())
	checkLen(op, "w", len(w), s.WeightLen())
	checkLen(op, "dx", len(dx), s.InLen())
}

func checkConvBwdFilter(op string, s ConvShape, x, dy, dw, db []float32) {
	s.check(op)
	checkLen(op, "x", len(x), s.InLen())
	checkLen(op, "dy", len(dy), s.OutLen())
	checkLen(op, "dw", len(dw), s.WeightLen())
	if db != nil {
		checkLen(op, "db", len(db), s.K)
	}
}

// Conv2DRef is the reference loop that defines Conv2D.
func Conv2DRef(s ConvShape, x, w, bias, y []float32) {
	checkConv("Conv2DRef", s, x, w, bias, y)
	oh, ow := s.OutH(), s.OutW()
	for n := 0; n < s.N; n++ {
		for k := 0; k < s.K; k++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					var acc float32
					for c := 0; c < s.C; c++ {
						for r := 0; r < s.R; r++ {
							for q := 0; q < s.S; q++ {
								ih, iw := i*s.StrideH-s.PadH+r, j*s.StrideW-s.PadW+q
								var xv float32
								if ih >= 0 && ih < s.H && iw >= 0 && iw < s.W {
									xv = x[((n*s.C+c)*s.H+ih)*s.W+iw]
								}
								acc = FMA32(xv, w[((k*s.C+c)*s.R+r)*s.S+q], acc)
							}
						}
					}
					if bias != nil {
						acc += bias[k]
					}
					y[((n*s.K+k)*oh+i)*ow+j] = acc
				}
			}
		}
	}
}

// Conv2DBackwardDataRef is the reference loop that defines
// Conv2DBackwardData.
func Conv2DBackwardDataRef(s ConvShape, dy, w, dx []float32) {
	checkConvBwdData("Conv2DBackwardDataRef", s, dy, w, dx)
	oh, ow := s.OutH(), s.OutW()
	for n := 0; n < s.N; n++ {
		for c := 0; c < s.C; c++ {
			for ih := 0; ih < s.H; ih++ {
				for iw := 0; iw < s.W; iw++ {
					var acc float32
					for k := 0; k < s.K; k++ {
						for r := 0; r < s.R; r++ {
							for q := 0; q < s.S; q++ {
								var d float32
								ti, tj := ih+s.PadH-r, iw+s.PadW-q
								if ti >= 0 && ti%s.StrideH == 0 && ti/s.StrideH < oh &&
									tj >= 0 && tj%s.StrideW == 0 && tj/s.StrideW < ow {
									d = dy[((n*s.K+k)*oh+ti/s.StrideH)*ow+tj/s.StrideW]
								}
								acc = FMA32(w[((k*s.C+c)*s.R+r)*s.S+q], d, acc)
							}
						}
					}
					dx[((n*s.C+c)*s.H+ih)*s.W+iw] = acc
				}
			}
		}
	}
}

// Conv2DBackwardFilterRef is the reference loop that defines
// Conv2DBackwardFilter.
func Conv2DBackwardFilterRef(s ConvShape, x, dy, dw, db []float32) {
	checkConvBwdFilter("Conv2DBackwardFilterRef", s, x, dy, dw, db)
	oh, ow := s.OutH(), s.OutW()
	for k := 0; k < s.K; k++ {
		for c := 0; c < s.C; c++ {
			for r := 0; r < s.R; r++ {
				for q := 0; q < s.S; q++ {
					var acc float32
					for n := 0; n < s.N; n++ {
						for i := 0; i < oh; i++ {
							for j := 0; j < ow; j++ {
								ih, iw := i*s.StrideH-s.PadH+r, j*s.StrideW-s.PadW+q
								var xv float32
								if ih >= 0 && ih < s.H && iw >= 0 && iw < s.W {
									xv = x[((n*s.C+c)*s.H+ih)*s.W+iw]
								}
								acc = FMA32(dy[((n*s.K+k)*oh+i)*ow+j], xv, acc)
							}
						}
					}
					dw[((k*s.C+c)*s.R+r)*s.S+q] = acc
				}
			}
		}
		if db != nil {
			var acc float32
			for n := 0; n < s.N; n++ {
				for _, v := range dy[(n*s.K+k)*oh*ow : (n*s.K+k+1)*oh*ow] {
					acc += v
				}
			}
			db[k] = acc
		}
	}
}
