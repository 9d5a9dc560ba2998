package agg

import (
	"slices"
	"strconv"

	"tangent/fl/vec"
)

// Median returns the coordinate-wise median. For an even number of updates
// it is the mean of the two middle values, float32((float64(a)+float64(b))/2).
// Values are ordered by IEEE total order (-0 < +0), so the result does not
// depend on the sorting algorithm.
func Median(dst []float32, updates [][]float32) ([]float32, error) {
	dim, err := check(updates)
	if err != nil {
		return nil, err
	}
	out := output(dst, dim)
	n := len(updates)
	keys := make([]uint32, n)
	for j := range out {
		for i, u := range updates {
			keys[i] = vec.OrderKey(u[j])
		}
		sortKeys(keys)
		if n%2 == 1 {
			out[j] = vec.FromOrderKey(keys[n/2])
		} else {
			a := float64(vec.FromOrderKey(keys[n/2-1]))
			b := float64(vec.FromOrderKey(keys[n/2]))
			out[j] = float32((a + b) / 2)
		}
	}
	return out, nil
}

// TrimmedMean drops, per coordinate, the trim lowest and trim highest values
// (by IEEE total order) and returns the mean of the rest: their float64 sum
// in ascending order divided by n−2·trim, rounded once to float32.
// It needs 0 ≤ trim and 2·trim < n.
func TrimmedMean(dst []float32, updates [][]float32, trim int) ([]float32, error) {
	dim, err := check(updates)
	if err != nil {
		return nil, err
	}
	n := len(updates)
	if trim < 0 || 2*trim >= n {
		return nil, &ParamError{Rule: "TrimmedMean", Reason: "trim " + strconv.Itoa(trim) + " needs 0 ≤ trim and 2·trim < " + strconv.Itoa(n) + " updates"}
	}
	out := output(dst, dim)
	keys := make([]uint32, n)
	kept := keys[trim : n-trim]
	count := float64(len(kept))
	for j := range out {
		for i, u := range updates {
			keys[i] = vec.OrderKey(u[j])
		}
		sortKeys(keys)
		var s float64
		for _, k := range kept {
			s = s + float64(vec.FromOrderKey(k))
		}
		out[j] = float32(s / count)
	}
	return out, nil
}

// sortKeys sorts small slices by insertion (the common case: tens of
// updates) and larger ones with slices.Sort. Keys are plain integers, so the
// result is the same either way.
func sortKeys(k []uint32) {
	if len(k) > 32 {
		slices.Sort(k)
		return
	}
	for i := 1; i < len(k); i++ {
		v := k[i]
		j := i
		for j > 0 && k[j-1] > v {
			k[j] = k[j-1]
			j--
		}
		k[j] = v
	}
}

// KrumScores returns, for each update, Blanchard et al.'s Krum score: the
// sum of its squared Euclidean distances (vec.Dist2) to its n−f−2 nearest
// other updates, summed in ascending order of distance. It needs n ≥ 2f+3.
func KrumScores(updates [][]float32, f int) ([]float64, error) {
	if _, err := check(updates); err != nil {
		return nil, err
	}
	n := len(updates)
	if f < 0 || n < 2*f+3 {
		return nil, &ParamError{Rule: "MultiKrum", Reason: "f = " + strconv.Itoa(f) + " Byzantine updates need at least 2f+3 = " + strconv.Itoa(2*f+3) + " updates, got " + strconv.Itoa(n)}
	}
	d := make([][]float64, n)
	for i := range d {
		d[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			v := vec.Dist2(updates[i], updates[j])
			d[i][j], d[j][i] = v, v
		}
	}
	scores := make([]float64, n)
	near := n - f - 2
	row := make([]float64, 0, n-1)
	for i := range d {
		row = row[:0]
		for j, v := range d[i] {
			if j != i {
				row = append(row, v)
			}
		}
		slices.Sort(row) // finite, non-negative values: a total order
		var s float64
		for _, v := range row[:near] {
			s = s + v
		}
		scores[i] = s
	}
	return scores, nil
}

// MultiKrum selects the m updates with the lowest Krum score (ties to the
// lower index) and returns their weighted mean (WeightedMean over the
// selected updates in increasing index order, with their weights; nil
// weights mean all 1), plus the selected indices in increasing order. It
// needs n ≥ 2f+3 and 1 ≤ m ≤ n. m = 1 is Krum; m = n−f is the usual choice.
func MultiKrum(dst []float32, updates [][]float32, weights []uint64, f, m int) ([]float32, []int, error) {
	scores, err := KrumScores(updates, f)
	if err != nil {
		return nil, nil, err
	}
	n := len(updates)
	if m < 1 || m > n {
		return nil, nil, &ParamError{Rule: "MultiKrum", Reason: "m = " + strconv.Itoa(m) + " must be between 1 and " + strconv.Itoa(n)}
	}
	if weights != nil && len(weights) != n {
		return nil, nil, &ParamError{Rule: "MultiKrum", Reason: "got " + strconv.Itoa(len(weights)) + " weights for " + strconv.Itoa(n) + " updates"}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case scores[a] < scores[b]:
			return -1
		case scores[a] > scores[b]:
			return 1
		}
		return a - b
	})
	sel := order[:m]
	slices.Sort(sel)
	xs := make([][]float32, m)
	w := make([]uint64, m)
	for k, i := range sel {
		xs[k] = updates[i]
		w[k] = 1
		if weights != nil {
			w[k] = weights[i]
		}
	}
	out, err := WeightedMean(dst, xs, w)
	if err != nil {
		return nil, nil, err
	}
	return out, slices.Clone(sel), nil
}
