package optim

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"tangent/ml/detmath"
	"tangent/ml/kernels"
)

// Optimizer names.
const (
	SGD   = "sgd"
	Adam  = "adam"
	AdamW = "adamw"
)

// Config holds an optimizer's hyperparameters.
type Config struct {
	Name        string  // sgd, adam or adamw
	LR          float64 // learning rate
	Momentum    float64 // SGD
	Nesterov    bool    // SGD
	WeightDecay float64
	Beta1       float64 // Adam; 0 means 0.9
	Beta2       float64 // Adam; 0 means 0.999
	Eps         float64 // Adam; 0 means 1e-8

	// DecaySteps > 0 decays the learning rate linearly to 0 over that many
	// steps: the rate of step t (0-based) is LR·(DecaySteps-t)/DecaySteps,
	// and 0 from step DecaySteps on.
	DecaySteps int64
}

// LRAt returns the learning rate of step t (0-based), in float64: LR, or
// with linear decay float64(LR·float64(T-t)/T) (every operation exactly
// rounded, so the same bits everywhere).
func (c Config) LRAt(t int64) float64 {
	if c.DecaySteps <= 0 {
		return c.LR
	}
	if t >= c.DecaySteps {
		return 0
	}
	return float64(c.LR * float64(float64(c.DecaySteps-t)/float64(c.DecaySteps)))
}

// WithDefaults returns c with Adam's zero betas and eps replaced by their
// defaults and the name lower-cased.
func (c Config) WithDefaults() Config {
	c.Name = strings.ToLower(c.Name)
	if c.Name == "" {
		c.Name = SGD
	}
	if c.Name == Adam || c.Name == AdamW {
		if c.Beta1 == 0 {
			c.Beta1 = 0.9
		}
		if c.Beta2 == 0 {
			c.Beta2 = 0.999
		}
		if c.Eps == 0 {
			c.Eps = 1e-8
		}
	}
	return c
}

// Validate reports the first bad hyperparameter, saying what to use.
func (c Config) Validate() error {
	bad := func(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) }
	switch c.Name {
	case SGD, Adam, AdamW:
	default:
		return fmt.Errorf("optimizer %q: use sgd, adam or adamw", c.Name)
	}
	switch {
	case bad(c.LR) || c.LR <= 0:
		return fmt.Errorf("learning rate %v: must be a positive number (try 0.01 for sgd, 0.001 for adam)", c.LR)
	case bad(c.Momentum) || c.Momentum < 0 || c.Momentum >= 1:
		return fmt.Errorf("momentum %v: must be in [0, 1) (0.9 is usual)", c.Momentum)
	case c.Nesterov && (c.Name != SGD || c.Momentum == 0):
		return fmt.Errorf("nesterov needs the sgd optimizer with a momentum > 0")
	case c.Momentum != 0 && c.Name != SGD:
		return fmt.Errorf("momentum applies to sgd; %s has beta1 instead", c.Name)
	case bad(c.WeightDecay) || c.WeightDecay < 0:
		return fmt.Errorf("weight decay %v: must be ≥ 0", c.WeightDecay)
	case c.DecaySteps < 0:
		return fmt.Errorf("decay steps %d: must be ≥ 0", c.DecaySteps)
	}
	if c.Name != SGD {
		switch {
		case bad(c.Beta1) || c.Beta1 < 0 || c.Beta1 >= 1, bad(c.Beta2) || c.Beta2 < 0 || c.Beta2 >= 1:
			return fmt.Errorf("adam betas (%v, %v): each must be in [0, 1)", c.Beta1, c.Beta2)
		case bad(c.Eps) || c.Eps <= 0:
			return fmt.Errorf("adam eps %v: must be positive", c.Eps)
		}
	}
	return nil
}

// Encode returns a canonical one-line description of the configuration
// ("sgd lr=0.05 momentum=0.9 nesterov=false weight_decay=0"), which
// checkpoints store; ParseConfig reads it back.
func (c Config) Encode() string {
	f := func(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }
	var s string
	switch c.Name {
	case SGD:
		s = fmt.Sprintf("sgd lr=%s momentum=%s nesterov=%t weight_decay=%s", f(c.LR), f(c.Momentum), c.Nesterov, f(c.WeightDecay))
	default:
		s = fmt.Sprintf("%s lr=%s beta1=%s beta2=%s eps=%s weight_decay=%s", c.Name, f(c.LR), f(c.Beta1), f(c.Beta2), f(c.Eps), f(c.WeightDecay))
	}
	if c.DecaySteps > 0 {
		s += fmt.Sprintf(" decay=linear decay_steps=%d", c.DecaySteps)
	}
	return s
}

