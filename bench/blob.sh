#!/usr/bin/env bash
# Blob store and transfer benchmark: put/get of a 256 MiB blob between two
# libp2p nodes on loopback against a raw TCP copy of the same bytes (same
# run, repetitions interleaved, wall and CPU time of each), and Reed-Solomon
# encode/decode throughput. Writes bench/results/blob.json. Extra arguments
# go to the program (e.g. -reps 5, -size 67108864, -only get,put,
# -cpuprofile FILE, -trace FILE). BLOB_GO_BENCH=1 also runs the Go
# benchmarks. To compare with another revision in the same run, use
# bench/blobab.sh REV.
set -euo pipefail
cd "$(dirname "$0")/.."
go run ./bench/blobbench -out bench/results/blob.json "$@"
if [ "${BLOB_GO_BENCH:-0}" = 1 ]; then
	go test -run '^$' -bench 'Fetch64MiB' -benchtime 3x ./p2p/
	go test -run '^$' -bench 'Erasure' -benchtime 3x ./store/
fi
