package nn

import (
	"fmt"
	"strconv"

	"tangent/ml/kernels"
	"tangent/ml/optim"
	"tangent/ml/tensor"
	"tangent/ml/trace"
)

// The op functions below are shared by the training path (into reused
// buffers) and by Exec (into fresh ones), so both compute the same bits.

func convShape(x []int, w []int, stride, pad int) kernels.ConvShape {
	return kernels.ConvShape{N: x[0], C: x[1], H: x[2], W: x[3], K: w[0], R: w[2], S: w[3],
		StrideH: stride, StrideW: stride, PadH: pad, PadW: pad}
}

func poolShape(x []int, k, stride int) kernels.PoolShape {
	return kernels.PoolShape{N: x[0], C: x[1], H: x[2], W: x[3], R: k, S: k, StrideH: stride, StrideW: stride}
}

// denseForward: y[B,O] = x[B,I]·wᵀ, then y += b per row.
func denseForward(bsz, in, out int, x, w, b, y []float32) {
	kernels.Gemm(false, true, bsz, out, in, x, in, w, in, y, out, false)
	kernels.AddRowVector(bsz, out, y, out, b)
}

// denseBackwardData: dx[B,I] = dy[B,O]·w[O,I].
func denseBackwardData(bsz, in, out int, dy, w, dx []float32) {
	kernels.Gemm(false, false, bsz, in, out, dy, out, w, in, dx, in, false)
}

// denseBackwardWeight: dw[O,I] = dyᵀ·x (FMA chain over the batch, ascending);
// db[O] = column sums of dy.
func denseBackwardWeight(bsz, in, out int, x, dy, dw, db []float32) {
	kernels.Gemm(true, false, out, in, bsz, dy, out, x, in, dw, in, false)
	kernels.SumColumns(bsz, out, dy, out, db)
}

// dropoutMask fills m with the dropout multipliers for n elements: element j
// keeps (m = scale) when Unit32(word j after r's counter) >= rate, else m = 0,
// with scale = float32(1/(1-rate)) computed in float64. It does not advance r.
func dropoutMask(r *tensor.RNG, rate float64, m []float32) {
	scale := float32(1 / (1 - rate))
	thr := float32(rate)
	const grain = 1 << 14
	kernels.ParallelFor((len(m)+grain-1)/grain, func(ci int) {
		lo, hi := ci*grain, min((ci+1)*grain, len(m))
		for j := lo; j < hi; j++ {
			if tensor.Unit32(r.Uint32At(uint64(j))) >= thr {
				m[j] = scale
			} else {
				m[j] = 0
			}
		}
	})
}

// softmaxXent computes the mean softmax cross-entropy of logits[B,C] against
// labels and its gradient:
//
//	lse[i] = LogSumExpRows(logits)[i]
//	loss   = (Σ_i (lse[i] - logits[i,label_i]), float32 sum from +0, i ascending) / float32(B)
//	p      = SoftmaxRows(logits)
//	d[i,j] = (p[i,j] - [j = label_i]) / float32(B)
//
// lse is scratch of length B. Labels must be in [0, C).
func softmaxXent(bsz, classes int, logits []float32, labels []int32, lse, d []float32) float32 {
	kernels.LogSumExpRows(bsz, classes, logits, classes, lse)
	var sum float32
	for i := 0; i < bsz; i++ {
		sum += lse[i] - logits[i*classes+int(labels[i])]
	}
	fb := float32(bsz)
	kernels.SoftmaxRows(bsz, classes, logits, classes, d, classes)
	for i := 0; i < bsz; i++ {
		row := d[i*classes : (i+1)*classes]
		row[labels[i]] -= 1
		for j := range row {
			row[j] /= fb
		}
	}
	return sum / fb
}

