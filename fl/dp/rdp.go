package dp

import (
	"errors"
	"fmt"
	"math"
)

// logAdd returns log(exp(a) + exp(b)).
func logAdd(a, b float64) float64 {
	lo, hi := min(a, b), max(a, b)
	if math.IsInf(lo, -1) {
		return hi
	}
	return math.Log1p(math.Exp(lo-hi)) + hi
}

// logSub returns log(exp(a) − exp(b)) for a ≥ b.
func logSub(a, b float64) float64 {
	if math.IsInf(b, -1) {
		return a
	}
	if a == b {
		return math.Inf(-1)
	}
	d := math.Expm1(a - b)
	if math.IsInf(d, 1) {
		return a
	}
	return math.Log(d) + b
}

func lgamma(x float64) float64 {
	v, _ := math.Lgamma(x)
	return v
}

// logComb is log C(n, k) for integers.
func logComb(n, k int) float64 {
	return lgamma(float64(n)+1) - lgamma(float64(k)+1) - lgamma(float64(n-k)+1)
}

// logErfc returns log(erfc(x)), accurate in the far tail where erfc
// underflows (Laurent series at infinity, as TF-Privacy's fallback).
func logErfc(x float64) float64 {
	if r := math.Erfc(x); r > 1e-300 {
		return math.Log(r)
	}
	x2 := x * x
	return -math.Log(math.Pi)/2 - math.Log(x) - x2 - 0.5/x2 + 0.625/(x2*x2) -
		37.0/24.0/(x2*x2*x2) + 353.0/64.0/(x2*x2*x2*x2)
}

// logAInt is log(A_α) for integer α ≥ 1 and 0 < q < 1.
func logAInt(q, sigma float64, alpha int) float64 {
	logA := math.Inf(-1)
	lq, l1q := math.Log(q), math.Log1p(-q)
	for k := 0; k <= alpha; k++ {
		c := logComb(alpha, k) + float64(k)*lq + float64(alpha-k)*l1q
		s := c + float64(k*k-k)/(2*sigma*sigma)
		logA = logAdd(logA, s)
	}
	return logA
}

// logBinom returns log|C(α, i)| and its sign for real α and integer i ≥ 0.
func logBinom(alpha float64, i int) (float64, int) {
	a, sa := math.Lgamma(alpha + 1)
	b, _ := math.Lgamma(float64(i) + 1)
	c, sc := math.Lgamma(alpha - float64(i) + 1)
	return a - b - c, sa * sc
}

// logAFrac is log(A_α) for fractional α > 1 and 0 < q < 1 (Mironov, Talwar,
// Zhang 2019, §3.3), summing both tails until their terms are below e^-30.
func logAFrac(q, sigma, alpha float64) float64 {
	logA0, logA1 := math.Inf(-1), math.Inf(-1)
	z0 := sigma*sigma*math.Log(1/q-1) + 0.5
	lq, l1q := math.Log(q), math.Log1p(-q)
	for i := 0; ; i++ {
		logCoef, sign := logBinom(alpha, i)
		fi := float64(i)
		j := alpha - fi
		logT0 := logCoef + fi*lq + j*l1q
		logT1 := logCoef + j*lq + fi*l1q
		logE0 := math.Log(0.5) + logErfc((fi-z0)/(math.Sqrt2*sigma))
		logE1 := math.Log(0.5) + logErfc((z0-j)/(math.Sqrt2*sigma))
		logS0 := logT0 + (fi*fi-fi)/(2*sigma*sigma) + logE0
		logS1 := logT1 + (j*j-j)/(2*sigma*sigma) + logE1
		if sign > 0 {
			logA0 = logAdd(logA0, logS0)
			logA1 = logAdd(logA1, logS1)
		} else {
			logA0 = logSub(logA0, logS0)
			logA1 = logSub(logA1, logS1)
		}
		if max(logS0, logS1) < -30 || i > 100000 {
			break
		}
	}
	return logAdd(logA0, logA1)
}

// ErrParam is wrapped by errors for out-of-range accountant parameters.
var ErrParam = errors.New("dp: parameter out of range")

// StepRDP returns the RDP ε_α of one step of the Poisson-subsampled
// Gaussian mechanism with sampling rate q and noise multiplier sigma
// (noise standard deviation / L2 sensitivity), at order alpha > 1.
func StepRDP(q, sigma, alpha float64) (float64, error) {
	switch {
	case !(q >= 0 && q <= 1):
		return 0, fmt.Errorf("%w: sampling rate q = %v must be in [0, 1]", ErrParam, q)
	case !(sigma >= 0):
		return 0, fmt.Errorf("%w: noise multiplier %v must be ≥ 0", ErrParam, sigma)
	case !(alpha > 1):
		return 0, fmt.Errorf("%w: order %v must be > 1", ErrParam, alpha)
	}
	switch {
	case q == 0:
		return 0, nil
	case sigma == 0 || math.IsInf(alpha, 1):
		return math.Inf(1), nil
	case q == 1:
		return alpha / (2 * sigma * sigma), nil
	}
	if alpha == math.Trunc(alpha) && alpha < 1<<20 {
		return logAInt(q, sigma, int(alpha)) / (alpha - 1), nil
	}
	return logAFrac(q, sigma, alpha) / (alpha - 1), nil
}

