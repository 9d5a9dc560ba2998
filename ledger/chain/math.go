package chain

import (
	"fmt"
	"math/bits"
)

// Amounts are uint64 counts of the base unit "utgt" (1 TGT = 1,000,000
// utgt). Total supply fits in 64 bits; supply increases are checked, so a sum
// of parts of the supply cannot overflow either.

// Denom is the base unit of the native token.
const Denom = "utgt"

// SafeAdd returns a+b, or ErrOverflow.
func SafeAdd(a, b uint64) (uint64, error) {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		return 0, ErrOverflow.Wrapf("%d + %d exceeds 2^64-1", a, b)
	}
	return s, nil
}

// MustAdd returns a+b and panics on overflow: for sums bounded by the total
// supply, where an overflow means state is corrupt.
func MustAdd(a, b uint64) uint64 {
	s, carry := bits.Add64(a, b, 0)
	if carry != 0 {
		panic(fmt.Sprintf("invariant broken: %d + %d overflows although bounded by the total supply", a, b))
	}
	return s
}

// MulDiv returns floor(a*num/den) computed in 128 bits. It panics if den is
// 0 or num > den (fractions in the ledger are at most 1).
func MulDiv(a, num, den uint64) uint64 {
	if den == 0 || num > den {
		panic(fmt.Sprintf("chain.MulDiv: bad fraction %d/%d", num, den))
	}
	hi, lo := bits.Mul64(a, num)
	q, _ := bits.Div64(hi, lo, den) // hi < den because num <= den
	return q
}

// PPM is a fraction in parts per million (0..1,000,000).
type PPM uint32

// PPMOne is the fraction 1.
const PPMOne PPM = 1_000_000

// Of returns floor(amount * p / 1e6). It panics if p > 1.
func (p PPM) Of(amount uint64) uint64 { return MulDiv(amount, uint64(p), uint64(PPMOne)) }

// Valid reports whether p is at most 1.
func (p PPM) Valid() bool { return p <= PPMOne }

func (p PPM) String() string { return fmt.Sprintf("%d ppm", uint32(p)) }
