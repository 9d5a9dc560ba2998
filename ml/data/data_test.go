package data

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func idxBytes(dims []int, data []uint8) []byte {
	var b bytes.Buffer
	if err := EncodeIDX(&b, dims, data); err != nil {
		panic(err)
	}
	return b.Bytes()
}

func gz(b []byte) []byte {
	var out bytes.Buffer
	w := gzip.NewWriter(&out)
	w.Write(b)
	w.Close()
	return out.Bytes()
}

func TestDecodeIDX(t *testing.T) {
	good := idxBytes([]int{2, 2, 3}, []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	cases := []struct {
		name string
		in   []byte
		err  string
	}{
		{"raw", good, ""},
		{"gzip", gz(good), ""},
		{"truncated payload", good[:len(good)-1], "truncated: header says 2×2×3 = 12 bytes of data, file has 11"},
		{"truncated header", good[:9], "truncated: header of 3 dimensions"},
		{"trailing", append(append([]byte{}, good...), 0), "unexpected bytes"},
		{"bad magic", append([]byte{1}, good[1:]...), "not an IDX file"},
		{"float type", append([]byte{0, 0, 0x0d}, good[3:]...), "not supported"},
		{"truncated gzip", gz(good)[:20], "gzip"},
		{"empty", nil, "truncated"},
	}
	for _, c := range cases {
		x, err := DecodeIDX(c.in)
		if c.err == "" {
			if err != nil || len(x.Data) != 12 || x.Dims[2] != 3 || x.Data[11] != 12 {
				t.Errorf("%s: %v %v", c.name, x, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.err) {
			t.Errorf("%s: error %v, want it to contain %q", c.name, err, c.err)
		}
	}
}

func FuzzDecodeIDX(f *testing.F) {
	good := idxBytes([]int{2, 2, 3}, []uint8{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12})
	f.Add(good)
	f.Add(gz(good))
	f.Add(idxBytes([]int{3}, []uint8{1, 2, 3}))
	f.Add([]byte{0, 0, 8, 1, 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{0x1f, 0x8b})
	f.Fuzz(func(t *testing.T, b []byte) {
		x, err := DecodeIDX(b)
		if err != nil {
			return
		}
		n := 1
		for _, d := range x.Dims {
			n *= d
		}
		if n != len(x.Data) {
			t.Fatalf("dims %v but %d bytes", x.Dims, len(x.Data))
		}
		// Re-encoding a decoded raw file gives an equal decoding.
		y, err := DecodeIDX(idxBytes(x.Dims, x.Data))
		if err != nil || !bytes.Equal(x.Data, y.Data) {
			t.Fatalf("re-decode: %v", err)
		}
	})
}

// writeSynthetic writes a small deterministic dataset (gzip train, raw test).
func writeSynthetic(t *testing.T, dir string, ntrain, ntest int) {
	t.Helper()
	mk := func(n int, off int) ([]byte, []byte) {
		img := make([]uint8, n*28*28)
		lbl := make([]uint8, n)
		for i := range lbl {
			lbl[i] = uint8((i*7 + off) % 10)
			for j := 0; j < 28*28; j++ {
				img[i*784+j] = uint8((i*31 + j*int(lbl[i]+1)) % 256)
			}
		}
		return idxBytes([]int{n, 28, 28}, img), idxBytes([]int{n}, lbl)
	}
	ti, tl := mk(ntrain, 0)
	ei, el := mk(ntest, 3)
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, Files.TrainImages+".gz"), gz(ti), 0o644))
	must(os.WriteFile(filepath.Join(dir, Files.TrainLabels+".gz"), gz(tl), 0o644))
	must(os.WriteFile(filepath.Join(dir, Files.TestImages), ei, 0o644))
	must(os.WriteFile(filepath.Join(dir, Files.TestLabels), el, 0o644))
}

func TestLoadErrors(t *testing.T) {
	dir := t.TempDir()
	writeSynthetic(t, dir, 50, 20)
	tr, te, err := Load(dir)
	if err != nil || tr.N != 50 || te.N != 20 || tr.Rows != 28 {
		t.Fatalf("Load: %v", err)
	}
	// Missing directory and file.
	if _, _, err := Load(filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing dir: %v", err)
	}
	os.Remove(filepath.Join(dir, Files.TestLabels))
	_, _, err = Load(dir)
	var mf *MissingFileError
	if !errors.As(err, &mf) || !strings.Contains(err.Error(), "t10k-labels-idx1-ubyte") {
		t.Fatalf("missing file: %v", err)
	}
	// Truncated file: the error names it.
	writeSynthetic(t, dir, 50, 20)
	p := filepath.Join(dir, Files.TestImages)
	b, _ := os.ReadFile(p)
	os.WriteFile(p, b[:len(b)-100], 0o644)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), "truncated") {
		t.Fatalf("truncated: %v", err)
	}
	// Mismatched counts.
	writeSynthetic(t, dir, 50, 20)
	os.WriteFile(filepath.Join(dir, Files.TestLabels), idxBytes([]int{3}, []uint8{1, 2, 3}), 0o644)
	if _, _, err := Load(dir); err == nil || !strings.Contains(err.Error(), "do not belong together") {
		t.Fatalf("mismatch: %v", err)
	}
}

