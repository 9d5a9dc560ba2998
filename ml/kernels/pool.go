package kernels

import (
	"fmt"
	"math"
)

// PoolShape describes a 2-D max pooling over an N×C×H×W (NCHW) input with
// an R×S window: the output is N×C×OutH×OutW. Window positions in the
// padding are skipped (they never win).
type PoolShape struct {
	N, C, H, W       int
	R, S             int // window height and width
	StrideH, StrideW int // ≥ 1
	PadH, PadW       int // 0 ≤ pad < window size
}

// OutH returns the output height (H+2*PadH-R)/StrideH + 1.
func (s PoolShape) OutH() int { return (s.H+2*s.PadH-s.R)/s.StrideH + 1 }

// OutW returns the output width (W+2*PadW-S)/StrideW + 1.
func (s PoolShape) OutW() int { return (s.W+2*s.PadW-s.S)/s.StrideW + 1 }

// InLen and OutLen return the lengths of the input and the output.
func (s PoolShape) InLen() int  { return s.N * s.C * s.H * s.W }
func (s PoolShape) OutLen() int { return s.N * s.C * s.OutH() * s.OutW() }

// Validate returns an error describing the first invalid field, or nil.
func (s PoolShape) Validate() error {
	switch {
	case s.N < 1 || s.C < 1 || s.H < 1 || s.W < 1:
		return fmt.Errorf("pool input N×C×H×W = %d×%d×%d×%d: every dimension must be ≥ 1", s.N, s.C, s.H, s.W)
	case s.R < 1 || s.S < 1:
		return fmt.Errorf("pool window %d×%d: must be ≥ 1", s.R, s.S)
	case s.StrideH < 1 || s.StrideW < 1:
		return fmt.Errorf("pool stride %d×%d: must be ≥ 1", s.StrideH, s.StrideW)
	case s.PadH < 0 || s.PadW < 0 || s.PadH >= s.R || s.PadW >= s.S:
		return fmt.Errorf("pool padding %d×%d: must be ≥ 0 and smaller than the window %d×%d", s.PadH, s.PadW, s.R, s.S)
	case s.H+2*s.PadH < s.R || s.W+2*s.PadW < s.S:
		return fmt.Errorf("pool window %d×%d larger than padded input %d×%d", s.R, s.S, s.H+2*s.PadH, s.W+2*s.PadW)
	}
	return nil
}

func (s PoolShape) check(op string, x, y []float32, arg []int32) {
	if err := s.Validate(); err != nil {
		panic("kernels: " + op + ": " + err.Error())
	}
	checkLen(op, "input", len(x), s.InLen())
	checkLen(op, "output", len(y), s.OutLen())
	if len(arg) < s.OutLen() {
		panic(fmt.Sprintf("kernels: %s: argmax has %d elements, need %d", op, len(arg), s.OutLen()))
	}
}

// MaxPool2D computes y[n,c,oh,ow] = the maximum of the window of x and
// stores in arg[n,c,oh,ow] the position ih*W+iw of that maximum within its
// N,C plane. The window is scanned in (r, s) order and a value replaces the
// current maximum only when it is greater (so the first of equal values
// wins, and a NaN wins only as the first in-image value). Parallel over
// planes; it overwrites y and arg.
func MaxPool2D(s PoolShape, x, y []float32, arg []int32) {
	s.check("MaxPool2D", x, y, arg)
	oh, ow := s.OutH(), s.OutW()
	ParallelFor(s.N*s.C, func(pl int) {
		in := x[pl*s.H*s.W : (pl+1)*s.H*s.W]
		out := y[pl*oh*ow : (pl+1)*oh*ow]
		am := arg[pl*oh*ow : (pl+1)*oh*ow]
		if maxPool2x2Plane != nil && s.R == 2 && s.S == 2 && s.StrideH == 2 && s.StrideW == 2 && s.PadH == 0 && s.PadW == 0 {
			maxPool2x2Plane(in, out, am, s.W, oh, ow)
			return
		}
		if s.PadH == 0 && s.PadW == 0 && maxPoolPlaneFast(s, in, out, am, oh, ow) {
			return
		}
		maxPoolPlane(s, in, out, am, oh, ow)
	})
}

