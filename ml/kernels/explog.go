package kernels

import "math"

// Exp32 returns e**x for a float32 x, rounded to float32.
//
// It does not call math.Exp: on amd64 math.Exp is assembly that switches to
// a different FMA-based code path when the CPU has FMA, and arm64 has its
// own assembly, so its bits depend on the machine. Exp32 is a port of the
// FreeBSD/Go pure-Go algorithm (argument reduction by ln 2, a degree-5
// minimax polynomial) evaluated in float64 with every product rounded
// explicitly, so no FMA contraction can occur; the float64 result (error
// below 1 ulp of float64) is then rounded to float32. Every operation is a
// basic IEEE operation in a fixed order: the result is identical on every
// platform. It is faithful (within 1 float32 ulp, nearly always correctly
// rounded), not guaranteed correctly rounded.
func Exp32(x float32) float32 {
	const (
		ln2Hi = 6.93147180369123816490e-01
		ln2Lo = 1.90821492927058770002e-10
		log2e = 1.44269504088896338700e+00
		p1    = 1.66666666666666657415e-01
		p2    = -2.77777777770155933842e-03
		p3    = 6.61375632143793436117e-05
		p4    = -1.65339022054652515390e-06
		p5    = 4.13813679705723846039e-08
	)
	switch {
	case x != x:
		return x
	case x > 89: // e**89 > MaxFloat32
		return float32(math.Inf(1))
	case x < -104: // e**-104 < 2**-150, below half the smallest subnormal
		return 0
	}
	xd := float64(x)
	// k = round(x*log2e) with ties away from zero; |k| ≤ 151.
	t := float64(log2e * xd)
	var k int
	if t < 0 {
		k = int(float64(t - 0.5))
	} else {
		k = int(float64(t + 0.5))
	}
	kd := float64(k)
	hi := float64(xd - float64(kd*ln2Hi)) // kd*ln2Hi is exact
	lo := float64(kd * ln2Lo)
	r := float64(hi - lo)
	tt := float64(r * r)
	poly := float64(p4 + float64(tt*p5))
	poly = float64(p3 + float64(tt*poly))
	poly = float64(p2 + float64(tt*poly))
	poly = float64(p1 + float64(tt*poly))
	c := float64(r - float64(tt*poly))
	rc := float64(r * c)
	y := float64(1 - float64(float64(lo-float64(rc/float64(2-c)))-hi))
	// y * 2**k: 2**k is a normal float64 for |k| ≤ 151, and so is the
	// product, which is therefore exact; float32() rounds once.
	scale := math.Float64frombits(uint64(1023+k) << 52)
	return float32(float64(y * scale))
}

// Log32 returns the natural logarithm of a float32 x, rounded to float32:
// -Inf for ±0, NaN for x < 0 or NaN, +Inf for +Inf.
//
// Like Exp32 it avoids math.Log (assembly on amd64) and evaluates the
// FreeBSD/Go pure-Go algorithm in float64 with explicit roundings, then
// rounds to float32, so its bits are the same on every platform.
func Log32(x float32) float32 {
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
		sqrt2 = 1.41421356237309504880168872420969807856967187537694807317667974
	)
	switch {
	case x != x || x > math.MaxFloat32:
		return x
	case x < 0:
		return float32(math.NaN())
	case x == 0:
		return float32(math.Inf(-1))
	}
	// x = f1 * 2**ki with f1 in [sqrt(2)/2, sqrt(2)). float64(x) is normal.
	bits := math.Float64bits(float64(x))
	ki := int(bits>>52) - 1022
	f1 := math.Float64frombits(bits&^(0x7ff<<52) | 1022<<52) // in [0.5, 1)
	if f1 < sqrt2/2 {
		f1 = float64(f1 * 2)
		ki--
	}
	f := float64(f1 - 1)
	k := float64(ki)
	s := float64(f / float64(2+f))
	s2 := float64(s * s)
	s4 := float64(s2 * s2)
	t1 := float64(l5 + float64(s4*l7))
	t1 = float64(l3 + float64(s4*t1))
	t1 = float64(l1 + float64(s4*t1))
	t1 = float64(s2 * t1)
	t2 := float64(l4 + float64(s4*l6))
	t2 = float64(l2 + float64(s4*t2))
	t2 = float64(s4 * t2)
	r := float64(t1 + t2)
	hfsq := float64(float64(0.5*f) * f)
	inner := float64(float64(s*float64(hfsq+r)) + float64(k*ln2Lo))
	res := float64(float64(k*ln2Hi) - float64(float64(hfsq-inner)-f))
	return float32(res)
}
