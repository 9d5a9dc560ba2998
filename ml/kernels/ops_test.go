package kernels

import (
	"math"
	"testing"

	"tangent/ml/kernels/kernelstest"
)

// ulps returns the distance in float32 steps between a and b.
func ulps(a, b float32) int64 {
	key := func(x float32) int64 {
		u := int64(math.Float32bits(x))
		if u >= 1<<31 {
			return (1 << 31) - u
		}
		return u
	}
	d := key(a) - key(b)
	if d < 0 {
		return -d
	}
	return d
}

func TestExp32Log32Accuracy(t *testing.T) {
	r := kernelstest.Rand(40)
	exact := 0
	const n = 200000
	for i := 0; i < n; i++ {
		x := float32(r.Float64()*200 - 105)
		got, want := Exp32(x), float32(math.Exp(float64(x)))
		if ulps(got, want) > 1 {
			t.Fatalf("Exp32(%g) = %g, math.Exp gives %g", x, got, want)
		}
		if got == want {
			exact++
		}
		y := math.Float32frombits(r.Uint32() &^ (1 << 31))
		if isInfNaN(y) {
			continue
		}
		gl, wl := Log32(y), float32(math.Log(float64(y)))
		if y != 0 && ulps(gl, wl) > 1 {
			t.Fatalf("Log32(%g) = %g, math.Log gives %g", y, gl, wl)
		}
	}
	if exact < n*99/100 {
		t.Errorf("Exp32 matched the correctly rounded value only %d of %d times", exact, n)
	}
}

func TestExp32Log32Special(t *testing.T) {
	inf := float32(math.Inf(1))
	for _, tc := range []struct{ x, exp, log float32 }{
		{0, 1, float32(math.Inf(-1))},
		{1, float32(math.E), 0},
		{inf, inf, inf},
		{-inf, 0, float32(math.NaN())},
		{-1, float32(1 / math.E), float32(math.NaN())},
		{100, inf, float32(math.Log(100))},
		{-200, 0, float32(math.NaN())},
	} {
		if got := Exp32(tc.x); !kernelstest.Same(got, tc.exp) {
			t.Errorf("Exp32(%g) = %g, want %g", tc.x, got, tc.exp)
		}
		if got := Log32(tc.x); !kernelstest.Same(got, tc.log) {
			t.Errorf("Log32(%g) = %g, want %g", tc.x, got, tc.log)
		}
	}
	if got := Log32(math.SmallestNonzeroFloat32); ulps(got, float32(math.Log(math.SmallestNonzeroFloat32))) > 1 {
		t.Errorf("Log32(min subnormal) = %g", got)
	}
}

func TestElementwise(t *testing.T) {
	r := kernelstest.Rand(41)
	const n = 100003 // above elemGrain: several goroutines
	a, b := kernelstest.Slice(r, n), kernelstest.Slice(r, n)
	for _, nw := range []int{1, 4} {
		prev := SetWorkers(nw)
		dst := make([]float32, n)
		Add(dst, a, b)
		for i := range dst {
			if dst[i] != a[i]+b[i] {
				t.Fatalf("Add[%d]", i)
			}
		}
		Sub(dst, a, b)
		for i := range dst {
			if dst[i] != a[i]-b[i] {
				t.Fatalf("Sub[%d]", i)
			}
		}
		Mul(dst, a, b)
		for i := range dst {
			if dst[i] != float32(a[i]*b[i]) {
				t.Fatalf("Mul[%d]", i)
			}
		}
		Scale(dst, 0.3, a)
		for i := range dst {
			if dst[i] != float32(0.3*a[i]) {
				t.Fatalf("Scale[%d]", i)
			}
		}
		copy(dst, b)
		Axpy(0.7, a, dst)
		for i := range dst {
			if !kernelstest.Same(dst[i], FMA32(0.7, a[i], b[i])) {
				t.Fatalf("Axpy[%d]", i)
			}
		}
		ReLU(dst, a)
		for i := range dst {
			if want := float32(0); a[i] > 0 && dst[i] != a[i] || a[i] <= 0 && !kernelstest.Same(dst[i], want) {
				t.Fatalf("ReLU[%d]", i)
			}
		}
		ReLUBackward(dst, b, a)
		for i := range dst {
			if a[i] > 0 && !kernelstest.Same(dst[i], b[i]) || a[i] <= 0 && !kernelstest.Same(dst[i], 0) {
				t.Fatalf("ReLUBackward[%d]", i)
			}
		}
		SetWorkers(prev)
	}
}

