package chain

import (
	"strings"
	"testing"
)

// bech32EncodeRef is the plain BIP-173 definition that bech32Encode must
// match bit for bit.
func bech32EncodeRef(hrp string, data []byte) string {
	five, _ := convertBits(data, 8, 5, true)
	values := append(bech32HRPExpand(hrp), five...)
	values = append(values, 0, 0, 0, 0, 0, 0)
	mod := bech32Polymod(values) ^ 1
	var sb strings.Builder
	sb.Grow(len(hrp) + 1 + len(five) + 6)
	sb.WriteString(hrp)
	sb.WriteByte('1')
	for _, v := range five {
		sb.WriteByte(bech32Charset[v])
	}
	for i := 0; i < 6; i++ {
		sb.WriteByte(bech32Charset[(mod>>uint(5*(5-i)))&31])
	}
	return sb.String()
}

func TestBech32EncodeMatchesReference(t *testing.T) {
	r := uint64(1)
	for n := 0; n <= 40; n++ {
		for rep := 0; rep < 20; rep++ {
			data := make([]byte, n)
			for i := range data {
				r = r*6364136223846793005 + 1442695040888963407
				data[i] = byte(r >> 56)
			}
			for _, hrp := range []string{"tgt", "a", "bc"} {
				if got, want := bech32Encode(hrp, data), bech32EncodeRef(hrp, data); got != want {
					t.Fatalf("%s %x: %s, want %s", hrp, data, got, want)
				}
			}
		}
	}
	// BIP-173 valid test vector.
	if got := bech32EncodeRef("a", nil); got != "a12uel5l" {
		t.Fatalf("reference encoder broken: %s", got)
	}
	if !strings.HasPrefix(ModuleAddress("x").String(), "tgt1") {
		t.Fatal("prefix")
	}
}

func BenchmarkAddressString(b *testing.B) {
	a := ModuleAddress("bench")
	b.ReportAllocs()
	for b.Loop() {
		_ = a.String()
	}
}
