package dp

import (
	"fmt"
	"math"

	"tangent/fl/vec"
)

// NormalSource yields standard normal samples. *math/rand/v2.Rand satisfies
// it. The caller owns the source and its seed; dp never creates one.
type NormalSource interface {
	NormFloat64() float64
}

// ClipL2 scales x in place so that its L2 norm is at most c and returns the
// factor applied (1 when x was already within the bound). Each element
// becomes float32(float64(x[i])·factor) with factor = c/‖x‖ (vec.Norm).
func ClipL2(x []float32, c float64) (float64, error) {
	if !(c > 0) || math.IsInf(c, 1) {
		return 0, fmt.Errorf("%w: clip norm %v must be positive and finite", ErrParam, c)
	}
	if j := vec.FirstNonFinite(x); j >= 0 {
		return 0, fmt.Errorf("%w: element %d is not finite", ErrParam, j)
	}
	n := vec.Norm(x)
	if n <= c {
		return 1, nil
	}
	f := c / n
	for i, v := range x {
		x[i] = float32(float64(v) * f)
	}
	return f, nil
}

// AddGaussianNoise adds N(0, stddev²) to each element of x in place, drawing
// one sample per element in index order: x[i] = x[i] + float32(stddev·z_i).
func AddGaussianNoise(x []float32, stddev float64, src NormalSource) error {
	if !(stddev >= 0) || math.IsInf(stddev, 1) {
		return fmt.Errorf("%w: noise standard deviation %v", ErrParam, stddev)
	}
	for i := range x {
		x[i] = x[i] + float32(stddev*src.NormFloat64())
	}
	return nil
}

// Privatize is the Gaussian mechanism on one contribution: clip x to L2
// norm clip, then add N(0, (noiseMultiplier·clip)²) noise per element. The
// privacy of T such steps at sampling rate q is what an Accountant with
// Compose(q, noiseMultiplier, T) reports.
func Privatize(x []float32, clip, noiseMultiplier float64, src NormalSource) error {
	if _, err := ClipL2(x, clip); err != nil {
		return err
	}
	return AddGaussianNoise(x, noiseMultiplier*clip, src)
}
