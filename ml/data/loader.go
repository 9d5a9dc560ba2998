package data

import (
	"fmt"

	"tangent/ml/tensor"
)

// Cursor is a Loader's position: the next batch starts at example Pos of
// epoch Epoch's permutation.
type Cursor struct {
	Epoch uint64
	Pos   int
}

// Loader yields seeded, shuffled, fixed-size batches of a dataset. Its order
// is a pure function of (Seed, epoch); see the package comment.
type Loader struct {
	Data   *Dataset
	Batch  int
	Seed   uint64
	Cursor Cursor

	permEpoch uint64
	perm      []int // permutation of permEpoch, nil until computed
}

// NewLoader returns a loader at the start of epoch 0. It fails when the
// dataset has fewer examples than one batch.
func NewLoader(d *Dataset, batch int, seed uint64) (*Loader, error) {
	if batch <= 0 {
		return nil, fmt.Errorf("batch size %d: must be at least 1", batch)
	}
	if d.N < batch {
		return nil, fmt.Errorf("the dataset has %d examples, fewer than one batch of %d: use a smaller --batch", d.N, batch)
	}
	return &Loader{Data: d, Batch: batch, Seed: seed}, nil
}

// StepsPerEpoch returns the number of full batches in an epoch.
func (l *Loader) StepsPerEpoch() int { return l.Data.N / l.Batch }

// Perm returns the example order of epoch e. The returned slice is shared
// until the next call with another epoch.
func (l *Loader) Perm(e uint64) []int {
	if l.perm == nil || l.permEpoch != e {
		r := &tensor.RNG{Seed: l.Seed, Stream: tensor.StreamShuffle, Counter: e << 32}
		if l.perm == nil {
			l.perm = make([]int, l.Data.N)
		}
		for i := range l.perm {
			l.perm[i] = i
		}
		r.Shuffle(l.perm)
		l.permEpoch = e
	}
	return l.perm
}

// SetCursor moves the loader (restoring from a checkpoint). It fails when the
// cursor cannot belong to this dataset and batch size.
func (l *Loader) SetCursor(c Cursor) error {
	if c.Pos < 0 || c.Pos%l.Batch != 0 || c.Pos+l.Batch > l.Data.N {
		return fmt.Errorf("data cursor (epoch %d, position %d) does not fit %d examples in batches of %d", c.Epoch, c.Pos, l.Data.N, l.Batch)
	}
	l.Cursor = c
	return nil
}

// Next returns the example indices of the next batch and advances the cursor
// (to the next epoch after the last full batch). The slice is shared with the
// loader and valid until the next call.
func (l *Loader) Next() []int {
	p := l.Perm(l.Cursor.Epoch)
	idx := p[l.Cursor.Pos : l.Cursor.Pos+l.Batch]
	l.Cursor.Pos += l.Batch
	if l.Cursor.Pos+l.Batch > l.Data.N {
		l.Cursor = Cursor{Epoch: l.Cursor.Epoch + 1}
	}
	return idx
}

// pixel holds float32(v)/255 for every byte v.
var pixel = func() (t [256]float32) {
	for v := range t {
		t[v] = float32(v) / 255
	}
	return t
}()

// Pixel returns the float32 value of a pixel byte, float32(v)/255.
func Pixel(v uint8) float32 { return pixel[v] }

// Gather writes the examples idx into x (len(idx)×Rows×Cols float32, NCHW
// with one channel) and their labels into y.
func (d *Dataset) Gather(idx []int, x []float32, y []int32) {
	s := d.Rows * d.Cols
	for b, i := range idx {
		dst := x[b*s : (b+1)*s]
		for j, v := range d.Example(i) {
			dst[j] = pixel[v]
		}
		y[b] = int32(d.Labels[i])
	}
}
