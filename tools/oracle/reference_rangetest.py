#!/usr/bin/env python3
"""An independent Python range test, to check lrfinder's Java engine against.

It follows seed 002's algorithm (Rosebrock's LearningRateFinder): before each batch set the
learning rate, train, smooth the loss with a bias-corrected moving average, stop when the smoothed
loss exceeds stop_factor x the best so far (as lrfinder, only after the first ``--skip-begin``
steps, the best counted from there on; with ``--skip-begin 0`` seed 002 exactly), then multiply
the learning rate by (end/start)^(1/N). Like lrfinder (and fast.ai) it also stops on a NaN or
infinite loss. It drives
the exported SavedModel through its own ``set_lr_K``/``train_K`` signatures, on the batches whose
row indices Java wrote with ``lrfinder find --batch-order FILE``, and reloads the SavedModel for
each optimizer (a fresh, identical start, which is what Java's restore gives).

The suggestion rules are re-implemented here from their published definitions (README, "The range
test"), so a disagreement points at one of the two implementations.

Usage::

    reference_rangetest.py MODEL_DIR --data DATA.npz --batch-order ORDER.npy [--optimizers a,b]
        [--start 1e-7] [--end 10] [--beta 0.98] [--stop-factor 4] [--skip-begin 10]
        [--skip-end 1] [--out result.json]
"""
from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


# Grappler's rewrites that change the signatures' math, turned off here as in Java (optim/
# ExactSessionConfig.java; the exported path runs its function bodies with no Grappler pass at all,
# which computes the same losses bit for bit on the bundled models): "x / sqrt(y)" rewritten as
# "x * rsqrt(y)" moves RMSprop's and Adagrad's steps by an ulp, which the diverging end of a range
# test amplifies. Python's eager calls of loaded functions ignore "disable_meta_optimizer".
EXACT_REWRITES = {"arithmetic_optimization": False, "constant_folding": False}


@contextlib.contextmanager
def exact_session_config():
    """Run the enclosed TensorFlow functions under Java's session config, then restore ours."""
    before = tf.config.optimizer.get_experimental_options()
    tf.config.optimizer.set_experimental_options(EXACT_REWRITES)
    try:
        yield
    finally:
        tf.config.optimizer.set_experimental_options(
            {name: before.get(name, True) for name in EXACT_REWRITES})


def run_optimizer(model_dir: Path, key: str, x, y, order, start, end, beta, stop_factor,
                  skip_begin: int = 0) -> dict:
    with exact_session_config():  # loaded and run inside: functions are optimized on first call
        return _run_optimizer(model_dir, key, x, y, order, start, end, beta, stop_factor,
                              skip_begin)


def _run_optimizer(model_dir: Path, key: str, x, y, order, start, end, beta, stop_factor,
                   skip_begin: int) -> dict:
    model = tf.saved_model.load(str(model_dir))  # in memory; the directory is only read
    set_lr = model.signatures[f"set_lr_{key}"]
    train = model.signatures[f"train_{key}"]
    steps = len(order)
    multiplier = (end / start) ** (1.0 / steps)
    lr, average, best = start, 0.0, None
    lrs, losses, smoothed = [], [], []
    reason = "END_OF_RANGE"
    for k, rows in enumerate(order, start=1):
        set_lr(lr=tf.constant(lr, tf.float32))
        loss = float(train(x=tf.constant(x[rows]), y=tf.constant(y[rows]))["loss"])
        lrs.append(lr)
        losses.append(loss)
        if not math.isfinite(loss):
            smoothed.append(float("nan"))
            reason = "NON_FINITE_LOSS"
            break
        average = beta * average + (1 - beta) * loss
        smooth = average / (1 - beta ** k)
        smoothed.append(smooth)
        # lrfinder's one change to seed 002: no divergence stop in the skipped warm-up (the first
        # skip_begin steps), and the best counts from there on; skip_begin 0 is seed 002 exactly.
        first = skip_begin + 1
        if k >= first:
            if stop_factor > 0 and k > first and smooth > stop_factor * best:
                reason = "DIVERGED"
                break
            if k == first or smooth < best:
                best = smooth
        lr *= multiplier
    return {"optimizer": key, "lr": lrs, "loss": losses, "smoothed": smoothed,
            "stop_reason": reason, "steps_run": len(lrs)}


# --- suggestion rules, from their definitions -----------------------------------------------

def window(lrs, losses, skip_begin, skip_end):
    """Cut at the first non-finite loss, then drop skip_begin points in front and skip_end behind."""
    finite = 0
    while finite < len(losses) and math.isfinite(losses[finite]):
        finite += 1
    stop = max(0, finite - skip_end)
    begin = min(skip_begin, stop)
    return begin, stop


def falls(losses) -> bool:
    return len(losses) > 1 and min(losses[1:]) < losses[0]


