"""Fixtures for the exporter tests: tiny seeded Keras models, fixed batches and one shared export."""
from __future__ import annotations

import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

REPO = Path(__file__).resolve().parents[2]
# The product (export.py) and the tooling the tests exercise (generators, compat matrix).
for folder in ("scripts", "tools/fixtures", "tools/compat"):
    sys.path.insert(0, str(REPO / folder))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402

import export  # noqa: E402

SEED = 7
INPUT_DIM = 4
CLASSES = 3
BATCH = 8
STEPS = 10
LOSS = "sparse_categorical_crossentropy"

# The optimizers of the shared export, in order, and identical fresh Keras optimizers for each key.
SHARED_OPTIMIZERS = ["adam:learning_rate=0.01", "sgd:learning_rate=0.1", "sgd:momentum=0.9"]
KERAS_OPTIMIZERS = {
    "adam": lambda: keras.optimizers.Adam(learning_rate=0.01),
    "sgd": lambda: keras.optimizers.SGD(learning_rate=0.1),
    "sgd_momentum": lambda: keras.optimizers.SGD(learning_rate=0.01, momentum=0.9),
}


def build_tiny_model(optimizer=None, compiled=True) -> keras.Model:
    """Dense 16 relu (L2 on the kernel) -> Dense 3 softmax, seeded."""
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([
        keras.Input(shape=(INPUT_DIM,), dtype="float32"),
        keras.layers.Dense(16, activation="relu",
                           kernel_regularizer=keras.regularizers.L2(0.01)),
        keras.layers.Dense(CLASSES, activation="softmax"),
    ], name="tiny")
    if compiled:
        model.compile(optimizer=optimizer or keras.optimizers.Adam(learning_rate=0.01),
                      loss=LOSS, metrics=["accuracy"])
    return model


def clone_with_weights(model: keras.Model, weights, optimizer) -> keras.Model:
    """A structurally identical model holding ``weights``, compiled with ``optimizer``."""
    clone = keras.models.clone_model(model)
    clone.set_weights(weights)
    clone.compile(optimizer=optimizer, loss=LOSS, metrics=["accuracy"])
    return clone


def make_batches(count=STEPS, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.normal(size=(BATCH, INPUT_DIM)).astype(np.float32),
             rng.integers(0, CLASSES, size=BATCH).astype(np.int32)) for _ in range(count)]


def serve(loaded, x) -> np.ndarray:
    outputs = loaded.signatures["serving_default"](x=tf.constant(x))
    (value,) = outputs.values()
    return value.numpy()


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO


@pytest.fixture(scope="session")
def batches():
    return make_batches()


@pytest.fixture(scope="session")
def shared_export(tmp_path_factory):
    """The tiny model exported once with three optimizers: (dir, metadata, model, initial weights).

    Tests must not mutate ``model``; load the directory with ``loaded_export`` to train.
    """
    model = build_tiny_model()
    weights = [w.copy() for w in model.get_weights()]
    out = tmp_path_factory.mktemp("shared") / "tiny_export"
    metadata = export.export_trainable(model, out, SHARED_OPTIMIZERS, model_name="tiny",
                                       source="conftest")
    return out, metadata, model, weights


@pytest.fixture
def loaded_export(shared_export):
    """A fresh in-memory copy of the shared export (its variables start at the initial weights)."""
    return tf.saved_model.load(str(shared_export[0]))


@pytest.fixture(scope="session")
def tiny_keras_file(tmp_path_factory) -> Path:
    """The tiny compiled model saved as a .keras file."""
    path = tmp_path_factory.mktemp("keras_files") / "tiny.keras"
    build_tiny_model().save(path)
    return path
