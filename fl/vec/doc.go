// Package vec holds the deterministic float32 vector kernels shared by the
// fl/ rules: finiteness checks, dot products, norms, squared distances and a
// canonical hash.
//
// Every reduction is defined by a plain loop with four float64 partial sums
// ("lanes"): lane k accumulates the elements whose index i has i%4 == k, in
// increasing i, and the result is (s0+s1)+(s2+s3). Products of two float32
// values are exact in float64; differences are rounded to float64 before they
// are squared, and every product is explicitly converted before it is added,
// so no compiler may fuse a multiply-add (see fl's package doc). The
// reference loops in ref_test.go are the definition; the exported functions
// are tested bit-equal to them.
//
// Functions never keep or modify their arguments.
package vec
