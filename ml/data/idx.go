package data

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// DefaultDir is where Debian's dataset-fashion-mnist package puts the files.
const DefaultDir = "/usr/share/datasets/fashion-mnist"

// maxIDXBytes bounds the payload an IDX header may announce (1 GiB).
const maxIDXBytes = 1 << 30

// IDX is a decoded IDX file of unsigned bytes (type code 0x08).
type IDX struct {
	Dims []int
	Data []uint8
}

// DecodeIDX decodes an IDX file of unsigned bytes from b, gunzipping it first
// when it starts with the gzip magic. Trailing bytes after the payload are an
// error, as is a payload shorter than the header announces.
func DecodeIDX(b []byte) (*IDX, error) {
	if len(b) >= 2 && b[0] == 0x1f && b[1] == 0x8b {
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("bad gzip stream: %w", err)
		}
		raw, err := io.ReadAll(io.LimitReader(zr, maxIDXBytes+1<<20))
		if err != nil {
			return nil, fmt.Errorf("bad gzip stream (truncated or corrupt): %w", err)
		}
		b = raw
	}
	if len(b) < 4 {
		return nil, fmt.Errorf("truncated: %d bytes, an IDX header needs at least 4", len(b))
	}
	if b[0] != 0 || b[1] != 0 {
		return nil, fmt.Errorf("not an IDX file: magic %02x%02x%02x%02x does not start with 0000", b[0], b[1], b[2], b[3])
	}
	if b[2] != 0x08 {
		return nil, fmt.Errorf("IDX element type 0x%02x is not supported (only 0x08, unsigned byte)", b[2])
	}
	nd := int(b[3])
	if nd == 0 || nd > 4 {
		return nil, fmt.Errorf("IDX file has %d dimensions, want 1 to 4", nd)
	}
	if len(b) < 4+4*nd {
		return nil, fmt.Errorf("truncated: header of %d dimensions needs %d bytes, file has %d", nd, 4+4*nd, len(b))
	}
	dims := make([]int, nd)
	total := uint64(1)
	for i := range dims {
		d := binary.BigEndian.Uint32(b[4+4*i:])
		dims[i] = int(d)
		total *= uint64(d)
		if total > maxIDXBytes {
			return nil, fmt.Errorf("IDX header announces more than %d bytes", maxIDXBytes)
		}
	}
	payload := b[4+4*nd:]
	if uint64(len(payload)) < total {
		return nil, fmt.Errorf("truncated: header says %s = %d bytes of data, file has %d", dimString(dims), total, len(payload))
	}
	if uint64(len(payload)) > total {
		return nil, fmt.Errorf("%d unexpected bytes after the %d bytes of data the header announces", uint64(len(payload))-total, total)
	}
	return &IDX{Dims: dims, Data: payload[:total:total]}, nil
}

func dimString(d []int) string {
	s := ""
	for i, v := range d {
		if i > 0 {
			s += "×"
		}
		s += fmt.Sprint(v)
	}
	return s
}

// ReadIDX reads and decodes the IDX file at path. Errors name the path.
func ReadIDX(path string) (*IDX, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	x, err := DecodeIDX(b)
	if err != nil {
		return nil, fmt.Errorf("%s: %w; the file is damaged: reinstall it (Debian: apt-get install --reinstall dataset-fashion-mnist) or download it again", path, err)
	}
	return x, nil
}

