package seedrand

import (
	"crypto/sha256"
	"encoding/binary"
	"testing"
)

func TestStreamDefinition(t *testing.T) {
	s := New("test", []byte{1, 2, 3})
	var want []uint64
	for j := range uint64(3) {
		var buf []byte
		buf = binary.BigEndian.AppendUint16(buf, 4)
		buf = append(buf, "test"...)
		buf = binary.BigEndian.AppendUint32(buf, 3)
		buf = append(buf, 1, 2, 3)
		buf = binary.BigEndian.AppendUint64(buf, j)
		h := sha256.Sum256(buf)
		for w := range 4 {
			want = append(want, binary.BigEndian.Uint64(h[8*w:]))
		}
	}
	for i, w := range want {
		if got := s.Uint64(); got != w {
			t.Fatalf("word %d = %x, want %x", i, got, w)
		}
	}
	// Domains separate streams.
	if New("a", nil).Uint64() == New("b", nil).Uint64() {
		t.Fatal("domains do not separate streams")
	}
}

func TestBelowUniform(t *testing.T) {
	const n, draws = 7, 70000
	s := New("uniform", []byte("seed"))
	var counts [n]int
	for range draws {
		counts[s.Below(n)]++
	}
	// Chi-square with 6 degrees of freedom: 22.46 is the 0.999 quantile.
	chi := 0.0
	for _, c := range counts {
		d := float64(c) - draws/n
		chi += d * d / (draws / n)
	}
	if chi > 22.46 {
		t.Fatalf("chi-square %.2f over %v", chi, counts)
	}
	if New("x", nil).Below(1) != 0 {
		t.Fatal("Below(1) != 0")
	}
}
