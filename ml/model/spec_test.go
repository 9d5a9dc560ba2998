package model

import (
	"strings"
	"testing"
)

func TestBuiltins(t *testing.T) {
	want := map[string]struct{ params int }{
		"mlp":       {199210},
		"cnn-small": {44426},
		"cnn":       {1199882},
	}
	for _, name := range Names() {
		s, _ := Builtin(name)
		shapes, err := s.Shapes()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := shapes[len(shapes)-1]; len(got) != 1 || got[0] != 10 {
			t.Fatalf("%s: output %v", name, got)
		}
		if p := s.NumParams(); p != want[name].params {
			t.Errorf("%s: %d parameters, want %d", name, p, want[name].params)
		}
		// Encode → Parse keeps the hash.
		p, err := Parse(s.Encode())
		if err != nil {
			t.Fatalf("%s: parse of its encoding: %v", name, err)
		}
		if p.Hash() != s.Hash() || p.Name != name {
			t.Fatalf("%s: hash changed through Encode/Parse", name)
		}
	}
	s, _ := Builtin("cnn-small")
	shapes, _ := s.Shapes()
	if shapes[5][0] != 16 || shapes[5][1] != 4 || shapes[6][0] != 256 {
		t.Fatalf("cnn-small shapes %v", shapes)
	}
}

// TestHashPinned pins the canonical encoding of the built-ins: changing it
// orphans every checkpoint.
func TestHashPinned(t *testing.T) {
	s, _ := Builtin("cnn-small")
	const canon = `{"input":[1,28,28],"classes":10,"layers":[{"type":"conv2d","out":6,"kernel":5,"stride":1,"padding":0},{"type":"relu"},{"type":"maxpool2d","kernel":2,"stride":2},{"type":"conv2d","out":16,"kernel":5,"stride":1,"padding":0},{"type":"relu"},{"type":"maxpool2d","kernel":2,"stride":2},{"type":"flatten"},{"type":"dense","out":120},{"type":"relu"},{"type":"dense","out":84},{"type":"relu"},{"type":"dense","out":10}]}`
	if got := string(s.Canonical()); got != canon {
		t.Fatalf("canonical encoding\n got %s\nwant %s", got, canon)
	}
	// Defaults and the name do not change the hash.
	p, err := Parse([]byte(`{"name":"x","input":[1,28,28],"classes":10,"layers":[
		{"type":"conv2d","out":6,"kernel":5},{"type":"relu"},{"type":"maxpool2d","kernel":2},
		{"type":"conv2d","out":16,"kernel":5,"in":6},{"type":"relu"},{"type":"maxpool2d","kernel":2,"stride":2},
		{"type":"flatten"},{"type":"dense","out":120,"in":256},{"type":"relu"},{"type":"dense","out":84},{"type":"relu"},{"type":"dense","out":10}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if p.Hash() != s.Hash() {
		t.Fatal("defaults changed the hash")
	}
}

func TestSpecErrors(t *testing.T) {
	cases := []struct{ in, want string }{
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"conv2d","out":16,"kernel":5},{"type":"maxpool2d","kernel":2},{"type":"flatten"},{"type":"dense","out":10,"in":400}]}`,
			"layer 4 (dense): expects 400 inputs, previous layer gives 2304"},
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"dense","out":10}]}`,
			"layer 1 (dense): needs flat input, previous layer gives 1×28×28: add a flatten layer before it"},
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"flatten"},{"type":"dense","out":12}]}`,
			"layer 2 (dense): the last layer gives 12 values but the model has 10 classes"},
		{`{"input":[1,4,4],"classes":10,"layers":[{"type":"conv2d","out":3,"kernel":5}]}`,
			"layer 1 (conv2d): kernel 5×5 is larger than its padded input 4×4"},
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"flatten"},{"type":"conv2d","out":3,"kernel":5}]}`,
			"layer 2 (conv2d): needs an image input"},
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"dense2"}]}`,
			`layer 1: unknown type "dense2"`},
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"flatten"},{"type":"dense","out":10,"kernel":3}]}`,
			`layer 2 (dense): field "kernel" does not apply to dense layers`},
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"flatten"},{"type":"dense","outs":10}]}`,
			`layer 2 (dense): json: unknown field "outs"`},
		{`{"input":[1,28,28],"classes":10,"layers":[{"type":"flatten"},{"type":"dropout","rate":1},{"type":"dense","out":10}]}`,
			"layer 2 (dropout): rate 1: want 0 ≤ rate < 1"},
		{`{"input":[28,28],"classes":10,"layers":[]}`, "want [channels, height, width]"},
		{`{"input":[1,28,28],"classes":10,"layers":[]}`, "no layers"},
		{`{"input":[1,28,28],"classes":10,"layer":[]}`, `unknown field "layer"`},
		{`[1,2]`, "not a valid spec"},
	}
	for _, c := range cases {
		_, err := Parse([]byte(c.in))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Parse(%s)\n error %v\n want  %q", c.in, err, c.want)
		}
	}
	if _, err := Resolve("no-such-model"); err == nil || !strings.Contains(err.Error(), "cnn, cnn-small, mlp") {
		t.Errorf("Resolve: %v", err)
	}
}

func FuzzParse(f *testing.F) {
	for _, n := range Names() {
		s, _ := Builtin(n)
		f.Add(s.Encode())
		f.Add(s.Canonical())
	}
	f.Add([]byte(`{"input":[1,28,28],"classes":10,"layers":[{"type":"flatten"},{"type":"dropout","rate":0.5},{"type":"dense","out":10,"in":784}]}`))
	f.Add([]byte(`{"input":[3,8,8],"classes":2,"layers":[{"type":"conv2d","out":2,"kernel":3,"padding":1,"stride":2},{"type":"flatten"},{"type":"dense","out":2}]}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := Parse(b)
		if err != nil {
			return
		}
		// Decode → encode → decode keeps the architecture.
		p, err := Parse(s.Encode())
		if err != nil {
			t.Fatalf("re-parse of %s: %v", s.Encode(), err)
		}
		if p.Hash() != s.Hash() {
			t.Fatalf("hash changed: %s vs %s", s.Canonical(), p.Canonical())
		}
	})
}
