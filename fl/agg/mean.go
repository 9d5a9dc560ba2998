package agg

import (
	"math"
	"strconv"
)

// maxExactWeight bounds Σ weights so that the total is exact in float64.
const maxExactWeight = 1 << 53

// WeightedMean returns Σ_i w_i·x_i / Σ_i w_i (FedAvg), computed per
// coordinate in float64 in update order and rounded once to float32 (see the
// package doc). weights must have one entry per update, sum to more than
// zero and to at most 2^53. A zero weight excludes an update's values but
// not its checks: a non-finite element is still an error.
func WeightedMean(dst []float32, updates [][]float32, weights []uint64) ([]float32, error) {
	dim, err := checkShape(updates)
	if err != nil {
		return nil, err
	}
	if len(weights) != len(updates) {
		return nil, &ParamError{Rule: "WeightedMean", Reason: "got " + strconv.Itoa(len(weights)) + " weights for " + strconv.Itoa(len(updates)) + " updates"}
	}
	coef := make([]float64, len(weights))
	var total uint64
	for i, w := range weights {
		if w > maxExactWeight || total+w > maxExactWeight {
			return nil, &ParamError{Rule: "WeightedMean", Reason: "total weight exceeds 2^53 (scale the weights down)"}
		}
		total += w
		coef[i] = float64(w)
	}
	if total == 0 {
		return nil, &ParamError{Rule: "WeightedMean", Reason: "all weights are zero"}
	}
	out := output(dst, dim)
	if combine(out, updates, coef, float64(total)) >= 0 {
		return nil, diagnose(updates)
	}
	return out, nil
}

// Mean is WeightedMean with every weight 1.
func Mean(dst []float32, updates [][]float32) ([]float32, error) {
	w := make([]uint64, len(updates))
	for i := range w {
		w[i] = 1
	}
	return WeightedMean(dst, updates, w)
}

// diagnose explains a non-finite aggregate: a non-finite input (named), or
// an overflow of float32.
func diagnose(updates [][]float32) error {
	if err := checkFinite(updates); err != nil {
		return err
	}
	return ErrOverflow
}

// block is the number of coordinates whose float64 partial sums stay in
// cache while every update streams past once.
const block = 1024

// combine sets dst[j] = float32((Σ_i float64(coef[i]·float64(xs[i][j]))) / div),
// the sum taken left to right from +0 in update order. It returns the index
// of the first coordinate whose result is not finite, or -1.
func combine(dst []float32, xs [][]float32, coef []float64, div float64) int {
	n := len(dst)
	bad := -1
	var acc [block]float64
	for lo := 0; lo < n; lo += block {
		hi := min(lo+block, n)
		a := acc[:hi-lo]
		accumulate(a, xs, coef, lo)
		d := dst[lo:hi]
		a = a[:len(d)]
		for j := range d {
			v := float32(a[j] / div)
			d[j] = v
			if bad < 0 && math.Float32bits(v)&0x7f800000 == 0x7f800000 {
				bad = lo + j
			}
		}
	}
	return bad
}

// accumulate sets a[j] = Σ_i float64(coef[i]·float64(xs[i][lo+j])), summed
// left to right from +0 in update order. It processes four updates per pass
// over the block, which keeps each coordinate's order (refAccumulate in the
// tests is the definition, compared bit for bit on the float64 sums, where
// an implicit fused multiply-add would show).
func accumulate(a []float64, xs [][]float32, coef []float64, lo int) {
	hi := lo + len(a)
	clear(a)
	i := 0
	for ; i+4 <= len(xs); i += 4 {
		c0, c1, c2, c3 := coef[i], coef[i+1], coef[i+2], coef[i+3]
		x0 := xs[i][lo:hi]
		x1 := xs[i+1][lo:hi]
		x2 := xs[i+2][lo:hi]
		x3 := xs[i+3][lo:hi]
		x1, x2, x3 = x1[:len(x0)], x2[:len(x0)], x3[:len(x0)]
		a := a[:len(x0)]
		for j, v := range x0 {
			s := a[j]
			s = s + float64(c0*float64(v))
			s = s + float64(c1*float64(x1[j]))
			s = s + float64(c2*float64(x2[j]))
			s = s + float64(c3*float64(x3[j]))
			a[j] = s
		}
	}
	for ; i+2 <= len(xs); i += 2 {
		c0, c1 := coef[i], coef[i+1]
		x0 := xs[i][lo:hi]
		x1 := xs[i+1][lo:hi]
		x1 = x1[:len(x0)]
		a := a[:len(x0)]
		for j, v := range x0 {
			s := a[j]
			s = s + float64(c0*float64(v))
			s = s + float64(c1*float64(x1[j]))
			a[j] = s
		}
	}
	for ; i < len(xs); i++ {
		c0 := coef[i]
		x0 := xs[i][lo:hi]
		a := a[:len(x0)]
		for j, v := range x0 {
			a[j] = a[j] + float64(c0*float64(v))
		}
	}
}
