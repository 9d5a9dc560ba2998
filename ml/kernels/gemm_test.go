package kernels

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"tangent/ml/kernels/kernelstest"
)

type gemmCase struct {
	transA, transB, acc bool
	m, n, k             int
	padA, padB, padC    int // extra leading-dimension elements
}

func (c gemmCase) String() string {
	return fmt.Sprintf("tA=%v tB=%v acc=%v m=%d n=%d k=%d pad=%d,%d,%d", c.transA, c.transB, c.acc, c.m, c.n, c.k, c.padA, c.padB, c.padC)
}

// operands builds random A, B and C for c.
func (c gemmCase) operands(r *rand.Rand) (a []float32, lda int, b []float32, ldb int, cm []float32, ldc int) {
	ra, ca := c.m, c.k
	if c.transA {
		ra, ca = ca, ra
	}
	rb, cb := c.k, c.n
	if c.transB {
		rb, cb = cb, rb
	}
	lda, ldb, ldc = max(ca, 1)+c.padA, max(cb, 1)+c.padB, max(c.n, 1)+c.padC
	a = kernelstest.Slice(r, max(ra*lda-c.padA, 0))
	b = kernelstest.Slice(r, max(rb*ldb-c.padB, 0))
	cm = kernelstest.Slice(r, max(c.m*ldc-c.padC, 0))
	return
}

// check runs Gemm under every path and worker count and compares with
// GemmRef, including the padding of C, which must stay untouched.
func (c gemmCase) check(t *testing.T, r *rand.Rand, workers []int) {
	t.Helper()
	a, lda, b, ldb, c0, ldc := c.operands(r)
	want := append([]float32(nil), c0...)
	GemmRef(c.transA, c.transB, c.m, c.n, c.k, a, lda, b, ldb, want, ldc, c.acc)
	for _, g := range gemmPaths() {
		for _, w := range workers {
			got := append([]float32(nil), c0...)
			prev := SetWorkers(w)
			withGemm(g, func() {
				Gemm(c.transA, c.transB, c.m, c.n, c.k, a, lda, b, ldb, got, ldc, c.acc)
			})
			SetWorkers(prev)
			if d := kernelstest.Diff(got, want); d != "" {
				t.Fatalf("%s path=%s workers=%d: %s", c, g.name, w, d)
			}
		}
	}
}

func TestGemmSmallShapes(t *testing.T) {
	r := kernelstest.Rand(1)
	dims := []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33}
	for i := 0; i < 400; i++ {
		c := gemmCase{
			transA: r.IntN(2) == 0, transB: r.IntN(2) == 0, acc: r.IntN(2) == 0,
			m: dims[r.IntN(len(dims))], n: dims[r.IntN(len(dims))], k: dims[r.IntN(len(dims))],
			padA: r.IntN(3), padB: r.IntN(3), padC: r.IntN(3),
		}
		c.check(t, r, []int{1, 3})
	}
}

// TestGemmBlockEdges uses sizes around every path's register tile and
// cache blocks (k beyond kc continues the chain through C).
func TestGemmBlockEdges(t *testing.T) {
	r := kernelstest.Rand(2)
	cases := []gemmCase{
		{m: 127, n: 129, k: 300},
		{m: 33, n: 1030, k: 17, transB: true},
		{m: 200, n: 47, k: 513, transA: true, acc: true},
		{m: 64, n: 200, k: 784},
		{m: 6, n: 2000, k: 25, padA: 3},
		{m: 16, n: 150, k: 4096, transB: true},
		{m: 150, n: 300, k: 16, transA: true},
		{m: 1, n: 1, k: 1000, acc: true},
		{m: 300, n: 1, k: 70, transA: true, transB: true},
	}
	if testing.Short() {
		cases = cases[:4]
	}
	for _, c := range cases {
		c.check(t, r, []int{1, 2, 8})
	}
}

// TestGemmRandomShapes draws shapes of every size class.
func TestGemmRandomShapes(t *testing.T) {
	r := kernelstest.Rand(3)
	n := 40
	if testing.Short() {
		n = 10
	}
	for i := 0; i < n; i++ {
		c := gemmCase{
			transA: r.IntN(2) == 0, transB: r.IntN(2) == 0, acc: r.IntN(2) == 0,
			m: 1 + r.IntN(90), n: 1 + r.IntN(130), k: 1 + r.IntN(300),
			padA: r.IntN(5), padB: r.IntN(5), padC: r.IntN(5),
		}
		c.check(t, r, []int{1, 2, 5})
	}
}

func TestGemmPanics(t *testing.T) {
	for name, fn := range map[string]func(){
		"short A": func() {
			Gemm(false, false, 2, 2, 2, make([]float32, 3), 2, make([]float32, 4), 2, make([]float32, 4), 2, false)
		},
		"small ld": func() {
			Gemm(false, false, 2, 2, 2, make([]float32, 4), 1, make([]float32, 4), 2, make([]float32, 4), 2, false)
		},
		"neg": func() { Gemm(false, false, -1, 2, 2, nil, 2, nil, 2, nil, 2, false) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s: no panic", name)
				}
			}()
			fn()
		}()
	}
}
