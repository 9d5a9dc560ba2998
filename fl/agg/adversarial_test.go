package agg

import (
	"testing"

	"tangent/fl/internal/splitmix"
	"tangent/fl/vec"
)

// honestRound returns nh honest updates clustered around a common direction
// and their plain mean.
func honestRound(seed uint64, nh, p int) ([][]float32, []float32) {
	s := splitmix.Gen(seed)
	center := make([]float32, p)
	for j := range center {
		center[j] = s.Float(1)
	}
	xs := make([][]float32, nh)
	for i := range xs {
		xs[i] = make([]float32, p)
		for j := range xs[i] {
			xs[i][j] = center[j] + s.Float(0.3)
		}
	}
	mean, _ := Mean(nil, xs)
	return xs, mean
}

func relErr(got, want []float32) float64 {
	diff := make([]float32, len(got))
	for i := range got {
		diff[i] = got[i] - want[i]
	}
	return vec.Norm(diff) / vec.Norm(want)
}

// TestAdversarial runs each rule against 7 honest updates plus 2 attackers
// (22 % of the round) and checks how far the aggregate lands from the honest
// mean. The plain mean is the control: it must be dragged away, or the
// attack proves nothing.
func TestAdversarial(t *testing.T) {
	const nh, p = 7, 4096
	honest, target := honestRound(42, nh, p)
	s := splitmix.Gen(43)
	attacks := map[string]func() []float32{
		"scaled x100": func() []float32 {
			x := make([]float32, p)
			for j := range x {
				x[j] = float32(100 * float64(target[j]+s.Float(0.3)))
			}
			return x
		},
		"sign-flipped x10": func() []float32 {
			x := make([]float32, p)
			for j := range x {
				x[j] = float32(-10 * float64(target[j]))
			}
			return x
		},
		"random noise": func() []float32 {
			x := make([]float32, p)
			for j := range x {
				x[j] = s.Float(30)
			}
			return x
		},
	}
	reference := make([]float32, p) // FLTrust's server update: honest direction plus its own noise
	for j := range reference {
		reference[j] = target[j] + s.Float(0.5)
	}
	for name, attack := range attacks {
		xs := append(append([][]float32{}, honest...), attack(), attack())
		mean, _ := Mean(nil, xs)
		if e := relErr(mean, target); e < 1 {
			t.Fatalf("%s: the plain mean is only %.3f off: the attack is too weak to test anything", name, e)
		}
		med, err := Median(nil, xs)
		check := func(rule string, out []float32, err error, tol float64) {
			t.Helper()
			if err != nil {
				t.Fatalf("%s/%s: %v", name, rule, err)
			}
			e := relErr(out, target)
			t.Logf("%s/%s: %.4f from the honest mean", name, rule, e)
			if e > tol {
				t.Errorf("%s/%s: %.3f relative distance to the honest mean, want ≤ %.2f", name, rule, e, tol)
			}
		}
		check("Median", med, err, 0.25)
		tm, err := TrimmedMean(nil, xs, 2)
		check("TrimmedMean", tm, err, 0.15)
		mk, sel, err := MultiKrum(nil, xs, nil, 2, nh)
		check("MultiKrum", mk, err, 1e-6)
		for _, i := range sel {
			if i >= nh {
				t.Errorf("%s/MultiKrum selected attacker %d", name, i)
			}
		}
		ft, trust, err := FLTrust(nil, xs, reference)
		check("FLTrust", ft, err, 0.15)
		if name == "sign-flipped x10" && (trust[nh] != 0 || trust[nh+1] != 0) {
			t.Errorf("sign-flipped updates got trust %v, %v; want 0", trust[nh], trust[nh+1])
		}
	}
}
