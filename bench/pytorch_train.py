#!/usr/bin/python3
"""The PyTorch twin of `tangent train` for the throughput benchmark.

Same models (mlp, cnn-small, cnn of DESIGN.md section 5), same data
(Fashion-MNIST IDX files, pixels / 255), same batch size, same optimizer
(SGD with momentum 0.9, lr 0.05), same init scheme (PyTorch's default
kaiming_uniform(a=sqrt(5)) for Linear and Conv2d, which Tangent copies), same
drop-last shuffled batching. The whole dataset is a tensor in memory; only
the training loop is timed. Run with /usr/bin/python3 (Debian's python3-torch).

Prints one JSON object: model, steps, batch, threads, final_loss,
samples_per_sec, train_seconds, cpu_seconds (process CPU time of the loop),
torch version.
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn


def read_idx(path):
    for p in (path + ".gz", path):
        if os.path.exists(p):
            raw = gzip.open(p).read() if p.endswith(".gz") else open(p, "rb").read()
            nd = raw[3]
            dims = struct.unpack(">" + "I" * nd, raw[4:4 + 4 * nd])
            return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * nd).reshape(dims)
    raise SystemExit(f"{path}(.gz) not found")


def build(name):
    if name == "mlp":
        return nn.Sequential(nn.Flatten(), nn.Linear(784, 200), nn.ReLU(), nn.Linear(200, 200), nn.ReLU(), nn.Linear(200, 10))
    if name == "cnn-small":
        return nn.Sequential(
            nn.Conv2d(1, 6, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))
    if name == "cnn":
        return nn.Sequential(
            nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Linear(128, 10))
    raise SystemExit(f"unknown model {name}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="cnn-small")
    ap.add_argument("--data", default="/usr/share/datasets/fashion-mnist")
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=0.05)
    ap.add_argument("--momentum", type=float, default=0.9)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()

    torch.set_num_threads(a.threads)
    torch.manual_seed(a.seed)
    x = torch.from_numpy(read_idx(os.path.join(a.data, "train-images-idx3-ubyte")).astype(np.float32) / 255.0).unsqueeze(1)
    y = torch.from_numpy(read_idx(os.path.join(a.data, "train-labels-idx1-ubyte")).astype(np.int64))
    model = build(a.model)
    opt = torch.optim.SGD(model.parameters(), lr=a.lr, momentum=a.momentum)
    lossf = nn.CrossEntropyLoss()
    n = x.shape[0]
    per_epoch = n // a.batch
    perm = torch.randperm(n)
    model.train()
    start, cpu_start = time.perf_counter(), time.process_time()
    for step in range(a.steps):
        pos = step % per_epoch
        if pos == 0 and step > 0:
            perm = torch.randperm(n)
        idx = perm[pos * a.batch:(pos + 1) * a.batch]
        xb, yb = x[idx], y[idx]
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(xb), yb)
        loss.backward()
        opt.step()
    secs = time.perf_counter() - start
    cpu = time.process_time() - cpu_start
    print(json.dumps({
        "model": a.model, "steps": a.steps, "batch": a.batch, "threads": torch.get_num_threads(),
        "final_loss": float(loss), "samples_per_sec": a.steps * a.batch / secs, "train_seconds": secs, "cpu_seconds": cpu,
        "torch": torch.__version__,
    }))


if __name__ == "__main__":
    main()