// maxPool2x2Plane, if not nil, is MaxPool2D on one plane for 2×2 windows
// with stride 2 and no padding (AVX-512 on amd64).
var maxPool2x2Plane func(in, out []float32, arg []int32, w, oh, ow int)

// maxPoolPlane is MaxPool2D on one plane: the defining loop.
func maxPoolPlane(s PoolShape, in, out []float32, am []int32, oh, ow int) {
	for i := 0; i < oh; i++ {
		h0 := i*s.StrideH - s.PadH
		for j := 0; j < ow; j++ {
			w0 := j*s.StrideW - s.PadW
			best, at := float32(0), int32(-1)
			for r := max(0, -h0); r < s.R && h0+r < s.H; r++ {
				row := (h0 + r) * s.W
				for q := max(0, -w0); q < s.S && w0+q < s.W; q++ {
					v := in[row+w0+q]
					if at < 0 || v > best {
						best, at = v, int32(row+w0+q)
					}
				}
			}
			out[i*ow+j] = best
			am[i*ow+j] = at
		}
	}
}

// maxPoolPlaneFast is maxPoolPlane without padding and without branches on
// the data (random data makes "v > best" unpredictable): it compares
// order-preserving integer keys in which -0 and +0 are equal, which is
// exactly float32's > for non-NaN values, and selects with conditional
// moves. It reports false, leaving the plane to maxPoolPlane, when the
// plane holds a NaN.
func maxPoolPlaneFast(s PoolShape, in, out []float32, am []int32, oh, ow int) bool {
	var maxAbs uint32
	for i := 0; i < oh; i++ {
		for j := 0; j < ow; j++ {
			base := i*s.StrideH*s.W + j*s.StrideW
			bb := math.Float32bits(in[base])
			kb, at := poolKey(bb), int32(base)
			maxAbs = max(maxAbs, bb&0x7fffffff)
			for r := 0; r < s.R; r++ {
				row := in[base+r*s.W : base+r*s.W+s.S]
				for q, v := range row {
					vb := math.Float32bits(v)
					maxAbs = max(maxAbs, vb&0x7fffffff)
					if kv := poolKey(vb); kv > kb {
						kb, bb, at = kv, vb, int32(base+r*s.W+q)
					}
				}
			}
			out[i*ow+j] = math.Float32frombits(bb)
			am[i*ow+j] = at
		}
	}
	return maxAbs <= 0x7f800000
}

// poolKey maps float32 bits to an int32 whose order is float32's order,
// with -0 and +0 equal (NaNs excluded).
func poolKey(b uint32) int32 {
	k := int32(b)
	sign := k >> 31
	return k ^ (sign & 0x7fffffff) + sign&1
}

// MaxPool2DBackward computes dx from dy and the argmax positions of
// MaxPool2D: dx starts at +0 and, for each output position in (oh, ow)
// order, dx[n,c,arg] += dy[n,c,oh,ow] (a float32 addition; overlapping
// windows add in that order). Parallel over planes; it overwrites dx.
func MaxPool2DBackward(s PoolShape, dy []float32, arg []int32, dx []float32) {
	s.check("MaxPool2DBackward", dx, dy, arg)
	oh, ow := s.OutH(), s.OutW()
	ParallelFor(s.N*s.C, func(pl int) {
		g := dx[pl*s.H*s.W : (pl+1)*s.H*s.W]
		clear(g)
		d := dy[pl*oh*ow : (pl+1)*oh*ow]
		for o, at := range arg[pl*oh*ow : (pl+1)*oh*ow] {
			g[at] += d[o]
		}
	})
}