func TestRowOps(t *testing.T) {
	r := kernelstest.Rand(42)
	for _, nw := range []int{1, 3} {
		prev := SetWorkers(nw)
		for it := 0; it < 50; it++ {
			m, n, ld := 1+r.IntN(300), 1+r.IntN(40), 0
			ld = n + r.IntN(3)
			x := kernelstest.Slice(r, (m-1)*ld+n)
			// SumColumns: i ascending from +0.
			got := make([]float32, n)
			SumColumns(m, n, x, ld, got)
			for j := 0; j < n; j++ {
				var acc float32
				for i := 0; i < m; i++ {
					acc += x[i*ld+j]
				}
				if !kernelstest.Same(got[j], acc) {
					t.Fatalf("SumColumns col %d", j)
				}
			}
			b := kernelstest.Slice(r, n)
			y := append([]float32(nil), x...)
			AddRowVector(m, n, y, ld, b)
			for i := 0; i < m; i++ {
				for j := 0; j < n; j++ {
					if !kernelstest.Same(y[i*ld+j], x[i*ld+j]+b[j]) {
						t.Fatalf("AddRowVector")
					}
				}
			}
			// Softmax and log-sum-exp against their stated definitions.
			sm := make([]float32, (m-1)*ld+n)
			SoftmaxRows(m, n, x, ld, sm, ld)
			lse := make([]float32, m)
			LogSumExpRows(m, n, x, ld, lse)
			am := make([]int, m)
			ArgMaxRows(m, n, x, ld, am)
			for i := 0; i < m; i++ {
				row := x[i*ld : i*ld+n]
				mx, arg := row[0], 0
				for j, v := range row {
					if v > mx {
						mx, arg = v, j
					}
				}
				var sum float32
				for _, v := range row {
					sum += Exp32(v - mx)
				}
				for j, v := range row {
					if !kernelstest.Same(sm[i*ld+j], Exp32(v-mx)/sum) {
						t.Fatalf("SoftmaxRows row %d col %d", i, j)
					}
				}
				if !kernelstest.Same(lse[i], mx+Log32(sum)) {
					t.Fatalf("LogSumExpRows row %d", i)
				}
				if am[i] != arg {
					t.Fatalf("ArgMaxRows row %d: %d, want %d", i, am[i], arg)
				}
			}
		}
		SetWorkers(prev)
	}
	x := []float32{1, 2, 3}
	if Sum(x) != 6 || Dot(x, x) != 14 {
		t.Errorf("Sum/Dot")
	}
}

// TestReLUSpecialValues checks the branch-free ReLU and its backward pass
// against their definitions on every class of float32: signed zeros,
// subnormals, normals, infinities and NaNs of both signs.
func TestReLUSpecialValues(t *testing.T) {
	var xs []float32
	for _, b := range []uint32{
		0x00000000, 0x80000000, 0x00000001, 0x80000001, 0x007fffff, 0x807fffff,
		0x00800000, 0x80800000, 0x3f800000, 0xbf800000, 0x7f7fffff, 0xff7fffff,
		0x7f800000, 0xff800000, 0x7f800001, 0xff800001, 0x7fc00000, 0xffc00000, 0x7fffffff, 0xffffffff,
	} {
		xs = append(xs, math.Float32frombits(b))
	}
	dst := make([]float32, len(xs))
	ReLU(dst, xs)
	for i, x := range xs {
		want := float32(0)
		if x > 0 {
			want = x
		}
		if math.Float32bits(dst[i]) != math.Float32bits(want) {
			t.Errorf("ReLU(%#08x) = %#08x, want %#08x", math.Float32bits(x), math.Float32bits(dst[i]), math.Float32bits(want))
		}
	}
	dy := make([]float32, len(xs))
	for i := range dy {
		dy[i] = -1.5
	}
	ReLUBackward(dst, dy, xs)
	for i, x := range xs {
		want := float32(0)
		if x > 0 {
			want = dy[i]
		}
		if math.Float32bits(dst[i]) != math.Float32bits(want) {
			t.Errorf("ReLUBackward at x=%#08x = %#08x, want %#08x", math.Float32bits(x), math.Float32bits(dst[i]), math.Float32bits(want))
		}
	}
}
