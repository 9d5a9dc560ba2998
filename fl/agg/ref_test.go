package agg

import (
	"math"
	"sort"

	"tangent/fl/internal/splitmix"
)

// This file holds the simple twins: deliberately plain loops that define
// what the fast rules compute. The tests require bit equality.

func genUpdates(seed uint64, n, p int, scale float32) [][]float32 {
	s := splitmix.Gen(seed)
	xs := make([][]float32, n)
	for i := range xs {
		xs[i] = make([]float32, p)
		for j := range xs[i] {
			xs[i][j] = s.Float(scale)
		}
	}
	return xs
}

func refCombine(xs [][]float32, coef []float64, div float64) []float32 {
	out := make([]float32, len(xs[0]))
	for j := range out {
		s := 0.0
		for i := range xs {
			s = s + float64(coef[i]*float64(xs[i][j]))
		}
		out[j] = float32(s / div)
	}
	return out
}

func refWeightedMean(xs [][]float32, w []uint64) []float32 {
	coef := make([]float64, len(w))
	var total uint64
	for i := range w {
		coef[i] = float64(w[i])
		total += w[i]
	}
	return refCombine(xs, coef, float64(total))
}

func column(xs [][]float32, j int) []float64 {
	c := make([]float64, len(xs))
	for i := range xs {
		c[i] = float64(xs[i][j])
	}
	sort.Float64s(c)
	return c
}

func refMedian(xs [][]float32) []float32 {
	out := make([]float32, len(xs[0]))
	n := len(xs)
	for j := range out {
		c := column(xs, j)
		if n%2 == 1 {
			out[j] = float32(c[n/2])
		} else {
			out[j] = float32((c[n/2-1] + c[n/2]) / 2)
		}
	}
	return out
}

func refTrimmedMean(xs [][]float32, b int) []float32 {
	out := make([]float32, len(xs[0]))
	n := len(xs)
	for j := range out {
		c := column(xs, j)
		s := 0.0
		for _, v := range c[b : n-b] {
			s += v
		}
		out[j] = float32(s / float64(n-2*b))
	}
	return out
}

func refDist2(x, y []float32) float64 {
	var s [4]float64
	for i := range x {
		d := float64(x[i]) - float64(y[i])
		s[i%4] = s[i%4] + float64(d*d)
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

// refMultiKrum recomputes everything by brute force: for each update the
// n−f−2 smallest distances by repeated minimum, then repeated selection of
// the lowest score.
func refMultiKrum(xs [][]float32, f, m int) ([]float32, []int) {
	n := len(xs)
	scores := make([]float64, n)
	for i := range xs {
		var ds []float64
		for j := range xs {
			if j != i {
				ds = append(ds, refDist2(xs[i], xs[j]))
			}
		}
		sort.Float64s(ds)
		for _, d := range ds[:n-f-2] {
			scores[i] += d
		}
	}
	taken := make([]bool, n)
	for k := 0; k < m; k++ {
		best := -1
		for i := range scores {
			if !taken[i] && (best < 0 || scores[i] < scores[best]) {
				best = i
			}
		}
		taken[best] = true
	}
	var sel []int
	var sx [][]float32
	var w []uint64
	for i, t := range taken {
		if t {
			sel = append(sel, i)
			sx = append(sx, xs[i])
			w = append(w, 1)
		}
	}
	return refWeightedMean(sx, w), sel
}

func refDot(x, y []float32) float64 {
	var s [4]float64
	for i := range x {
		s[i%4] = s[i%4] + float64(float64(x[i])*float64(y[i]))
	}
	return (s[0] + s[1]) + (s[2] + s[3])
}

func refFLTrust(xs [][]float32, g0 []float32) []float32 {
	n0 := math.Sqrt(refDot(g0, g0))
	coef := make([]float64, len(xs))
	total := 0.0
	for i, x := range xs {
		ni := math.Sqrt(refDot(x, x))
		if ni == 0 {
			continue
		}
		c := refDot(x, g0) / (ni * n0)
		if c > 0 {
			coef[i] = c * (n0 / ni)
			total += c
		}
	}
	if total == 0 {
		return make([]float32, len(g0))
	}
	return refCombine(xs, coef, total)
}

func bitsEqual(a, b []float32) int {
	if len(a) != len(b) {
		return 0
	}
	for i := range a {
		if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
			return i
		}
	}
	return -1
}
