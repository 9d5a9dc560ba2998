package nn

import (
	"fmt"
	"math"

	"tangent/ml/kernels"
	"tangent/ml/model"
	"tangent/ml/tensor"
	"tangent/ml/trace"
)

// Network is a sequential model built from a spec.
type Network struct {
	Spec   *model.Spec
	Params []*Param // in layer order, weight then bias

	layers []layer

	// loss buffers
	lse     []float32
	dlogits *tensor.Tensor
}

// Build creates the network of spec with zero parameters (see Init).
func Build(spec *model.Spec) (*Network, error) {
	shapes, err := spec.Shapes()
	if err != nil {
		return nil, err
	}
	n := &Network{Spec: spec}
	in := spec.Input
	owned := false // whether the current activation is a buffer a layer owns
	for i, l := range spec.Layers {
		var ly layer
		switch l.Type {
		case model.Dense:
			d := &dense{in: in[0], out: l.Out}
			d.w = &Param{Name: fmt.Sprintf("layers.%d.weight", i), Shape: []int{l.Out, in[0]}, FanIn: in[0]}
			d.b = &Param{Name: fmt.Sprintf("layers.%d.bias", i), Shape: []int{l.Out}, FanIn: in[0]}
			ly, owned = d, true
		case model.Conv2D:
			stride := l.Stride
			if stride == 0 {
				stride = 1
			}
			ls := l
			ls.Stride = stride
			fan := in[0] * l.Kernel * l.Kernel
			c := &conv2d{spec: ls, inC: in[0]}
			c.w = &Param{Name: fmt.Sprintf("layers.%d.weight", i), Shape: []int{l.Out, in[0], l.Kernel, l.Kernel}, FanIn: fan}
			c.b = &Param{Name: fmt.Sprintf("layers.%d.bias", i), Shape: []int{l.Out}, FanIn: fan}
			ly, owned = c, true
		case model.MaxPool2D:
			stride := l.Stride
			if stride == 0 {
				stride = l.Kernel
			}
			ly, owned = &maxpool2d{k: l.Kernel, stride: stride}, true
		case model.ReLU:
			ly, owned = &relu{inPlace: owned}, true
		case model.Flatten:
			ly = &flatten{}
		case model.Dropout:
			ly, owned = &dropout{rate: l.Rate}, false
		default:
			return nil, &model.LayerError{Index: i, Type: l.Type, Msg: "no implementation"}
		}
		if r, ok := ly.(*relu); ok && i > 0 && spec.Layers[i-1].Type == model.ReLU {
			r.inPlace = false
		}
		for _, p := range ly.params() {
			p.W = make([]float32, tensor.Numel(p.Shape))
			p.G = make([]float32, tensor.Numel(p.Shape))
			n.Params = append(n.Params, p)
		}
		n.layers = append(n.layers, ly)
		in = shapes[i]
	}
	return n, nil
}

// Init sets every parameter from seed (see the package comment).
func (n *Network) Init(seed uint64) {
	r := tensor.NewRNG(seed, tensor.StreamInit)
	for _, p := range n.Params {
		bound := float32(1 / math.Sqrt(float64(p.FanIn)))
		r.FillUniform(p.W, bound)
	}
}

// NumParams returns the number of parameter values.
func (n *Network) NumParams() int {
	t := 0
	for _, p := range n.Params {
		t += len(p.W)
	}
	return t
}

// Pass configures one forward (and backward) pass.
type Pass struct {
	Train   bool            // dropout active
	Dropout *tensor.RNG     // the dropout stream; advanced by each active dropout layer
	Rec     *trace.Recorder // nil: no trace
}

// Forward runs the network on x (B × the spec's input shape, NCHW) and
// returns the logits [B, classes], valid until the next call.
func (n *Network) Forward(x *tensor.Tensor, p Pass) *tensor.Tensor {
	in := n.Spec.Input
	if len(x.Shape) != 4 || x.Shape[1] != in[0] || x.Shape[2] != in[1] || x.Shape[3] != in[2] {
		panic(fmt.Sprintf("nn: input of shape %v for a model of input %v", x.Shape, in))
	}
	if p.Train && p.Dropout == nil {
		p.Dropout = &tensor.RNG{}
	}
	c := &runCtx{train: p.Train, rec: p.Rec, drop: p.Dropout}
	h := x
	for i, l := range n.layers {
		c.layer = i
		h = l.forward(h, c)
	}
	return h
}

// Backward propagates dlogits (from Loss) back through the network and
// leaves every parameter's gradient in Param.G. It must follow the Forward
// whose activations it uses. The input gradient is not computed.
func (n *Network) Backward(dlogits *tensor.Tensor, p Pass) {
	c := &runCtx{train: p.Train, rec: p.Rec, drop: p.Dropout}
	d := dlogits
	// The first layer with parameters needs no input gradient, nor do the
	// layers before it.
	first := len(n.layers)
	for i, l := range n.layers {
		if len(l.params()) > 0 {
			first = i
			break
		}
	}
	for i := len(n.layers) - 1; i >= first; i-- {
		c.layer = i
		d = n.layers[i].backward(d, i > first, c)
	}
}

// Loss returns the mean softmax cross-entropy of logits against labels and
// the gradient with respect to the logits (valid until the next call). The
// labels must be in [0, classes).
func (n *Network) Loss(logits *tensor.Tensor, labels []int32, rec *trace.Recorder) (float32, *tensor.Tensor) {
	bsz, classes := logits.Shape[0], logits.Shape[1]
	for i, l := range labels[:bsz] {
		if l < 0 || int(l) >= classes {
			panic(fmt.Sprintf("nn: label %d of example %d outside [0, %d)", l, i, classes))
		}
	}
	n.dlogits = reuse(n.dlogits, bsz, classes)
	if cap(n.lse) < bsz {
		n.lse = make([]float32, bsz)
	}
	loss := softmaxXent(bsz, classes, logits.Data, labels, n.lse[:bsz], n.dlogits.Data)
	if rec != nil {
		lf := make([]float32, bsz)
		for i, l := range labels[:bsz] {
			lf[i] = float32(l)
		}
		rec.Record("loss.softmax_xent", -1, nil,
			[]trace.Named{named("logits", logits), {Name: "labels", Shape: []int{bsz}, Data: lf}},
			[]trace.Named{{Name: "loss", Shape: []int{1}, Data: []float32{loss}}, named("dlogits", n.dlogits)})
	}
	return loss, n.dlogits
}

// Predict writes the arg-max class of each row of logits into out.
func Predict(logits *tensor.Tensor, out []int) {
	kernels.ArgMaxRows(logits.Shape[0], logits.Shape[1], logits.Data, logits.Shape[1], out)
}