// Exec re-executes one operator alone on fresh buffers and returns its
// outputs in the order the trace records them. It checks every shape and
// attribute (its inputs may come from anyone) and returns an error, never
// panics, on bad input. The operators, with attributes and tensors:
//
//	dense.forward           x[B,I] w[O,I] b[O]          → y[B,O]
//	dense.backward_data     dy[B,O] w[O,I]              → dx[B,I]
//	dense.backward_weight   x[B,I] dy[B,O]              → dw[O,I] db[O]
//	conv2d.forward          stride padding; x[N,C,H,W] w[K,C,R,R] b[K] → y[N,K,OH,OW]
//	conv2d.backward_data    stride padding in_h in_w; dy w → dx[N,C,in_h,in_w]
//	conv2d.backward_filter  stride padding; x dy        → dw db
//	maxpool2d.forward       kernel stride; x            → y
//	maxpool2d.backward      kernel stride; dy x         → dx (the argmax is recomputed from x)
//	relu.forward            x → y;   relu.backward dy y → dx
//	dropout.forward         rate seed stream counter; x → y
//	dropout.backward        rate seed stream counter; dy → dx
//	loss.softmax_xent       logits[B,C] labels[B] (class ids as float32) → loss[1] dlogits[B,C]
//	optim.update            optimizer step; w g slot... → w slot... (slots as optim.Config.SlotNames)
func Exec(kind string, attrs trace.Attrs, in []*tensor.Tensor) (out []*tensor.Tensor, err error) {
	defer func() {
		// The kernels panic on shapes that the checks below should have
		// caught; turn any such slip into an error rather than a crash.
		if r := recover(); r != nil {
			out, err = nil, fmt.Errorf("%s: %v", kind, r)
		}
	}()
	a := attrReader{attrs: attrs}
	need := func(n int, dims ...int) error {
		if len(in) != n {
			return fmt.Errorf("%s takes %d input tensors, got %d", kind, n, len(in))
		}
		for i, d := range dims {
			if d >= 0 && len(in[i].Shape) != d {
				return fmt.Errorf("%s: input %d has shape %v, want %d dimensions", kind, i, in[i].Shape, d)
			}
			if len(in[i].Data) != tensor.Numel(in[i].Shape) {
				return fmt.Errorf("%s: input %d has %d values for shape %v", kind, i, len(in[i].Data), in[i].Shape)
			}
			for _, v := range in[i].Shape {
				if v <= 0 {
					return fmt.Errorf("%s: input %d has shape %v", kind, i, in[i].Shape)
				}
			}
		}
		return nil
	}
	switch kind {
	case "dense.forward":
		if err := need(3, 2, 2, 1); err != nil {
			return nil, err
		}
		x, w, b := in[0], in[1], in[2]
		bsz, i, o := x.Shape[0], x.Shape[1], w.Shape[0]
		if w.Shape[1] != i || b.Shape[0] != o {
			return nil, fmt.Errorf("%s: shapes x %v, w %v, b %v do not fit", kind, x.Shape, w.Shape, b.Shape)
		}
		y := tensor.New(bsz, o)
		denseForward(bsz, i, o, x.Data, w.Data, b.Data, y.Data)
		return []*tensor.Tensor{y}, nil
	case "dense.backward_data":
		if err := need(2, 2, 2); err != nil {
			return nil, err
		}
		dy, w := in[0], in[1]
		bsz, o, i := dy.Shape[0], w.Shape[0], w.Shape[1]
		if dy.Shape[1] != o {
			return nil, fmt.Errorf("%s: shapes dy %v, w %v do not fit", kind, dy.Shape, w.Shape)
		}
		dx := tensor.New(bsz, i)
		denseBackwardData(bsz, i, o, dy.Data, w.Data, dx.Data)
		return []*tensor.Tensor{dx}, nil
	case "dense.backward_weight":
		if err := need(2, 2, 2); err != nil {
			return nil, err
		}
		x, dy := in[0], in[1]
		bsz, i, o := x.Shape[0], x.Shape[1], dy.Shape[1]
		if dy.Shape[0] != bsz {
			return nil, fmt.Errorf("%s: shapes x %v, dy %v do not fit", kind, x.Shape, dy.Shape)
		}
		dw, db := tensor.New(o, i), tensor.New(o)
		denseBackwardWeight(bsz, i, o, x.Data, dy.Data, dw.Data, db.Data)
		return []*tensor.Tensor{dw, db}, nil
	case "conv2d.forward":
		if err := need(3, 4, 4, 1); err != nil {
			return nil, err
		}
		stride, pad := a.int("stride"), a.int("padding")
		if a.err != nil {
			return nil, a.err
		}
		x, w, b := in[0], in[1], in[2]
		if w.Shape[1] != x.Shape[1] || w.Shape[2] != w.Shape[3] || b.Shape[0] != w.Shape[0] {
			return nil, fmt.Errorf("%s: shapes x %v, w %v, b %v do not fit", kind, x.Shape, w.Shape, b.Shape)
		}
		s := convShape(x.Shape, w.Shape, stride, pad)
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", kind, err)
		}
		if err := fits(kind, s.N, s.K, s.OutH(), s.OutW()); err != nil {
			return nil, err
		}
		y := tensor.New(s.N, s.K, s.OutH(), s.OutW())
		kernels.Conv2D(s, x.Data, w.Data, b.Data, y.Data)
		return []*tensor.Tensor{y}, nil
	case "conv2d.backward_data":
		if err := need(2, 4, 4); err != nil {
			return nil, err
		}
		stride, pad, ih, iw := a.int("stride"), a.int("padding"), a.int("in_h"), a.int("in_w")
		if a.err != nil {
			return nil, a.err
		}
		dy, w := in[0], in[1]
		s := convShape([]int{dy.Shape[0], w.Shape[1], ih, iw}, w.Shape, stride, pad)
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", kind, err)
		}
		if w.Shape[2] != w.Shape[3] || !tensor.SameShape(dy.Shape, []int{s.N, s.K, s.OutH(), s.OutW()}) {
			return nil, fmt.Errorf("%s: shapes dy %v, w %v do not fit an input of %d×%d", kind, dy.Shape, w.Shape, ih, iw)
		}
		if err := fits(kind, s.N, s.C, s.H, s.W); err != nil {
			return nil, err
		}
		dx := tensor.New(s.N, s.C, s.H, s.W)
		kernels.Conv2DBackwardData(s, dy.Data, w.Data, dx.Data)
		return []*tensor.Tensor{dx}, nil
	case "conv2d.backward_filter":
		if err := need(2, 4, 4); err != nil {
			return nil, err
		}
		stride, pad, k := a.int("stride"), a.int("padding"), a.int("kernel")
		if a.err != nil {
			return nil, a.err
		}
		x, dy := in[0], in[1]
		s := convShape(x.Shape, []int{dy.Shape[1], x.Shape[1], k, k}, stride, pad)
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", kind, err)
		}
		if !tensor.SameShape(dy.Shape, []int{s.N, s.K, s.OutH(), s.OutW()}) {
			return nil, fmt.Errorf("%s: shapes x %v, dy %v do not fit a %d×%d kernel", kind, x.Shape, dy.Shape, k, k)
		}
		if err := fits(kind, s.K, s.C, k, k); err != nil {
			return nil, err
		}
		dw, db := tensor.New(s.K, s.C, k, k), tensor.New(s.K)
		kernels.Conv2DBackwardFilter(s, x.Data, dy.Data, dw.Data, db.Data)
		return []*tensor.Tensor{dw, db}, nil
	case "maxpool2d.forward", "maxpool2d.backward":
		n, dims := 1, []int{4}
		if kind == "maxpool2d.backward" {
			n, dims = 2, []int{4, 4}
		}
		if err := need(n, dims...); err != nil {
			return nil, err
		}
		k, stride := a.int("kernel"), a.int("stride")
		if a.err != nil {
			return nil, a.err
		}
		x := in[n-1]
		s := poolShape(x.Shape, k, stride)
		if err := s.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", kind, err)
		}
		if err := fits(kind, s.N, s.C, s.OutH(), s.OutW()); err != nil {
			return nil, err
		}
		y := tensor.New(s.N, s.C, s.OutH(), s.OutW())
		arg := make([]int32, y.Len())
		kernels.MaxPool2D(s, x.Data, y.Data, arg)
		if n == 1 {
			return []*tensor.Tensor{y}, nil
		}
		dy := in[0]
		if !tensor.SameShape(dy.Shape, y.Shape) {
			return nil, fmt.Errorf("%s: dy has shape %v, the pooled x %v", kind, dy.Shape, y.Shape)
		}
		dx := tensor.New(x.Shape...)
		kernels.MaxPool2DBackward(s, dy.Data, arg, dx.Data)
		return []*tensor.Tensor{dx}, nil
	case "relu.forward":
		if err := need(1, -1); err != nil {
			return nil, err
		}
		y := tensor.New(in[0].Shape...)
		kernels.ReLU(y.Data, in[0].Data)
		return []*tensor.Tensor{y}, nil
	case "relu.backward":
		if err := need(2, -1, -1); err != nil {
			return nil, err
		}
		if !tensor.SameShape(in[0].Shape, in[1].Shape) {
			return nil, fmt.Errorf("%s: dy %v and y %v differ in shape", kind, in[0].Shape, in[1].Shape)
		}
		dx := tensor.New(in[0].Shape...)
		kernels.ReLUBackward(dx.Data, in[0].Data, in[1].Data)
		return []*tensor.Tensor{dx}, nil
	case "dropout.forward", "dropout.backward":
		if err := need(1, -1); err != nil {
			return nil, err
		}
		rate := a.float("rate")
		r := tensor.RNG{Seed: a.uint("seed"), Stream: uint32(a.uint("stream")), Counter: a.uint("counter")}
		if a.err != nil {
			return nil, a.err
		}
		if !(rate >= 0 && rate < 1) {
			return nil, fmt.Errorf("%s: rate %v", kind, rate)
		}
		m := make([]float32, in[0].Len())
		dropoutMask(&r, rate, m)
		y := tensor.New(in[0].Shape...)
		kernels.Mul(y.Data, in[0].Data, m)
		return []*tensor.Tensor{y}, nil
	case "loss.softmax_xent":
		if err := need(2, 2, 1); err != nil {
			return nil, err
		}
		logits, lf := in[0], in[1]
		bsz, c := logits.Shape[0], logits.Shape[1]
		if lf.Shape[0] != bsz {
			return nil, fmt.Errorf("%s: %d labels for %d rows", kind, lf.Shape[0], bsz)
		}
		labels := make([]int32, bsz)
		for i, v := range lf.Data {
			if !(v >= 0 && v < float32(c)) || v != float32(int32(v)) {
				return nil, fmt.Errorf("%s: label %v of row %d is not a class in [0, %d)", kind, v, i, c)
			}
			labels[i] = int32(v)
		}
		loss, d := tensor.New(1), tensor.New(bsz, c)
		loss.Data[0] = softmaxXent(bsz, c, logits.Data, labels, make([]float32, bsz), d.Data)
		return []*tensor.Tensor{loss, d}, nil
	case "optim.update":
		desc, _ := a.raw("optimizer")
		step := a.uint("step")
		if a.err != nil {
			return nil, a.err
		}
		cfg, err := optim.ParseConfig(desc)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", kind, err)
		}
		ns := len(cfg.SlotNames())
		dims := make([]int, 2+ns)
		for i := range dims {
			dims[i] = -1
		}
		if err := need(2+ns, dims...); err != nil {
			return nil, err
		}
		for _, t := range in[1:] {
			if !tensor.SameShape(t.Shape, in[0].Shape) {
				return nil, fmt.Errorf("%s: tensors of shapes %v and %v", kind, in[0].Shape, t.Shape)
			}
		}
		w := in[0].Clone()
		slots := make([][]float32, ns)
		out := []*tensor.Tensor{w}
		for i := range slots {
			c := in[2+i].Clone()
			slots[i] = c.Data
			out = append(out, c)
		}
		optim.UpdateTensor(cfg, cfg.ScalarsAt(int64(step)), w.Data, in[1].Data, slots)
		return out, nil
	}
	return nil, fmt.Errorf("unknown operator %q", kind)
}

