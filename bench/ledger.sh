#!/usr/bin/env bash
# bench/ledger.sh: signed transfers per second committed by a one-validator
# Tangent node (in-process CometBFT v1 + the app over IAVL), at devnet block
# settings. Writes bench/results/ledger.json and the CPU profiles
# $TMPDIR/ledger-{local,rpc}.pprof (open with `go tool pprof`).
#
#   local: txs enter CometBFT's mempool directly (as from a peer)
#   batch: txs are sent with broadcast_tx_sync in JSON-RPC batches of 100
#   rpc:   txs are sent with one BroadcastTxSync HTTP request each
#
# LEDGER_TXS (default 60000) sets the load; run on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p bench/results
go build -o bench/results/.loadgen ./bench/loadgen
./bench/results/.loadgen -txs "${LEDGER_TXS:-60000}" -accounts 2000 -runs "${LEDGER_RUNS:-local,batch,rpc}" \
	-timing devnet -out bench/results/ledger.json -profile-dir "${TMPDIR:-/tmp}" "$@" >/dev/null
rm -f bench/results/.loadgen
python3 - <<'PY' 2>/dev/null || cat bench/results/ledger.json
import json
r = json.load(open("bench/results/ledger.json"))
for via, x in r["runs"].items():
    print(f"ledger/{via}: {x['committed_tps']:.0f} tx/s committed ({x['steady_tps']:.0f} steady), "
          f"lost {x['lost_txs']}, app CPU share {x['cpu']['app_share']:.2f}, "
          f"{x['blocks']} blocks of {x['avg_block_txs']:.0f} txs every {x['avg_block_interval_ms']:.0f} ms")
PY
