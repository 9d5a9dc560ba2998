#!/usr/bin/env bash
# A/B comparison of the blob transfer: this tree's store and p2p code against
# revision REV's, with the same benchmark program (this tree's
# bench/blobbench, built against both), alternating one repetition of each
# for ROUNDS rounds (ABBA order, sync before each run) so that the machine's
# load and the disk's writeback hit both alike. Prints, per
# measurement, the median wall time and CPU time of each side and their
# ratios. Extra arguments go to blobbench (default: -only get,put).
#
#   bench/blobab.sh main 6
#   bench/blobab.sh HEAD~3 4 -only get_restarted_provider -size 134217728
set -euo pipefail
cd "$(dirname "$0")/.."
rev=${1:?usage: bench/blobab.sh REV [ROUNDS] [blobbench flags]}
rounds=${2:-4}
shift $(($# < 2 ? $# : 2))
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-only get,put)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/base"
git archive "$rev" | tar -x -C "$tmp/base"
cp bench/blobbench/main.go "$tmp/base/bench/blobbench/main.go"
(cd "$tmp/base" && go build -o "$tmp/bb-base" ./bench/blobbench)
go build -o "$tmp/bb-new" ./bench/blobbench
echo "load before: $(cat /proc/loadavg)" >&2
for i in $(seq "$rounds"); do
	# Alternate which side goes first, and let the previous run's dirty
	# pages reach the disk before each run (a run writes about 1 GB), so
	# that neither side pays for the other's writeback.
	order="base new"
	[ $((i % 2)) -eq 0 ] && order="new base"
	for v in $order; do
		sync
		"$tmp/bb-$v" -reps 1 -out "$tmp/$v-$i.json" "${args[@]}" >/dev/null 2>"$tmp/log"
	done
	echo "round $i/$rounds (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
done
echo "load after: $(cat /proc/loadavg)" >&2
for v in base new; do
	jq -s --arg v "$v" '[.[] | to_entries[] | select(.value|type=="object" and has("median_sec")) | {k: .key, wall: .value.median_sec, cpu: .value.cpu_median_sec}] | group_by(.k) | map({key: .[0].k, value: {wall: ([.[].wall]|sort|.[length/2|floor]), cpu: ([.[].cpu]|sort|.[length/2|floor]), walls: [.[].wall]}}) | from_entries' "$tmp"/$v-*.json >"$tmp/$v.sum"
done
jq -r -n --slurpfile b "$tmp/base.sum" --slurpfile n "$tmp/new.sum" '
  "measurement          base wall  new wall  new/base   base cpu  new cpu  new/base",
  ($b[0] | keys[] as $k | $b[0][$k] as $x | $n[0][$k] as $y |
   "\($k|.+"                    "|.[0:20]) \($x.wall|tostring|.[0:7]|.+"       "|.[0:10]) \($y.wall|tostring|.[0:7]|.+"       "|.[0:9]) \(($y.wall/$x.wall*1000|round/1000)|tostring|.+"       "|.[0:10]) \($x.cpu|tostring|.[0:6]|.+"      "|.[0:9]) \($y.cpu|tostring|.[0:6]|.+"      "|.[0:8]) \(if $x.cpu>0 then ($y.cpu/$x.cpu*1000|round/1000) else "-" end)"),
  "walls base: \($b[0]|map_values(.walls))",
  "walls new:  \($n[0]|map_values(.walls))"'
