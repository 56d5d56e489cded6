#!/usr/bin/env python3
"""Golden loss and metric values for dev.lrfinder.direct (Keras losses and metrics as graph ops).

Each case is a tiny tf_keras (Keras 2) model whose input is a seeded batch of pre-activation
values and whose only layer is ``Activation(softmax | sigmoid | linear)``, so its output is what a
``Dense(activation=...)`` output would be: a Softmax or Sigmoid op whose input is the logits (and
tf_keras's logits shortcut applies). The model is compiled with the case's loss and metrics, and
one ``tf.function`` computes the loss and the metrics on the batch exactly as ``fit`` does in its
train step: ``y_pred = model(x, training=True)``, ``model.compute_loss`` (the value the gradients
come from) and ``model.compute_metrics`` on freshly reset metrics (so each is its mean over the
batch). The loss and metrics are written as tf_keras serializes them into ``training_config``.
Every number is a float32 written as the exact double; ``made_on`` says on which CPU and
TensorFlow build (another machine's exp and log may differ in the last bits).

Usage: make_loss_fixtures.py [OUT]   (a file, or a directory to write losses.json into;
       default: src/test/resources/fixtures/losses.json)
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
DEFAULT_OUT = ROOT / "src/test/resources/fixtures/losses.json"
SEED = 2025
ROWS = 8

# name -> (activation, output width, loss, metrics, label kind, label dtype, label shape kind).
# loss and metrics are a string or (class name, kwargs) of a tf_keras object. Label kinds: "sparse"
# (class ids), "onehot", "binary" (0/1 floats), "real" (normal floats). Shape kinds: "row" ([n]),
# "column" ([n, 1]) and "full" (the output's shape).
CASES = {
    "scce_softmax": ("softmax", 5, "sparse_categorical_crossentropy",
                     ["accuracy", "sparse_categorical_accuracy"], "sparse", "int32", "row"),
    "scce_softmax_column_labels": ("softmax", 5, "sparse_categorical_crossentropy",
                                   ["acc"], "sparse", "int64", "column"),
    "scce_logits": ("linear", 5, ("SparseCategoricalCrossentropy", {"from_logits": True}),
                    [("SparseCategoricalAccuracy", {})], "sparse", "uint8", "row"),
    "scce_from_logits_on_softmax": ("softmax", 5,
                                    ("SparseCategoricalCrossentropy", {"from_logits": True}),
                                    ["accuracy"], "sparse", "int32", "row"),
    "scce_probabilities": ("linear", 5, "sparse_categorical_crossentropy",
                           ["accuracy"], "sparse", "int32", "row"),
    "cce_softmax": ("softmax", 4, "categorical_crossentropy",
                    ["accuracy", "categorical_accuracy"], "onehot", "float32", "full"),
    "cce_logits": ("linear", 4, ("CategoricalCrossentropy", {"from_logits": True}),
                   ["accuracy"], "onehot", "float32", "full"),
    "cce_probabilities": ("linear", 4, "categorical_crossentropy",
                          ["accuracy"], "onehot", "float32", "full"),
    "bce_sigmoid": ("sigmoid", 1, "binary_crossentropy",
                    ["accuracy", "binary_accuracy"], "binary", "float32", "full"),
    "bce_sigmoid_row_labels": ("sigmoid", 1, "binary_crossentropy",
                               ["acc"], "binary", "float32", "row"),
    "bce_logits_multilabel": ("linear", 3, ("BinaryCrossentropy", {"from_logits": True}),
                              ["accuracy", ("BinaryAccuracy", {})], "binary", "float32", "full"),
    "bce_probabilities": ("linear", 2, "binary_crossentropy",
                          ["binary_accuracy"], "binary", "float32", "full"),
    "mse": ("linear", 2, "mse", ["mae", "mse"], "real", "float32", "full"),
    "mean_squared_error_object": ("linear", 3, ("MeanSquaredError", {}),
                                  [("MeanAbsoluteError", {})], "real", "float32", "full"),
    "mae_column": ("linear", 1, "mean_absolute_error",
                   ["mean_squared_error", "accuracy"], "real", "float32", "row"),
}


def inputs(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The model input (pre-activation values, or probabilities for linear outputs) and labels."""
    _, width, _, _, kind, dtype, shape = CASES[name]
    rng = np.random.default_rng([SEED, sorted(CASES).index(name)])
    x = (rng.standard_normal((ROWS, width)) * 3).astype(np.float32)
    if name.endswith("probabilities"):
        # Probabilities with exact 0s and 1s and values within 1e-7 of them: the clipped path.
        x = rng.uniform(0, 1, (ROWS, width)).astype(np.float32)
        x[0, 0], x[1, -1], x[2, 0] = 0.0, 1.0, 1e-9
        x[3, -1] = np.float32(1 - 1e-8)
        if kind == "sparse":
            x /= x.sum(axis=-1, keepdims=True)  # rows sum to 1, as from an outside softmax
    elif kind != "real":
        # One confidently wrong row: its probability of the true class falls below 1e-7, where
        # the logits shortcut and the clipped probabilities give different losses.
        x[-1] *= 40 / np.abs(x[-1]).max()
    if kind == "sparse":
        y = rng.integers(0, width, ROWS)
        y[:3] = np.argmax(x[:3], axis=-1)  # some right answers for the accuracies
        y[-1] = np.argmin(x[-1])
    elif kind == "onehot":
        y = np.eye(width)[rng.integers(0, width, ROWS)]
        y[-1] = np.eye(width)[np.argmin(x[-1])]
    elif kind == "binary":
        y = rng.integers(0, 2, (ROWS, width))
        y[-1] = x[-1] < 0
    else:
        y = rng.standard_normal((ROWS, width)) * 2
    if shape == "row":
        y = y.reshape(ROWS)
    elif shape == "column":
        y = y.reshape(ROWS, 1)
    return x, y.astype(dtype)


