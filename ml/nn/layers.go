package nn

import (
	"tangent/ml/kernels"
	"tangent/ml/model"
	"tangent/ml/tensor"
	"tangent/ml/trace"
)

// Param is a trainable tensor and its gradient (same shape).
type Param struct {
	Name  string // "layers.<i>.weight" or "layers.<i>.bias"
	Shape []int
	W, G  []float32
	FanIn int // inputs per output unit, for initialization
}

// layer is one layer of a Network. forward returns its output for x (a
// buffer it owns, or x itself for in-place and reshaping layers); backward
// takes dy (which it may overwrite) and returns dx, or nil when needDX is
// false, after writing its parameters' gradients.
type layer interface {
	params() []*Param
	forward(x *tensor.Tensor, c *runCtx) *tensor.Tensor
	backward(dy *tensor.Tensor, needDX bool, c *runCtx) *tensor.Tensor
}

// runCtx carries a pass's settings to the layers.
type runCtx struct {
	train bool
	rec   *trace.Recorder
	layer int
	drop  *tensor.RNG
}

func (c *runCtx) record(kind string, attrs trace.Attrs, in, out []trace.Named) {
	if c.rec != nil {
		c.rec.Record(kind, c.layer, attrs, in, out)
	}
}

// reuse returns t reshaped to shape when its storage is large enough, or a
// new tensor.
func reuse(t *tensor.Tensor, shape ...int) *tensor.Tensor {
	n := tensor.Numel(shape)
	if t == nil || cap(t.Data) < n {
		return tensor.New(shape...)
	}
	t.Data = t.Data[:n]
	t.Shape = append(t.Shape[:0], shape...)
	return t
}

// view returns t (reused header) over data with shape.
func view(t *tensor.Tensor, data []float32, shape ...int) *tensor.Tensor {
	if t == nil {
		t = &tensor.Tensor{}
	}
	t.Data = data
	t.Shape = append(t.Shape[:0], shape...)
	return t
}

// ---- dense ----

type dense struct {
	in, out int
	w, b    *Param
	x       *tensor.Tensor // input of the last forward (not owned)
	y, dx   *tensor.Tensor
}

func (l *dense) params() []*Param { return []*Param{l.w, l.b} }

func (l *dense) forward(x *tensor.Tensor, c *runCtx) *tensor.Tensor {
	bsz := x.Shape[0]
	l.x = x
	l.y = reuse(l.y, bsz, l.out)
	denseForward(bsz, l.in, l.out, x.Data, l.w.W, l.b.W, l.y.Data)
	if c.rec != nil {
		c.record("dense.forward", nil,
			[]trace.Named{named("x", x), {Name: "w", Shape: l.w.Shape, Data: l.w.W}, {Name: "b", Shape: l.b.Shape, Data: l.b.W}},
			[]trace.Named{named("y", l.y)})
	}
	return l.y
}

func (l *dense) backward(dy *tensor.Tensor, needDX bool, c *runCtx) *tensor.Tensor {
	bsz := dy.Shape[0]
	denseBackwardWeight(bsz, l.in, l.out, l.x.Data, dy.Data, l.w.G, l.b.G)
	if c.rec != nil {
		c.record("dense.backward_weight", nil,
			[]trace.Named{named("x", l.x), named("dy", dy)},
			[]trace.Named{{Name: "dw", Shape: l.w.Shape, Data: l.w.G}, {Name: "db", Shape: l.b.Shape, Data: l.b.G}})
	}
	if !needDX {
		return nil
	}
	l.dx = reuse(l.dx, bsz, l.in)
	denseBackwardData(bsz, l.in, l.out, dy.Data, l.w.W, l.dx.Data)
	if c.rec != nil {
		c.record("dense.backward_data", nil,
			[]trace.Named{named("dy", dy), {Name: "w", Shape: l.w.Shape, Data: l.w.W}},
			[]trace.Named{named("dx", l.dx)})
	}
	return l.dx
}

// ---- conv2d ----

