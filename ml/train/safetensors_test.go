package train

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"tangent/ml/tensor"
)

func sampleFile() *File {
	return &File{
		Metadata: map[string]string{"format": Format, "step": "3", "quote\"key": "a\nb"},
		Tensors: map[string]*tensor.Tensor{
			"layers.0.weight": tensor.FromData([]float32{1, -2, 3.5, 4, 5, 6}, 2, 3),
			"layers.0.bias":   tensor.FromData([]float32{0.25, -0.5}, 2),
			"empty":           tensor.FromData([]float32{}, 0, 4),
		},
	}
}

func TestSafetensorsRoundTrip(t *testing.T) {
	f := sampleFile()
	b := f.Encode()
	n := binary.LittleEndian.Uint64(b)
	if (8+n)%8 != 0 || !bytes.HasPrefix(b[8:], []byte(`{"__metadata__":{"format"`)) {
		t.Fatalf("header not canonical: %q", b[8:8+n])
	}
	g, err := DecodeFile(b)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(g.Encode(), b) || g.Metadata["quote\"key"] != "a\nb" || g.Tensors["layers.0.weight"].Data[2] != 3.5 {
		t.Fatal("round trip changed the file")
	}
}

func TestDecodeFileErrors(t *testing.T) {
	good := sampleFile().Encode()
	hdr := func(h string, data int) []byte {
		b := binary.LittleEndian.AppendUint64(nil, uint64(len(h)))
		return append(append(b, h...), make([]byte, data)...)
	}
	cases := []struct {
		in   []byte
		want string
	}{
		{good[:5], "not a safetensors file"},
		{good[:len(good)-4], "outside"},
		{hdr(`{"a":{"dtype":"F16","shape":[1],"data_offsets":[0,2]}}`, 2), `dtype "F16"`},
		{hdr(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), "needs 8 bytes"},
		{hdr(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 4), "overlap"},
		{hdr(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}`, 8), "hole"},
		{hdr(`{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 8), "cover"},
		{hdr(`[1]`, 0), "not a JSON object"},
		{hdr(`{"__metadata__":{"a":1}}`, 0), "map of strings"},
		{binary.LittleEndian.AppendUint64(nil, 1<<40), "header length"},
	}
	for _, c := range cases {
		if _, err := DecodeFile(c.in); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: error %v, want %q", c.in, err, c.want)
		}
	}
}

func FuzzDecodeFile(f *testing.F) {
	f.Add(sampleFile().Encode())
	f.Add((&File{Metadata: map[string]string{}, Tensors: map[string]*tensor.Tensor{}}).Encode())
	f.Add([]byte("\x10\x00\x00\x00\x00\x00\x00\x00{}              "))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := DecodeFile(b)
		if err != nil {
			return
		}
		// decode → encode → decode is the identity on the content.
		e := g.Encode()
		h, err := DecodeFile(e)
		if err != nil {
			t.Fatalf("re-decode: %v", err)
		}
		if !bytes.Equal(h.Encode(), e) {
			t.Fatal("canonical encoding not stable")
		}
	})
}

// TestPythonReadsCheckpoint parses a real checkpoint with the Python
// standard library (json, struct) and, when importable, loads it into torch
// tensors: other tools can read Tangent checkpoints.
func TestPythonReadsCheckpoint(t *testing.T) {
	py := "/usr/bin/python3"
	if _, err := os.Stat(py); err != nil {
		t.Skip("no /usr/bin/python3 to cross-check with")
	}
	ck := run(t, goldens[0].cfg(t), 2).Checkpoint()
	path := filepath.Join(t.TempDir(), "ck.safetensors")
	if err := os.WriteFile(path, ck.Encode(), 0o644); err != nil {
		t.Fatal(err)
	}
	script := `
import json, struct, sys, hashlib
b = open(sys.argv[1], 'rb').read()
n = struct.unpack('<Q', b[:8])[0]
h = json.loads(b[8:8+n])
meta = h.pop('__metadata__')
assert meta['format'] == 'tangent.checkpoint/1', meta
data = b[8+n:]
w = h['layers.0.weight']
assert w['dtype'] == 'F32' and w['shape'] == [6, 1, 5, 5], w
s, e = w['data_offsets']
vals = struct.unpack('<%df' % ((e - s) // 4), data[s:e])
print(meta['step'], meta['spec_hash'], len(h), '%.6f' % sum(vals), hashlib.sha256(b).hexdigest())
try:
    import torch
    t = torch.frombuffer(bytearray(data[s:e]), dtype=torch.float32).reshape(w['shape'])
    print('torch', '%.6f' % float(t.double().sum()))
except ImportError:
    print('torch', '%.6f' % sum(vals))
`
	out, err := exec.Command(py, "-c", script, path).CombinedOutput()
	if err != nil {
		t.Fatalf("python: %v\n%s", err, out)
	}
	var sum float64
	for _, v := range ck.Tensors["layers.0.weight"].Data {
		sum += float64(v)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	want := []string{"2", ck.Metadata["spec_hash"], "20", formatSum(sum), Hash(ck)}
	if lines[0] != strings.Join(want, " ") || lines[1] != "torch "+formatSum(sum) {
		t.Fatalf("python read:\n%s\nwant %s", out, strings.Join(want, " "))
	}
}

func formatSum(v float64) string { return fmt.Sprintf("%.6f", v) }
