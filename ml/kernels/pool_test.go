package kernels

import (
	"math"
	"testing"

	"tangent/ml/kernels/kernelstest"
)

func TestMaxPool(t *testing.T) {
	r := kernelstest.Rand(30)
	for it := 0; it < 200; it++ {
		s := PoolShape{
			N: 1 + r.IntN(3), C: 1 + r.IntN(4), H: 1 + r.IntN(12), W: 1 + r.IntN(12),
			R: 1 + r.IntN(3), S: 1 + r.IntN(3), StrideH: 1 + r.IntN(3), StrideW: 1 + r.IntN(3),
		}
		s.PadH, s.PadW = r.IntN(s.R), r.IntN(s.S)
		if it%3 == 0 { // the 2×2, stride 2 fast path, odd and wide sizes
			s = PoolShape{N: 1 + r.IntN(3), C: 1 + r.IntN(4), H: 2 + r.IntN(30), W: 2 + r.IntN(70), R: 2, S: 2, StrideH: 2, StrideW: 2}
		}
		if s.Validate() != nil {
			continue
		}
		x := kernelstest.Slice(r, s.InLen())
		for i := range x {
			switch r.IntN(40) {
			case 0:
				x[i] = float32(math.NaN())
			case 1:
				x[i] = float32(math.Inf(-1))
			}
		}
		dy := kernelstest.Slice(r, s.OutLen())
		// Reference: a direct scan, and the backward pass as ordered adds.
		oh, ow := s.OutH(), s.OutW()
		wantY := make([]float32, s.OutLen())
		wantArg := make([]int32, s.OutLen())
		wantDX := make([]float32, s.InLen())
		for pl := 0; pl < s.N*s.C; pl++ {
			for i := 0; i < oh; i++ {
				for j := 0; j < ow; j++ {
					first := true
					var best float32
					var at int
					for a := 0; a < s.R; a++ {
						for b := 0; b < s.S; b++ {
							ih, iw := i*s.StrideH-s.PadH+a, j*s.StrideW-s.PadW+b
							if ih < 0 || ih >= s.H || iw < 0 || iw >= s.W {
								continue
							}
							if v := x[pl*s.H*s.W+ih*s.W+iw]; first || v > best {
								first, best, at = false, v, ih*s.W+iw
							}
						}
					}
					o := pl*oh*ow + i*ow + j
					wantY[o], wantArg[o] = best, int32(at)
					wantDX[pl*s.H*s.W+at] += dy[o]
				}
			}
		}
		for _, nw := range []int{1, 3} {
			prev := SetWorkers(nw)
			y := kernelstest.Slice(r, s.OutLen())
			arg := make([]int32, s.OutLen())
			MaxPool2D(s, x, y, arg)
			dx := kernelstest.Slice(r, s.InLen())
			MaxPool2DBackward(s, dy, arg, dx)
			SetWorkers(prev)
			if d := kernelstest.Diff(y, wantY); d != "" {
				t.Fatalf("%+v: y: %s", s, d)
			}
			for i := range arg {
				if arg[i] != wantArg[i] {
					t.Fatalf("%+v: arg[%d] = %d, want %d", s, i, arg[i], wantArg[i])
				}
			}
			if d := kernelstest.Diff(dx, wantDX); d != "" {
				t.Fatalf("%+v: dx: %s", s, d)
			}
		}
	}
}
