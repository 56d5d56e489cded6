#!/usr/bin/env python3
"""Speed of lrfinder's range test against Keras, and against the limit of the exported model.

For each bundled model, interleaved over several rounds on the same machine:

* A  Java: the range test as a library call (RangeTestBenchmark), after a warm-up run in the same
     JVM that is reported separately; every step sets the learning rate, gathers its batch and
     trains, as a real run does.
* B  Keras: ``model.fit`` on the original .keras model with a per-batch learning-rate callback
     (seed 002's approach), same optimizer, batch size and number of steps, after a warm-up fit.
* C  the limit: the exported ``train_K`` signature called back to back from Python on batches
     already turned into tensors, no learning-rate change (C1), and a ``tf.function`` loop of all
     steps inside TensorFlow with no host round trip per step (C2).

Prints a table (median and range over the rounds, ms per step) and writes it, with every
measurement, to ``reports/bench-<date>.json``.

Usage: bench.py [--rounds 3] [--steps 300] [--models blobs_mlp,mnist_cnn]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
BATCH = {"blobs_mlp": 32, "mnist_cnn": 250}
OPTIMIZER = "adam"
START, END = 1e-6, 1e-2  # the rate range of every measurement; no run diverges in it


def rate(step: int, steps: int) -> float:
    return START * (END / START) ** (step / steps)


def java_find(model: str, steps: int) -> dict:
    # The benchmarks are not in the product jar: Maven compiles them into target/bench-classes.
    classpath = os.pathsep.join(str(ROOT / "target" / name) for name in ("lrfinder.jar", "bench-classes"))
    command = ["java", "-cp", classpath,
               "dev.lrfinder.bench.RangeTestBenchmark", str(ROOT / "savedmodels" / model),
               OPTIMIZER, str(BATCH[model]), str(steps), "1"]
    done = subprocess.run(command, capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return {"ms": result["ms_per_step"][0], "warmup_ms": result["warmup_ms_per_step"],
            "outside_model_ms": result["outside_model_ms_per_step"][0]}


def data(model: str, steps: int):
    arrays = np.load(ROOT / "savedmodels" / f"{model}.npz")
    meta = json.loads((ROOT / "savedmodels" / model / "assets" / "lrfinder.json").read_text())
    x = arrays["x_train"].astype(meta["input"]["dtype"])
    y = arrays["y_train"].astype(meta["label"]["dtype"])
    rows = np.concatenate([np.random.default_rng(epoch).permutation(len(x))
                           for epoch in range(steps * BATCH[model] // len(x) + 1)])
    rows = rows[:steps * BATCH[model]]
    return meta, x[rows], y[rows]


def keras_fit(model: str, steps: int, meta, xs, ys) -> dict:
    info = next(o for o in meta["optimizers"] if o["key"] == OPTIMIZER)
    net = keras.models.load_model(ROOT / "savedmodels" / "sources" / f"{model}.keras", compile=False)
    optimizer = keras.optimizers.deserialize({"class_name": info["class_name"], "config": info["config"]})
    net.compile(optimizer=optimizer, loss=meta["loss"]["name"])
    batch = BATCH[model]

    def fit(count):
        def set_rate(step, logs=None):
            optimizer.learning_rate = rate(step, count)

        net.fit(xs[:count * batch], ys[:count * batch], batch_size=batch, epochs=1, shuffle=False,
                verbose=0, callbacks=[keras.callbacks.LambdaCallback(on_train_batch_begin=set_rate)])

    fit(20)  # warm-up: builds the train function
    started = time.perf_counter()
    fit(steps)
    ms = (time.perf_counter() - started) * 1000 / steps
    keras.backend.clear_session()
    return {"ms": ms}


def exported_limit(model: str, steps: int, xs, ys) -> dict:
    loaded = tf.saved_model.load(str(ROOT / "savedmodels" / model))
    train = loaded.signatures[f"train_{OPTIMIZER}"]
    loaded.signatures[f"set_lr_{OPTIMIZER}"](lr=tf.constant(START, tf.float32))
    batch = BATCH[model]
    x_batches = tf.constant(xs.reshape((steps, batch) + xs.shape[1:]))
    y_batches = tf.constant(ys.reshape((steps, batch) + ys.shape[1:]))
    tensors = [(x_batches[i], y_batches[i]) for i in range(steps)]
    for i in range(min(20, steps)):
        train(x=tensors[i][0], y=tensors[i][1])
    started = time.perf_counter()
    for x, y in tensors:
        train(x=x, y=y)["loss"].numpy()
    back_to_back = (time.perf_counter() - started) * 1000 / steps

    @tf.function
    def loop(x_all, y_all, count):
        total = tf.constant(0.0)
        for i in tf.range(count):
            total += train(x=x_all[i], y=y_all[i])["loss"]
        return total

    loop(x_batches, y_batches, tf.constant(5)).numpy()  # trace and warm up on 5 steps
    started = time.perf_counter()
    loop(x_batches, y_batches, tf.constant(steps)).numpy()
    in_graph = (time.perf_counter() - started) * 1000 / steps
    return {"ms_back_to_back": back_to_back, "ms_in_graph": in_graph}


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "values": values}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--models", default="blobs_mlp,mnist_cnn")
    args = parser.parse_args(argv)
    if not (ROOT / "target" / "lrfinder.jar").exists():
        print("bench: build the jar first (mvn -DskipTests package)", file=sys.stderr)
        return 2

    results = {}
    for model in args.models.split(","):
        meta, xs, ys = data(model, args.steps)
        rounds = {"A": [], "A_warmup": [], "A_outside_model": [], "B": [], "C1": [], "C2": []}
        for round_number in range(args.rounds):
            a = java_find(model, args.steps)
            rounds["A"].append(a["ms"])
            rounds["A_warmup"].append(a["warmup_ms"])
            rounds["A_outside_model"].append(a["outside_model_ms"])
            rounds["B"].append(keras_fit(model, args.steps, meta, xs, ys)["ms"])
            c = exported_limit(model, args.steps, xs, ys)
            rounds["C1"].append(c["ms_back_to_back"])
            rounds["C2"].append(c["ms_in_graph"])
            print(f"{model} round {round_number + 1}: " + ", ".join(
                f"{k} {v[-1]:.3f}" for k, v in rounds.items()), file=sys.stderr, flush=True)
        results[model] = {k: summary(v) for k, v in rounds.items()}
        results[model]["batch_size"] = BATCH[model]

    header = (f"{'model':10s} {'batch':>5s} {'A java find':>16s} {'B keras fit':>16s} "
              f"{'C1 exported':>16s} {'C2 in-graph':>16s} {'A/B':>6s} {'A/C1':>6s} {'A/C2':>6s}")
    lines = [f"ms per step, median (min-max) of {args.rounds} rounds of {args.steps} steps, "
             f"{OPTIMIZER}", header]
    for model, r in results.items():
        def cell(key):
            return f"{r[key]['median']:.3f} ({r[key]['min']:.2f}-{r[key]['max']:.2f})"

        a = r["A"]["median"]
        lines.append(f"{model:10s} {r['batch_size']:5d} {cell('A'):>16s} {cell('B'):>16s} "
                     f"{cell('C1'):>16s} {cell('C2'):>16s} {a / r['B']['median']:6.2f} "
                     f"{a / r['C1']['median']:6.2f} {a / r['C2']['median']:6.2f}")
        lines.append(f"{'':10s} {'':5s} A warm-up run {r['A_warmup']['median']:.3f} ms/step; "
                     f"A outside TensorFlow {r['A_outside_model']['median']:.4f} ms/step")
    table = "\n".join(lines)
    print(table)

    today = datetime.date.today().isoformat()
    out = ROOT / "reports" / f"bench-{today}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "date": today, "steps": args.steps, "rounds": args.rounds, "optimizer": OPTIMIZER,
        "rate_range": [START, END], "machine": {"cpus": os.cpu_count(),
                                                "platform": platform.platform()},
        "tensorflow": tf.__version__, "keras": keras.__version__, "results": results,
        "table": table}, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
