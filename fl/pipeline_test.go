package fl_test

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math"
	"slices"
	"testing"

	"tangent/fl/agg"
	"tangent/fl/codec"
	"tangent/fl/consensus"
	"tangent/fl/contrib"
	"tangent/fl/internal/splitmix"
	"tangent/fl/vec"
)

// The pipeline test runs a whole federated task through the fl rules, the
// way trainers, validators and the ledger will: local training, top-k
// compression with error feedback and 8-bit values, the wire format,
// validator scoring, stake-weighted consensus with two-sided trust, FedAvg
// of the accepted updates, and final settlement by projection. It is the
// seeded simulation of STYLE.md point 12: the same seed gives the same
// model hash and the same payouts, pinned by a golden digest that must also
// hold under GOAMD64=v3 and on arm64.

const (
	dim        = 4096
	nTrainers  = 8 // trainer 7 flips the sign of its update
	flipper    = 7
	nValidator = 5 // validator 4 low-balls trainer 0
	lowballer  = 4
	nRounds    = 5
)

type outcome struct {
	model     []float32
	accepted  [][]bool
	trust     [][]uint32
	payout    []uint64
	bytesSent int
}

func loss(w, target []float32) float64 {
	d := make([]float32, len(w))
	for j := range w {
		d[j] = w[j] - target[j]
	}
	return vec.Norm2(d)
}

func simulate(t *testing.T, seed uint64) outcome {
	s := splitmix.Gen(seed)
	truth := make([]float32, dim)
	for j := range truth {
		truth[j] = s.Float(1)
	}
	noisy := func(scale float32) []float32 {
		v := make([]float32, dim)
		for j := range v {
			v[j] = truth[j] + s.Float(scale)
		}
		return v
	}
	trainerData := make([][]float32, nTrainers)
	for k := range trainerData {
		trainerData[k] = noisy(0.1)
	}
	validatorData := make([][]float32, nValidator)
	for v := range validatorData {
		validatorData[v] = noisy(0.1)
	}
	stakes := []uint64{400, 300, 300, 200, 250}
	// Accept an update whose consensus score is ≥ 0.45: near convergence an
	// honest update may not improve a validator's own noisy held-out data.
	params := consensus.DefaultParams()
	params.Accept = 450_000
	comps := make([]*codec.Compressor, nTrainers)
	for k := range comps {
		c, err := codec.NewCompressor(dim, codec.Config{K: dim / 10, Quantize: true})
		if err != nil {
			t.Fatal(err)
		}
		comps[k] = c
	}
	var out outcome
	w := make([]float32, dim)
	var starts [][]float32
	var sent [][][]float32
	for range nRounds {
		starts = append(starts, slices.Clone(w))
		deltas := make([][]float32, nTrainers)
		for k := range nTrainers {
			local := slices.Clone(w)
			for j := range local {
				local[j] = local[j] - float32(0.3*(local[j]-trainerData[k][j]))
			}
			d := make([]float32, dim)
			for j := range d {
				d[j] = local[j] - w[j]
				if k == flipper {
					d[j] = -2 * d[j]
				}
			}
			sp, err := comps[k].Compress(d)
			if err != nil {
				t.Fatal(err)
			}
			b, err := codec.Encode(sp)
			if err != nil {
				t.Fatal(err)
			}
			out.bytesSent += len(b)
			got, err := codec.Decode(b, codec.DefaultLimits())
			if err != nil {
				t.Fatal(err)
			}
			deltas[k] = got.Dense()
		}
		sent = append(sent, deltas)
		scores := make([][]uint32, nValidator)
		for v := range scores {
			scores[v] = make([]uint32, nTrainers)
			base := loss(w, validatorData[v])
			for k, d := range deltas {
				next := make([]float32, dim)
				for j := range next {
					next[j] = w[j] + d[j]
				}
				gain := (base - loss(next, validatorData[v])) / base
				score := min(1, max(0, 0.5+2*gain))
				scores[v][k] = uint32(math.Round(score * consensus.PPM))
			}
		}
		scores[lowballer][0] = 0
		r, err := consensus.ScoreRound(stakes, scores, params)
		if err != nil {
			t.Fatal(err)
		}
		out.accepted = append(out.accepted, r.Accepted)
		out.trust = append(out.trust, r.Trust)
		var acc [][]float32
		var ws []uint64
		for k, ok := range r.Accepted {
			if ok {
				acc, ws = append(acc, deltas[k]), append(ws, 1000)
			}
		}
		mean, err := agg.WeightedMean(nil, acc, ws)
		if err != nil {
			t.Fatal(err)
		}
		for j := range w {
			w[j] = w[j] + mean[j]
		}
	}
	totals := make([]uint64, nTrainers)
	owners := []int{0, 1, 2, 3, 4, 5, 6, 7}
	for r := range nRounds {
		sc, err := contrib.Projection(starts[r], w, sent[r])
		if err != nil {
			t.Fatal(err)
		}
		if err := contrib.Accumulate(totals, owners, sc); err != nil {
			t.Fatal(err)
		}
	}
	pay, err := contrib.Payout(1_000_000_000, totals)
	if err != nil {
		t.Fatal(err)
	}
	out.model, out.payout = w, pay
	return out
}

// digest binds the model bits, every acceptance, every trust value and
// every payout.
func digest(o outcome) string {
	h := sha256.New()
	m := vec.Hash(o.model)
	h.Write(m[:])
	var b []byte
	for r := range o.accepted {
		for _, a := range o.accepted[r] {
			if a {
				b = append(b, 1)
			} else {
				b = append(b, 0)
			}
		}
		for _, tr := range o.trust[r] {
			b = binary.LittleEndian.AppendUint32(b, tr)
		}
	}
	for _, p := range o.payout {
		b = binary.LittleEndian.AppendUint64(b, p)
	}
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))
}

func TestPipelineSeededDeterminism(t *testing.T) {
	a := simulate(t, 2026)
	for run := 0; run < 2; run++ {
		if b := simulate(t, 2026); digest(b) != digest(a) {
			t.Fatalf("run %d: same seed, different outcome", run+2)
		}
	}
	// The behaviour the protocol wants, every round.
	for r := range a.accepted {
		if a.accepted[r][flipper] {
			t.Errorf("round %d: sign-flipper accepted", r)
		}
		for k := 0; k < flipper; k++ {
			if !a.accepted[r][k] {
				t.Errorf("round %d: honest trainer %d rejected", r, k)
			}
		}
		for v, tr := range a.trust[r] {
			if (v == lowballer) != (tr < consensus.DefaultParams().MinTrust) {
				t.Errorf("round %d: validator %d trust %d", r, v, tr)
			}
		}
	}
	if a.payout[flipper] != 0 {
		t.Errorf("sign-flipper paid %d", a.payout[flipper])
	}
	if l := loss(a.model, make([]float32, dim)); l == 0 {
		t.Error("model did not move")
	}
	dense := nRounds * nTrainers * codec.DenseSize(dim)
	t.Logf("upload: %d bytes, %.2f %% of dense; payouts %v", a.bytesSent, 100*float64(a.bytesSent)/float64(dense), a.payout)
	const golden = "28539ded14ff73539919c228f8e18583dbc480da7974b73c30fcfa25df2bbf1a"
	if got := digest(a); got != golden {
		t.Errorf("pipeline digest %s, golden %s", got, golden)
	}
}
