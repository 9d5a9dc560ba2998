package nn

import (
	"fmt"
	"math"
	"testing"

	"tangent/ml/tensor"
	"tangent/ml/trace"
)

func randT(r *tensor.RNG, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	r.FillUniform(t.Data, 1)
	return t
}

func dot64(a, b []float32) float64 {
	s := 0.0
	for i := range a {
		s += float64(a[i]) * float64(b[i])
	}
	return s
}

func exec(t *testing.T, kind string, a trace.Attrs, in ...*tensor.Tensor) []*tensor.Tensor {
	t.Helper()
	out, err := Exec(kind, a, in)
	if err != nil {
		t.Fatalf("%s: %v", kind, err)
	}
	return out
}

// checkGrad compares an analytic gradient g of L(x) = Σ r⊙f(x) with central
// differences of step h over a sample of x's elements. Elements where the
// differences of steps h and h/2 disagree (a kink of ReLU or max pooling
// inside the step) are skipped; at most a tenth may be.
func checkGrad(t *testing.T, name string, x *tensor.Tensor, g []float32, h float64, L func() float64) {
	t.Helper()
	skipped, checked := 0, 0
	step := max(1, x.Len()/60)
	for i := 0; i < x.Len(); i += step {
		orig := x.Data[i]
		fd := func(h float64) float64 {
			x.Data[i] = float32(float64(orig) + h)
			lp := L()
			x.Data[i] = float32(float64(orig) - h)
			lm := L()
			x.Data[i] = orig
			return (lp - lm) / (float64(float32(float64(orig)+h)) - float64(float32(float64(orig)-h)))
		}
		a, b := fd(h), fd(h/2)
		if math.Abs(a-b) > 1e-3*(1+math.Abs(a)) {
			skipped++
			continue
		}
		checked++
		if d := math.Abs(float64(g[i]) - a); d > 2e-3*(1+math.Abs(a)) {
			t.Errorf("%s: gradient[%d] = %v, finite differences %v", name, i, g[i], a)
			return
		}
	}
	if skipped*10 > checked+skipped {
		t.Errorf("%s: %d of %d elements skipped at kinks", name, skipped, skipped+checked)
	}
}

func TestGradDense(t *testing.T) {
	r := tensor.NewRNG(1, tensor.StreamInit)
	x, w, b := randT(r, 5, 7), randT(r, 3, 7), randT(r, 3)
	rr := randT(r, 5, 3)
	L := func() float64 { return dot64(exec(t, "dense.forward", nil, x, w, b)[0].Data, rr.Data) }
	dx := exec(t, "dense.backward_data", nil, rr, w)[0]
	g := exec(t, "dense.backward_weight", nil, x, rr)
	checkGrad(t, "dense x", x, dx.Data, 1e-2, L)
	checkGrad(t, "dense w", w, g[0].Data, 1e-2, L)
	checkGrad(t, "dense b", b, g[1].Data, 1e-2, L)
}

func TestGradConv(t *testing.T) {
	for _, c := range []struct{ n, ci, h, w, k, kk, stride, pad int }{
		{2, 3, 7, 6, 4, 3, 1, 0},
		{1, 2, 8, 8, 3, 3, 2, 1},
		{2, 1, 9, 9, 2, 5, 1, 2},
	} {
		name := fmt.Sprintf("conv %+v", c)
		r := tensor.NewRNG(2, tensor.StreamInit)
		x, w, b := randT(r, c.n, c.ci, c.h, c.w), randT(r, c.k, c.ci, c.kk, c.kk), randT(r, c.k)
		a := trace.Attrs{"stride": itoa(c.stride), "padding": itoa(c.pad)}
		y := exec(t, "conv2d.forward", a, x, w, b)[0]
		rr := randT(r, y.Shape...)
		L := func() float64 { return dot64(exec(t, "conv2d.forward", a, x, w, b)[0].Data, rr.Data) }
		ad := trace.Attrs{"stride": a["stride"], "padding": a["padding"], "in_h": itoa(c.h), "in_w": itoa(c.w)}
		af := trace.Attrs{"stride": a["stride"], "padding": a["padding"], "kernel": itoa(c.kk)}
		dx := exec(t, "conv2d.backward_data", ad, rr, w)[0]
		g := exec(t, "conv2d.backward_filter", af, x, rr)
		checkGrad(t, name+" x", x, dx.Data, 1e-2, L)
		checkGrad(t, name+" w", w, g[0].Data, 1e-2, L)
		checkGrad(t, name+" b", b, g[1].Data, 1e-2, L)
	}
}

