package trace

import (
	"encoding/json"
	"fmt"
	"slices"
)

// Tensor names one tensor of an op and commits to its contents.
type Tensor struct {
	Name  string `json:"name"`
	Shape []int  `json:"shape"`
	Root  Root   `json:"-"`
}

// MarshalJSON encodes the root in hex.
func (t Tensor) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Name  string `json:"name"`
		Shape []int  `json:"shape"`
		Root  string `json:"root"`
	}{t.Name, t.Shape, t.Root.String()})
}

// Attrs are an op's non-tensor arguments. encoding/json writes map keys in
// sorted order, so an op's JSON encoding is canonical.
type Attrs map[string]string

// Op is one operator execution.
type Op struct {
	Index   int      `json:"index"`
	Kind    string   `json:"kind"`
	Layer   int      `json:"layer"` // 0-based layer index; -1 for ops of no layer
	Attrs   Attrs    `json:"attrs,omitempty"`
	Inputs  []Tensor `json:"inputs"`
	Outputs []Tensor `json:"outputs"`
}

// Trace is the op sequence of one training step.
type Trace struct {
	Step int64 `json:"step"`
	Ops  []Op  `json:"ops"`
}

// Named pairs a tensor's name, shape and data for recording.
type Named struct {
	Name  string
	Shape []int
	Data  []float32
}

// Recorder collects the ops of one step. The zero value records roots only;
// with KeepData it also keeps a copy of every tensor by root (Data).
type Recorder struct {
	KeepData bool
	Trace    Trace
	data     map[Root][]float32
}

// Record appends an op, committing its tensors now (later changes to the
// slices do not affect the record).
func (r *Recorder) Record(kind string, layer int, attrs Attrs, inputs, outputs []Named) {
	op := Op{Index: len(r.Trace.Ops), Kind: kind, Layer: layer, Attrs: attrs}
	commit := func(ns []Named) []Tensor {
		ts := make([]Tensor, len(ns))
		for i, n := range ns {
			if len(n.Data) != numel(n.Shape) {
				panic(fmt.Sprintf("trace: %s %s has %d values for shape %v", kind, n.Name, len(n.Data), n.Shape))
			}
			root := TensorRoot(n.Data)
			ts[i] = Tensor{Name: n.Name, Shape: slices.Clone(n.Shape), Root: root}
			if r.KeepData {
				if r.data == nil {
					r.data = map[Root][]float32{}
				}
				if _, ok := r.data[root]; !ok {
					r.data[root] = slices.Clone(n.Data)
				}
			}
		}
		return ts
	}
	op.Inputs = commit(inputs)
	op.Outputs = commit(outputs)
	r.Trace.Ops = append(r.Trace.Ops, op)
}

// Data returns the kept contents of the tensor with the given root, if any.
// The caller must not modify it.
func (r *Recorder) Data(root Root) ([]float32, bool) {
	d, ok := r.data[root]
	return d, ok
}

func numel(s []int) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// Root commits the whole trace: the RFC 6962 root over the JSON encoding of
// each op (one leaf per op).
func (t *Trace) Root() Root {
	leaves := make([][]byte, len(t.Ops))
	for i, op := range t.Ops {
		b, err := json.Marshal(op)
		if err != nil {
			panic(err)
		}
		leaves[i] = b
	}
	return RootOfLeaves(leaves)
}
