#!/usr/bin/env bash
# Training throughput: tangent train vs the identical model in PyTorch CPU.
#
# For each model (mlp, cnn-small): batch 64, 2 threads, the same number of
# steps, SGD momentum 0.9 lr 0.05, PyTorch's default init in both. One warm-up
# run of each, then ROUNDS interleaved pairs (tangent, torch, tangent, torch,
# ...). Reports the median and min-max samples/s of each and the ratio of the
# medians, and writes bench/results/train.json. Both sides time only their
# training loop (no data loading, no evaluation).
#
#   bash bench/train.sh                  # defaults below
#   ROUNDS=7 MLP_STEPS=2000 bash bench/train.sh
#
# Run it on a quiet machine (BENCHMARKS.md): a concurrent build halves
# every number, and PyTorch's OpenMP threads suffer most from oversubscription.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${ROUNDS:-5}
MLP_STEPS=${MLP_STEPS:-1000}
CNN_STEPS=${CNN_STEPS:-500}
THREADS=${THREADS:-2}
BATCH=${BATCH:-64}
DATA=${DATA:-/usr/share/datasets/fashion-mnist}
PY=${PY:-/usr/bin/python3}
BIN=${BIN:-bin/tangent}
OUT=${OUT:-bench/results/train.json}

go build -o "$BIN" ./cmd/tangent
"$PY" -c 'import torch' 2>/dev/null || { echo "bench/train.sh: $PY cannot import torch: apt-get install python3-torch" >&2; exit 1; }

export LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Each timed run also appends its peak RSS (KiB, /usr/bin/time) to $tmp/<model>.<side>.rss.
TIME=/usr/bin/time
[ -x "$TIME" ] || TIME=""
timed() { # rss-file cmd...: run cmd, appending its peak RSS to rss-file
	local f=$1
	shift
	if [ -n "$TIME" ]; then "$TIME" -f '%M' -a -o "$f" "$@"; else "$@"; fi
}
run_tangent() { # model steps [rss-file]
	timed "${3:-/dev/null}" "$BIN" train --model "$1" --steps "$2" --batch "$BATCH" --threads "$THREADS" --lr 0.05 --momentum 0.9 \
		--seed 1 --data "$DATA" --json --quiet --no-eval
}
run_torch() { # model steps [rss-file]
	timed "${3:-/dev/null}" "$PY" bench/pytorch_train.py --model "$1" --steps "$2" --batch "$BATCH" --threads "$THREADS" \
		--lr 0.05 --momentum 0.9 --data "$DATA"
}

for model in mlp cnn-small; do
	steps=$MLP_STEPS
	[ "$model" = mlp ] || steps=$CNN_STEPS
	echo "== $model: $steps steps, batch $BATCH, $THREADS threads; warm-up, then $ROUNDS interleaved rounds" >&2
	run_tangent "$model" "$steps" >/dev/null
	run_torch "$model" "$steps" >/dev/null
	for i in $(seq "$ROUNDS"); do
		run_tangent "$model" "$steps" "$tmp/$model.tangent.rss" >>"$tmp/$model.tangent"
		tail -n1 "$tmp/$model.tangent" | "$PY" -c 'import json,sys; print("  tangent %8.0f samples/s" % json.load(sys.stdin)["samples_per_sec"])' >&2
		run_torch "$model" "$steps" "$tmp/$model.torch.rss" >>"$tmp/$model.torch"
		tail -n1 "$tmp/$model.torch" | "$PY" -c 'import json,sys; print("  torch   %8.0f samples/s" % json.load(sys.stdin)["samples_per_sec"])' >&2
	done
done

"$PY" - "$tmp" "$OUT" "$ROUNDS" "$THREADS" "$BATCH" "$MLP_STEPS" "$CNN_STEPS" <<'PYEOF'
import json, os, platform, statistics, subprocess, sys, datetime
tmp, out, rounds, threads, batch, mlp_steps, cnn_steps = sys.argv[1:]
def load(p):
    return [json.loads(l) for l in open(p) if l.strip()]
def rss(p):
    try:
        return max(int(l) for l in open(p) if l.strip().isdigit())
    except (OSError, ValueError):
        return None
def cpu():
    for l in open("/proc/cpuinfo"):
        if l.startswith("model name"):
            return l.split(":", 1)[1].strip()
    return platform.processor()
res = {
    "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "machine": {"nproc": os.cpu_count(), "cpu": cpu(), "loadavg_at_start": [float(v) for v in os.environ.get("LOAD_START", "").split()],
                "loadavg_at_end": os.getloadavg()},
    "rounds": int(rounds), "threads": int(threads), "batch": int(batch),
    "command": "bash bench/train.sh", "models": {},
}
for model, steps in (("mlp", int(mlp_steps)), ("cnn-small", int(cnn_steps))):
    t = [r["samples_per_sec"] for r in load(os.path.join(tmp, model + ".tangent"))]
    p = [r["samples_per_sec"] for r in load(os.path.join(tmp, model + ".torch"))]
    # Samples per CPU-second: less sensitive to other processes than wall
    # time (it counts only the cycles each side got), though still affected
    # by shared caches; a spinning thread's wait counts as its own cost.
    tc = [r["steps"] * int(batch) / r["cpu_seconds"] for r in load(os.path.join(tmp, model + ".tangent")) if r.get("cpu_seconds")]
    pc = [r["steps_run" if "steps_run" in r else "steps"] * int(batch) / r["cpu_seconds"] for r in load(os.path.join(tmp, model + ".torch")) if r.get("cpu_seconds")]
    first = load(os.path.join(tmp, model + ".tangent"))[0]
    res["models"][model] = {
        "steps": steps,
        "tangent": {"median": statistics.median(t), "min": min(t), "max": max(t), "runs": t,
                    "checkpoint_hash": first["checkpoint_hash"],
                    "same_hash_every_run": len({r["checkpoint_hash"] for r in load(os.path.join(tmp, model + ".tangent"))}) == 1,
                    "peak_rss_kib": rss(os.path.join(tmp, model + ".tangent.rss"))},
        "pytorch": {"median": statistics.median(p), "min": min(p), "max": max(p), "runs": p,
                    "torch": load(os.path.join(tmp, model + ".torch"))[0]["torch"],
                    "peak_rss_kib": rss(os.path.join(tmp, model + ".torch.rss"))},
        "ratio": statistics.median(t) / statistics.median(p),
        "samples_per_cpu_second": {
            "tangent": statistics.median(tc) if tc else None,
            "pytorch": statistics.median(pc) if pc else None,
            "ratio": statistics.median(tc) / statistics.median(pc) if tc and pc else None,
        },
        "target": 3.0 if model == "mlp" else 1.0,
    }
os.makedirs(os.path.dirname(out), exist_ok=True)
with open(out, "w") as f:
    json.dump(res, f, indent=2)
    f.write("\n")
for m, r in res["models"].items():
    print("%-10s tangent %8.0f [%.0f-%.0f]  pytorch %8.0f [%.0f-%.0f]  ratio %.2fx (target %.0fx); per CPU-second ratio %s" % (
        m, r["tangent"]["median"], r["tangent"]["min"], r["tangent"]["max"],
        r["pytorch"]["median"], r["pytorch"]["min"], r["pytorch"]["max"], r["ratio"], r["target"],
        "%.2fx" % r["samples_per_cpu_second"]["ratio"] if r["samples_per_cpu_second"]["ratio"] else "n/a"))
print("wrote", out)
PYEOF
