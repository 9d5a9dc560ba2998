// Command flbench measures fl's aggregation throughput against memory
// bandwidth measured in the same run (a plain copy of the same bytes,
// interleaved), the codec's byte ratios and speed, and the DP accountant
// against published ε. It writes one JSON object (bench/fl.sh saves it as
// bench/results/fl.json).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	"tangent/fl/agg"
	"tangent/fl/codec"
	"tangent/fl/dp"
)

type stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
}

func summarize(xs []float64) stat {
	s := slices.Clone(xs)
	slices.Sort(s)
	return stat{Median: s[len(s)/2], Min: s[0], Max: s[len(s)-1]}
}

func timeIt(f func()) float64 {
	t0 := time.Now()
	f()
	return time.Since(t0).Seconds()
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func main() {
	out := flag.String("out", "", "write the JSON here (default stdout)")
	n := flag.Int("n", 10, "updates per aggregation")
	p := flag.Int("p", 1<<20, "parameters per update")
	reps := flag.Int("reps", 9, "measured repetitions (after one warm-up)")
	flag.Parse()

	r := rand.New(rand.NewPCG(1, 2))
	xs := make([][]float32, *n)
	for i := range xs {
		xs[i] = make([]float32, *p)
		for j := range xs[i] {
			xs[i][j] = float32(r.NormFloat64())
		}
	}
	w := make([]uint64, *n)
	for i := range w {
		w[i] = uint64(100 + i)
	}
	inBytes := float64(4 * *n * *p)
	copyDst := make([]float32, *n**p)
	aggDst := make([]float32, *p)
	doCopy := func() {
		for i, x := range xs {
			copy(copyDst[i**p:], x)
		}
	}
	doMean := func() {
		if _, err := agg.WeightedMean(aggDst, xs, w); err != nil {
			panic(err)
		}
	}
	doMedian := func() {
		if _, err := agg.Median(aggDst, xs); err != nil {
			panic(err)
		}
	}
	doCopy()
	doMean()
	var copyBW, meanBW, ratio, trafficRatio, medianBW []float64
	// Memory traffic: the copy reads and writes N·P·4 bytes; the mean reads
	// N·P·4 and writes P·4.
	traffic := float64(*n+1) / float64(2**n)
	for range *reps {
		c := inBytes / timeIt(doCopy) / 1e9
		m := inBytes / timeIt(doMean) / 1e9
		copyBW, meanBW, ratio = append(copyBW, c), append(meanBW, m), append(ratio, m/c)
		trafficRatio = append(trafficRatio, m/c*traffic)
	}
	for range 3 {
		medianBW = append(medianBW, inBytes/timeIt(doMedian)/1e9)
	}

	// Codec: one 1M-parameter update at several k, with and without 8-bit values.
	dim := 1 << 20
	u := make([]float32, dim)
	for j := range u {
		u[j] = float32(r.NormFloat64() * math.Exp(r.NormFloat64()))
	}
	type codecRow struct {
		KPercent      float64 `json:"k_percent"`
		Quantized     bool    `json:"quantized"`
		Bytes         int     `json:"bytes"`
		DenseBytes    int     `json:"dense_bytes"`
		PercentDense  float64 `json:"percent_of_dense"`
		CompressMs    float64 `json:"compress_ms"`
		EncodeMs      float64 `json:"encode_ms"`
		DecodeMs      float64 `json:"decode_ms"`
		IndexEncoding string  `json:"index_encoding"`
	}
	var codecRows []codecRow
	for _, ppm := range []int{1000, 5000, 10000} {
		for _, q := range []bool{false, true} {
			c, err := codec.NewCompressor(dim, codec.Config{K: codec.KForFraction(dim, ppm), Quantize: q})
			if err != nil {
				panic(err)
			}
			var s codec.Sparse
			ct := timeIt(func() { s, err = c.Compress(u) })
			if err != nil {
				panic(err)
			}
			var b []byte
			et := timeIt(func() { b, err = codec.Encode(s) })
			if err != nil {
				panic(err)
			}
			dt := timeIt(func() { _, err = codec.Decode(b, codec.DefaultLimits()) })
			if err != nil {
				panic(err)
			}
			enc := "delta-varint"
			if b[1]&2 != 0 {
				enc = "bitmap"
			}
			codecRows = append(codecRows, codecRow{
				KPercent: float64(ppm) / 1e4, Quantized: q, Bytes: len(b), DenseBytes: codec.DenseSize(dim),
				PercentDense: 100 * float64(len(b)) / float64(codec.DenseSize(dim)),
				CompressMs:   ct * 1e3, EncodeMs: et * 1e3, DecodeMs: dt * 1e3, IndexEncoding: enc,
			})
		}
	}

	type dpRow struct {
		Case      string  `json:"case"`
		Source    string  `json:"source"`
		Published float64 `json:"published_epsilon"`
		Ours      float64 `json:"tangent_epsilon"`
	}
	var dpRows []dpRow
	e, _, _ := dp.DPSGDEpsilon(60000, 150, 1.3, 15, 1e-5)
	dpRows = append(dpRows, dpRow{"n=60000 b=150 σ=1.3 15 epochs δ=1e-5, improved conversion", "TF-Privacy compute_dp_sgd_privacy_test.py", 0.7242234026109595, e})
	e, _, _ = dp.DPSGDEpsilon(100000, 100, 1.0, 30, 1e-7)
	dpRows = append(dpRows, dpRow{"n=100000 b=100 σ=1.0 30 epochs δ=1e-7, improved conversion", "TF-Privacy compute_dp_sgd_privacy_test.py", 1.4154988495444842, e})
	var old []float64
	for x := 1; x < 100; x++ {
		old = append(old, 1+float64(x)/10)
	}
	for a := 12; a < 64; a++ {
		old = append(old, float64(a))
	}
	for _, c := range []struct{ sigma, epochs, eps float64 }{{1.12, 60, 2.92}, {0.6, 30, 9.74}, {1.2, 10, 1.20}} {
		acc, _ := dp.NewAccountant(old)
		_ = acc.Compose(256.0/60000, c.sigma, int(c.epochs)*60000/256)
		e, _, _ := acc.EpsilonWith(1e-5, dp.Standard)
		dpRows = append(dpRows, dpRow{fmt.Sprintf("MNIST q=256/60000 σ=%.2f %.0f epochs δ=1e-5, standard conversion", c.sigma, c.epochs), "TF-Privacy tutorials/README.md", c.eps, e})
	}
	var ints []float64
	for a := 2; a <= 33; a++ {
		ints = append(ints, float64(a))
	}
	acc, _ := dp.NewAccountant(ints)
	_ = acc.Compose(0.01, 4, 10000)
	e, _, _ = acc.EpsilonWith(1e-5, dp.Standard)
	dpRows = append(dpRows, dpRow{"q=0.01 σ=4 T=10000 δ=1e-5, moments accountant (orders 2..33, standard)", "Abadi et al. 2016 §3.1", 1.26, e})

	res := map[string]any{
		"date":    time.Now().UTC().Format(time.RFC3339),
		"machine": map[string]any{"nproc": runtime.NumCPU(), "cpu": cpuModel(), "goarch": runtime.GOARCH, "go": runtime.Version(), "goamd64": os.Getenv("GOAMD64")},
		"command": "bash bench/fl.sh",
		"aggregation": map[string]any{
			"updates": *n, "params": *p, "input_bytes": int(inBytes), "repetitions": *reps,
			"note":                    "GB/s of input (N·P·4 bytes) per second, single thread; copy moves the same N·P·4 bytes (read + write), interleaved with the aggregation in the same run",
			"copy_gbps":               summarize(copyBW),
			"weighted_mean_gbps":      summarize(meanBW),
			"weighted_mean_over_copy": summarize(ratio),
			"weighted_mean_traffic_over_copy_traffic": summarize(trafficRatio),
			"best_weighted_mean_over_best_copy":       summarize(meanBW).Max / summarize(copyBW).Max,
			"median_gbps":                             summarize(medianBW),
			"target_weighted_mean_over_copy":          0.5,
		},
		"codec": codecRows,
		"dp":    dpRows,
	}
	enc, _ := json.MarshalIndent(res, "", "  ")
	enc = append(enc, '\n')
	if *out == "" {
		os.Stdout.Write(enc)
		return
	}
	if err := os.WriteFile(*out, enc, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "weighted mean %.2f GB/s vs copy %.2f GB/s (median ratio %.2f, best-of ratio %.2f); wrote %s\n",
		summarize(meanBW).Median, summarize(copyBW).Median, summarize(ratio).Median, summarize(meanBW).Max/summarize(copyBW).Max, *out)
}