// TestFashionMNIST loads the installed dataset (CI installs
// dataset-fashion-mnist; see .ci/run).
func TestFashionMNIST(t *testing.T) {
	tr, te, err := Load(DefaultDir)
	if err != nil {
		t.Fatal(err)
	}
	if tr.N != 60000 || te.N != 10000 || tr.Rows != 28 || tr.Cols != 28 {
		t.Fatalf("train %d, test %d, %d×%d", tr.N, te.N, tr.Rows, tr.Cols)
	}
	var counts [10]int
	for _, l := range tr.Labels {
		counts[l]++
	}
	for c, n := range counts {
		if n != 6000 {
			t.Fatalf("class %d has %d training examples", c, n)
		}
	}
}

func TestLoaderDeterministic(t *testing.T) {
	d := &Dataset{N: 103, Rows: 1, Cols: 1, Classes: 10, Images: make([]uint8, 103), Labels: make([]uint8, 103)}
	a, _ := NewLoader(d, 10, 5)
	b, _ := NewLoader(d, 10, 5)
	seen := map[int]int{}
	for s := 0; s < 10; s++ { // one epoch: 10 batches, 3 dropped
		ia, ib := a.Next(), b.Next()
		for j := range ia {
			if ia[j] != ib[j] {
				t.Fatal("two loaders disagree")
			}
			seen[ia[j]]++
		}
	}
	if len(seen) != 100 || a.Cursor != (Cursor{Epoch: 1}) {
		t.Fatalf("epoch saw %d distinct examples, cursor %+v", len(seen), a.Cursor)
	}
	// Epoch 1 is another order; resuming from a cursor reproduces it.
	c, _ := NewLoader(d, 10, 5)
	if err := c.SetCursor(Cursor{Epoch: 1, Pos: 20}); err != nil {
		t.Fatal(err)
	}
	a.Next()
	a.Next()
	x, y := a.Next(), c.Next()
	for j := range x {
		if x[j] != y[j] {
			t.Fatal("resumed loader differs")
		}
	}
	if err := c.SetCursor(Cursor{Pos: 95}); err == nil {
		t.Fatal("bad cursor accepted")
	}
	if _, err := NewLoader(d, 200, 1); err == nil {
		t.Fatal("batch larger than the data accepted")
	}
}

func checkPartition(t *testing.T, part [][]int, n int) {
	t.Helper()
	seen := make([]bool, n)
	for _, p := range part {
		for _, i := range p {
			if seen[i] {
				t.Fatalf("example %d assigned twice", i)
			}
			seen[i] = true
		}
	}
}

func partHash(part [][]int) string {
	h := sha256.New()
	var b [8]byte
	for _, p := range part {
		binary.LittleEndian.PutUint64(b[:], uint64(len(p)))
		h.Write(b[:])
		for _, i := range p {
			binary.LittleEndian.PutUint64(b[:], uint64(i))
			h.Write(b[:])
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

func synthLabels(n int) []uint8 {
	l := make([]uint8, n)
	for i := range l {
		l[i] = uint8((i * 7) % 10)
	}
	return l
}

func TestPartitions(t *testing.T) {
	labels := synthLabels(6000)
	iid, err := IID(6000, 7, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, iid, 6000)
	total := 0
	for _, p := range iid {
		total += len(p)
		if len(p) < 857 || len(p) > 858 {
			t.Fatalf("IID part of %d", len(p))
		}
	}
	if total != 6000 {
		t.Fatal("IID lost examples")
	}
	dir, err := Dirichlet(labels, 10, 10, 0.5, 10, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, dir, 6000)
	// Skew: with alpha 0.5 some client lacks some class almost surely.
	skewed := false
	for _, p := range dir {
		var cnt [10]int
		for _, i := range p {
			cnt[labels[i]]++
		}
		for _, c := range cnt {
			if c < 5 {
				skewed = true
			}
		}
	}
	if !skewed {
		t.Fatal("Dirichlet(0.5) partition is not skewed")
	}
	kl, err := KLabels(labels, 10, 10, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	checkPartition(t, kl, 6000)
	for c, p := range kl {
		ls := map[uint8]bool{}
		for _, i := range p {
			ls[labels[i]] = true
		}
		if len(ls) > 2 || !ls[uint8(c%10)] {
			t.Fatalf("client %d has labels %v", c, ls)
		}
	}
	// Pinned: the same lists on every platform and run.
	got := partHash(iid) + " " + partHash(dir) + " " + partHash(kl)
	const want = "c7503ff412206a79 236c3373ec58c5c9 29e8b0d52be104be"
	if got != want {
		t.Fatalf("partition hashes %s, want %s", got, want)
	}
	if _, err := Dirichlet(labels, 10, 10, 0, 10, 1); err == nil {
		t.Fatal("alpha 0 accepted")
	}
	if _, err := KLabels(labels, 10, 10, 11, 1); err == nil {
		t.Fatal("k > classes accepted")
	}
}
