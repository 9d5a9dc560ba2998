package diloco

import (
	"fmt"

	"tangent/fl/agg"
	"tangent/fl/vec"
)

// Config holds the outer optimizer's hyperparameters.
type Config struct {
	LR       float32 // outer learning rate η
	Momentum float32 // μ
	Nesterov bool
}

// DefaultConfig is the paper's outer optimizer: Nesterov, η = 0.7, μ = 0.9.
func DefaultConfig() Config { return Config{LR: 0.7, Momentum: 0.9, Nesterov: true} }

// PseudoGradient returns Σ_i w_i(global − local_i)/Σ w_i: the differences
// in float32, then agg.WeightedMean (its errors name the offending worker).
func PseudoGradient(global []float32, locals [][]float32, weights []uint64) ([]float32, error) {
	diffs := make([][]float32, len(locals))
	for i, l := range locals {
		if len(l) != len(global) {
			return nil, &agg.InputError{Index: i, Elem: -1, Reason: fmt.Sprintf("has %d parameters, the global model %d", len(l), len(global))}
		}
		d := make([]float32, len(global))
		for j := range d {
			d[j] = global[j] - l[j]
		}
		diffs[i] = d
	}
	return agg.WeightedMean(nil, diffs, weights)
}

// Outer is the outer optimizer with its momentum buffer.
type Outer struct {
	cfg Config
	v   []float32
}

// NewOuter returns an outer optimizer for dim parameters with zero momentum.
func NewOuter(dim int, cfg Config) *Outer { return &Outer{cfg: cfg, v: make([]float32, dim)} }

// Momentum returns a copy of the momentum buffer (for checkpoints).
func (o *Outer) Momentum() []float32 { return append([]float32(nil), o.v...) }

// SetMomentum restores a momentum buffer saved with Momentum.
func (o *Outer) SetMomentum(v []float32) error {
	if len(v) != len(o.v) {
		return fmt.Errorf("diloco: momentum has %d elements, optimizer %d", len(v), len(o.v))
	}
	copy(o.v, v)
	return nil
}

// Step applies one outer step to params in place, with pseudo-gradient g.
func (o *Outer) Step(params, g []float32) error {
	if len(params) != len(o.v) || len(g) != len(o.v) {
		return fmt.Errorf("diloco: params %d, gradient %d, optimizer %d elements", len(params), len(g), len(o.v))
	}
	if j := vec.FirstNonFinite(g); j >= 0 {
		return fmt.Errorf("diloco: pseudo-gradient element %d is not finite", j)
	}
	mu, lr := o.cfg.Momentum, o.cfg.LR
	v := o.v
	g = g[:len(v)]
	params = params[:len(v)]
	for j := range v {
		vj := float32(mu*v[j]) + g[j]
		v[j] = vj
		u := vj
		if o.cfg.Nesterov {
			u = g[j] + float32(mu*vj)
		}
		params[j] = params[j] - float32(lr*u)
	}
	return nil
}