// DefaultOrders are the RDP orders of TF-Privacy's compute_dp_sgd_privacy:
// 1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5, 5, 6, …, 63, 128, 256, 512.
func DefaultOrders() []float64 {
	o := []float64{1.25, 1.5, 1.75, 2, 2.25, 2.5, 3, 3.5, 4, 4.5}
	for a := 5; a < 64; a++ {
		o = append(o, float64(a))
	}
	return append(o, 128, 256, 512)
}

// Accountant accumulates RDP over composed mechanisms at fixed orders.
// The zero value is not usable; call NewAccountant.
type Accountant struct {
	orders []float64
	rdp    []float64
}

// NewAccountant returns an accountant at the given orders (nil: DefaultOrders).
func NewAccountant(orders []float64) (*Accountant, error) {
	if orders == nil {
		orders = DefaultOrders()
	}
	for _, a := range orders {
		if !(a > 1) {
			return nil, fmt.Errorf("%w: order %v must be > 1", ErrParam, a)
		}
	}
	return &Accountant{orders: append([]float64(nil), orders...), rdp: make([]float64, len(orders))}, nil
}

// Compose adds steps steps of the sampled Gaussian mechanism (q, sigma).
func (a *Accountant) Compose(q, sigma float64, steps int) error {
	if steps < 0 {
		return fmt.Errorf("%w: steps %d < 0", ErrParam, steps)
	}
	add := make([]float64, len(a.orders))
	for i, o := range a.orders {
		r, err := StepRDP(q, sigma, o)
		if err != nil {
			return err
		}
		add[i] = r * float64(steps)
	}
	for i := range a.rdp {
		a.rdp[i] += add[i]
	}
	return nil
}

// RDP returns copies of the accountant's orders and accumulated RDP values.
func (a *Accountant) RDP() (orders, rdp []float64) {
	return append([]float64(nil), a.orders...), append([]float64(nil), a.rdp...)
}

// EpsilonWith is Epsilon with an explicit conversion.
func (a *Accountant) EpsilonWith(delta float64, c Conversion) (eps, order float64, err error) {
	return ToEpsilon(a.orders, a.rdp, delta, c)
}

// Conversion selects the RDP → (ε, δ) conversion.
type Conversion int

const (
	Improved Conversion = iota // Canonne, Kamath, Steinke 2020 Prop. 12 (TF-Privacy / dp_accounting today)
	Standard                   // Mironov 2017 Prop. 3 (moments-accountant era figures)
)

// Epsilon returns the smallest ε over the orders for the given δ with the
// improved conversion, and the order that achieves it.
func (a *Accountant) Epsilon(delta float64) (eps, order float64, err error) {
	return ToEpsilon(a.orders, a.rdp, delta, Improved)
}

// ToEpsilon converts RDP values at orders to (ε, δ)-DP with conversion c,
// returning the smallest ε and the order that achieves it.
func ToEpsilon(orders, rdp []float64, delta float64, c Conversion) (eps, order float64, err error) {
	if len(orders) != len(rdp) || len(orders) == 0 {
		return 0, 0, fmt.Errorf("%w: %d orders for %d RDP values", ErrParam, len(orders), len(rdp))
	}
	if !(delta > 0 && delta < 1) {
		return 0, 0, fmt.Errorf("%w: δ = %v must be in (0, 1)", ErrParam, delta)
	}
	best, bestOrder := math.Inf(1), math.NaN()
	for i, a := range orders {
		r := rdp[i]
		if !(r >= 0) {
			return 0, 0, fmt.Errorf("%w: RDP %v at order %v", ErrParam, r, a)
		}
		var e float64
		switch c {
		case Standard:
			e = r - math.Log(delta)/(a-1)
		case Improved:
			switch {
			case delta*delta+math.Expm1(-r) > 0:
				e = 0 // δ ≥ sqrt(1 − exp(−KL)) already
			case a > 1.01:
				e = r + math.Log1p(-1/a) - math.Log(delta*a)/(a-1)
			default:
				e = math.Inf(1)
			}
		default:
			return 0, 0, fmt.Errorf("%w: unknown conversion %d", ErrParam, c)
		}
		if e < best {
			best, bestOrder = e, a
		}
	}
	return max(0, best), bestOrder, nil
}

// DPSGDEpsilon is TF-Privacy's compute_dp_sgd_privacy: n examples, batch
// size b (q = b/n, Poisson sampling assumed), noise multiplier sigma,
// epochs (steps = ceil(epochs·n/b)), at DefaultOrders with the improved
// conversion.
func DPSGDEpsilon(n, b int, sigma, epochs, delta float64) (eps, order float64, err error) {
	if n <= 0 || b <= 0 || b > n {
		return 0, 0, fmt.Errorf("%w: batch %d must be in [1, n = %d]", ErrParam, b, n)
	}
	acc, _ := NewAccountant(nil)
	steps := int(math.Ceil(epochs * float64(n) / float64(b)))
	if err := acc.Compose(float64(b)/float64(n), sigma, steps); err != nil {
		return 0, 0, err
	}
	return acc.Epsilon(delta)
}
