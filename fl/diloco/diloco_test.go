package diloco

import (
	"math"
	"slices"
	"testing"

	"tangent/fl/agg"
)

// refStep is the simple twin: PyTorch's SGD with momentum and Nesterov,
// written from its documentation, with explicit roundings.
func refStep(p, v, g []float32, lr, mu float32, nesterov bool) {
	for j := range p {
		b := float32(mu*v[j]) + g[j]
		v[j] = b
		d := b
		if nesterov {
			d = g[j] + float32(mu*b)
		}
		p[j] = p[j] - float32(lr*d)
	}
}

func TestStepMatchesReference(t *testing.T) {
	for _, nesterov := range []bool{false, true} {
		cfg := Config{LR: 0.7, Momentum: 0.9, Nesterov: nesterov}
		o := NewOuter(50, cfg)
		p := make([]float32, 50)
		rp, rv := make([]float32, 50), make([]float32, 50)
		for step := range 20 {
			g := make([]float32, 50)
			for j := range g {
				g[j] = float32(math.Sin(float64(step*50 + j)))
			}
			if err := o.Step(p, g); err != nil {
				t.Fatal(err)
			}
			refStep(rp, rv, g, cfg.LR, cfg.Momentum, nesterov)
		}
		if !slices.Equal(p, rp) || !slices.Equal(o.Momentum(), rv) {
			t.Fatalf("nesterov=%v: differs from the reference", nesterov)
		}
	}
}

// TestFedAvgSpecialCase: η = 1, μ = 0 makes the outer step θ − mean(θ − θ_i),
// the FedAvg average (up to float32 rounding of the differences).
func TestFedAvgSpecialCase(t *testing.T) {
	global := []float32{1, 2, 3}
	locals := [][]float32{{0.5, 2, 4}, {1.5, 1, 3}}
	g, err := PseudoGradient(global, locals, []uint64{1, 1})
	if err != nil {
		t.Fatal(err)
	}
	o := NewOuter(3, Config{LR: 1})
	p := slices.Clone(global)
	_ = o.Step(p, g)
	want, _ := agg.Mean(nil, locals)
	if !slices.Equal(p, want) {
		t.Errorf("got %v, FedAvg %v", p, want)
	}
}

// TestConvergesOnQuadratic: 4 workers, each with its own quadratic
// ½‖θ − c_i‖², take H = 10 local SGD steps; DiLoCo's outer loop converges
// to the mean of the c_i, as plain averaging (η = 1, μ = 0) does. (On a
// well-conditioned quadratic momentum does not beat averaging; this checks
// the fixed point and stability, not speed.)
func TestConvergesOnQuadratic(t *testing.T) {
	centers := [][]float32{{1, -2, 3, 0}, {3, 0, 1, 2}, {-1, 2, 3, 4}, {1, 0, 1, 2}}
	opt := []float32{1, 0, 2, 2}
	run := func(cfg Config, outer int) float64 {
		theta := make([]float32, 4)
		o := NewOuter(4, cfg)
		for range outer {
			locals := make([][]float32, len(centers))
			for i, c := range centers {
				l := slices.Clone(theta)
				for range 10 {
					for j := range l {
						l[j] = l[j] - float32(0.01*(l[j]-c[j]))
					}
				}
				locals[i] = l
			}
			g, err := PseudoGradient(theta, locals, []uint64{1, 1, 1, 1})
			if err != nil {
				t.Fatal(err)
			}
			if err := o.Step(theta, g); err != nil {
				t.Fatal(err)
			}
		}
		var e float64
		for j := range theta {
			e = math.Max(e, math.Abs(float64(theta[j]-opt[j])))
		}
		return e
	}
	eDiLoCo := run(DefaultConfig(), 200)
	eAvg := run(Config{LR: 1}, 200)
	t.Logf("after 200 outer steps: DiLoCo error %.2e, plain averaging %.2e", eDiLoCo, eAvg)
	if eDiLoCo > 1e-3 || eAvg > 1e-3 {
		t.Errorf("did not converge: DiLoCo error %v, averaging %v", eDiLoCo, eAvg)
	}
}

func TestErrors(t *testing.T) {
	if _, err := PseudoGradient([]float32{1, 2}, [][]float32{{1}}, []uint64{1}); err == nil {
		t.Error("short local accepted")
	}
	o := NewOuter(2, DefaultConfig())
	if err := o.Step([]float32{0, 0}, []float32{float32(math.NaN()), 0}); err == nil {
		t.Error("NaN gradient accepted")
	}
	if err := o.SetMomentum([]float32{1}); err == nil {
		t.Error("short momentum accepted")
	}
}
