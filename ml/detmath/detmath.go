// Package detmath gives elementary functions whose results are the same bits
// on every platform.
//
// The standard library's math.Exp and math.Log use assembly on amd64 (which
// switches to FMA instructions when the CPU has them), arm64 and s390x, and its
// pure-Go fallbacks may be contracted into fused multiply-adds by the compiler
// (the Go spec allows it; gc does it on arm64 and with GOAMD64=v3). Both make
// the last bit depend on the machine. The functions here are the FreeBSD
// msun algorithms that Go's pure-Go fallbacks use, with every product wrapped
// in an explicit float64() conversion: the spec guarantees that an explicit
// conversion rounds, so no fusion can happen, and every remaining operation
// (+, -, *, /, math.Sqrt, math.Frexp, math.Ldexp) is exactly specified by
// IEEE 754. They are accurate to within 1 ulp, like math.Exp and math.Log,
// but not always equal to them.
package detmath

import "math"

// Exp returns e**x, the same bits on every platform.
func Exp(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		log2e = 1.44269504088896338700e+00

		overflow  = 7.09782712893383973096e+02
		underflow = -7.45133219101941108420e+02
		nearZero  = 1.0 / (1 << 28) // 2**-28
	)
	switch {
	case math.IsNaN(x):
		return x
	case x > overflow:
		return math.Inf(1)
	case x < underflow:
		return 0
	case -nearZero < x && x < nearZero:
		return 1 + x
	}
	var k int
	switch {
	case x < 0:
		k = int(float64(log2e*x) - 0.5)
	case x > 0:
		k = int(float64(log2e*x) + 0.5)
	}
	hi := x - float64(float64(k)*ln2Hi)
	lo := float64(float64(k) * ln2Lo)
	return expmulti(hi, lo, k)
}

func expmulti(hi, lo float64, k int) float64 {
	const (
		p1 = 1.66666666666666657415e-01
		p2 = -2.77777777770155933842e-03
		p3 = 6.61375632143793436117e-05
		p4 = -1.65339022054652515390e-06
		p5 = 4.13813679705723846039e-08
	)
	r := hi - lo
	t := float64(r * r)
	// c := r - t*(P1+t*(P2+t*(P3+t*(P4+t*P5)))), rounded at each step.
	q := p4 + float64(t*p5)
	q = p3 + float64(t*q)
	q = p2 + float64(t*q)
	q = p1 + float64(t*q)
	c := r - float64(t*q)
	y := 1 - ((lo - float64(r*c)/(2-c)) - hi)
	return math.Ldexp(y, k)
}

// Log returns the natural logarithm of x, the same bits on every platform.
func Log(x float64) float64 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		l1    = 6.666666666666735130e-01
		l2    = 3.999999999940941908e-01
		l3    = 2.857142874366239149e-01
		l4    = 2.222219843214978396e-01
		l5    = 1.818357216161805012e-01
		l6    = 1.531383769920937332e-01
		l7    = 1.479819860511658591e-01
	)
	switch {
	case math.IsNaN(x) || math.IsInf(x, 1):
		return x
	case x < 0:
		return math.NaN()
	case x == 0:
		return math.Inf(-1)
	}
	f1, ki := math.Frexp(x)
	if f1 < math.Sqrt2/2 {
		f1 *= 2 // exact
		ki--
	}
	f := f1 - 1
	k := float64(ki)
	s := f / (2 + f)
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	// t1 := s2 * (L1 + s4*(L3+s4*(L5+s4*L7)))
	a := l5 + float64(s4*l7)
	a = l3 + float64(s4*a)
	a = l1 + float64(s4*a)
	t1 := float64(s2 * a)
	// t2 := s4 * (L2 + s4*(L4+s4*L6))
	b := l4 + float64(s4*l6)
	b = l2 + float64(s4*b)
	t2 := float64(s4 * b)
	r := t1 + t2
	hfsq := float64(float64(0.5*f) * f)
	inner := float64(s*(hfsq+r)) + float64(k*ln2Lo)
	return float64(k*ln2Hi) - ((hfsq - inner) - f)
}

// Pow returns x**y for x > 0 as Exp(y*Log(x)). It is less accurate than
// math.Pow (a few ulp for large |y*log x|) but platform-independent.
func Pow(x, y float64) float64 {
	if x == 1 || y == 0 {
		return 1
	}
	return Exp(float64(y * Log(x)))
}

// PowInt returns x**n for n >= 0 by binary exponentiation with a rounding
// after every product (the same bits everywhere).
func PowInt(x float64, n int) float64 {
	r := 1.0
	for n > 0 {
		if n&1 == 1 {
			r = float64(r * x)
		}
		x = float64(x * x)
		n >>= 1
	}
	return r
}
