#!/usr/bin/env python3
"""Golden optimizer trajectories for dev.lrfinder.optim (the Java graph optimizers).

One tiny, deterministic problem: two float32 variables ("kernel" [3, 2] and "bias" [2]) with fixed
initial values, and a fixed sequence of STEPS gradient tensors (no loss: fixed gradients isolate
the optimizer). Each tf_keras (Keras 2) optimizer config below applies those gradients with
``apply_gradients``, one step at a time, with the learning rate assigned before every step
(lr_i = 0.05 * 1.5^i), which proves the rate is read live. One JSON file per case holds the
optimizer serialized as Keras does, the initial values, the gradients, the learning rates and the
variable values after every step, and where it was made (``made_on``: CPU, TensorFlow build).
Every number is a float32 written as the exact double. Two runs on one machine give the same
bits; another CPU may differ in the last bits (the tests compare across machines to 1e-6).

Usage: make_optimizer_fixtures.py [OUT_DIR]   (default: src/test/resources/fixtures/optimizers)
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from fixture_json import made_on, plain  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src/test/resources/fixtures/optimizers"
SEED = 2024
STEPS = 8
SHAPES = {"kernel": (3, 2), "bias": (2,)}

# name -> (Keras class name, constructor kwargs). The same kwargs build tf_keras and Keras 3.
CASES = {
    "sgd": ("SGD", {}),
    "sgd_momentum": ("SGD", {"momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"momentum": 0.9, "nesterov": True}),
    "sgd_momentum_weight_decay": ("SGD", {"momentum": 0.9, "weight_decay": 0.05}),
    "rmsprop": ("RMSprop", {}),
    "rmsprop_centered_momentum": ("RMSprop", {"centered": True, "momentum": 0.5}),
    "adagrad": ("Adagrad", {}),
    "adam": ("Adam", {}),
    "adam_amsgrad": ("Adam", {"amsgrad": True}),
    "adamw": ("AdamW", {}),
    # tf_keras's legacy (optimizer_v2) classes, whose configs carry "decay" (0 here: with a decay
    # the rate of each step would differ from the one set, which lrfinder sets every step).
    "rmsprop_legacy": ("legacy.RMSprop", {}),
    "rmsprop_legacy_centered": ("legacy.RMSprop", {"centered": True}),
    "adagrad_legacy": ("legacy.Adagrad", {}),
}


def optimizer_class(module, class_name: str):
    """``module.optimizers.<class_name>``, where the name may be dotted (``legacy.RMSprop``)."""
    target = module.optimizers
    for part in class_name.split("."):
        target = getattr(target, part)
    return target


def learning_rates() -> list[float]:
    """The rate set before each step, as the float32 the optimizer's variable holds."""
    return [float(np.float32(0.05 * 1.5**i)) for i in range(STEPS)]


def problem() -> tuple[dict[str, np.ndarray], list[dict[str, np.ndarray]]]:
    """Fixed initial values and STEPS fixed gradients (float32, seeded)."""
    rng = np.random.default_rng(SEED)
    initial = {k: rng.standard_normal(s).astype(np.float32) for k, s in SHAPES.items()}
    grads = [
        {k: (rng.standard_normal(s) * (0.5 + i / 4)).astype(np.float32) for k, s in SHAPES.items()}
        for i in range(STEPS)
    ]
    # An exact zero and a sign flip keep the slot math honest (Adagrad, AMSGrad's maximum).
    grads[3]["bias"][0] = 0.0
    grads[5]["kernel"] = -grads[4]["kernel"]
    return initial, grads


def run_trajectory(module, class_name: str, kwargs: dict, variable_factory) -> list[dict]:
    """Applies the fixed gradients with one optimizer; returns the values after every step."""
    initial, grads = problem()
    variables = {k: variable_factory(v, k) for k, v in initial.items()}
    opt = optimizer_class(module, class_name)(**kwargs)
    rates = learning_rates()
    trajectory = []
    for step in range(STEPS):
        opt.learning_rate = rates[step]
        pairs = [(grads[step][k], variables[k]) for k in SHAPES]
        opt.apply_gradients(pairs)
        trajectory.append({k: np.asarray(variables[k].numpy(), np.float32) for k in SHAPES})
    return trajectory


def tf_keras_trajectory(class_name: str, kwargs: dict) -> tuple[dict, list[dict]]:
    """The tf_keras run and the optimizer's Keras serialization (taken before training)."""
    import tensorflow as tf
    import tf_keras

    def make_variable(value, name):
        return tf.Variable(value, name=name)

    opt = optimizer_class(tf_keras, class_name)(**kwargs)
    serialized = tf_keras.optimizers.serialize(opt)
    return plain(serialized), run_trajectory(tf_keras, class_name, kwargs, make_variable)


def keras3_trajectory(class_name: str, kwargs: dict) -> list[dict]:
    """The same run with Keras 3's optimizers."""
    import keras

    def make_variable(value, name):
        return keras.Variable(value, name=name)

    return run_trajectory(keras, class_name, kwargs, make_variable)


def _flat(array: np.ndarray) -> list[float]:
    return [float(x) for x in np.asarray(array, np.float32).reshape(-1)]


def fixture(name: str) -> dict:
    class_name, kwargs = CASES[name]
    serialized, trajectory = tf_keras_trajectory(class_name, kwargs)
    initial, grads = problem()
    return {
        "name": name,
        "keras": "tf_keras",
        "made_on": made_on(),
        "optimizer": serialized,
        "variables": [{"name": k, "shape": list(s), "initial": _flat(initial[k])}
                      for k, s in SHAPES.items()],
        "learning_rates": learning_rates(),
        "gradients": [[_flat(g[k]) for k in SHAPES] for g in grads],
        "trajectory": [[_flat(t[k]) for k in SHAPES] for t in trajectory],
    }


def write_all(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name in CASES:
        path = out_dir / f"{name}.json"
        path.write_text(json.dumps(fixture(name), indent=1) + "\n")
        written.append(path)
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    for path in write_all(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
