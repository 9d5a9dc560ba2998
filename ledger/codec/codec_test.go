package codec_test

import (
	"bytes"
	"errors"
	"math"
	"testing"

	"tangent/ledger/codec"
)

func TestUvarint(t *testing.T) {
	for _, tc := range []struct {
		in   []byte
		want uint64
		err  string
	}{
		{[]byte{0}, 0, ""},
		{[]byte{0x7f}, 127, ""},
		{[]byte{0x80, 0x01}, 128, ""},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}, math.MaxUint64, ""},
		{[]byte{}, 0, "truncated"},
		{[]byte{0x80}, 0, "truncated"},
		{[]byte{0x80, 0x00}, 0, "over-long"},
		{[]byte{0xff, 0x80, 0x00}, 0, "over-long"},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, 0, "overflows"},
		{[]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00}, 0, "overflows"},
		{[]byte{0x05, 0x00}, 5, "trailing"},
	} {
		r := codec.NewReader(tc.in)
		v := r.Uvarint("v")
		err := r.Done()
		if tc.err == "" {
			if err != nil || v != tc.want {
				t.Errorf("%x: %d, %v; want %d", tc.in, v, err, tc.want)
			}
			if got := codec.AppendUvarint(nil, v); !bytes.Equal(got, tc.in) || codec.UvarintLen(v) != len(got) {
				t.Errorf("%x: re-encodes as %x", tc.in, got)
			}
			continue
		}
		if err == nil || !errors.Is(err, codec.ErrNonCanonical) || !bytes.Contains([]byte(err.Error()), []byte(tc.err)) {
			t.Errorf("%x: error %v, want %q", tc.in, err, tc.err)
		}
	}
}

func TestReader(t *testing.T) {
	var b []byte
	b = codec.AppendUvarint(b, 300)
	b = codec.AppendUint64(b, 1<<40)
	b = codec.AppendBytes(b, []byte("abc"))
	b = codec.AppendString(b, "héllo")
	b = codec.AppendBool(b, true)
	b = append(b, 7)
	r := codec.NewReader(b)
	if r.Uvarint("a") != 300 || r.Uint64("b") != 1<<40 || string(r.Bytes("c", 3)) != "abc" ||
		r.String("d", 10) != "héllo" || !r.Bool("e") || r.Byte("f") != 7 || r.Done() != nil {
		t.Fatalf("round trip failed: %v", r.Err())
	}
	for name, tc := range map[string]struct {
		b    []byte
		read func(r *codec.Reader)
	}{
		"bytes over the limit": {codec.AppendBytes(nil, []byte("abcd")), func(r *codec.Reader) { r.Bytes("x", 3) }},
		"bytes beyond input":   {[]byte{5, 'a'}, func(r *codec.Reader) { r.Bytes("x", 10) }},
		"huge length":          {codec.AppendUvarint(nil, math.MaxUint64), func(r *codec.Reader) { r.Bytes("x", math.MaxInt) }},
		"bool 2":               {[]byte{2}, func(r *codec.Reader) { r.Bool("x") }},
		"bad utf-8":            {codec.AppendBytes(nil, []byte{0xff}), func(r *codec.Reader) { r.String("x", 5) }},
		"short fixed":          {[]byte{1, 2}, func(r *codec.Reader) { r.Uint64("x") }},
	} {
		r := codec.NewReader(tc.b)
		tc.read(r)
		var de *codec.DecodeError
		if err := r.Done(); !errors.As(err, &de) || !errors.Is(err, codec.ErrNonCanonical) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// After an error every read returns zero.
	r = codec.NewReader([]byte{2, 1})
	r.Bool("x")
	if r.Uvarint("y") != 0 || r.Err() == nil {
		t.Fatal("reads after an error")
	}
}

// FuzzReader reads the input as a program of values (the first byte of
// each step picks the kind) and checks the canonical property: a value that
// decodes re-encodes to exactly the bytes it was read from.
func FuzzReader(f *testing.F) {
	f.Add([]byte{0, 0x80, 0x01, 1, 3, 'a', 'b', 'c', 2, 1})
	f.Add([]byte{0, 0x80, 0x00})
	f.Add([]byte{3, 1, 2, 3, 4, 5, 6, 7, 8})
	f.Fuzz(func(t *testing.T, b []byte) {
		r := codec.NewReader(b)
		var out []byte
		for r.Len() > 0 && r.Err() == nil {
			kind := r.Byte("kind")
			out = append(out, kind)
			switch kind % 5 {
			case 0:
				v := r.Uvarint("u")
				if r.Err() == nil {
					out = codec.AppendUvarint(out, v)
				}
			case 1:
				v := r.Bytes("b", 64)
				if r.Err() == nil {
					out = codec.AppendBytes(out, v)
				}
			case 2:
				v := r.Bool("bool")
				if r.Err() == nil {
					out = codec.AppendBool(out, v)
				}
			case 3:
				v := r.Uint64("u64")
				if r.Err() == nil {
					out = codec.AppendUint64(out, v)
				}
			case 4:
				v := r.String("s", 64)
				if r.Err() == nil {
					out = codec.AppendString(out, v)
				}
			}
		}
		if r.Err() == nil {
			if !bytes.Equal(out, b) {
				t.Fatalf("not canonical: %x re-encodes as %x", b, out)
			}
		} else if !bytes.HasPrefix(b, out[:len(out)-1]) {
			t.Fatalf("values decoded before the error re-encode differently")
		}
	})
}
