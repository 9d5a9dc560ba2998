package trace

import (
	"bufio"
	"encoding/hex"
	"math"
	"os"
	"strings"
	"testing"
)

// The RFC 6962 reference vectors (certificate-transparency test suite).
var rfcLeaves = []string{"", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"}
var rfcRoots = []string{
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
	"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
	"fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
	"aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
	"d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
	"4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
	"76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
	"ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
	"5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
}

func TestRFC6962Vectors(t *testing.T) {
	var leaves [][]byte
	for _, h := range rfcLeaves {
		b, _ := hex.DecodeString(h)
		leaves = append(leaves, b)
	}
	for n := 0; n <= 8; n++ {
		if got := RootOfLeaves(leaves[:n]).String(); got != rfcRoots[n] {
			t.Errorf("root of %d leaves = %s, want %s", n, got, rfcRoots[n])
		}
	}
}

func TestTensorRootMatchesChunks(t *testing.T) {
	for _, n := range []int{0, 1, 1023, 1024, 1025, 4096, 5000, 12345} {
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(i)*0.37 - 11
		}
		if n > 3 {
			x[3] = float32(math.Inf(-1))
		}
		if TensorRoot(x) != RootOfChunks(Bytes(x), ChunkSize) {
			t.Fatalf("n=%d: TensorRoot differs from RootOfChunks", n)
		}
	}
	// Chunking matters: 4096-byte chunks give another root than one leaf.
	x := make([]float32, 2000)
	if TensorRoot(x) == RootOfLeaves([][]byte{Bytes(x)}) {
		t.Fatal("chunking has no effect")
	}
}

// TestVerifyVectors reads verify/merkle's vector file when the repository
// has it, so the two implementations are held to the same data.
func TestVerifyVectors(t *testing.T) {
	f, err := os.Open("../../verify/merkle/testdata/rfc6962.txt")
	if err != nil {
		t.Skip("verify/merkle/testdata/rfc6962.txt not in this tree; TestRFC6962Vectors covers the same vectors")
	}
	defer f.Close()
	var leaves [][]byte
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) == 2 && fs[0] == "leaf" {
			b, _ := hex.DecodeString(strings.TrimPrefix(fs[1], "-"))
			leaves = append(leaves, b)
		}
		if len(fs) == 3 && fs[0] == "root" {
			n := 0
			for _, c := range fs[1] {
				n = n*10 + int(c-'0')
			}
			if got := RootOfLeaves(leaves[:n]).String(); got != fs[2] {
				t.Errorf("root %d = %s, want %s", n, got, fs[2])
			}
		}
	}
}

func TestRecorder(t *testing.T) {
	r := &Recorder{KeepData: true}
	x := []float32{1, 2, 3, 4}
	r.Record("relu.forward", 2, Attrs{"a": "1"}, []Named{{"x", []int{2, 2}, x}}, []Named{{"y", []int{2, 2}, x}})
	x[0] = 9 // later writes do not change the record
	in := r.Trace.Ops[0].Inputs[0]
	d, ok := r.Data(in.Root)
	if !ok || d[0] != 1 || in.Root != TensorRoot([]float32{1, 2, 3, 4}) {
		t.Fatal("recorder did not snapshot the tensor")
	}
	if r.Trace.Root() == (Root{}) {
		t.Fatal("zero trace root")
	}
}