def steep(lrs, losses):
    if len(losses) < 3 or not falls(losses):
        return None
    slopes = [(losses[i + 1] - losses[i]) / (math.log10(lrs[i + 1]) - math.log10(lrs[i]))
              for i in range(len(losses) - 1)]
    best = int(np.argmin(slopes))
    return lrs[best] if slopes[best] < 0 else None


def loss_delta(all_lrs, all_losses, begin, stop, sma=20):
    if stop - begin < 2 or not falls(all_losses[begin:stop]):
        return None
    deltas = {i: (all_losses[i] - all_losses[i - sma]) / sma for i in range(max(begin, sma), stop)}
    if not deltas:
        return None
    best = min(deltas, key=lambda i: (deltas[i], i))
    return all_lrs[best] if deltas[best] < 0 else None


def minimum(lrs, losses):
    if len(losses) < 2 or not falls(losses):
        return None
    return lrs[int(np.argmin(losses))] / 10


def valley(lrs, losses):
    n = len(losses)
    if n < 3 or not falls(losses):
        return None
    longest = [1] * n  # longest decreasing subsequence ending at each point
    for i in range(1, n):
        longest[i] = 1 + max([longest[j] for j in range(i) if losses[j] > losses[i]], default=0)
    end = longest.index(max(longest))
    start = end - longest[end]  # fast.ai's convention: one before the first point
    third = (end - start) / 3
    index = start + int(third) + int(third / 2)
    return lrs[min(max(index, 0), n - 1)]


def slide(lrs, losses, lr_diff=15, threshold=0.005):
    n = len(losses)
    if n < lr_diff + 2 or not falls(losses):
        return None
    gradient = np.gradient(np.asarray(losses))
    right, left = n - 1, n - 1 - lr_diff
    suggestion = lrs[left]
    while left >= 0 and abs(gradient[right] - gradient[left]) > threshold:
        suggestion = lrs[left]
        right, left = right - 1, left - 1
    return suggestion


def cyclical(lrs, losses, low=0.1, high=0.9):
    if len(losses) < 3 or not falls(losses):
        return None, None
    lowest = int(np.argmin(losses))
    fall = losses[0] - losses[lowest]

    def first_drop(fraction):
        return next((i for i in range(lowest + 1) if losses[0] - losses[i] >= fraction * fall),
                    lowest)

    base, top = first_drop(low), first_drop(high)
    return (lrs[base], lrs[top]) if top > base else (None, None)


def suggestions(lrs, smoothed, skip_begin, skip_end) -> dict:
    begin, stop = window(lrs, smoothed, skip_begin, skip_end)
    w_lrs, w_losses = lrs[begin:stop], smoothed[begin:stop]
    base, top = cyclical(w_lrs, w_losses)
    return {"steep": steep(w_lrs, w_losses),
            "loss_delta": loss_delta(lrs, smoothed, begin, stop),
            "minimum": minimum(w_lrs, w_losses),
            "valley": valley(w_lrs, w_losses),
            "slide": slide(w_lrs, w_losses),
            "cyclical_base": base,
            "cyclical_max": top}


def load_inputs(model_dir: Path, data: Path):
    meta = json.loads((model_dir / "assets" / "lrfinder.json").read_text())
    arrays = np.load(data)
    x = arrays["x_train"].astype(meta["input"]["dtype"])
    y = arrays["y_train"].astype(meta["label"]["dtype"])
    return meta, x, y


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("model", type=Path)
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--batch-order", type=Path, required=True)
    parser.add_argument("--optimizers", help="comma-separated keys (default: all)")
    parser.add_argument("--start", type=float, default=1e-7)
    parser.add_argument("--end", type=float, default=10.0)
    parser.add_argument("--beta", type=float, default=0.98)
    parser.add_argument("--stop-factor", type=float, default=4.0)
    parser.add_argument("--skip-begin", type=int, default=10)
    parser.add_argument("--skip-end", type=int, default=1)
    parser.add_argument("--out", type=Path, help="write the result JSON here (default: stdout)")
    args = parser.parse_args(argv)

    meta, x, y = load_inputs(args.model, args.data)
    order = np.load(args.batch_order)
    keys = args.optimizers.split(",") if args.optimizers else [o["key"] for o in meta["optimizers"]]
    runs = []
    for key in keys:
        run = run_optimizer(args.model, key, x, y, order, args.start, args.end, args.beta,
                            args.stop_factor, args.skip_begin)
        run["suggestions"] = suggestions(run["lr"], run["smoothed"], args.skip_begin,
                                         args.skip_end)
        runs.append(run)
    text = json.dumps({"model": meta["model_name"], "planned_steps": len(order),
                       "optimizers": runs}, indent=2, allow_nan=True)
    if args.out:
        args.out.write_text(text + "\n")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
