#!/usr/bin/env python3
"""Python's time per training step on a plain Keras 2 SavedModel, the counterpart of Java's
StepBenchmark on the direct path. Prints one JSON line per side.

* ``saved_function``: ``tf.saved_model.load(dir)``, then one ``tf.function`` step: a GradientTape
  around the restored ``training=True`` call (the SavedModel's own traced function, BatchNorm
  updating its moving averages), the compiled loss (binary crossentropy or MSE; see LOSSES) and a
  tf_keras Adam ``apply_gradients``.
* ``train_on_batch``: ``tf_keras.models.load_model(dir)`` (compiled as saved) and
  ``train_on_batch``, the step ``fit`` runs.

Each step slices its batch of ``batch`` rows from x_train/y_train in order (wrapping around), as
Java's benchmark gathers its batch. ``first_ms`` is the first step (tracing and graph building),
``first_loss`` its loss (rows 0..batch-1, before the update); ``load_s`` the load. Figures
are the median, min and mean of ``steps`` steps after ``warmup``, and the process's CPU time per
step (``cpu_ms_mean``).

Usage: bench_direct_step.py MODEL_DIR DATA.npz [--batch 2] [--steps 20] [--warmup 3]
       [--sides saved_function,train_on_batch]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

LOSSES = {"binary_crossentropy": keras.losses.BinaryCrossentropy,
          "mse": keras.losses.MeanSquaredError,
          "mean_squared_error": keras.losses.MeanSquaredError}


def batches(x, y, batch):
    i = 0
    while True:
        rows = np.arange(i, i + batch) % len(x)
        i += batch
        yield x[rows], y[rows]


def timed(step, data, steps, warmup):
    start = time.perf_counter()
    first_loss = float(np.ravel(step(*next(data)))[0])
    first = (time.perf_counter() - start) * 1000
    for _ in range(warmup):
        step(*next(data))
    millis = []
    cpu = time.process_time()
    for _ in range(steps):
        start = time.perf_counter()
        step(*next(data))
        millis.append((time.perf_counter() - start) * 1000)
    return first, first_loss, millis, (time.process_time() - cpu) * 1000 / steps


def saved_function(directory: Path, loss_name: str):
    start = time.perf_counter()
    restored = tf.saved_model.load(str(directory))
    load = time.perf_counter() - start
    loss_fn = LOSSES[loss_name]()
    optimizer = keras.optimizers.Adam(1e-4)
    variables = restored.trainable_variables

    @tf.function
    def step(x, y):
        with tf.GradientTape() as tape:
            loss = loss_fn(y, restored(x, training=True))
        optimizer.apply_gradients(zip(tape.gradient(loss, variables), variables))
        return loss

    return load, lambda x, y: step(tf.constant(x), tf.constant(y)).numpy()


def train_on_batch(directory: Path, loss_name: str):
    start = time.perf_counter()
    model = keras.models.load_model(str(directory))
    load = time.perf_counter() - start
    model.optimizer.learning_rate.assign(1e-4)
    return load, lambda x, y: model.train_on_batch(x, y)


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model_dir", type=Path)
    parser.add_argument("data", type=Path)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--steps", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--sides", default="saved_function,train_on_batch")
    parser.add_argument("--loss", default="binary_crossentropy", choices=sorted(LOSSES))
    args = parser.parse_args(argv)
    data = np.load(args.data)
    x, y = data["x_train"], data["y_train"]
    for side in args.sides.split(","):
        load, step = {"saved_function": saved_function,
                      "train_on_batch": train_on_batch}[side](args.model_dir, args.loss)
        first, first_loss, millis, cpu_ms = timed(step, batches(x, y, args.batch), args.steps,
                                                  args.warmup)
        print(json.dumps({
            "side": side, "model": args.model_dir.name, "batch_size": args.batch,
            "steps": args.steps, "load_s": round(load, 2), "first_ms": round(first, 1),
            "first_loss": first_loss,
            "ms_median": round(float(np.median(millis)), 2),
            "ms_min": round(float(np.min(millis)), 2),
            "ms_mean": round(float(np.mean(millis)), 2), "cpu_ms_mean": round(cpu_ms, 1),
            "ms_p90": round(float(np.percentile(millis, 90)), 2),
            "intra_op_threads": tf.config.threading.get_intra_op_parallelism_threads(),
            "onednn": os.environ.get("TF_ENABLE_ONEDNN_OPTS", "default")}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
