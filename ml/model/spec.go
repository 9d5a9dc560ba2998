package model

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"tangent/ml/tensor"
)

// Layer types.
const (
	Conv2D    = "conv2d"
	MaxPool2D = "maxpool2d"
	ReLU      = "relu"
	Flatten   = "flatten"
	Dense     = "dense"
	Dropout   = "dropout"
)

// Limits that keep a spec (and the memory it asks for) sane.
const (
	maxLayers = 256
	maxDim    = 1 << 16
	maxParams = 1 << 28
)

// Layer is one layer of a sequential spec. Only the fields of its Type are
// meaningful; zero means "default" for Stride and "unchecked" for In.
type Layer struct {
	Type    string  `json:"type"`
	Out     int     `json:"out,omitempty"`
	In      int     `json:"in,omitempty"`
	Kernel  int     `json:"kernel,omitempty"`
	Stride  int     `json:"stride,omitempty"`
	Padding int     `json:"padding,omitempty"`
	Rate    float64 `json:"rate,omitempty"`
}

// Spec is a sequential model: an input shape (C, H, W), layers, classes.
type Spec struct {
	Name    string  `json:"name,omitempty"`
	Input   []int   `json:"input"`
	Classes int     `json:"classes"`
	Layers  []Layer `json:"layers"`
}

// LayerError is a problem with one layer of a spec. Index counts from 0;
// the message counts from 1.
type LayerError struct {
	Index int
	Type  string
	Msg   string
}

func (e *LayerError) Error() string {
	if e.Type == "" {
		return fmt.Sprintf("layer %d: %s", e.Index+1, e.Msg)
	}
	return fmt.Sprintf("layer %d (%s): %s", e.Index+1, e.Type, e.Msg)
}

func layerErr(i int, l Layer, format string, args ...any) error {
	return &LayerError{Index: i, Type: l.Type, Msg: fmt.Sprintf(format, args...)}
}

// allowed lists the JSON fields each layer type accepts.
var allowed = map[string][]string{
	Conv2D:    {"type", "out", "in", "kernel", "stride", "padding"},
	MaxPool2D: {"type", "kernel", "stride"},
	ReLU:      {"type"},
	Flatten:   {"type"},
	Dense:     {"type", "out", "in"},
	Dropout:   {"type", "rate"},
}

// Parse decodes a JSON spec, checks it (Shapes) and fills defaults.
func Parse(b []byte) (*Spec, error) {
	var raw struct {
		Name    string            `json:"name"`
		Input   []int             `json:"input"`
		Classes int               `json:"classes"`
		Layers  []json.RawMessage `json:"layers"`
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("not a valid spec: %w", err)
	}
	if dec.More() {
		return nil, fmt.Errorf("not a valid spec: data after the JSON object")
	}
	if len(raw.Layers) > maxLayers {
		return nil, fmt.Errorf("spec has %d layers, more than %d", len(raw.Layers), maxLayers)
	}
	s := &Spec{Name: raw.Name, Input: raw.Input, Classes: raw.Classes}
	for i, lb := range raw.Layers {
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(lb, &fields); err != nil {
			return nil, &LayerError{Index: i, Msg: "not a JSON object: " + err.Error()}
		}
		var l Layer
		d := json.NewDecoder(bytes.NewReader(lb))
		d.DisallowUnknownFields()
		if err := d.Decode(&l); err != nil {
			return nil, &LayerError{Index: i, Type: typeOf(fields), Msg: err.Error()}
		}
		ok, known := allowed[l.Type]
		if !known {
			return nil, &LayerError{Index: i, Msg: fmt.Sprintf("unknown type %q (want one of conv2d, maxpool2d, relu, flatten, dense, dropout)", l.Type)}
		}
		for f := range fields {
			found := false
			for _, a := range ok {
				found = found || a == f
			}
			if !found {
				return nil, layerErr(i, l, "field %q does not apply to %s layers (it takes %s)", f, l.Type, strings.Join(ok[1:], ", "))
			}
		}
		s.Layers = append(s.Layers, l)
	}
	if _, err := s.Shapes(); err != nil {
		return nil, err
	}
	s.fillDefaults()
	return s, nil
}

func typeOf(fields map[string]json.RawMessage) string {
	var t string
	json.Unmarshal(fields["type"], &t)
	return t
}

