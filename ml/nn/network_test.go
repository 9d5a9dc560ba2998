package nn

import (
	"testing"

	"tangent/ml/kernels"
	"tangent/ml/model"
	"tangent/ml/tensor"
	"tangent/ml/trace"
)

func batch(r *tensor.RNG, spec *model.Spec, n int) (*tensor.Tensor, []int32) {
	x := tensor.New(append([]int{n}, spec.Input...)...)
	r.FillUniform(x.Data, 1)
	y := make([]int32, n)
	for i := range y {
		y[i] = int32(r.IntN(spec.Classes))
	}
	return x, y
}

// TestNetworkGradients checks every parameter gradient of a small network
// (all layer types) against finite differences of the loss.
func TestNetworkGradients(t *testing.T) {
	spec, err := model.Parse([]byte(`{"input":[2,9,9],"classes":4,"layers":[
		{"type":"conv2d","out":3,"kernel":3,"padding":1},{"type":"relu"},{"type":"maxpool2d","kernel":2},
		{"type":"conv2d","out":4,"kernel":2,"stride":2},{"type":"relu"},
		{"type":"flatten"},{"type":"dense","out":6},{"type":"relu"},{"type":"dropout","rate":0.5},{"type":"dense","out":4}]}`))
	if err != nil {
		t.Fatal(err)
	}
	net, err := Build(spec)
	if err != nil {
		t.Fatal(err)
	}
	net.Init(3)
	r := tensor.NewRNG(4, tensor.StreamData)
	x, y := batch(r, spec, 5)
	drop := tensor.RNG{Seed: 1, Stream: tensor.StreamDropout}
	pass := func() Pass { d := drop; return Pass{Train: true, Dropout: &d} } // same mask every call
	loss, d := net.Loss(net.Forward(x, pass()), y, nil)
	if loss <= 0 {
		t.Fatalf("loss %v", loss)
	}
	net.Backward(d, pass())
	L := func() float64 {
		l, _ := net.Loss(net.Forward(x, pass()), y, nil)
		return float64(l)
	}
	for _, p := range net.Params {
		g := append([]float32(nil), p.G...)
		checkGrad(t, p.Name, &tensor.Tensor{Shape: p.Shape, Data: p.W}, g, 1e-3, L)
	}
}

// TestReplayEveryOp: every operator of a cnn-small forward/backward pass
// re-executed alone gives the recorded output roots, and a corrupted output
// is detected.
func TestReplayEveryOp(t *testing.T) {
	spec, _ := model.Builtin("cnn-small")
	net, _ := Build(spec)
	net.Init(1)
	x, y := batch(tensor.NewRNG(2, tensor.StreamData), spec, 8)
	rec := &trace.Recorder{KeepData: true}
	p := Pass{Train: true, Rec: rec}
	_, d := net.Loss(net.Forward(x, p), y, rec)
	net.Backward(d, p)
	kinds := map[string]int{}
	for _, op := range rec.Trace.Ops {
		kinds[op.Kind]++
		if err := Replay(op, rec.Data); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range []string{"conv2d.forward", "conv2d.backward_filter", "conv2d.backward_data", "maxpool2d.forward", "maxpool2d.backward",
		"relu.forward", "relu.backward", "dense.forward", "dense.backward_data", "dense.backward_weight", "loss.softmax_xent"} {
		if kinds[k] == 0 {
			t.Errorf("no %s op in the trace", k)
		}
	}
	if kinds["conv2d.backward_data"] != 1 {
		t.Errorf("%d conv2d.backward_data ops; the first layer needs none", kinds["conv2d.backward_data"])
	}
	// Chaining: each forward op's input is the previous forward op's output.
	ops := rec.Trace.Ops
	if ops[1].Inputs[0].Root != ops[0].Outputs[0].Root {
		t.Error("relu.forward input is not conv2d.forward's output")
	}
	// A cheater's output is caught.
	bad := ops[3]
	bad.Outputs = append([]trace.Tensor(nil), bad.Outputs...)
	bad.Outputs[0].Root[0] ^= 1
	if err := Replay(bad, rec.Data); err == nil {
		t.Fatal("corrupted output not detected")
	}
}

// TestForwardWorkersBitExact: thread count never changes bits.
func TestForwardWorkersBitExact(t *testing.T) {
	spec, _ := model.Builtin("cnn-small")
	net, _ := Build(spec)
	net.Init(1)
	x, y := batch(tensor.NewRNG(2, tensor.StreamData), spec, 16)
	run := func(w int) trace.Root {
		defer kernels.SetWorkers(kernels.SetWorkers(w))
		rec := &trace.Recorder{}
		p := Pass{Train: true, Rec: rec}
		_, d := net.Loss(net.Forward(x, p), y, rec)
		net.Backward(d, p)
		return rec.Trace.Root()
	}
	a, b, c := run(1), run(2), run(7)
	if a != b || a != c {
		t.Fatal("trace root depends on the worker count")
	}
}
