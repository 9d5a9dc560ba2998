package agg

import (
	"math"
	"strconv"

	"tangent/fl/vec"
)

// checkShape verifies there is at least one update and all have the length
// of update 0. It does not look at the values.
func checkShape(updates [][]float32) (dim int, err error) {
	if len(updates) == 0 {
		return 0, ErrNoUpdates
	}
	dim = len(updates[0])
	for i, u := range updates[1:] {
		if len(u) != dim {
			return 0, &InputError{Index: i + 1, Elem: -1,
				Reason: lengthReason(len(u), dim)}
		}
	}
	return dim, nil
}

func lengthReason(got, want int) string {
	return "has " + strconv.Itoa(got) + " elements, update 0 has " + strconv.Itoa(want) + " (all updates must have the model's length)"
}

// checkFinite returns an *InputError for the first non-finite element, in
// update order then element order.
func checkFinite(updates [][]float32) error {
	for i, u := range updates {
		if j := vec.FirstNonFinite(u); j >= 0 {
			return nonFinite(i, j, u[j])
		}
	}
	return nil
}

func nonFinite(i, j int, v float32) error {
	what := "is NaN"
	if math.IsInf(float64(v), 1) {
		what = "is +Inf"
	} else if math.IsInf(float64(v), -1) {
		what = "is -Inf"
	}
	return &InputError{Index: i, Elem: j, Reason: what + " (updates must be finite)"}
}

// check is checkShape then checkFinite.
func check(updates [][]float32) (int, error) {
	dim, err := checkShape(updates)
	if err != nil {
		return 0, err
	}
	return dim, checkFinite(updates)
}

func output(dst []float32, dim int) []float32 {
	if len(dst) == dim {
		return dst
	}
	return make([]float32, dim)
}