// Replay re-executes op alone with its input tensors fetched by root and
// checks that every output has the recorded shape and root. It returns nil
// when the op's recorded outputs are what its inputs give, and an error
// naming the first output that differs otherwise.
func Replay(op trace.Op, fetch func(trace.Root) ([]float32, bool)) error {
	in := make([]*tensor.Tensor, len(op.Inputs))
	for i, t := range op.Inputs {
		d, ok := fetch(t.Root)
		if !ok {
			return fmt.Errorf("op %d (%s): input %s (root %s) is not available", op.Index, op.Kind, t.Name, t.Root)
		}
		if len(d) != tensor.Numel(t.Shape) {
			return fmt.Errorf("op %d (%s): input %s has %d values for shape %v", op.Index, op.Kind, t.Name, len(d), t.Shape)
		}
		in[i] = &tensor.Tensor{Shape: t.Shape, Data: d}
	}
	out, err := Exec(op.Kind, op.Attrs, in)
	if err != nil {
		return fmt.Errorf("op %d: %w", op.Index, err)
	}
	if len(out) != len(op.Outputs) {
		return fmt.Errorf("op %d (%s): re-execution gives %d outputs, the trace records %d", op.Index, op.Kind, len(out), len(op.Outputs))
	}
	for i, t := range op.Outputs {
		if !tensor.SameShape(out[i].Shape, t.Shape) {
			return fmt.Errorf("op %d (%s): output %s has shape %v, the trace records %v", op.Index, op.Kind, t.Name, out[i].Shape, t.Shape)
		}
		if r := trace.TensorRoot(out[i].Data); r != t.Root {
			return &MismatchError{Op: op.Index, Kind: op.Kind, Output: t.Name, Got: r, Want: t.Root}
		}
	}
	return nil
}