type conv2d struct {
	spec  model.Layer
	inC   int
	w, b  *Param
	x     *tensor.Tensor
	y, dx *tensor.Tensor
}

func (l *conv2d) params() []*Param { return []*Param{l.w, l.b} }

func (l *conv2d) shape(x []int) kernels.ConvShape {
	return convShape(x, l.w.Shape, l.spec.Stride, l.spec.Padding)
}

func (l *conv2d) attrs() trace.Attrs {
	return trace.Attrs{"stride": itoa(l.spec.Stride), "padding": itoa(l.spec.Padding)}
}

func (l *conv2d) forward(x *tensor.Tensor, c *runCtx) *tensor.Tensor {
	s := l.shape(x.Shape)
	l.x = x
	l.y = reuse(l.y, s.N, s.K, s.OutH(), s.OutW())
	kernels.Conv2D(s, x.Data, l.w.W, l.b.W, l.y.Data)
	if c.rec != nil {
		c.record("conv2d.forward", l.attrs(),
			[]trace.Named{named("x", x), {Name: "w", Shape: l.w.Shape, Data: l.w.W}, {Name: "b", Shape: l.b.Shape, Data: l.b.W}},
			[]trace.Named{named("y", l.y)})
	}
	return l.y
}

func (l *conv2d) backward(dy *tensor.Tensor, needDX bool, c *runCtx) *tensor.Tensor {
	s := l.shape(l.x.Shape)
	kernels.Conv2DBackwardFilter(s, l.x.Data, dy.Data, l.w.G, l.b.G)
	if c.rec != nil {
		a := l.attrs()
		a["kernel"] = itoa(l.spec.Kernel)
		c.record("conv2d.backward_filter", a,
			[]trace.Named{named("x", l.x), named("dy", dy)},
			[]trace.Named{{Name: "dw", Shape: l.w.Shape, Data: l.w.G}, {Name: "db", Shape: l.b.Shape, Data: l.b.G}})
	}
	if !needDX {
		return nil
	}
	l.dx = reuse(l.dx, l.x.Shape...)
	kernels.Conv2DBackwardData(s, dy.Data, l.w.W, l.dx.Data)
	if c.rec != nil {
		a := l.attrs()
		a["in_h"], a["in_w"] = itoa(s.H), itoa(s.W)
		c.record("conv2d.backward_data", a,
			[]trace.Named{named("dy", dy), {Name: "w", Shape: l.w.Shape, Data: l.w.W}},
			[]trace.Named{named("dx", l.dx)})
	}
	return l.dx
}

// ---- maxpool2d ----

type maxpool2d struct {
	k, stride int
	x         *tensor.Tensor
	y, dx     *tensor.Tensor
	arg       []int32
}

func (l *maxpool2d) params() []*Param { return nil }

func (l *maxpool2d) attrs() trace.Attrs {
	return trace.Attrs{"kernel": itoa(l.k), "stride": itoa(l.stride)}
}

func (l *maxpool2d) forward(x *tensor.Tensor, c *runCtx) *tensor.Tensor {
	s := poolShape(x.Shape, l.k, l.stride)
	l.x = x
	l.y = reuse(l.y, s.N, s.C, s.OutH(), s.OutW())
	if cap(l.arg) < l.y.Len() {
		l.arg = make([]int32, l.y.Len())
	}
	l.arg = l.arg[:l.y.Len()]
	kernels.MaxPool2D(s, x.Data, l.y.Data, l.arg)
	c.record("maxpool2d.forward", l.attrs(), []trace.Named{named("x", x)}, []trace.Named{named("y", l.y)})
	return l.y
}

func (l *maxpool2d) backward(dy *tensor.Tensor, needDX bool, c *runCtx) *tensor.Tensor {
	if !needDX {
		return nil
	}
	s := poolShape(l.x.Shape, l.k, l.stride)
	l.dx = reuse(l.dx, l.x.Shape...)
	// The argmax kept from forward equals MaxPool2D's on l.x, which is what
	// Exec recomputes: the recorded inputs are dy and x.
	kernels.MaxPool2DBackward(s, dy.Data, l.arg, l.dx.Data)
	c.record("maxpool2d.backward", l.attrs(), []trace.Named{named("dy", dy), named("x", l.x)}, []trace.Named{named("dx", l.dx)})
	return l.dx
}

