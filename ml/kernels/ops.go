package kernels

import (
	"fmt"
	"math"
)

// Elementwise operations. Each output element depends on the same index of
// the inputs only, so the loops below are their own reference; long slices
// are split over Workers() goroutines. dst may alias an input; the inputs
// must be at least len(dst) long.

// elemGrain is the number of elements below which an elementwise kernel
// stays on one goroutine.
const elemGrain = 1 << 15

func elementwise(n int, fn func(lo, hi int)) { parallelRange(n, elemGrain, fn) }

func checkLens(op string, n int, s ...[]float32) {
	for _, x := range s {
		if len(x) < n {
			panic(fmt.Sprintf("kernels: %s: input has %d elements, need %d", op, len(x), n))
		}
	}
}

// Add sets dst[i] = a[i] + b[i].
func Add(dst, a, b []float32) {
	checkLens("Add", len(dst), a, b)
	elementwise(len(dst), func(lo, hi int) {
		d, x, y := dst[lo:hi], a[lo:hi], b[lo:hi]
		for i := range d {
			d[i] = x[i] + y[i]
		}
	})
}

// Sub sets dst[i] = a[i] - b[i].
func Sub(dst, a, b []float32) {
	checkLens("Sub", len(dst), a, b)
	elementwise(len(dst), func(lo, hi int) {
		d, x, y := dst[lo:hi], a[lo:hi], b[lo:hi]
		for i := range d {
			d[i] = x[i] - y[i]
		}
	})
}

// Mul sets dst[i] = a[i] * b[i].
func Mul(dst, a, b []float32) {
	checkLens("Mul", len(dst), a, b)
	elementwise(len(dst), func(lo, hi int) {
		d, x, y := dst[lo:hi], a[lo:hi], b[lo:hi]
		for i := range d {
			d[i] = x[i] * y[i]
		}
	})
}

// Scale sets dst[i] = alpha * x[i].
func Scale(dst []float32, alpha float32, x []float32) {
	checkLens("Scale", len(dst), x)
	elementwise(len(dst), func(lo, hi int) {
		d, s := dst[lo:hi], x[lo:hi]
		for i := range d {
			d[i] = alpha * s[i]
		}
	})
}

// Axpy sets y[i] = FMA32(alpha, x[i], y[i]) for i < len(y): one rounding.
func Axpy(alpha float32, x, y []float32) {
	checkLens("Axpy", len(y), x)
	elementwise(len(y), func(lo, hi int) {
		d, s := y[lo:hi], x[lo:hi]
		for i := range d {
			if r, ok := fma32Fast(alpha, s[i], d[i]); ok {
				d[i] = r
			} else {
				d[i] = fma32Slow(alpha, s[i], d[i])
			}
		}
	})
}

// ReLU sets dst[i] = x[i] if x[i] > 0, else +0 (also for NaN).
func ReLU(dst, x []float32) {
	checkLens("ReLU", len(dst), x)
	elementwise(len(dst), func(lo, hi int) {
		d, s := dst[lo:hi], x[lo:hi]
		for i, v := range s[:len(d)] {
			d[i] = math.Float32frombits(math.Float32bits(v) & positiveMask(v))
		}
	})
}

// positiveMask is all ones when v > 0 and zero otherwise (±0, negatives,
// NaN). Masking with it gives the ReLU's definitions without a branch:
// activations are positive about half the time at random, which a branch
// predicts badly (the branchy loops took ~13 % of a cnn-small step).
func positiveMask(v float32) uint32 {
	// v > 0 exactly when its bits are 1 (the smallest subnormal) through
	// 0x7f800000 (+Inf); the unsigned subtraction sends +0 to the top.
	var m uint32
	if math.Float32bits(v)-1 < 0x7f800000 {
		m = ^uint32(0)
	}
	return m
}

// ReLUBackward sets dx[i] = dy[i] if x[i] > 0, else +0, where x is the
// ReLU's input (or its output: both are > 0 at the same places).
func ReLUBackward(dx, dy, x []float32) {
	checkLens("ReLUBackward", len(dx), dy, x)
	elementwise(len(dx), func(lo, hi int) {
		d, g, s := dx[lo:hi], dy[lo:hi], x[lo:hi]
		for i := range d {
			d[i] = math.Float32frombits(math.Float32bits(g[i]) & positiveMask(s[i]))
		}
	})
}

// AddRowVector adds b to every row of the m×n matrix y (leading dimension
// ldy): y[i,j] = y[i,j] + b[j].
func AddRowVector(m, n int, y []float32, ldy int, b []float32) {
	checkRows("AddRowVector", m, n, y, ldy)
	checkLens("AddRowVector", n, b)
	parallelRange(m, max(1, elemGrain/max(n, 1)), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			row := y[i*ldy : i*ldy+n]
			for j, v := range b[:n] {
				row[j] += v
			}
		}
	})
}