// ParseConfig reads Encode's output.
func ParseConfig(s string) (Config, error) {
	fs := strings.Fields(s)
	if len(fs) == 0 {
		return Config{}, fmt.Errorf("empty optimizer description")
	}
	c := Config{Name: fs[0]}
	for _, kv := range fs[1:] {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return Config{}, fmt.Errorf("optimizer description %q: %q is not key=value", s, kv)
		}
		var err error
		switch k {
		case "nesterov":
			c.Nesterov, err = strconv.ParseBool(v)
		case "decay":
			if v != "linear" {
				err = fmt.Errorf("only linear decay exists")
			}
		case "decay_steps":
			c.DecaySteps, err = strconv.ParseInt(v, 10, 64)
		case "lr", "momentum", "weight_decay", "beta1", "beta2", "eps":
			var x float64
			x, err = strconv.ParseFloat(v, 64)
			switch k {
			case "lr":
				c.LR = x
			case "momentum":
				c.Momentum = x
			case "weight_decay":
				c.WeightDecay = x
			case "beta1":
				c.Beta1 = x
			case "beta2":
				c.Beta2 = x
			case "eps":
				c.Eps = x
			}
		default:
			err = fmt.Errorf("unknown key")
		}
		if err != nil {
			return Config{}, fmt.Errorf("optimizer description %q: %s: %v", s, kv, err)
		}
	}
	return c, c.Validate()
}

// SlotNames returns the names of the per-parameter state tensors of the
// optimizer, each shaped like its parameter.
func (c Config) SlotNames() []string {
	switch c.Name {
	case SGD:
		if c.Momentum != 0 {
			return []string{"momentum"}
		}
		return nil
	default:
		return []string{"exp_avg", "exp_avg_sq"}
	}
}

// Optimizer updates a fixed list of parameter tensors. Its state is Step (the
// number of updates done) and Slots[i][j], slot j (SlotNames()[j]) of
// parameter i.
type Optimizer struct {
	Config Config
	Step   int64
	Slots  [][][]float32
}

// New returns an optimizer for parameters of the given sizes, with zeroed
// state. The config must be valid (Validate; WithDefaults applied).
func New(c Config, sizes []int) *Optimizer {
	o := &Optimizer{Config: c, Slots: make([][][]float32, len(sizes))}
	for i, n := range sizes {
		for range c.SlotNames() {
			o.Slots[i] = append(o.Slots[i], make([]float32, n))
		}
	}
	return o
}

// Scalars are the per-step float32 constants of an update.
type Scalars struct {
	LR, WD, Mom       float32
	B1, B2, OneMinus1 float32
	OneMinus2         float32
	Eps, StepSize     float32
	BC2, DecayFactor  float32
}

// ScalarsAt returns the constants of the update with 0-based index step.
func (c Config) ScalarsAt(step int64) Scalars {
	lr := c.LRAt(step)
	s := Scalars{LR: float32(lr), WD: float32(c.WeightDecay), Mom: float32(c.Momentum)}
	if c.Name == SGD {
		return s
	}
	t := int(step + 1)
	s.B1, s.B2 = float32(c.Beta1), float32(c.Beta2)
	s.OneMinus1, s.OneMinus2 = float32(1-c.Beta1), float32(1-c.Beta2)
	s.Eps = float32(c.Eps)
	s.StepSize = float32(lr / (1 - detmath.PowInt(c.Beta1, t)))
	s.BC2 = float32(math.Sqrt(1 - detmath.PowInt(c.Beta2, t)))
	s.DecayFactor = float32(1 - float64(lr*c.WeightDecay))
	return s
}

