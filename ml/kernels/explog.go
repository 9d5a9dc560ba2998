package kernels

import "tangent/ml/detmath"

// Exp32 returns e**x for a float32 x, rounded to float32.
//
// It does not call math.Exp: on amd64 math.Exp is assembly that switches to
// a different FMA-based code path when the CPU has FMA, and arm64 has its
// own assembly, so its bits depend on the machine. It evaluates
// detmath.Exp (the FreeBSD algorithm in float64 with every product rounded
// explicitly, so no FMA contraction can occur) and rounds that to float32:
// every operation is a basic IEEE operation in a fixed order, so the result
// is identical on every platform. It is faithful (within 1 float32 ulp,
// nearly always correctly rounded), not guaranteed correctly rounded.
func Exp32(x float32) float32 { return float32(detmath.Exp(float64(x))) }

// Log32 returns the natural logarithm of a float32 x, rounded to float32:
// -Inf for ±0, NaN for x < 0 or NaN, +Inf for +Inf. Like Exp32 it goes
// through detmath (never math.Log, which is assembly on amd64), so its bits
// are the same on every platform.
func Log32(x float32) float32 { return float32(detmath.Log(float64(x))) }