// ---- relu ----

// relu works in place when its input is a buffer owned by the previous
// layer (inPlace); otherwise it writes its own buffer.
type relu struct {
	inPlace bool
	y       *tensor.Tensor
}

func (l *relu) params() []*Param { return nil }

func (l *relu) forward(x *tensor.Tensor, c *runCtx) *tensor.Tensor {
	var in trace.Named
	if c.rec != nil {
		in = named("x", x) // committed now, before an in-place write
		in.Data = append([]float32(nil), x.Data...)
	}
	if l.inPlace {
		l.y = x
	} else {
		l.y = reuse(l.y, x.Shape...)
	}
	kernels.ReLU(l.y.Data, x.Data)
	c.record("relu.forward", nil, []trace.Named{in}, []trace.Named{named("y", l.y)})
	return l.y
}

func (l *relu) backward(dy *tensor.Tensor, needDX bool, c *runCtx) *tensor.Tensor {
	if !needDX {
		return nil
	}
	var in trace.Named
	if c.rec != nil {
		in = named("dy", dy)
		in.Data = append([]float32(nil), dy.Data...)
	}
	kernels.ReLUBackward(dy.Data, dy.Data, l.y.Data) // in place on dy
	c.record("relu.backward", nil, []trace.Named{in, named("y", l.y)}, []trace.Named{named("dx", dy)})
	return dy
}

// ---- flatten ----

type flatten struct {
	inShape []int
	y, dx   *tensor.Tensor
}

func (l *flatten) params() []*Param { return nil }

func (l *flatten) forward(x *tensor.Tensor, c *runCtx) *tensor.Tensor {
	l.inShape = append(l.inShape[:0], x.Shape...)
	l.y = view(l.y, x.Data, x.Shape[0], len(x.Data)/x.Shape[0])
	return l.y
}

func (l *flatten) backward(dy *tensor.Tensor, needDX bool, c *runCtx) *tensor.Tensor {
	if !needDX {
		return nil
	}
	l.dx = view(l.dx, dy.Data, l.inShape...)
	return l.dx
}

// ---- dropout ----

type dropout struct {
	rate   float64
	mask   []float32
	active bool
	attrs  trace.Attrs
	y, dx  *tensor.Tensor
}

func (l *dropout) params() []*Param { return nil }

func (l *dropout) forward(x *tensor.Tensor, c *runCtx) *tensor.Tensor {
	l.active = c.train && l.rate > 0
	if !l.active {
		return x
	}
	if cap(l.mask) < x.Len() {
		l.mask = make([]float32, x.Len())
	}
	l.mask = l.mask[:x.Len()]
	r := c.drop
	l.attrs = trace.Attrs{"rate": ftoa(l.rate), "seed": utoa(r.Seed), "stream": utoa(uint64(r.Stream)), "counter": utoa(r.Counter)}
	dropoutMask(r, l.rate, l.mask)
	r.Skip(uint64(len(l.mask)))
	l.y = reuse(l.y, x.Shape...)
	kernels.Mul(l.y.Data, x.Data, l.mask)
	c.record("dropout.forward", l.attrs, []trace.Named{named("x", x)}, []trace.Named{named("y", l.y)})
	return l.y
}

func (l *dropout) backward(dy *tensor.Tensor, needDX bool, c *runCtx) *tensor.Tensor {
	if !needDX {
		return nil
	}
	if !l.active {
		return dy
	}
	l.dx = reuse(l.dx, dy.Shape...)
	kernels.Mul(l.dx.Data, dy.Data, l.mask)
	c.record("dropout.backward", l.attrs, []trace.Named{named("dy", dy)}, []trace.Named{named("dx", l.dx)})
	return l.dx
}