// Update applies one step to params (updated in place) from grads (read
// only) and advances Step. params[i], grads[i] and the slots of parameter i
// have equal lengths. Elements are split over kernels.Workers() goroutines.
func (o *Optimizer) Update(params, grads [][]float32) {
	if len(params) != len(o.Slots) || len(grads) != len(params) {
		panic(fmt.Sprintf("optim: %d params, %d grads for an optimizer of %d", len(params), len(grads), len(o.Slots)))
	}
	sc := o.Config.ScalarsAt(o.Step)
	for i := range params {
		UpdateTensor(o.Config, sc, params[i], grads[i], o.Slots[i])
	}
	o.Step++
}

// updateGrain is the number of elements one goroutine updates at least.
const updateGrain = 1 << 14

// UpdateTensor applies one update to one parameter tensor with the scalars of
// its step: the single operator a trace records and a dispute re-executes.
func UpdateTensor(c Config, sc Scalars, w, g []float32, slots [][]float32) {
	if len(g) != len(w) || len(slots) != len(c.SlotNames()) {
		panic("optim: UpdateTensor: mismatched lengths")
	}
	for _, s := range slots {
		if len(s) != len(w) {
			panic("optim: UpdateTensor: slot length differs from the parameter's")
		}
	}
	chunks := (len(w) + updateGrain - 1) / updateGrain
	kernels.ParallelFor(chunks, func(ci int) {
		lo, hi := ci*updateGrain, min((ci+1)*updateGrain, len(w))
		switch {
		case c.Name == SGD && c.Momentum == 0:
			sgdPlain(sc, w[lo:hi], g[lo:hi])
		case c.Name == SGD:
			sgdMomentum(sc, c.Nesterov, w[lo:hi], g[lo:hi], slots[0][lo:hi])
		default:
			adam(sc, c.Name == AdamW, w[lo:hi], g[lo:hi], slots[0][lo:hi], slots[1][lo:hi])
		}
	})
}

// The loops below are specialized per option so that the per-element work
// has no branches; each computes exactly the formulas of the package comment.

func sgdPlain(sc Scalars, w, g []float32) {
	g = g[:len(w)]
	lr, wd := sc.LR, sc.WD
	if wd == 0 {
		for i, gi := range g {
			w[i] = w[i] - float32(lr*gi)
		}
		return
	}
	for i, gi := range g {
		wi := w[i]
		gi = gi + float32(wd*wi)
		w[i] = wi - float32(lr*gi)
	}
}

func sgdMomentum(sc Scalars, nesterov bool, w, g, b []float32) {
	g, b = g[:len(w)], b[:len(w)]
	lr, wd, mom := sc.LR, sc.WD, sc.Mom
	switch {
	case wd == 0 && !nesterov:
		for i, gi := range g {
			bi := float32(mom*b[i]) + gi
			b[i] = bi
			w[i] = w[i] - float32(lr*bi)
		}
	case wd == 0 && nesterov:
		for i, gi := range g {
			bi := float32(mom*b[i]) + gi
			b[i] = bi
			gi = gi + float32(mom*bi)
			w[i] = w[i] - float32(lr*gi)
		}
	case !nesterov:
		for i, gi := range g {
			wi := w[i]
			gi = gi + float32(wd*wi)
			bi := float32(mom*b[i]) + gi
			b[i] = bi
			w[i] = wi - float32(lr*bi)
		}
	default:
		for i, gi := range g {
			wi := w[i]
			gi = gi + float32(wd*wi)
			bi := float32(mom*b[i]) + gi
			b[i] = bi
			gi = gi + float32(mom*bi)
			w[i] = wi - float32(lr*gi)
		}
	}
}

func adam(sc Scalars, decoupled bool, w, g, m, v []float32) {
	g, m, v = g[:len(w)], m[:len(w)], v[:len(w)]
	for i := range w {
		wi, gi := w[i], g[i]
		if sc.WD != 0 {
			if decoupled {
				wi = float32(wi * sc.DecayFactor)
			} else {
				gi = gi + float32(sc.WD*wi)
			}
		}
		mi := float32(sc.B1*m[i]) + float32(sc.OneMinus1*gi)
		vi := float32(sc.B2*v[i]) + float32(float32(sc.OneMinus2*gi)*gi)
		m[i], v[i] = mi, vi
		d := kernels.Sqrt32(vi)/sc.BC2 + sc.Eps
		w[i] = wi - float32(sc.StepSize*(mi/d))
	}
}
