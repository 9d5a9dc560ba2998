package optim

import (
	"math"
	"strings"
	"testing"

	"tangent/ml/kernels"
)

// ref64 is a float64 transcription of torch.optim's update rules.
func ref64(c Config, steps int, w0, g []float64) []float64 {
	w := append([]float64(nil), w0...)
	b := make([]float64, len(w))
	m := make([]float64, len(w))
	v := make([]float64, len(w))
	for t := 1; t <= steps; t++ {
		c := c
		c.LR = c.LRAt(int64(t - 1))
		for i := range w {
			gi := g[i] * float64(t) // a gradient that changes per step
			switch c.Name {
			case SGD:
				gi += c.WeightDecay * w[i]
				if c.Momentum != 0 {
					b[i] = c.Momentum*b[i] + gi
					if c.Nesterov {
						gi += c.Momentum * b[i]
					} else {
						gi = b[i]
					}
				}
				w[i] -= c.LR * gi
			default:
				if c.Name == AdamW {
					w[i] *= 1 - c.LR*c.WeightDecay
				} else {
					gi += c.WeightDecay * w[i]
				}
				m[i] = c.Beta1*m[i] + (1-c.Beta1)*gi
				v[i] = c.Beta2*v[i] + (1-c.Beta2)*gi*gi
				bc1 := 1 - math.Pow(c.Beta1, float64(t))
				bc2 := 1 - math.Pow(c.Beta2, float64(t))
				w[i] -= c.LR / bc1 * m[i] / (math.Sqrt(v[i])/math.Sqrt(bc2) + c.Eps)
			}
		}
	}
	return w
}

func run(c Config, steps int, w0, g []float32) ([]float32, *Optimizer) {
	w := append([]float32(nil), w0...)
	o := New(c, []int{len(w)})
	gt := make([]float32, len(g))
	for t := 1; t <= steps; t++ {
		for i := range g {
			gt[i] = g[i] * float32(t)
		}
		o.Update([][]float32{w}, [][]float32{gt})
	}
	return w, o
}

var configs = []Config{
	{Name: SGD, LR: 0.1},
	{Name: SGD, LR: 0.05, Momentum: 0.9, WeightDecay: 1e-4},
	{Name: SGD, LR: 0.05, Momentum: 0.9, Nesterov: true},
	{Name: Adam, LR: 0.01},
	{Name: Adam, LR: 0.01, WeightDecay: 0.01},
	{Name: AdamW, LR: 0.01, WeightDecay: 0.1},
	{Name: SGD, LR: 0.05, Momentum: 0.9, DecaySteps: 10},
}

func TestAgainstFloat64(t *testing.T) {
	n := 1000
	w0, g := make([]float32, n), make([]float32, n)
	w64, g64 := make([]float64, n), make([]float64, n)
	for i := range w0 {
		w0[i] = float32(i%17)/17 - 0.5
		g[i] = float32(i%13)/26 - 0.25
		w64[i], g64[i] = float64(w0[i]), float64(g[i])
	}
	for _, c := range configs {
		c = c.WithDefaults()
		if err := c.Validate(); err != nil {
			t.Fatal(err)
		}
		got, o := run(c, 5, w0, g)
		want := ref64(c, 5, w64, g64)
		for i := range got {
			if math.Abs(float64(got[i])-want[i]) > 1e-5*(1+math.Abs(want[i])) {
				t.Fatalf("%s: w[%d] = %v, float64 reference %v", c.Encode(), i, got[i], want[i])
			}
		}
		if o.Step != 5 {
			t.Fatal("step count")
		}
	}
}

// TestWorkersBitExact: the split over goroutines never changes bits.
func TestWorkersBitExact(t *testing.T) {
	n := 3*updateGrain + 7
	w0, g := make([]float32, n), make([]float32, n)
	for i := range w0 {
		w0[i] = float32(i%101)/101 - 0.5
		g[i] = float32(i%37)/37 - 0.5
	}
	defer kernels.SetWorkers(kernels.SetWorkers(1))
	for _, c := range configs {
		c = c.WithDefaults()
		kernels.SetWorkers(1)
		a, _ := run(c, 3, w0, g)
		kernels.SetWorkers(4)
		b, _ := run(c, 3, w0, g)
		for i := range a {
			if math.Float32bits(a[i]) != math.Float32bits(b[i]) {
				t.Fatalf("%s: element %d differs across worker counts", c.Name, i)
			}
		}
	}
}

// TestResume: an optimizer rebuilt from saved state continues identically.
func TestResume(t *testing.T) {
	w0 := []float32{0.5, -0.25, 1, 2}
	g := []float32{0.1, 0.2, -0.3, 0.05}
	for _, c := range configs {
		c = c.WithDefaults()
		full, _ := run(c, 4, w0, g)
		half, o := run(c, 2, w0, g)
		cc, err := ParseConfig(c.Encode())
		if err != nil || cc != c {
			t.Fatalf("ParseConfig(%q) = %+v, %v", c.Encode(), cc, err)
		}
		o2 := New(cc, []int{4})
		o2.Step = o.Step
		for j := range o.Slots[0] {
			copy(o2.Slots[0][j], o.Slots[0][j])
		}
		gt := make([]float32, 4)
		for tt := 3; tt <= 4; tt++ {
			for i := range g {
				gt[i] = g[i] * float32(tt)
			}
			o2.Update([][]float32{half}, [][]float32{gt})
		}
		for i := range full {
			if full[i] != half[i] {
				t.Fatalf("%s: resumed differs at %d", c.Name, i)
			}
		}
	}
}

func TestValidate(t *testing.T) {
	cases := []struct {
		c    Config
		want string
	}{
		{Config{Name: "rmsprop", LR: 1}, "use sgd, adam or adamw"},
		{Config{Name: SGD, LR: 0}, "learning rate 0"},
		{Config{Name: SGD, LR: math.NaN()}, "learning rate NaN"},
		{Config{Name: SGD, LR: 0.1, Momentum: 1}, "momentum 1"},
		{Config{Name: SGD, LR: 0.1, Nesterov: true}, "nesterov"},
		{Config{Name: Adam, LR: 0.1, Beta1: 1.5}, "betas"},
	}
	for _, c := range cases {
		if err := c.c.WithDefaults().Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: %v, want %q", c.c, err, c.want)
		}
	}
}

func TestLRAt(t *testing.T) {
	c := Config{Name: SGD, LR: 0.1, DecaySteps: 4}
	want := []float64{0.1, 0.075, 0.05, 0.025, 0, 0}
	for i, w := range want {
		if got := c.LRAt(int64(i)); math.Abs(got-w) > 1e-15 {
			t.Errorf("LRAt(%d) = %v, want %v", i, got, w)
		}
	}
	if (Config{Name: SGD, LR: 0.1}).LRAt(1000) != 0.1 {
		t.Error("constant rate changed")
	}
}
