package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"tangent/ml/kernels/kernelstest"
)

func randConvShape(r *rand.Rand) ConvShape {
	for {
		s := ConvShape{
			N: 1 + r.IntN(4), C: 1 + r.IntN(5), H: 1 + r.IntN(13), W: 1 + r.IntN(13),
			K: 1 + r.IntN(7), R: 1 + r.IntN(5), S: 1 + r.IntN(5),
			StrideH: 1 + r.IntN(3), StrideW: 1 + r.IntN(3), PadH: r.IntN(3), PadW: r.IntN(3),
		}
		if s.Validate() == nil {
			return s
		}
	}
}

// convCheck runs the three convolution kernels under every Gemm path and
// several worker counts and compares them with the reference loops.
func convCheck(t *testing.T, r *rand.Rand, s ConvShape, bias bool) {
	t.Helper()
	x := kernelstest.Slice(r, s.InLen())
	w := kernelstest.Slice(r, s.WeightLen())
	dy := kernelstest.Slice(r, s.OutLen())
	var b []float32
	if bias {
		b = kernelstest.Slice(r, s.K)
	}
	wantY := make([]float32, s.OutLen())
	Conv2DRef(s, x, w, b, wantY)
	wantDX := make([]float32, s.InLen())
	Conv2DBackwardDataRef(s, dy, w, wantDX)
	wantDW := make([]float32, s.WeightLen())
	wantDB := make([]float32, s.K)
	Conv2DBackwardFilterRef(s, x, dy, wantDW, wantDB)
	for _, g := range gemmPaths() {
		for _, nw := range []int{1, 2, 7} {
			prev := SetWorkers(nw)
			withGemm(g, func() {
				where := fmt.Sprintf("%+v bias=%v path=%s workers=%d", s, bias, g.name, nw)
				y := kernelstest.Slice(r, s.OutLen())
				Conv2D(s, x, w, b, y)
				if d := kernelstest.Diff(y, wantY); d != "" {
					t.Fatalf("Conv2D %s: %s", where, d)
				}
				dx := kernelstest.Slice(r, s.InLen())
				Conv2DBackwardData(s, dy, w, dx)
				if d := kernelstest.Diff(dx, wantDX); d != "" {
					t.Fatalf("Conv2DBackwardData %s: %s", where, d)
				}
				dw := kernelstest.Slice(r, s.WeightLen())
				db := kernelstest.Slice(r, s.K)
				Conv2DBackwardFilter(s, x, dy, dw, db)
				if d := kernelstest.Diff(dw, wantDW); d != "" {
					t.Fatalf("Conv2DBackwardFilter dw %s: %s", where, d)
				}
				if d := kernelstest.Diff(db, wantDB); d != "" {
					t.Fatalf("Conv2DBackwardFilter db %s: %s", where, d)
				}
			})
			SetWorkers(prev)
		}
	}
}

func TestConvRandomShapes(t *testing.T) {
	r := kernelstest.Rand(20)
	n := 150
	if testing.Short() {
		n = 30
	}
	for i := 0; i < n; i++ {
		convCheck(t, r, randConvShape(r), r.IntN(2) == 0)
	}
}

// TestConvModelShapes checks the convolutions of the built-in models
// (cnn-small's two layers, cnn's 3×3 layers) at a small batch.
func TestConvModelShapes(t *testing.T) {
	r := kernelstest.Rand(21)
	for _, s := range []ConvShape{
		{N: 3, C: 1, H: 28, W: 28, K: 6, R: 5, S: 5, StrideH: 1, StrideW: 1},
		{N: 3, C: 6, H: 12, W: 12, K: 16, R: 5, S: 5, StrideH: 1, StrideW: 1},
		{N: 2, C: 1, H: 28, W: 28, K: 32, R: 3, S: 3, StrideH: 1, StrideW: 1, PadH: 1, PadW: 1},
		{N: 2, C: 32, H: 14, W: 14, K: 64, R: 3, S: 3, StrideH: 1, StrideW: 1},
	} {
		convCheck(t, r, s, true)
	}
}

func TestConvRefByHand(t *testing.T) {
	// 1×1×3×3 input, one 2×2 filter, padding 1, stride 2: output 2×2.
	s := ConvShape{N: 1, C: 1, H: 3, W: 3, K: 1, R: 2, S: 2, StrideH: 2, StrideW: 2, PadH: 1, PadW: 1}
	x := []float32{1, 2, 3, 4, 5, 6, 7, 8, 9}
	w := []float32{1, 10, 100, 1000}
	y := make([]float32, 4)
	Conv2DRef(s, x, w, []float32{0.5}, y)
	// (oh,ow)=(0,0) covers input (-1..0, -1..0): only x[0,0]=1 at kernel (1,1).
	want := []float32{1000.5, 2*100 + 3*1000 + 0.5, 4*10 + 7*1000 + 0.5, 5 + 6*10 + 8*100 + 9*1000 + 0.5}
	if d := kernelstest.Diff(y, want); d != "" {
		t.Fatal(d)
	}
}