// Load reads a spec file. Errors name the file.
func Load(path string) (*Spec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, err
	}
	s, err := Parse(b)
	if err != nil {
		return nil, fmt.Errorf("model spec %s: %w", path, err)
	}
	return s, nil
}

func (s *Spec) fillDefaults() {
	for i := range s.Layers {
		l := &s.Layers[i]
		switch l.Type {
		case Conv2D:
			if l.Stride == 0 {
				l.Stride = 1
			}
		case MaxPool2D:
			if l.Stride == 0 {
				l.Stride = l.Kernel
			}
		}
	}
}

// Shapes checks the spec and returns the output shape of every layer (the
// input of layer i is Input for i = 0, else the output of layer i-1). Shapes
// of image tensors are [C, H, W]; flat tensors are [N].
func (s *Spec) Shapes() ([][]int, error) {
	if len(s.Input) != 3 {
		return nil, fmt.Errorf("input shape %v: want [channels, height, width]", s.Input)
	}
	for _, d := range s.Input {
		if d <= 0 || d > maxDim {
			return nil, fmt.Errorf("input shape %v: dimensions must be between 1 and %d", s.Input, maxDim)
		}
	}
	if s.Classes < 2 || s.Classes > maxDim {
		return nil, fmt.Errorf("classes = %d: want at least 2", s.Classes)
	}
	if len(s.Layers) == 0 {
		return nil, fmt.Errorf("the spec has no layers")
	}
	if len(s.Layers) > maxLayers {
		return nil, fmt.Errorf("spec has %d layers, more than %d", len(s.Layers), maxLayers)
	}
	cur := append([]int(nil), s.Input...)
	out := make([][]int, len(s.Layers))
	params := 0
	for i, l := range s.Layers {
		switch l.Type {
		case Conv2D:
			if len(cur) != 3 {
				return nil, layerErr(i, l, "needs an image input (channels×height×width), previous layer gives %d flat values", cur[0])
			}
			if l.Out <= 0 || l.Out > maxDim {
				return nil, layerErr(i, l, "\"out\" (number of filters) must be between 1 and %d, got %d", maxDim, l.Out)
			}
			if l.In != 0 && l.In != cur[0] {
				return nil, layerErr(i, l, "expects %d input channels, previous layer gives %d", l.In, cur[0])
			}
			if l.Kernel <= 0 || l.Kernel > maxDim {
				return nil, layerErr(i, l, "\"kernel\" must be between 1 and %d, got %d", maxDim, l.Kernel)
			}
			stride := l.Stride
			if stride == 0 {
				stride = 1
			}
			if stride < 0 || stride > maxDim || l.Padding < 0 || l.Padding > maxDim {
				return nil, layerErr(i, l, "stride %d and padding %d: want stride ≥ 1 and padding ≥ 0", l.Stride, l.Padding)
			}
			h, w := cur[1]+2*l.Padding, cur[2]+2*l.Padding
			if l.Kernel > h || l.Kernel > w {
				return nil, layerErr(i, l, "kernel %d×%d is larger than its padded input %d×%d", l.Kernel, l.Kernel, h, w)
			}
			params += l.Out * (cur[0]*l.Kernel*l.Kernel + 1)
			cur = []int{l.Out, (h-l.Kernel)/stride + 1, (w-l.Kernel)/stride + 1}
		case MaxPool2D:
			if len(cur) != 3 {
				return nil, layerErr(i, l, "needs an image input (channels×height×width), previous layer gives %d flat values", cur[0])
			}
			if l.Kernel <= 0 || l.Kernel > maxDim {
				return nil, layerErr(i, l, "\"kernel\" must be between 1 and %d, got %d", maxDim, l.Kernel)
			}
			stride := l.Stride
			if stride == 0 {
				stride = l.Kernel
			}
			if stride < 0 || stride > maxDim {
				return nil, layerErr(i, l, "stride %d: want stride ≥ 1", l.Stride)
			}
			if l.Kernel > cur[1] || l.Kernel > cur[2] {
				return nil, layerErr(i, l, "window %d×%d is larger than its input %d×%d", l.Kernel, l.Kernel, cur[1], cur[2])
			}
			cur = []int{cur[0], (cur[1]-l.Kernel)/stride + 1, (cur[2]-l.Kernel)/stride + 1}
		case ReLU:
		case Flatten:
			cur = []int{tensor.Numel(cur)}
		case Dense:
			if len(cur) != 1 {
				return nil, layerErr(i, l, "needs flat input, previous layer gives %s: add a flatten layer before it", tensor.ShapeString(cur))
			}
			if l.Out <= 0 || l.Out > maxDim {
				return nil, layerErr(i, l, "\"out\" (number of units) must be between 1 and %d, got %d", maxDim, l.Out)
			}
			if l.In != 0 && l.In != cur[0] {
				return nil, layerErr(i, l, "expects %d inputs, previous layer gives %d", l.In, cur[0])
			}
			params += l.Out * (cur[0] + 1)
			cur = []int{l.Out}
		case Dropout:
			if !(l.Rate >= 0 && l.Rate < 1) {
				return nil, layerErr(i, l, "rate %v: want 0 ≤ rate < 1", l.Rate)
			}
		default:
			return nil, &LayerError{Index: i, Msg: fmt.Sprintf("unknown type %q (want one of conv2d, maxpool2d, relu, flatten, dense, dropout)", l.Type)}
		}
		if params > maxParams {
			return nil, layerErr(i, l, "the model has more than %d parameters", maxParams)
		}
		if n := tensor.Numel(cur); n > maxDim*maxDim/4 || n <= 0 {
			return nil, layerErr(i, l, "output %s is out of range", tensor.ShapeString(cur))
		}
		out[i] = cur
	}
	last := len(s.Layers) - 1
	if len(cur) != 1 || cur[0] != s.Classes {
		return nil, layerErr(last, s.Layers[last], "the last layer gives %s values but the model has %d classes: end with a dense layer of out %d", tensor.ShapeString(cur), s.Classes, s.Classes)
	}
	return out, nil
}

