"""The direct-path speed benchmark's pieces work: tools/fixtures/make_unet.py builds a U-Net with 14
BatchNormalization layers, tools/bench/bench_direct_step.py times both Python sides on it, and the
three sides (the direct path through ``lrfinder train``, the SavedModel's training function,
``train_on_batch``) agree on the loss of the first step, so they time the same computation
(make_unet.py itself asserts the 14 BatchNormalization layers).
Small images (32x32) keep it quick; no timing is asserted."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}


def run(command, timeout=300):
    done = subprocess.run(command, capture_output=True, text=True, timeout=timeout, env=ENV)
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_unet_benchmark_sides_train_the_same_step(tmp_path):
    run([sys.executable, str(ROOT / "tools" / "fixtures" / "make_unet.py"), str(tmp_path), "--size", "32",
         "--samples", "8"])
    model, data = tmp_path / "unet", tmp_path / "unet.npz"
    arrays = np.load(data)
    assert arrays["x_train"].shape == (8, 32, 32, 3)
    assert arrays["y_train"].shape == (8, 32, 32, 1)
    assert set(np.unique(arrays["y_train"])) <= {0.0, 1.0}

    lines = run([sys.executable, str(ROOT / "tools" / "bench" / "bench_direct_step.py"), str(model),
                 str(data), "--batch", "2", "--steps", "2", "--warmup", "1"]).splitlines()
    sides = {entry["side"]: entry for entry in map(json.loads, lines)}
    assert set(sides) == {"saved_function", "train_on_batch"}
    for entry in sides.values():
        assert entry["ms_median"] > 0 and entry["cpu_ms_mean"] > 0 and entry["first_ms"] > 0

    java = json.loads(run([str(ROOT / "scripts" / "lrfinder"), "train", str(model), "--data",
                           str(data), "--optimizer", "adam", "--steps", "1", "--batch-size", "2",
                           "--no-shuffle", "--json"], timeout=600))
    first = java["steps"][0]["loss"]
    np.testing.assert_allclose(sides["saved_function"]["first_loss"], first, rtol=1e-4)
    np.testing.assert_allclose(sides["train_on_batch"]["first_loss"], first, rtol=1e-4)
