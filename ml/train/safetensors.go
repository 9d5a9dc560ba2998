package train

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"

	"tangent/ml/tensor"
)

// File is the content of a safetensors file: named float32 tensors and
// string metadata.
type File struct {
	Metadata map[string]string
	Tensors  map[string]*tensor.Tensor
}

// Limits for decoding untrusted files.
const (
	maxHeader  = 16 << 20
	maxTensors = 1 << 14
)

// Encode writes f in the canonical safetensors layout described in the
// package comment. It panics if a tensor's data does not match its shape.
func (f *File) Encode() []byte {
	names := make([]string, 0, len(f.Tensors))
	for n := range f.Tensors {
		names = append(names, n)
	}
	slices.Sort(names)
	keys := make([]string, 0, len(f.Metadata))
	for k := range f.Metadata {
		keys = append(keys, k)
	}
	slices.Sort(keys)

	var h bytes.Buffer
	str := func(s string) {
		b, _ := json.Marshal(s) // a Go string always marshals
		h.Write(b)
	}
	h.WriteString(`{"__metadata__":{`)
	for i, k := range keys {
		if i > 0 {
			h.WriteByte(',')
		}
		str(k)
		h.WriteByte(':')
		str(f.Metadata[k])
	}
	h.WriteByte('}')
	off := 0
	for _, n := range names {
		t := f.Tensors[n]
		if len(t.Data) != tensor.Numel(t.Shape) {
			panic(fmt.Sprintf("train: tensor %s has %d values for shape %v", n, len(t.Data), t.Shape))
		}
		h.WriteByte(',')
		str(n)
		h.WriteString(`:{"dtype":"F32","shape":[`)
		for i, d := range t.Shape {
			if i > 0 {
				h.WriteByte(',')
			}
			h.WriteString(strconv.Itoa(d))
		}
		end := off + 4*len(t.Data)
		h.WriteString(`],"data_offsets":[` + strconv.Itoa(off) + `,` + strconv.Itoa(end) + `]}`)
		off = end
	}
	h.WriteByte('}')
	for h.Len()%8 != 0 {
		h.WriteByte(' ')
	}
	out := make([]byte, 8, 8+h.Len()+off)
	binary.LittleEndian.PutUint64(out, uint64(h.Len()))
	out = append(out, h.Bytes()...)
	for _, n := range names {
		for _, v := range f.Tensors[n].Data {
			out = binary.LittleEndian.AppendUint32(out, math.Float32bits(v))
		}
	}
	return out
}

// DecodeFile parses a safetensors file holding F32 tensors. It accepts any
// valid layout (key order, padding), not only the canonical one, and rejects
// anything out of bounds, overlapping, leaving holes, or of another dtype.
func DecodeFile(b []byte) (*File, error) {
	if len(b) < 8 {
		return nil, fmt.Errorf("not a safetensors file: %d bytes, the header length alone takes 8", len(b))
	}
	n := binary.LittleEndian.Uint64(b)
	if n > maxHeader || n > uint64(len(b)-8) {
		return nil, fmt.Errorf("not a safetensors file (or truncated): header length %d, file has %d bytes after it", n, len(b)-8)
	}
	hdr := b[8 : 8+n]
	buf := b[8+n:]
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(hdr, &raw); err != nil {
		return nil, fmt.Errorf("safetensors header is not a JSON object: %v", err)
	}
	if len(raw) > maxTensors {
		return nil, fmt.Errorf("safetensors header lists %d entries, more than %d", len(raw), maxTensors)
	}
	f := &File{Metadata: map[string]string{}, Tensors: map[string]*tensor.Tensor{}}
	type span struct {
		name       string
		begin, end uint64
	}
	var spans []span
	for name, v := range raw {
		if name == "__metadata__" {
			if err := json.Unmarshal(v, &f.Metadata); err != nil {
				return nil, fmt.Errorf("safetensors __metadata__ is not a map of strings: %v", err)
			}
			continue
		}
		var info struct {
			Dtype   string   `json:"dtype"`
			Shape   []int64  `json:"shape"`
			Offsets []uint64 `json:"data_offsets"`
		}
		if err := json.Unmarshal(v, &info); err != nil {
			return nil, fmt.Errorf("tensor %q: bad header entry: %v", name, err)
		}
		if info.Dtype != "F32" {
			return nil, fmt.Errorf("tensor %q has dtype %q; tangent checkpoints hold F32 tensors only", name, info.Dtype)
		}
		if len(info.Offsets) != 2 || info.Offsets[0] > info.Offsets[1] || info.Offsets[1] > uint64(len(buf)) {
			return nil, fmt.Errorf("tensor %q: data_offsets %v outside the %d data bytes (truncated file?)", name, info.Offsets, len(buf))
		}
		if len(info.Shape) > 8 {
			return nil, fmt.Errorf("tensor %q: %d dimensions", name, len(info.Shape))
		}
		numel := uint64(1)
		shape := make([]int, len(info.Shape))
		for i, d := range info.Shape {
			if d < 0 || d > 1<<31 {
				return nil, fmt.Errorf("tensor %q: bad dimension %d", name, d)
			}
			numel *= uint64(d)
			if numel > uint64(len(buf)) {
				return nil, fmt.Errorf("tensor %q: shape %v is larger than the file", name, info.Shape)
			}
			shape[i] = int(d)
		}
		if info.Offsets[1]-info.Offsets[0] != 4*numel {
			return nil, fmt.Errorf("tensor %q: shape %v needs %d bytes, data_offsets give %d", name, info.Shape, 4*numel, info.Offsets[1]-info.Offsets[0])
		}
		data := make([]float32, numel)
		src := buf[info.Offsets[0]:info.Offsets[1]]
		for i := range data {
			data[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
		}
		f.Tensors[name] = &tensor.Tensor{Shape: shape, Data: data}
		spans = append(spans, span{name, info.Offsets[0], info.Offsets[1]})
	}
	// The data must be covered exactly: no overlaps, no holes.
	slices.SortFunc(spans, func(a, b span) int {
		if a.begin != b.begin {
			if a.begin < b.begin {
				return -1
			}
			return 1
		}
		if a.end < b.end {
			return -1
		} else if a.end > b.end {
			return 1
		}
		return 0
	})
	pos := uint64(0)
	for _, s := range spans {
		if s.begin != pos {
			return nil, fmt.Errorf("tensor %q: data starts at byte %d, expected %d (overlap or hole)", s.name, s.begin, pos)
		}
		pos = s.end
	}
	if pos != uint64(len(buf)) {
		return nil, fmt.Errorf("safetensors data has %d bytes, the tensors cover %d", len(buf), pos)
	}
	return f, nil
}
