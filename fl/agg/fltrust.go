package agg

import (
	"strconv"

	"tangent/fl/vec"
)

// FLTrust aggregates updates by trust in a reference update g0 that the
// aggregator computed itself on a small clean dataset (Cao et al., "FLTrust:
// Byzantine-robust Federated Learning via Trust Bootstrapping", NDSS 2021):
//
//	TS_i = max(0, cos(g_i, g0))                  (ReLU-clipped cosine)
//	ĝ_i  = g_i · ‖g0‖/‖g_i‖                       (rescaled to the reference norm)
//	g    = Σ_i TS_i·ĝ_i / Σ_i TS_i
//
// computed per coordinate as s = Σ_i float64(c_i·float64(g_i[j])) in update
// order with c_i = TS_i·‖g0‖/‖g_i‖, then float32(s / Σ TS). Norms and dot
// products use fl/vec. An update with zero norm gets TS = 0. When every TS
// is zero the aggregate is the zero vector (no update this round). The trust
// scores are returned for reporting.
func FLTrust(dst []float32, updates [][]float32, reference []float32) ([]float32, []float64, error) {
	dim, err := check(updates)
	if err != nil {
		return nil, nil, err
	}
	if len(reference) != dim {
		return nil, nil, &ParamError{Rule: "FLTrust", Reason: "reference has " + strconv.Itoa(len(reference)) + " elements, updates have " + strconv.Itoa(dim)}
	}
	if j := vec.FirstNonFinite(reference); j >= 0 {
		return nil, nil, &ParamError{Rule: "FLTrust", Reason: "reference element " + strconv.Itoa(j) + " is not finite"}
	}
	n0 := vec.Norm(reference)
	if n0 == 0 {
		return nil, nil, &ParamError{Rule: "FLTrust", Reason: "reference update is zero: no direction to trust"}
	}
	trust := make([]float64, len(updates))
	coef := make([]float64, len(updates))
	var total float64
	for i, u := range updates {
		ni := vec.Norm(u)
		if ni == 0 {
			continue
		}
		c := vec.Dot(u, reference) / (ni * n0)
		if !(c > 0) {
			continue
		}
		trust[i] = c
		coef[i] = c * (n0 / ni)
		total = total + c
	}
	out := output(dst, dim)
	if total == 0 {
		clear(out)
		return out, trust, nil
	}
	if combine(out, updates, coef, total) >= 0 {
		return nil, nil, ErrOverflow
	}
	return out, trust, nil
}
