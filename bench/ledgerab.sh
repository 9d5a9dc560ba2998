#!/usr/bin/env bash
# A/B comparison of the ledger benchmark: this tree's node (app, store,
# CometBFT wiring) against revision REV's, each built as its own
# bench/ledger.sh builds it (with cmd/tangent/default.pgo when the tree has
# one), alternating one run of each for ROUNDS rounds (ABBA order) on one
# path (default local), so that the host's drifting speed hits both alike.
# Prints every round and the medians of committed tx/s and CPU µs per
# transfer, and their ratios (new / base). Extra arguments go to both load
# generators; NEW_ARGS to this tree's only (e.g. a flag REV's does not
# know).
#
#   bench/ledgerab.sh main 6
#   LEDGER_PATH=batch bench/ledgerab.sh HEAD~2 4
#   NEW_ARGS='-depth 1' bench/ledgerab.sh 532e1c7 3
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/ledgerab.sh REV [ROUNDS] [loadgen flags]}
rounds=${2:-6}
shift $(($# < 2 ? $# : 2))
via=${LEDGER_PATH:-local}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
build() { # tree output
	local pgo=off
	[ -f "$1/cmd/tangent/default.pgo" ] && pgo=cmd/tangent/default.pgo
	(cd "$1" && go build -pgo="$pgo" -o "$2" ./bench/loadgen)
}
mkdir "$tmp/base"
git archive "$rev" | tar -x -C "$tmp/base"
build "$tmp/base" "$tmp/lg-base"
build . "$tmp/lg-new"
echo "load before: $(cat /proc/loadavg)" >&2
for i in $(seq "$rounds"); do
	order="base new"
	[ $((i % 2)) -eq 0 ] && order="new base"
	for v in $order; do
		extra=()
		[ "$v" = new ] && read -ra extra <<<"${NEW_ARGS:-}"
		"$tmp/lg-$v" -txs "${LEDGER_TXS:-60000}" -accounts 2000 -runs "$via" -timing devnet \
			-out "$tmp/$v-$i.json" -profile-dir "$tmp/prof" "$@" "${extra[@]}" >/dev/null 2>"$tmp/log" ||
			{ cat "$tmp/log" >&2; exit 1; }
	done
	echo "round $i/$rounds (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
echo "load after: $(cat /proc/loadavg)" >&2
python3 - "$tmp" "$via" "$rev" "$rounds" <<'PY'
import json, os, statistics, sys
tmp, via, rev, rounds = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
runs = {v: [json.load(open(os.path.join(tmp, f"{v}-{i}.json")))["runs"][via] for i in range(1, rounds + 1)] for v in ("base", "new")}
for v, rs in runs.items():
    print(f"{v:4}  tx/s " + " ".join(f"{r['committed_tps']:6.0f}" for r in rs)
          + "   µs/tx " + " ".join(f"{r['cpu_us_per_tx']:4.0f}" for r in rs)
          + f"   lost {max(r['lost_txs'] for r in rs)}")
med = {v: (statistics.median(r["committed_tps"] for r in rs), statistics.median(r["cpu_us_per_tx"] for r in rs)) for v, rs in runs.items()}
wins = sum(n["committed_tps"] > b["committed_tps"] for b, n in zip(runs["base"], runs["new"]))
print(f"{via}: median {med['new'][0]:.0f} vs {med['base'][0]:.0f} tx/s ({rev}) = {med['new'][0] / med['base'][0]:.3f}x, "
      f"CPU {med['new'][1]:.0f} vs {med['base'][1]:.0f} µs per transfer = {med['new'][1] / med['base'][1]:.3f}x; "
      f"new faster in {wins} of {rounds} rounds")
PY