// Canonical returns the canonical encoding described in the package comment.
// The spec must have passed Shapes.
func (s *Spec) Canonical() []byte {
	var b bytes.Buffer
	b.WriteString(`{"input":[`)
	for i, d := range s.Input {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(d))
	}
	b.WriteString(`],"classes":`)
	b.WriteString(strconv.Itoa(s.Classes))
	b.WriteString(`,"layers":[`)
	for i, l := range s.Layers {
		if i > 0 {
			b.WriteByte(',')
		}
		kv := func(k string, v int) {
			b.WriteString(`,"` + k + `":` + strconv.Itoa(v))
		}
		b.WriteString(`{"type":"` + l.Type + `"`)
		switch l.Type {
		case Conv2D:
			stride := l.Stride
			if stride == 0 {
				stride = 1
			}
			kv("out", l.Out)
			kv("kernel", l.Kernel)
			kv("stride", stride)
			kv("padding", l.Padding)
		case MaxPool2D:
			stride := l.Stride
			if stride == 0 {
				stride = l.Kernel
			}
			kv("kernel", l.Kernel)
			kv("stride", stride)
		case Dense:
			kv("out", l.Out)
		case Dropout:
			b.WriteString(`,"rate":` + strconv.FormatFloat(l.Rate, 'g', -1, 64))
		}
		b.WriteByte('}')
	}
	b.WriteString(`]}`)
	return b.Bytes()
}

// Hash returns the hex SHA-256 of the canonical encoding.
func (s *Spec) Hash() string {
	h := sha256.Sum256(s.Canonical())
	return hex.EncodeToString(h[:])
}

// DisplayName is the spec's name, or "custom" when it has none.
func (s *Spec) DisplayName() string {
	if s.Name == "" {
		return "custom"
	}
	return s.Name
}

// Encode returns the spec as indented JSON in the file format (with defaults
// filled in), suitable for Parse.
func (s *Spec) Encode() []byte {
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		panic(err) // a Spec always marshals
	}
	return append(b, '\n')
}

// NumParams returns the number of trainable parameters. The spec must have
// passed Shapes.
func (s *Spec) NumParams() int {
	shapes, err := s.Shapes()
	if err != nil {
		return 0
	}
	n, in := 0, s.Input
	for i, l := range s.Layers {
		switch l.Type {
		case Conv2D:
			n += l.Out * (in[0]*l.Kernel*l.Kernel + 1)
		case Dense:
			n += l.Out * (in[0] + 1)
		}
		in = shapes[i]
	}
	return n
}