// MismatchError is returned by Replay when a re-executed output differs from
// the recorded one: the evidence a dispute needs.
type MismatchError struct {
	Op        int
	Kind      string
	Output    string
	Got, Want trace.Root
}

func (e *MismatchError) Error() string {
	return fmt.Sprintf("op %d (%s): output %s re-executes to root %s, the trace records %s", e.Op, e.Kind, e.Output, e.Got, e.Want)
}

// maxExecElems bounds the size of a tensor Exec allocates from attributes
// (512 MiB of float32): a dispute's inputs are untrusted.
const maxExecElems = 1 << 27

// fits reports an error when an output of the given dimensions would be
// empty or larger than maxExecElems.
func fits(kind string, dims ...int) error {
	n := 1
	for _, d := range dims {
		if d <= 0 || d > maxExecElems || n > maxExecElems/d {
			return fmt.Errorf("%s: an output of %v is empty or larger than %d values", kind, dims, maxExecElems)
		}
		n *= d
	}
	return nil
}

// attrReader parses attributes, remembering the first error.
type attrReader struct {
	attrs trace.Attrs
	err   error
}

func (a *attrReader) raw(k string) (string, bool) {
	v, ok := a.attrs[k]
	if !ok && a.err == nil {
		a.err = fmt.Errorf("missing attribute %q", k)
	}
	return v, ok
}

func (a *attrReader) int(k string) int {
	v, ok := a.raw(k)
	if !ok {
		return 0
	}
	n, err := strconv.Atoi(v)
	if (err != nil || n < 0 || n > 1<<16) && a.err == nil {
		a.err = fmt.Errorf("attribute %s = %q is not a small non-negative integer", k, v)
	}
	return n
}

func (a *attrReader) uint(k string) uint64 {
	v, ok := a.raw(k)
	if !ok {
		return 0
	}
	n, err := strconv.ParseUint(v, 10, 64)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("attribute %s = %q: %v", k, v, err)
	}
	return n
}

func (a *attrReader) float(k string) float64 {
	v, ok := a.raw(k)
	if !ok {
		return 0
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && a.err == nil {
		a.err = fmt.Errorf("attribute %s = %q: %v", k, v, err)
	}
	return f
}

func itoa(n int) string     { return strconv.Itoa(n) }
func utoa(n uint64) string  { return strconv.FormatUint(n, 10) }
func ftoa(f float64) string { return strconv.FormatFloat(f, 'g', -1, 64) }
func named(name string, t *tensor.Tensor) trace.Named {
	return trace.Named{Name: name, Shape: t.Shape, Data: t.Data}
}