// distinctT returns a tensor of distinct values at least 0.01 apart and away
// from 0, so that finite differences of step 1e-3 cross no kink of ReLU or
// max pooling.
func distinctT(r *tensor.RNG, shape ...int) *tensor.Tensor {
	t := tensor.New(shape...)
	for i, p := range r.Perm(t.Len()) {
		t.Data[i] = float32(p-t.Len()/2)*0.01 + 0.003
	}
	return t
}

func TestGradPoolReLUDropout(t *testing.T) {
	r := tensor.NewRNG(3, tensor.StreamInit)
	x := distinctT(r, 2, 3, 8, 8)
	a := trace.Attrs{"kernel": "2", "stride": "2"}
	rr := randT(r, 2, 3, 4, 4)
	dx := exec(t, "maxpool2d.backward", a, rr, x)[0]
	checkGrad(t, "maxpool", x, dx.Data, 1e-3, func() float64 { return dot64(exec(t, "maxpool2d.forward", a, x)[0].Data, rr.Data) })
	a3 := trace.Attrs{"kernel": "3", "stride": "2"} // overlapping windows
	y3 := exec(t, "maxpool2d.forward", a3, x)[0]
	r3 := randT(r, y3.Shape...)
	dx3 := exec(t, "maxpool2d.backward", a3, r3, x)[0]
	checkGrad(t, "maxpool overlap", x, dx3.Data, 1e-3, func() float64 { return dot64(exec(t, "maxpool2d.forward", a3, x)[0].Data, r3.Data) })

	xr := distinctT(r, 4, 50)
	rr2 := randT(r, 4, 50)
	y := exec(t, "relu.forward", nil, xr)[0]
	dxr := exec(t, "relu.backward", nil, rr2, y)[0]
	checkGrad(t, "relu", xr, dxr.Data, 1e-3, func() float64 { return dot64(exec(t, "relu.forward", nil, xr)[0].Data, rr2.Data) })

	ad := trace.Attrs{"rate": "0.3", "seed": "9", "stream": "3", "counter": "17"}
	dxd := exec(t, "dropout.backward", ad, rr2)[0]
	checkGrad(t, "dropout", xr, dxd.Data, 1e-2, func() float64 { return dot64(exec(t, "dropout.forward", ad, xr)[0].Data, rr2.Data) })
	zeros := 0
	for _, v := range dxd.Data {
		if v == 0 {
			zeros++
		}
	}
	if zeros < 30 || zeros > 90 {
		t.Errorf("dropout 0.3 zeroed %d of 200", zeros)
	}
}

func TestGradLoss(t *testing.T) {
	r := tensor.NewRNG(4, tensor.StreamInit)
	logits := randT(r, 6, 10)
	for i := range logits.Data {
		logits.Data[i] *= 3
	}
	labels := tensor.FromData([]float32{0, 3, 9, 3, 5, 1}, 6)
	out := exec(t, "loss.softmax_xent", nil, logits, labels)
	checkGrad(t, "softmax xent", logits, out[1].Data, 1e-3, func() float64 {
		return float64(exec(t, "loss.softmax_xent", nil, logits, labels)[0].Data[0])
	})
	// The loss of uniform logits is log(classes).
	u := tensor.New(2, 10)
	l := exec(t, "loss.softmax_xent", nil, u, tensor.FromData([]float32{1, 2}, 2))[0].Data[0]
	if math.Abs(float64(l)-math.Log(10)) > 1e-6 {
		t.Errorf("uniform loss %v, want log 10", l)
	}
}

