#!/usr/bin/env python3
"""Small Keras models with several inputs or outputs, exported with scripts/export.py, and their data.

Writes into OUT_DIR, for the Java tests of contract v2 (dev.lrfinder.model.MultiIoExportTest and
dev.lrfinder.cli.MultiInputTableTest):

* ``two_inputs``: a Keras 3 ``.keras`` model with a float input ``size`` [3] and a string input
  ``city`` [1] (hashed into 8 bins), one regression output ``price`` (mse, metric mae); data
  ``two_inputs.npz`` (``x_size``, ``x_city`` as numpy ``<U`` strings of shape [N], ``y`` of shape
  [N] for the [batch, 1] output, and the same for the test split with ``_test``).
* ``two_outputs``: a tf_keras ``.h5`` model (the legacy path) with one input ``features`` [4] and
  two outputs, ``age`` (mse, metric mae, loss weight 1) and ``gender`` (binary crossentropy,
  metric accuracy, loss weight 0.5); data ``two_outputs.npz`` (``x_features``, ``y_age``,
  ``y_gender``, and the same for the test split with ``_test``) and ``two_outputs.csv``
  (features ``f0``..``f3``, labels ``age`` and ``gender``: the one input takes every other column).
* ``one_column``: a Keras 3 model with two scalar inputs ``rooms`` and ``city`` (string) and one
  output ``price``, with ``one_column.csv`` whose columns are named like the inputs (and an unused
  ``id``), for reading a CSV by column name.

Usage: make_multiio_fixtures.py OUT_DIR
"""
from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

ROWS = 256
TEST_ROWS = 64
CITIES = np.array(["Oslo", "Lyon", "Kyoto", "Porto", "Quito", "Z\u00fcrich"])


def export(model_file: Path, out: Path) -> None:
    script = Path(__file__).resolve().parent / "export.py"
    subprocess.run([sys.executable, str(script), str(model_file), "--out", str(out)], check=True)


def two_inputs(out: Path, rng: np.random.Generator) -> None:
    import keras

    size = keras.Input((3,), name="size")
    city = keras.Input((1,), dtype="string", name="city")
    hashed = keras.layers.Hashing(num_bins=8, output_mode="one_hot")(city)
    h = keras.layers.Concatenate()([size, hashed])
    h = keras.layers.Dense(8, activation="relu")(h)
    price = keras.layers.Dense(1, name="price")(h)
    model = keras.Model([size, city], price, name="two_inputs")
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse", metrics=["mae"])
    model.save(out / "two_inputs.keras")
    export(out / "two_inputs.keras", out / "two_inputs")

    n = ROWS + TEST_ROWS
    sizes = rng.normal(size=(n, 3)).astype(np.float32)
    cities = CITIES[rng.integers(0, len(CITIES), n)]
    prices = (sizes.sum(axis=1) + (cities == "Oslo")).astype(np.float32)
    np.savez(out / "two_inputs.npz", x_size=sizes[:ROWS], x_city=cities[:ROWS], y=prices[:ROWS],
             x_size_test=sizes[ROWS:], x_city_test=cities[ROWS:], y_test=prices[ROWS:])


def two_outputs(out: Path, rng: np.random.Generator) -> None:
    import tf_keras

    features = tf_keras.Input((4,), name="features")
    h = tf_keras.layers.Dense(8, activation="relu")(features)
    age = tf_keras.layers.Dense(1, name="age")(h)
    gender = tf_keras.layers.Dense(1, activation="sigmoid", name="gender")(h)
    model = tf_keras.Model(features, [age, gender], name="two_outputs")
    model.compile(optimizer=tf_keras.optimizers.Adam(0.001),
                  loss={"age": "mse", "gender": "binary_crossentropy"},
                  loss_weights={"age": 1.0, "gender": 0.5},
                  metrics={"age": ["mae"], "gender": ["accuracy"]})
    model.save(out / "two_outputs.h5")
    export(out / "two_outputs.h5", out / "two_outputs")

    n = ROWS + TEST_ROWS
    x = rng.normal(size=(n, 4)).astype(np.float32)
    ages = (x @ np.array([1, 2, 3, 4], np.float32)).astype(np.float32)
    genders = (x[:, 0] > 0).astype(np.float32)
    np.savez(out / "two_outputs.npz", x_features=x[:ROWS], y_age=ages[:ROWS],
             y_gender=genders[:ROWS], x_features_test=x[ROWS:], y_age_test=ages[ROWS:],
             y_gender_test=genders[ROWS:])
    with open(out / "two_outputs.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["f0", "f1", "f2", "f3", "age", "gender"])
        for i in range(ROWS):
            writer.writerow([*map(repr, x[i].tolist()), repr(float(ages[i])), int(genders[i])])


def one_column(out: Path, rng: np.random.Generator) -> None:
    import keras

    rooms = keras.Input((1,), name="rooms")
    city = keras.Input((1,), dtype="string", name="city")
    hashed = keras.layers.Hashing(num_bins=8, output_mode="one_hot")(city)
    h = keras.layers.Concatenate()([rooms, hashed])
    price = keras.layers.Dense(1, name="price")(h)
    model = keras.Model({"rooms": rooms, "city": city}, price, name="one_column")
    model.compile(optimizer=keras.optimizers.SGD(0.01), loss="mse")
    model.save(out / "one_column.keras")
    export(out / "one_column.keras", out / "one_column")

    with open(out / "one_column.csv", "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "city", "rooms", "price"])
        for i in range(ROWS):
            r = int(rng.integers(1, 6))
            c = CITIES[int(rng.integers(0, len(CITIES)))]
            writer.writerow([i, c, r, 50 * r + (20 if c == "Oslo" else 0)])


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__.strip().splitlines()[-1])
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(11)
    two_inputs(out, rng)
    two_outputs(out, rng)
    one_column(out, rng)


if __name__ == "__main__":
    main()
