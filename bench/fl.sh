#!/usr/bin/env bash
# fl benchmark: aggregation throughput (N=10 updates of P=1M floats) against a
# plain copy of the same bytes measured in the same run, codec byte ratios,
# DP accountant vs published ε. Writes bench/results/fl.json.
# Run on a quiet machine (BENCHMARKS.md rule 2); on a loaded one the best-of
# ratio (fastest mean over fastest copy) is the steadier figure. Also available as Go
# benchmarks for benchstat: go test -run '^$' -bench . -count 6 ./fl/agg
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
go run ./bench/flbench -out bench/results/fl.json "$@"
