#!/usr/bin/env python3
"""Several inputs and outputs on the direct path: tiny tf_keras models and their Keras numbers.

Writes into OUT_DIR, for each model, the Keras 2 SavedModel (``model.save(dir)``), its data as
``<model>.npz`` in the x_<input>/y_<output> layout (docs/data.md) and ``<model>.json`` with what
tf_keras computes from the saved weights on the first BATCH rows: ``evaluate`` (return_dict) and
then two ``train_on_batch`` calls on that batch (return_dict; each the loss and metrics of the
forward pass before its update), with the compiled optimizer (SGD, learning rate 0.05).

* ``two_input``: inputs ``a`` [3] and ``b`` [2] -> Concatenate -> Dense ``out`` [1], mse.
* ``dict_input``: a dict of inputs ``v`` [2] and ``u`` [3] -> Dense -> ``kind`` softmax [3],
  sparse_categorical_crossentropy and accuracy.
* ``two_output``: input ``x`` [4] -> Dense 8 relu (L2 kernel regularizer) -> Dense ``reg`` [1]
  (mse, weight 1) and Dense ``cls`` [1] sigmoid (binary_crossentropy, weight 0.5, accuracy).
* ``dict_output``: a dict of outputs ``z_first`` (mae, weight 0.25) and ``a_second`` (sigmoid,
  binary_crossentropy, weight 2).
* ``added_loss``: one input, one output and ``model.add_loss`` (refused by the direct path).
* ``lookup``: a list of inputs ``color`` (string, StringLookup one-hot), ``size`` (int64,
  IntegerLookup one-hot) and ``weight`` (float32, Normalization) -> Dense -> ``adopted`` sigmoid,
  binary_crossentropy and accuracy: lookup tables the direct path must restore and read.
* ``featurecols``: a Sequential of DenseFeatures (a dict of a numeric and a vocabulary-list
  column) -> Dense (L2) -> Dense ``risk`` sigmoid: its output is named by its last layer.

Usage: make_direct_multiio_fixtures.py OUT_DIR
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import tf_keras as keras  # noqa: E402

ROWS = 64
BATCH = 16


def numbers(values: dict) -> dict:
    return {k: float(v) for k, v in values.items()}


def reference(model, x, y) -> dict:
    first_x = {k: v[:BATCH] for k, v in x.items()}
    first_y = {k: v[:BATCH] for k, v in y.items()}
    if len(first_y) == 1 and list(first_y) != list(model.output_names or []):
        first_y = next(iter(first_y.values()))  # a revived Sequential names its output output_1
    evaluated = model.evaluate(first_x, first_y, batch_size=BATCH, verbose=0, return_dict=True)
    # Two steps on the same batch: the second one's loss shows the first update (the gradient
    # of the weighted total) was the same.
    trained = [numbers(model.train_on_batch(first_x, first_y, return_dict=True))
               for _ in range(2)]
    return {"batch": BATCH, "evaluate": numbers(evaluated), "train_on_batch": trained}


def two_input(out: Path, rng) -> None:
    a = keras.Input((3,), name="a")
    b = keras.Input((2,), name="b")
    joined = keras.layers.Concatenate()([a, b])
    model = keras.Model([a, b], keras.layers.Dense(1, name="out")(joined), name="two_input")
    compiled = dict(optimizer=keras.optimizers.SGD(0.05), loss="mse")
    model.compile(**compiled)
    x = {"a": rng.normal(size=(ROWS, 3)).astype("float32"),
         "b": rng.normal(size=(ROWS, 2)).astype("float32")}
    y = {"out": (x["a"].sum(1, keepdims=True) - x["b"][:, :1]).astype("float32")}
    save(model, out / "two_input", x, y, compiled)


def dict_input(out: Path, rng) -> None:
    # Declared v, u: the call takes a dict, flattened in sorted key order (u, v).
    v = keras.Input((2,), name="v")
    u = keras.Input((3,), name="u")
    joined = keras.layers.Concatenate()([v, u])
    hidden = keras.layers.Dense(4, activation="tanh")(joined)
    model = keras.Model({"v": v, "u": u}, keras.layers.Dense(3, activation="softmax",
                                                               name="kind")(hidden),
                        name="dict_input")
    compiled = dict(optimizer=keras.optimizers.SGD(0.1),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    model.compile(**compiled)
    x = {"v": rng.normal(size=(ROWS, 2)).astype("float32"),
         "u": rng.normal(size=(ROWS, 3)).astype("float32")}
    y = {"kind": rng.integers(0, 3, size=(ROWS,)).astype("int32")}
    save(model, out / "dict_input", x, y, compiled)


def two_output(out: Path, rng) -> None:
    x_in = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(8, activation="relu",
                                kernel_regularizer=keras.regularizers.L2(0.01))(x_in)
    reg = keras.layers.Dense(1, name="reg")(hidden)
    cls = keras.layers.Dense(1, activation="sigmoid", name="cls")(hidden)
    model = keras.Model(x_in, [reg, cls], name="two_output")
    compiled = dict(optimizer=keras.optimizers.SGD(0.05),
                    loss={"reg": "mse", "cls": "binary_crossentropy"},
                    loss_weights={"reg": 1.0, "cls": 0.5}, metrics={"cls": ["accuracy"]})
    model.compile(**compiled)
    x = {"x": rng.normal(size=(ROWS, 4)).astype("float32")}
    y = {"reg": x["x"][:, :1] * 2.0 + 0.5,
         "cls": (x["x"][:, 1:2] > 0).astype("float32")}
    save(model, out / "two_output", x, y, compiled)


def dict_output(out: Path, rng) -> None:
    # Outputs returned as a dict declared z_first, a_second: the call flattens them sorted.
    x_in = keras.Input((4,), name="x")
    hidden = keras.layers.Dense(6, activation="relu")(x_in)
    outputs = {"z_first": keras.layers.Dense(1, name="z_first")(hidden),
               "a_second": keras.layers.Dense(1, activation="sigmoid", name="a_second")(hidden)}
    model = keras.Model(x_in, outputs, name="dict_output")
    compiled = dict(optimizer=keras.optimizers.SGD(0.05),
                    loss={"z_first": "mae", "a_second": "binary_crossentropy"},
                    loss_weights={"z_first": 0.25, "a_second": 2.0})
    model.compile(**compiled)
    x = {"x": rng.normal(size=(ROWS, 4)).astype("float32")}
    y = {"z_first": x["x"][:, :1] * 3.0, "a_second": (x["x"][:, 2:3] > 0).astype("float32")}
    save(model, out / "dict_output", x, y, compiled)


def added_loss(out: Path, rng) -> None:
    x_in = keras.Input((4,), name="x")
    y_out = keras.layers.Dense(1, name="out")(x_in)
    model = keras.Model(x_in, y_out, name="added_loss")
    model.add_loss(tf.reduce_mean(tf.square(y_out)) * 0.1)
    compiled = dict(optimizer="sgd", loss="mse")
    model.compile(**compiled)
    x = {"x": rng.normal(size=(ROWS, 4)).astype("float32")}
    y = {"out": x["x"][:, :1]}
    save(model, out / "added_loss", x, y, compiled)


def lookup(out: Path, rng) -> None:
    colors = np.array(["red", "green", "blue", "black"])
    color = keras.Input((1,), dtype="string", name="color")
    size = keras.Input((1,), dtype="int64", name="size")
    weight = keras.Input((1,), name="weight")
    encoded = [keras.layers.StringLookup(vocabulary=colors[:3], output_mode="one_hot")(color),
               keras.layers.IntegerLookup(vocabulary=np.array([1, 2, 3], dtype="int64"),
                                          output_mode="one_hot")(size),
               keras.layers.Normalization(mean=5.0, variance=4.0)(weight)]
    hidden = keras.layers.Dense(4, activation="relu")(keras.layers.Concatenate()(encoded))
    model = keras.Model([color, size, weight],
                        keras.layers.Dense(1, activation="sigmoid", name="adopted")(hidden),
                        name="lookup")
    compiled = dict(optimizer=keras.optimizers.SGD(0.1), loss="binary_crossentropy",
                    metrics=["accuracy"])
    model.compile(**compiled)
    # "black" and size 4 are out of vocabulary: they go to the OOV slot, as in Keras.
    x = {"color": colors[rng.integers(0, 4, size=(ROWS, 1))],
         "size": rng.integers(1, 5, size=(ROWS, 1)).astype("int64"),
         "weight": rng.normal(5.0, 2.0, size=(ROWS, 1)).astype("float32")}
    y = {"adopted": ((x["color"] == "red") | (x["size"] == 2)).astype("float32")}
    save(model, out / "lookup", x, y, compiled)


def featurecols(out: Path, rng) -> None:
    columns = [tf.feature_column.numeric_column("age"),
               tf.feature_column.indicator_column(
                   tf.feature_column.categorical_column_with_vocabulary_list(
                       "chest", ["ATA", "NAP", "ASY"]))]
    model = keras.Sequential([
        keras.layers.DenseFeatures(columns),
        keras.layers.Dense(4, activation="relu", kernel_regularizer=keras.regularizers.L2(0.01)),
        keras.layers.Dense(1, activation="sigmoid", name="risk")], name="featurecols")
    compiled = dict(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy")
    model.compile(**compiled)
    x = {"age": rng.normal(50, 10, size=(ROWS,)).astype("float32"),
         "chest": np.array(["ATA", "NAP", "ASY", "TA"])[rng.integers(0, 4, size=(ROWS,))]}
    y = {"risk": (x["age"] > 50).astype("float32")[:, None]}
    model.fit(x, y["risk"], batch_size=ROWS, epochs=1, verbose=0)  # builds it from the dict
    save(model, out / "featurecols", x, y, compiled)


def save(model, directory: Path, x: dict, y: dict, compiled: dict) -> None:
    model.save(str(directory))
    np.savez(directory.parent / (directory.name + ".npz"),
             **{"x_" + k: v for k, v in x.items()}, **{"y_" + k: v for k, v in y.items()})
    # The reference is what a user gets from the saved model: loaded and compiled afresh with
    # the same arguments, so metrics such as "accuracy" are resolved against the real labels
    # (the saved config of an untrained model names categorical_accuracy whatever the labels).
    model = keras.models.load_model(str(directory), compile=False)
    optimizer = keras.optimizers.get(compiled["optimizer"])  # a new one: the old one is built
    model.compile(**dict(compiled, optimizer=optimizer.__class__.from_config(
        optimizer.get_config())))
    ref = reference(model, x, y)
    ref["loss_weights"] = model.compiled_loss._user_loss_weights
    ref["output_names"] = list(model.output_names or [])
    ref["input_names"] = list(model.input_names or [])
    (directory.parent / (directory.name + ".json")).write_text(json.dumps(ref, indent=1))


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    two_input(out, rng)
    dict_input(out, rng)
    two_output(out, rng)
    dict_output(out, rng)
    added_loss(out, rng)
    lookup(out, rng)
    featurecols(out, rng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