func TestExecRejectsBadInput(t *testing.T) {
	r := tensor.NewRNG(5, tensor.StreamInit)
	cases := []struct {
		kind string
		a    trace.Attrs
		in   []*tensor.Tensor
	}{
		{"dense.forward", nil, []*tensor.Tensor{randT(r, 2, 3), randT(r, 4, 5), randT(r, 4)}},
		{"dense.forward", nil, []*tensor.Tensor{randT(r, 2, 3)}},
		{"conv2d.forward", trace.Attrs{"stride": "1"}, []*tensor.Tensor{randT(r, 1, 1, 5, 5), randT(r, 2, 1, 3, 3), randT(r, 2)}},
		{"conv2d.forward", trace.Attrs{"stride": "0", "padding": "0"}, []*tensor.Tensor{randT(r, 1, 1, 5, 5), randT(r, 2, 1, 3, 3), randT(r, 2)}},
		{"conv2d.forward", trace.Attrs{"stride": "1", "padding": "0"}, []*tensor.Tensor{randT(r, 1, 1, 2, 2), randT(r, 2, 1, 3, 3), randT(r, 2)}},
		{"maxpool2d.backward", trace.Attrs{"kernel": "2", "stride": "2"}, []*tensor.Tensor{randT(r, 1, 1, 3, 3), randT(r, 1, 1, 4, 4)}},
		{"loss.softmax_xent", nil, []*tensor.Tensor{randT(r, 2, 3), tensor.FromData([]float32{0, 3}, 2)}},
		{"loss.softmax_xent", nil, []*tensor.Tensor{randT(r, 2, 3), tensor.FromData([]float32{0, 0.5}, 2)}},
		{"dropout.forward", trace.Attrs{"rate": "1", "seed": "1", "stream": "3", "counter": "0"}, []*tensor.Tensor{randT(r, 2)}},
		{"no.such", nil, nil},
		{"relu.forward", nil, []*tensor.Tensor{{Shape: []int{3}, Data: []float32{1}}}},
	}
	for _, c := range cases {
		if _, err := Exec(c.kind, c.a, c.in); err == nil {
			t.Errorf("%s %v accepted", c.kind, c.a)
		}
	}
}

// FuzzExec feeds Exec arbitrary kinds, attributes and small tensors: it must
// return outputs or an error, never crash or allocate without bound.
func FuzzExec(f *testing.F) {
	f.Add("conv2d.forward", "1", "0", 3, 1, 2, 5, 5, 3, 3)
	f.Add("conv2d.backward_data", "2", "1", 4, 1, 2, 3, 3, 3, 3)
	f.Add("conv2d.backward_filter", "1", "60000", 3, 2, 1, 4, 4, 2, 2)
	f.Add("maxpool2d.backward", "2", "2", 2, 1, 1, 4, 4, 2, 2)
	f.Add("dense.forward", "1", "1", 2, 3, 4, 3, 1, 1, 1)
	f.Fuzz(func(t *testing.T, kind, s1, s2 string, n, a, b, c, d, e, g int) {
		dim := func(v int) int { return 1 + (v&0x7fffffff)%6 }
		attrs := trace.Attrs{"stride": s1, "padding": s2, "kernel": s1, "in_h": s2, "in_w": s2,
			"rate": "0.5", "seed": s1, "stream": "3", "counter": s2, "optimizer": "sgd lr=0.1", "step": s1}
		shapes := [][]int{{dim(n), dim(a), dim(c), dim(d)}, {dim(b), dim(a), dim(e), dim(g)}, {dim(b)}}
		var in []*tensor.Tensor
		r := tensor.NewRNG(1, tensor.StreamInit)
		for i := 0; i < 1+dim(n)%3; i++ {
			in = append(in, randT(r, shapes[i]...))
		}
		Exec(kind, attrs, in)
	})
}
