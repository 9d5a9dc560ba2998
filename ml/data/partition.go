package data

import (
	"fmt"
	"math"
	"slices"

	"tangent/ml/detmath"
	"tangent/ml/tensor"
)

// A partition assigns example indices to clients: part[c] lists client c's
// examples in ascending order. The partitioners below are pure functions of
// their arguments: Philox stream tensor.StreamData of seed drives them, and
// any float arithmetic is explicitly rounded float64 (ml/detmath), so they
// give the same lists on every platform.

// IID shuffles the n examples and cuts them into clients nearly equal parts
// (the first n%clients parts have one more example).
func IID(n, clients int, seed uint64) ([][]int, error) {
	if clients <= 0 || clients > n {
		return nil, fmt.Errorf("IID partition: %d clients for %d examples: want 1 to %d clients", clients, n, n)
	}
	perm := tensor.NewRNG(seed, tensor.StreamData).Perm(n)
	part := make([][]int, clients)
	for c := range part {
		lo, hi := c*(n/clients)+min(c, n%clients), (c+1)*(n/clients)+min(c+1, n%clients)
		part[c] = slices.Clone(perm[lo:hi])
		slices.Sort(part[c])
	}
	return part, nil
}

// byClass returns, for each class, the indices of its examples in ascending
// order.
func byClass(labels []uint8, classes int) ([][]int, error) {
	idx := make([][]int, classes)
	for i, l := range labels {
		if int(l) >= classes {
			return nil, fmt.Errorf("label %d of example %d is not below %d classes", l, i, classes)
		}
		idx[l] = append(idx[l], i)
	}
	return idx, nil
}

// Dirichlet splits each class among the clients in proportions drawn from a
// symmetric Dirichlet(alpha) distribution, as NIID-Bench (Li et al. 2021)
// does: a client that already holds n/clients examples gets no more, and the
// draw is repeated until every client holds at least minSize examples (it
// fails after 1000 tries: lower minSize or raise alpha). Smaller alpha means
// more skew; alpha 0.5 is the usual "non-IID" setting.
func Dirichlet(labels []uint8, classes, clients int, alpha float64, minSize int, seed uint64) ([][]int, error) {
	n := len(labels)
	if clients <= 0 || clients > n {
		return nil, fmt.Errorf("Dirichlet partition: %d clients for %d examples", clients, n)
	}
	if !(alpha > 0) || math.IsInf(alpha, 0) {
		return nil, fmt.Errorf("Dirichlet partition: alpha %v must be a positive number", alpha)
	}
	if minSize*clients > n {
		return nil, fmt.Errorf("Dirichlet partition: %d clients × minimum %d > %d examples", clients, minSize, n)
	}
	cls, err := byClass(labels, classes)
	if err != nil {
		return nil, err
	}
	r := tensor.NewRNG(seed, tensor.StreamData)
	prop := make([]float64, clients)
	for try := 0; try < 1000; try++ {
		part := make([][]int, clients)
		for k := 0; k < classes; k++ {
			idx := slices.Clone(cls[k])
			r.Shuffle(idx)
			sum := 0.0
			for c := range prop {
				g := gamma(r, alpha)
				if len(part[c]) >= n/clients {
					g = 0
				}
				prop[c] = g
				sum += g
			}
			// Cut points: floor(cumsum(prop)/sum * len(idx)) as in NIID-Bench.
			lo, cum := 0, 0.0
			for c := range prop {
				cum += prop[c]
				hi := len(idx)
				if c < clients-1 && sum > 0 {
					hi = int(float64(float64(cum/sum) * float64(len(idx))))
					hi = min(max(hi, lo), len(idx))
				} else if sum == 0 && c < clients-1 {
					hi = lo
				}
				part[c] = append(part[c], idx[lo:hi]...)
				lo = hi
			}
		}
		smallest := n
		for _, p := range part {
			smallest = min(smallest, len(p))
		}
		if smallest >= minSize {
			for _, p := range part {
				slices.Sort(p)
			}
			return part, nil
		}
	}
	return nil, fmt.Errorf("Dirichlet partition: no draw in 1000 gave every one of %d clients %d examples (alpha %v): lower the minimum or raise alpha", clients, minSize, alpha)
}

// KLabels gives each client k distinct labels (client c gets label c%classes
// and k-1 others drawn at random) and splits each label's examples equally
// among the clients that hold it: NIID-Bench's "#C=k" partition.
func KLabels(labels []uint8, classes, clients, k int, seed uint64) ([][]int, error) {
	if k <= 0 || k > classes {
		return nil, fmt.Errorf("k-labels partition: k = %d must be between 1 and %d classes", k, classes)
	}
	if clients <= 0 {
		return nil, fmt.Errorf("k-labels partition: %d clients", clients)
	}
	cls, err := byClass(labels, classes)
	if err != nil {
		return nil, err
	}
	r := tensor.NewRNG(seed, tensor.StreamData)
	holders := make([][]int, classes) // clients holding each label, ascending
	for c := 0; c < clients; c++ {
		have := []int{c % classes}
		for len(have) < k {
			l := r.IntN(classes)
			if !slices.Contains(have, l) {
				have = append(have, l)
			}
		}
		for _, l := range have {
			holders[l] = append(holders[l], c)
		}
	}
	part := make([][]int, clients)
	for l, hs := range holders {
		if len(hs) == 0 {
			continue
		}
		idx := slices.Clone(cls[l])
		r.Shuffle(idx)
		n, m := len(idx), len(hs)
		for j, c := range hs {
			lo, hi := j*(n/m)+min(j, n%m), (j+1)*(n/m)+min(j+1, n%m)
			part[c] = append(part[c], idx[lo:hi]...)
		}
	}
	for c, p := range part {
		if len(p) == 0 {
			return nil, fmt.Errorf("k-labels partition: client %d got no examples (too many clients for the data)", c)
		}
		slices.Sort(p)
	}
	return part, nil
}

// normal draws a standard normal variate (Marsaglia's polar method).
func normal(r *tensor.RNG) float64 {
	for {
		u := float64(2*r.Float64()) - 1
		v := float64(2*r.Float64()) - 1
		s := float64(u*u) + float64(v*v)
		if s > 0 && s < 1 {
			return float64(u * math.Sqrt(float64(float64(-2*detmath.Log(s))/s)))
		}
	}
}

// gamma draws a Gamma(a, 1) variate (Marsaglia and Tsang 2000; for a < 1,
// Gamma(a+1)·U^(1/a)).
func gamma(r *tensor.RNG, a float64) float64 {
	if a < 1 {
		u := r.Float64()
		return float64(gamma(r, a+1) * detmath.Exp(float64(detmath.Log(u)/a)))
	}
	d := a - 1.0/3
	c := 1 / math.Sqrt(float64(9*d))
	for {
		x := normal(r)
		v := 1 + float64(c*x)
		if v <= 0 {
			continue
		}
		v = float64(float64(v*v) * v)
		u := r.Float64()
		x2 := float64(x * x)
		if u < 1-float64(float64(0.0331*x2)*x2) {
			return float64(d * v)
		}
		if detmath.Log(u) < float64(0.5*x2)+float64(d*float64(float64(1-v)+detmath.Log(v))) {
			return float64(d * v)
		}
	}
}
