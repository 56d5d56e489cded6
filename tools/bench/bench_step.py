#!/usr/bin/env python3
"""Times Python calling a SavedModel's train signature, the counterpart of Java's StepBenchmark.

Usage: bench_step.py <model-dir> <optimizer> <batch-size> <steps> [warmup]. Prints one JSON line.
Each step slices its batch from x_train (shuffled once per epoch), as the Java benchmark does.
"""
import json
import os
import resource
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def rss_mib() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv) -> int:
    directory, optimizer, batch_size, steps = Path(argv[0]), argv[1], int(argv[2]), int(argv[3])
    warmup = int(argv[4]) if len(argv) > 4 else 50
    model = tf.saved_model.load(str(directory))
    data = np.load(directory.parent / f"{directory.name}.npz")
    x, y = data["x_train"], data["y_train"]
    train = model.signatures[f"train_{optimizer}"]
    model.signatures[f"set_lr_{optimizer}"](lr=tf.constant(1e-4))
    per_epoch = len(x) // batch_size
    rng = np.random.default_rng(0)
    order = rng.permutation(len(x))

    def step(i):
        nonlocal order
        if i % per_epoch == 0:
            order = rng.permutation(len(x))
        rows = order[(i % per_epoch) * batch_size:(i % per_epoch + 1) * batch_size]
        return train(x=tf.constant(x[rows]), y=tf.constant(y[rows]))["loss"].numpy()

    for i in range(warmup):
        step(i)
    before = rss_mib()
    millis = []
    for i in range(steps):
        start = time.perf_counter()
        step(warmup + i)
        millis.append((time.perf_counter() - start) * 1000)
    after = rss_mib()
    print(json.dumps({
        "side": "python", "model": directory.name, "optimizer": optimizer,
        "batch_size": batch_size, "steps": steps, "ms_mean": round(float(np.mean(millis)), 4),
        "ms_median": round(float(np.median(millis)), 4),
        "ms_p90": round(float(np.percentile(millis, 90)), 4),
        "rss_mib_before": round(before, 1), "rss_mib_after": round(after, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