// findFile returns dir/name.gz or dir/name, whichever exists.
func findFile(dir, name string) (string, error) {
	for _, n := range []string{name + ".gz", name} {
		p := filepath.Join(dir, n)
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", &MissingFileError{Dir: dir, Name: name}
}

// MissingFileError is returned by Load when a dataset file is in neither its
// gzip nor its raw form (Name is empty when the directory itself is missing).
type MissingFileError struct {
	Dir, Name string
}

func (e *MissingFileError) Error() string {
	hint := "point --data at a directory holding the four Fashion-MNIST IDX files"
	if e.Dir == DefaultDir {
		hint = "install them with `apt-get install dataset-fashion-mnist` (or `make data`), or point --data at a directory holding the four Fashion-MNIST IDX files"
	}
	if e.Name == "" {
		return fmt.Sprintf("data directory %s does not exist: %s", e.Dir, hint)
	}
	return fmt.Sprintf("dataset file %s(.gz) not found in %s: %s", e.Name, e.Dir, hint)
}

// Dataset is a set of labelled images: image i is
// Images[i*Rows*Cols : (i+1)*Rows*Cols], row-major, one channel.
type Dataset struct {
	Images     []uint8
	Labels     []uint8
	N          int
	Rows, Cols int
	Classes    int
}

// Example returns the pixels of example i (shared, not copied).
func (d *Dataset) Example(i int) []uint8 {
	s := d.Rows * d.Cols
	return d.Images[i*s : (i+1)*s]
}

// Subset returns a dataset of the given examples, in that order (copied).
func (d *Dataset) Subset(idx []int) *Dataset {
	s := d.Rows * d.Cols
	out := &Dataset{Images: make([]uint8, 0, len(idx)*s), Labels: make([]uint8, 0, len(idx)), N: len(idx), Rows: d.Rows, Cols: d.Cols, Classes: d.Classes}
	for _, i := range idx {
		out.Images = append(out.Images, d.Example(i)...)
		out.Labels = append(out.Labels, d.Labels[i])
	}
	return out
}

// Pair builds a Dataset from decoded image and label files, checking that
// they agree. imgName and lblName name them in errors.
func Pair(img, lbl *IDX, imgName, lblName string, classes int) (*Dataset, error) {
	if len(img.Dims) != 3 {
		return nil, fmt.Errorf("%s: images must have 3 dimensions (count×rows×cols), file has %s", imgName, dimString(img.Dims))
	}
	if len(lbl.Dims) != 1 {
		return nil, fmt.Errorf("%s: labels must have 1 dimension, file has %s", lblName, dimString(lbl.Dims))
	}
	if img.Dims[0] != lbl.Dims[0] {
		return nil, fmt.Errorf("%s has %d images but %s has %d labels: the files do not belong together", imgName, img.Dims[0], lblName, lbl.Dims[0])
	}
	for i, l := range lbl.Data {
		if int(l) >= classes {
			return nil, fmt.Errorf("%s: label %d of example %d is not below the %d classes", lblName, l, i, classes)
		}
	}
	return &Dataset{Images: img.Data, Labels: lbl.Data, N: img.Dims[0], Rows: img.Dims[1], Cols: img.Dims[2], Classes: classes}, nil
}

// Files names the four IDX files of a train/test split.
var Files = struct{ TrainImages, TrainLabels, TestImages, TestLabels string }{
	"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte",
}

// LoadSplit reads one split ("train" or "t10k" files) from dir.
func LoadSplit(dir, images, labels string) (*Dataset, error) {
	ip, err := findFile(dir, images)
	if err != nil {
		return nil, err
	}
	lp, err := findFile(dir, labels)
	if err != nil {
		return nil, err
	}
	img, err := ReadIDX(ip)
	if err != nil {
		return nil, err
	}
	lbl, err := ReadIDX(lp)
	if err != nil {
		return nil, err
	}
	return Pair(img, lbl, ip, lp, 10)
}

// Load reads the training and test sets of Fashion-MNIST (or MNIST) from dir.
func Load(dir string) (train, test *Dataset, err error) {
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil, &MissingFileError{Dir: dir}
		}
		return nil, nil, err
	} else if !st.IsDir() {
		return nil, nil, fmt.Errorf("%s is not a directory: --data wants the directory that holds the IDX files", dir)
	}
	train, err = LoadSplit(dir, Files.TrainImages, Files.TrainLabels)
	if err != nil {
		return nil, nil, err
	}
	test, err = LoadSplit(dir, Files.TestImages, Files.TestLabels)
	if err != nil {
		return nil, nil, err
	}
	if train.Rows != test.Rows || train.Cols != test.Cols {
		return nil, nil, fmt.Errorf("%s: training images are %d×%d but test images are %d×%d", dir, train.Rows, train.Cols, test.Rows, test.Cols)
	}
	return train, test, nil
}

// EncodeIDX encodes dims and data as a raw IDX file of unsigned bytes (used to
// write synthetic datasets in tests and tools).
func EncodeIDX(w io.Writer, dims []int, data []uint8) error {
	bw := bufio.NewWriter(w)
	bw.Write([]byte{0, 0, 0x08, byte(len(dims))})
	var b [4]byte
	for _, d := range dims {
		binary.BigEndian.PutUint32(b[:], uint32(d))
		bw.Write(b[:])
	}
	bw.Write(data)
	return bw.Flush()
}