func checkRows(op string, m, n int, x []float32, ld int) {
	if m < 0 || n < 0 || ld < n {
		panic(fmt.Sprintf("kernels: %s: bad shape %d×%d with leading dimension %d", op, m, n, ld))
	}
	if m > 0 && n > 0 && len(x) < (m-1)*ld+n {
		panic(fmt.Sprintf("kernels: %s: matrix has %d elements, need %d", op, len(x), (m-1)*ld+n))
	}
}

// SumColumns sets dst[j] = Σ_i x[i,j] for the m×n matrix x: a float32 sum
// from +0 with i ascending (the bias gradient of a dense layer).
// Parallel over columns.
func SumColumns(m, n int, x []float32, ldx int, dst []float32) {
	checkRows("SumColumns", m, n, x, ldx)
	checkLens("SumColumns", n, dst)
	const colBlock = 64
	parallelRange((n+colBlock-1)/colBlock, max(1, elemGrain/max(m*colBlock, 1)), func(lo, hi int) {
		for j0 := lo * colBlock; j0 < min(hi*colBlock, n); j0 += colBlock {
			j1 := min(j0+colBlock, n)
			d := dst[j0:j1]
			clear(d)
			for i := 0; i < m; i++ {
				for j, v := range x[i*ldx+j0 : i*ldx+j1] {
					d[j] += v
				}
			}
		}
	})
}

// Sum returns Σ x[i], a float32 sum from +0 in index order.
func Sum(x []float32) float32 {
	var acc float32
	for _, v := range x {
		acc += v
	}
	return acc
}

// Dot returns the FMA32 chain Σ x[i]*y[i] from +0 in index order, for
// i < len(x).
func Dot(x, y []float32) float32 {
	checkLens("Dot", len(x), y)
	var acc float32
	for i, v := range x {
		if r, ok := fma32Fast(v, y[i], acc); ok {
			acc = r
		} else {
			acc = fma32Slow(v, y[i], acc)
		}
	}
	return acc
}

// rowMax returns the maximum of x scanning in index order, a value
// replacing the current one only when greater.
func rowMax(x []float32) float32 {
	mx := x[0]
	for _, v := range x[1:] {
		if v > mx {
			mx = v
		}
	}
	return mx
}

// SoftmaxRows sets each row of the m×n matrix y to the softmax of the same
// row of x. Per row, in this order: mx = the row maximum (scanning j
// ascending, replacing only when greater); e[j] = Exp32(x[j] - mx);
// sum = Σ e[j] as a float32 sum from +0, j ascending; y[j] = e[j] / sum.
// y may alias x. Parallel over rows.
func SoftmaxRows(m, n int, x []float32, ldx int, y []float32, ldy int) {
	checkRows("SoftmaxRows", m, n, x, ldx)
	checkRows("SoftmaxRows", m, n, y, ldy)
	if n == 0 {
		return
	}
	parallelRange(m, max(1, 4096/n), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr, yr := x[i*ldx:i*ldx+n], y[i*ldy:i*ldy+n]
			mx := rowMax(xr)
			var sum float32
			for j, v := range xr {
				e := Exp32(v - mx)
				yr[j] = e
				sum += e
			}
			for j := range yr {
				yr[j] /= sum
			}
		}
	})
}

// LogSumExpRows sets out[i] = log Σ_j exp(x[i,j]) for the m×n matrix x,
// computed per row as mx + Log32(sum) with mx and sum as in SoftmaxRows
// (a float32 addition at the end). With it, the softmax cross-entropy of
// row i with label t is out[i] - x[i,t]. Parallel over rows.
func LogSumExpRows(m, n int, x []float32, ldx int, out []float32) {
	checkRows("LogSumExpRows", m, n, x, ldx)
	checkLens("LogSumExpRows", m, out)
	if n == 0 {
		return
	}
	parallelRange(m, max(1, 4096/n), func(lo, hi int) {
		for i := lo; i < hi; i++ {
			xr := x[i*ldx : i*ldx+n]
			mx := rowMax(xr)
			var sum float32
			for _, v := range xr {
				sum += Exp32(v - mx)
			}
			out[i] = mx + Log32(sum)
		}
	})
}

// ArgMaxRows sets out[i] to the column of the first maximum of row i of
// the m×n matrix x (scanning j ascending, replacing only when greater).
func ArgMaxRows(m, n int, x []float32, ldx int, out []int) {
	checkRows("ArgMaxRows", m, n, x, ldx)
	if len(out) < m {
		panic(fmt.Sprintf("kernels: ArgMaxRows: out has %d elements, need %d", len(out), m))
	}
	if n == 0 {
		return
	}
	for i := 0; i < m; i++ {
		xr := x[i*ldx : i*ldx+n]
		best := 0
		for j, v := range xr {
			if v > xr[best] {
				best = j
			}
		}
		out[i] = best
	}
}
