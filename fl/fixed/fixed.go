package fixed

import (
	"errors"
	"math/bits"
	"slices"
)

// PPM is the fixed-point unit of scores, trust and ratios: 1.0 = 1_000_000.
const PPM = 1_000_000

// ErrOverflow is returned when an exact result does not fit in 64 bits.
var ErrOverflow = errors.New("fixed: result overflows uint64")

// ErrDivideByZero is returned by MulDiv when the divisor is zero.
var ErrDivideByZero = errors.New("fixed: division by zero")

// ErrNoShares is returned by Split when every share is zero, so there is no
// proportion to split by. The caller decides where the amount goes (for a
// bounty: back to the planner).
var ErrNoShares = errors.New("fixed: all shares are zero")

// MulDiv returns floor(a·b / c), computing a·b exactly in 128 bits.
func MulDiv(a, b, c uint64) (uint64, error) {
	if c == 0 {
		return 0, ErrDivideByZero
	}
	hi, lo := bits.Mul64(a, b)
	if hi >= c {
		return 0, ErrOverflow
	}
	q, _ := bits.Div64(hi, lo, c)
	return q, nil
}

// Ratio returns floor(a·PPM / b) for a ≤ b, i.e. a/b in parts per million,
// and PPM when b == 0 (an empty ratio counts as full agreement; callers that
// need another convention check b themselves). It panics if a > b, a broken
// invariant of every caller.
func Ratio(a, b uint64) uint32 {
	if a > b {
		panic("fixed.Ratio: numerator exceeds denominator")
	}
	if b == 0 {
		return PPM
	}
	q, _ := MulDiv(a, PPM, b) // a ≤ b, so q ≤ PPM: no overflow
	return uint32(q)
}

// Sum returns the sum of xs, or ErrOverflow.
func Sum(xs []uint64) (uint64, error) {
	var s uint64
	for _, x := range xs {
		var c uint64
		s, c = bits.Add64(s, x, 0)
		if c != 0 {
			return 0, ErrOverflow
		}
	}
	return s, nil
}

// Split divides total into len(shares) integer parts proportional to shares
// that sum to exactly total (largest-remainder method):
//
//	part[i] = floor(total·shares[i] / S) (+1 for the leftover units),  S = Σ shares
//
// The total − Σ floor(...) leftover units (fewer than len(shares)) go one each
// to the parts with the largest remainder total·shares[i] mod S, ties to the
// lower index. A zero share always gets zero. Split returns ErrNoShares when
// S is zero and ErrOverflow when S does not fit in a uint64. The returned
// slice is new and owned by the caller.
func Split(total uint64, shares []uint64) ([]uint64, error) {
	s, err := Sum(shares)
	if err != nil {
		return nil, err
	}
	if s == 0 {
		return nil, ErrNoShares
	}
	parts := make([]uint64, len(shares))
	rems := make([]uint64, len(shares))
	var given uint64
	for i, sh := range shares {
		hi, lo := bits.Mul64(total, sh)
		// total·sh/s ≤ total < 2^64, so hi < s and the quotient fits.
		parts[i], rems[i] = bits.Div64(hi, lo, s)
		given += parts[i]
	}
	left := total - given
	if left == 0 {
		return parts, nil
	}
	order := make([]int, 0, len(shares))
	for i, sh := range shares {
		if sh != 0 {
			order = append(order, i)
		}
	}
	slices.SortFunc(order, func(a, b int) int {
		switch {
		case rems[a] > rems[b]:
			return -1
		case rems[a] < rems[b]:
			return 1
		}
		return a - b
	})
	// left < number of non-zero shares: each floor lost less than one unit.
	for _, i := range order[:left] {
		parts[i]++
	}
	return parts, nil
}
