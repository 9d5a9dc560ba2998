// Command gemmreport turns the output of ml/kernels' benchmarks (several
// runs of the same test binary, concatenated) into bench/results/gemm.json:
// for every benchmark the median, minimum and maximum GFLOP/s over the
// runs, and the ratios that matter, each computed within a run (so that
// both sides saw the same machine load) and then summarized by the median.
//
//	go run ./bench/gemmreport < bench/results/gemm.txt > bench/results/gemm.json
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

type stat struct {
	Median float64 `json:"median"`
	Min    float64 `json:"min"`
	Max    float64 `json:"max"`
	Runs   int     `json:"runs"`
}

func summarize(xs []float64) stat {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	if len(s) == 0 {
		return stat{}
	}
	med := s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return stat{Median: round(med), Min: round(s[0]), Max: round(s[len(s)-1]), Runs: len(s)}
}

func round(x float64) float64 { v, _ := strconv.ParseFloat(fmt.Sprintf("%.4g", x), 64); return v }

var line = regexp.MustCompile(`^(Benchmark\S+?)(-\d+)?\s+\d+\s+(.*)$`)

func main() {
	// runs[i][name][metric] = value, one map per run (a run starts at "goos:").
	var runs []map[string]map[string]float64
	var header []string
	sc := bufio.NewScanner(os.Stdin)
	for sc.Scan() {
		t := sc.Text()
		if strings.HasPrefix(t, "goos:") {
			runs = append(runs, map[string]map[string]float64{})
		}
		if strings.HasPrefix(t, "cpu:") && len(header) == 0 {
			header = append(header, strings.TrimSpace(strings.TrimPrefix(t, "cpu:")))
		}
		m := line.FindStringSubmatch(t)
		if m == nil || len(runs) == 0 {
			continue
		}
		f := strings.Fields(m[3])
		vals := map[string]float64{}
		for i := 0; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err == nil {
				vals[f[i+1]] = v
			}
		}
		runs[len(runs)-1][strings.TrimPrefix(m[1], "Benchmark")] = vals
	}
	if len(runs) == 0 {
		fmt.Fprintln(os.Stderr, "gemmreport: no benchmark runs on stdin")
		os.Exit(1)
	}
	names := map[string]bool{}
	for _, r := range runs {
		for n := range r {
			names[n] = true
		}
	}
	metric := func(name, unit string) []float64 {
		var xs []float64
		for _, r := range runs {
			if v, ok := r[name][unit]; ok {
				xs = append(xs, v)
			}
		}
		return xs
	}
	ratio := func(num, den, unit string) []float64 {
		var xs []float64
		for _, r := range runs {
			a, ok1 := r[num][unit]
			b, ok2 := r[den][unit]
			if ok1 && ok2 && b > 0 {
				xs = append(xs, a/b)
			}
		}
		return xs
	}
	out := map[string]any{"cpu": strings.Join(header, ""), "runs": len(runs)}
	bench := map[string]map[string]stat{}
	var sorted []string
	for n := range names {
		sorted = append(sorted, n)
	}
	sort.Strings(sorted)
	for _, n := range sorted {
		e := map[string]stat{}
		for _, unit := range []string{"GFLOP/s", "best-GFLOP/s", "GFLOP/cpu-s", "ns/op", "min-ns/op"} {
			if xs := metric(n, unit); len(xs) > 0 {
				e[unit] = summarize(xs)
			}
		}
		bench[n] = e
	}
	out["benchmarks"] = bench

	// Ratios within each run: best path against the measured FMA peak and
	// against gonum, for the square sizes and the mlp shapes, 1 and 2 threads.
	ratios := map[string]stat{}
	for _, shape := range []string{"sq256", "sq512", "sq1024", "mlp_fwd_64x784x200", "mlp_dW_200x784x64", "mlp_dX_64x784x200"} {
		for _, th := range []string{"1", "2"} {
			for _, path := range []string{"avx512", "avx2", "go"} {
				name := "Gemm/" + shape + "/" + path + "/threads=" + th
				if !names[name] {
					continue
				}
				for _, unit := range []string{"GFLOP/s", "best-GFLOP/s"} {
					if xs := ratio(name, "FMAPeak/zmm/threads="+th, unit); len(xs) > 0 {
						ratios[fmt.Sprintf("%s/%s/threads=%s vs zmm peak (%s)", shape, path, th, unit)] = summarize(xs)
					}
					if xs := ratio(name, "GemmGonum/"+shape+"/gonum/threads="+th, unit); len(xs) > 0 {
						ratios[fmt.Sprintf("%s/%s/threads=%s vs gonum (%s)", shape, path, th, unit)] = summarize(xs)
					}
				}
			}
		}
	}
	out["ratios"] = ratios

	// cnn-small's convolution work per training step at batch 64: conv1
	// forward and filter gradient (its input gradient is not needed),
	// conv2 forward, input gradient and filter gradient.
	step := map[string]stat{}
	for _, th := range []string{"1", "2"} {
		passes := []string{
			"Conv/conv1_1x28x28_6x5x5/fwd", "Conv/conv1_1x28x28_6x5x5/bwdFilter",
			"Conv/conv2_6x12x12_16x5x5/fwd", "Conv/conv2_6x12x12_16x5x5/bwdData", "Conv/conv2_6x12x12_16x5x5/bwdFilter",
		}
		for _, unit := range []string{"ns/op", "min-ns/op"} {
			var xs []float64
			for _, r := range runs {
				sum, ok := 0.0, true
				for _, p := range passes {
					v, found := r[p+"/threads="+th][unit]
					ok = ok && found
					sum += v
				}
				if ok {
					xs = append(xs, sum/1e6)
				}
			}
			if len(xs) > 0 {
				step[fmt.Sprintf("threads=%s ms (from %s)", th, unit)] = summarize(xs)
			}
		}
	}
	out["cnn_small_conv_ms_per_step"] = step
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(out); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