def _keras_object(spec, module):
    if isinstance(spec, str):
        return spec
    class_name, kwargs = spec
    return getattr(module, class_name)(**kwargs)


def keras_values(name: str) -> tuple[dict, object, list]:
    """Loss and metrics on the case's batch, as fit's train step computes them in graph mode."""
    import tensorflow as tf
    import tf_keras
    # The legacy serialization is what model.save writes into training_config.
    from tf_keras.src.saving.legacy.serialization import serialize_keras_object

    tf.get_logger().setLevel("ERROR")  # one retrace per case is expected

    activation, width, loss, metrics, *_ = CASES[name]
    x, y = inputs(name)
    tf_keras.backend.clear_session()
    model = tf_keras.Sequential([tf_keras.Input((width,)), tf_keras.layers.Activation(activation)])
    loss_obj = _keras_object(loss, tf_keras.losses)
    metric_objs = [_keras_object(m, tf_keras.metrics) for m in metrics]
    model.compile(loss=loss_obj, metrics=metric_objs)

    @tf.function
    def step(x, y):
        y_pred = model(x, training=True)
        total = model.compute_loss(x, y, y_pred, None)
        return total, model.compute_metrics(x, y, y_pred, None)

    model.reset_metrics()
    total, results = step(tf.constant(x), tf.constant(y))
    names = [m if isinstance(m, str) else m.name for m in metric_objs]
    values = {"loss": float(total.numpy())}
    values.update({n: float(results[n].numpy()) for n in names})
    def serialize(obj):
        return obj if isinstance(obj, str) else plain(serialize_keras_object(obj))

    return values, serialize(loss_obj), [serialize(m) for m in metric_objs]


def fixture(name: str) -> dict:
    activation, *_ = CASES[name]
    x, y = inputs(name)
    values, loss, metrics = keras_values(name)
    return {
        "name": name,
        "activation": activation,
        "input_shape": list(x.shape),
        "input": [float(v) for v in x.reshape(-1)],
        "label_dtype": str(y.dtype),
        "label_shape": list(y.shape),
        "labels": [v.item() for v in y.reshape(-1)],
        "loss": loss,
        "metrics": metrics,
        "expected": values,
    }


def all_fixtures() -> dict:
    import tf_keras

    return {"keras": "tf_keras " + tf_keras.__version__, "made_on": made_on(),
            "cases": [fixture(n) for n in CASES]}


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    if out.is_dir():
        out = out / DEFAULT_OUT.name
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(all_fixtures(), indent=1) + "\n")
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
