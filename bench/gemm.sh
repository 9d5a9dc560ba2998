#!/usr/bin/env bash
# bench/gemm.sh: float32 GEMM and convolution benchmarks of ml/kernels, with
# the CPU's measured FMA peak and gonum's float32 GEMM as baselines in the
# same runs. Writes bench/results/gemm.txt (raw `go test -bench` output of
# every run) and bench/results/gemm.json (median/min/max per benchmark and
# per-run ratios). Run it on a quiet machine: a concurrent build halves
# every figure. RUNS (default 5) and BENCHTIME (default 0.5s) can be set.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-5}
BENCHTIME=${BENCHTIME:-0.5s}
out=bench/results
mkdir -p "$out"
bin=$(mktemp -d)/kernels.test
trap 'rm -rf "$(dirname "$bin")"' EXIT
go test -c -o "$bin" ./ml/kernels
{
	echo "# $(date -u +%FT%TZ) $(nproc) CPUs: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-)"
	echo "# go test -bench 'FMAPeak|Gemm|Conv|Pool|MicroKernel' -benchtime $BENCHTIME, $RUNS interleaved runs"
} >"$out/gemm.txt"
# Interleave: each run measures the peak, every Gemm path, gonum and the
# convolutions one after the other, so ratios compare like with like.
for i in $(seq "$RUNS"); do
	echo "run $i/$RUNS" >&2
	"$bin" -test.run '^$' -test.bench 'FMAPeak|Gemm|Conv|Pool|MicroKernel' -test.benchtime "$BENCHTIME" | tee -a "$out/gemm.txt" >&2
done
go run ./bench/gemmreport <"$out/gemm.txt" >"$out/gemm.json"
if command -v benchstat >/dev/null; then benchstat "$out/gemm.txt" >"$out/gemm.benchstat.txt" || true; fi
echo "wrote $out/gemm.txt and $out/gemm.json" >&2
