#!/usr/bin/env bash
# make bench: run every benchmark script under bench/ (each writes its JSON to
# bench/results/). Run on a quiet machine: a concurrent build halves numbers.
# BENCH=train,gemm selects a subset.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%F)" >&2
for script in bench/*.sh; do
	name=$(basename "$script" .sh)
	[ "$name" = run ] && continue
	if [ -n "${BENCH:-}" ] && [[ ",$BENCH," != *",$name,"* ]]; then continue; fi
	echo "== bench $name ==" >&2
	bash "$script"
done
