package fixed

import (
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestMulDiv(t *testing.T) {
	cases := []struct {
		a, b, c, want uint64
		err           error
	}{
		{6, 7, 4, 10, nil},
		{math.MaxUint64, math.MaxUint64, math.MaxUint64, math.MaxUint64, nil},
		{math.MaxUint64, 2, 3, 12297829382473034410, nil},
		{math.MaxUint64, 2, 1, 0, ErrOverflow},
		{1, 1, 0, 0, ErrDivideByZero},
		{0, 5, 7, 0, nil},
	}
	for _, c := range cases {
		got, err := MulDiv(c.a, c.b, c.c)
		if !errors.Is(err, c.err) || (err == nil && got != c.want) {
			t.Errorf("MulDiv(%d,%d,%d) = %d, %v; want %d, %v", c.a, c.b, c.c, got, err, c.want, c.err)
		}
	}
}

func TestRatio(t *testing.T) {
	if got := Ratio(1, 3); got != 333333 {
		t.Errorf("Ratio(1,3) = %d", got)
	}
	if got := Ratio(0, 0); got != PPM {
		t.Errorf("Ratio(0,0) = %d", got)
	}
	if got := Ratio(math.MaxUint64, math.MaxUint64); got != PPM {
		t.Errorf("Ratio(max,max) = %d", got)
	}
}

// refSplit is the simple twin of Split, in big integers.
func refSplit(total uint64, shares []uint64) []uint64 {
	S := new(big.Int)
	for _, s := range shares {
		S.Add(S, new(big.Int).SetUint64(s))
	}
	parts := make([]uint64, len(shares))
	type rem struct {
		r *big.Int
		i int
	}
	var rems []rem
	given := new(big.Int)
	for i, s := range shares {
		num := new(big.Int).Mul(new(big.Int).SetUint64(total), new(big.Int).SetUint64(s))
		q, r := new(big.Int).QuoRem(num, S, new(big.Int))
		parts[i] = q.Uint64()
		given.Add(given, q)
		if s != 0 {
			rems = append(rems, rem{r, i})
		}
	}
	left := new(big.Int).Sub(new(big.Int).SetUint64(total), given).Uint64()
	slices.SortStableFunc(rems, func(a, b rem) int { return -a.r.Cmp(b.r) })
	for _, r := range rems[:left] {
		parts[r.i]++
	}
	return parts
}

func TestSplit(t *testing.T) {
	got, err := Split(10, []uint64{1, 1, 1})
	if err != nil || !slices.Equal(got, []uint64{4, 3, 3}) {
		t.Errorf("Split(10, 1:1:1) = %v, %v; want [4 3 3] (tie to the lowest index)", got, err)
	}
	got, err = Split(100, []uint64{0, 3, 0, 1})
	if err != nil || !slices.Equal(got, []uint64{0, 75, 0, 25}) {
		t.Errorf("Split(100, 0:3:0:1) = %v, %v", got, err)
	}
	if _, err := Split(5, []uint64{0, 0}); !errors.Is(err, ErrNoShares) {
		t.Errorf("zero shares: err = %v", err)
	}
	if _, err := Split(5, []uint64{math.MaxUint64, 1}); !errors.Is(err, ErrOverflow) {
		t.Errorf("overflowing shares: err = %v", err)
	}
	r := rand.New(rand.NewPCG(5, 6))
	for trial := range 2000 {
		n := 1 + r.IntN(12)
		shares := make([]uint64, n)
		for i := range shares {
			switch r.IntN(4) {
			case 0:
			case 1:
				shares[i] = r.Uint64N(10)
			default:
				shares[i] = r.Uint64() >> (4 + r.UintN(60))
			}
		}
		if s, _ := Sum(shares); s == 0 {
			shares[0] = 1
		}
		total := r.Uint64() >> r.UintN(64)
		got, err := Split(total, shares)
		if err != nil {
			t.Fatal(err)
		}
		var sum uint64
		for _, p := range got {
			sum += p
		}
		if sum != total {
			t.Fatalf("trial %d: parts sum to %d, want %d", trial, sum, total)
		}
		if want := refSplit(total, shares); !slices.Equal(got, want) {
			t.Fatalf("trial %d: Split(%d, %v) = %v, reference %v", trial, total, shares, got, want)
		}
	}
}
