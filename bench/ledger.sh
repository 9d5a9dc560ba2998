#!/usr/bin/env bash
# bench/ledger.sh: signed transfers per second committed by a one-validator
# Tangent node (in-process CometBFT v1 + the app over IAVL), at devnet block
# settings. Writes bench/results/ledger.json and the CPU profiles
# $TMPDIR/ledger-roundN/ledger-{local,batch,rpc}.pprof (open with
# `go tool pprof`; the JSON names the median round's).
#
#   local: txs enter CometBFT's mempool directly, as the mempool reactor
#          hands over a peer's: 16 streams, each with up to 64 CheckTx
#          answers outstanding (loadgen -depth; -depth 1 waits for each)
#   batch: txs are sent with broadcast_tx_sync in JSON-RPC batches of 100
#   rpc:   txs are sent with one BroadcastTxSync HTTP request each
#
# Each path runs LEDGER_ROUNDS times (default 5), the paths interleaved,
# every run in a fresh process; the JSON holds each path's median round
# with every round's rate and CPU per tx (this host's speed drifts by up to
# a third within minutes). LEDGER_TXS (default 60000) sets the load; run
# on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
# The load generator embeds the node: build it with the profile that
# tangent's own build uses (cmd/tangent/default.pgo).
go build -pgo=cmd/tangent/default.pgo -o bench/results/.loadgen ./bench/loadgen
tmp=$(mktemp -d)
trap 'rm -rf "$tmp" bench/results/.loadgen' EXIT
runs="${LEDGER_RUNS:-local,batch,rpc}"
for round in $(seq "${LEDGER_ROUNDS:-5}"); do
	for via in ${runs//,/ }; do
		./bench/results/.loadgen -txs "${LEDGER_TXS:-60000}" -accounts 2000 -runs "$via" -timing devnet \
			-out "$tmp/$round-$via.json" -profile-dir "${TMPDIR:-/tmp}/ledger-round$round" "$@" >/dev/null
	done
done
python3 - "$tmp" bench/results/ledger.json <<'PY'
import glob, json, os, sys
tmp, out = sys.argv[1], sys.argv[2]
rounds = {}
merged = None
for f in sorted(glob.glob(os.path.join(tmp, "*.json")), key=lambda p: int(os.path.basename(p).split("-")[0])):
    r = json.load(open(f))
    merged = merged or {k: v for k, v in r.items() if k != "runs"}
    for via, x in r["runs"].items():
        rounds.setdefault(via, []).append(x)
merged["note"] += "; each path ran in interleaved rounds, one process each: the median round is shown with every round's rate"
merged["runs"] = {}
for via, xs in rounds.items():
    m = dict(sorted(xs, key=lambda x: x["committed_tps"])[(len(xs) - 1) // 2])
    m["rounds_committed_tps"] = [round(x["committed_tps"]) for x in xs]
    m["rounds_cpu_us_per_tx"] = [round(x["cpu_us_per_tx"]) for x in xs]
    m["lost_txs"] = max(x["lost_txs"] for x in xs)
    m["senders_with_wrong_nonce"] = max(x["senders_with_wrong_nonce"] for x in xs)
    merged["runs"][via] = m
    tps = m["rounds_committed_tps"]
    print(f"ledger/{via}: median {m['committed_tps']:.0f} tx/s committed (rounds {min(tps)}–{max(tps)}), "
          f"{m['cpu_us_per_tx']:.0f} µs CPU per tx, lost {m['lost_txs']}, app CPU share {m['cpu']['app_share']:.2f}, "
          f"{m['blocks']} blocks of {m['avg_block_txs']:.0f} txs every {m['avg_block_interval_ms']:.0f} ms")
json.dump(merged, open(out, "w"), indent=2)
open(out, "a").write("\n")
PY
