#!/usr/bin/env python3
"""Build the plain Keras 2 (tf_keras) SavedModels for the direct training path (seeded).

These models are saved with tf_keras ``model.save(dir)`` after ``compile``: no training
signatures, no lrfinder contract, no optimizer state (never fitted). Java inlines their
``training=True`` call function and builds the loss, gradients and optimizer itself.

Test fixtures, under ``src/test/resources/fixtures/keras2/`` (one npz per data set, keys x_train,
y_train, x_test, y_test):

* ``mlp`` (mlp.npz, the blobs data re-split 640 / 128): float32 [2] -> Dense 16 relu -> Dense 3 softmax.
* ``mlp_l2`` (mlp.npz): the mlp with weight regularizers: L2(0.01) and L1(0.001) on the first
  layer's kernel and bias, L1L2(0.001, 0.002) on the second's kernel.
* ``cnn_bn`` (cnn_bn.npz, 640 + 128 MNIST rows, uint8): float32 [28,28,1] -> Rescaling(1/255) ->
  Conv 4x3x3 relu -> BatchNormalization -> MaxPool 2 -> Dropout(0.0) -> Flatten -> Dense 10 softmax.
* ``cnn_dropout`` (cnn_bn.npz): Rescaling -> Flatten -> Dense 32 relu -> Dropout 0.5 -> Dense 10.
* ``embedding`` (embedding.npz, synthetic tokens): int32 [12] -> Embedding(50, 8) ->
  GlobalAveragePooling1D -> Dense 1 sigmoid.
* ``regression`` (regression.npz, synthetic): float32 [3] -> Normalization (adapted) -> Dense 8
  relu -> Dense 1; mse, SGD.
* ``lstm`` (embedding.npz): Embedding -> LSTM(4) -> Dense 1 sigmoid (the direct path unrolls its loop).
* ``uncompiled`` (mlp.npz): the mlp architecture saved without ``compile``.
* ``mlp_legacy_rmsprop`` (mlp.npz): the mlp compiled with tf_keras's legacy
  ``RMSprop(learning_rate=0.002, decay=1e-6, rho=0.8)`` (a config with a ``decay`` key).

Bundled twins, under ``savedmodels/keras2/`` (data: the existing ``savedmodels/NAME.npz``):
``blobs_mlp`` and ``mnist_cnn`` rebuilt in tf_keras with the weights of the Keras 3 sources
``savedmodels/sources/NAME.keras``, so both training paths can be compared on the same model.

Usage: build_keras2_examples.py [--only NAME] [--root .]
"""
from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path("src/test/resources/fixtures/keras2")
TWINS = Path("savedmodels/keras2")
SEED = 11
TRAIN_ROWS = 640
TEST_ROWS = 128
TOKENS = 50
SEQUENCE = 12

# Compile arguments of the fixture models (the optimizer is built fresh for each model).
SPARSE_CE = {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"]}
BINARY_CE = {"loss": "binary_crossentropy", "metrics": ["accuracy"]}
MSE = {"loss": "mse", "metrics": ["mae"]}


# ---------------------------------------------------------------- data


def _split(x: np.ndarray, y: np.ndarray) -> dict[str, np.ndarray]:
    return {"x_train": x[:TRAIN_ROWS], "y_train": y[:TRAIN_ROWS],
            "x_test": x[TRAIN_ROWS:], "y_test": y[TRAIN_ROWS:]}


def mlp_data(root: Path) -> dict[str, np.ndarray]:
    """The bundled blobs data, re-split 640 / 128 in order.

    blobs_mlp.npz has 500 train rows, fewer than the 20 batches of 32 the golden trajectories
    read, so its x_test rows follow its x_train rows here (x_train[:500] is blobs' x_train).
    """
    with np.load(root / "savedmodels/blobs_mlp.npz") as data:
        x = np.concatenate([data["x_train"], data["x_test"]])
        y = np.concatenate([data["y_train"], data["y_test"]])
    return _split(x[:TRAIN_ROWS + TEST_ROWS], y[:TRAIN_ROWS + TEST_ROWS])


def cnn_data(root: Path) -> dict[str, np.ndarray]:
    """The first TRAIN_ROWS + TEST_ROWS rows of the bundled MNIST training split (uint8)."""
    with np.load(root / "savedmodels/mnist_cnn.npz") as data:
        x, y = data["x_train"], data["y_train"]
    end = TRAIN_ROWS + TEST_ROWS
    return {"x_train": x[:TRAIN_ROWS].astype(np.uint8), "y_train": y[:TRAIN_ROWS].astype(np.int32),
            "x_test": x[TRAIN_ROWS:end].astype(np.uint8), "y_test": y[TRAIN_ROWS:end].astype(np.int32)}


def embedding_data(root: Path) -> dict[str, np.ndarray]:
    """Random tokens; the label says whether at least 3 of them are below 10."""
    rng = np.random.default_rng(SEED)
    x = rng.integers(0, TOKENS, size=(TRAIN_ROWS + TEST_ROWS, SEQUENCE)).astype(np.int32)
    y = (np.sum(x < 10, axis=1, keepdims=True) >= 3).astype(np.float32)
    return _split(x, y)


def regression_data(root: Path) -> dict[str, np.ndarray]:
    """Three features on very different scales; the target is linear in them plus noise."""
    rng = np.random.default_rng(SEED + 1)
    n = TRAIN_ROWS + TEST_ROWS
    scale = np.array([1.0, 100.0, 0.01])
    offset = np.array([0.0, 500.0, -0.05])
    x = rng.standard_normal((n, 3)) * scale + offset
    y = ((x - offset) / scale) @ np.array([[1.5], [-2.0], [0.5]]) + 0.7
    y = y + 0.1 * rng.standard_normal((n, 1))
    return _split(x.astype(np.float32), y.astype(np.float32))


# ---------------------------------------------------------------- fixture models


def _start(name: str):
    """Fresh layer names (dense, dense_1, ...) and a fixed seed for every model."""
    keras.backend.clear_session()
    keras.utils.set_random_seed(SEED)
    return name


def mlp_model(data, compiled: bool = True) -> keras.Model:
    model = keras.Sequential([
        keras.Input(shape=(2,), dtype="float32"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ], name=_start("uncompiled" if not compiled else "mlp"))
    if compiled:
        model.compile(optimizer=keras.optimizers.Adam(), **SPARSE_CE)
    return model


def mlp_l2_model(data) -> keras.Model:
    """The mlp with weight regularizers of each kind tf_keras offers (L2, L1, L1L2)."""
    regularizers = keras.regularizers
    model = keras.Sequential([
        keras.Input(shape=(2,), dtype="float32"),
        keras.layers.Dense(16, activation="relu", kernel_regularizer=regularizers.L2(0.01),
                           bias_regularizer=regularizers.L1(0.001)),
        keras.layers.Dense(3, activation="softmax",
                           kernel_regularizer=regularizers.L1L2(l1=0.001, l2=0.002)),
    ], name=_start("mlp_l2"))
    model.compile(optimizer=keras.optimizers.Adam(), **SPARSE_CE)
    return model


def cnn_bn_model(data) -> keras.Model:
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1), dtype="float32"),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(4, 3, activation="relu"),
        layers.BatchNormalization(),
        layers.MaxPooling2D(2),
        layers.Dropout(0.0),
        layers.Flatten(),
        layers.Dense(10, activation="softmax"),
    ], name=_start("cnn_bn"))
    model.compile(optimizer=keras.optimizers.Adam(), **SPARSE_CE)
    return model


def cnn_dropout_model(data) -> keras.Model:
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1), dtype="float32"),
        layers.Rescaling(1.0 / 255),
        layers.Flatten(),
        layers.Dense(32, activation="relu"),
        layers.Dropout(0.5),
        layers.Dense(10, activation="softmax"),
    ], name=_start("cnn_dropout"))
    model.compile(optimizer=keras.optimizers.Adam(), **SPARSE_CE)
    return model


def embedding_model(data) -> keras.Model:
    model = keras.Sequential([
        keras.Input(shape=(SEQUENCE,), dtype="int32"),
        keras.layers.Embedding(TOKENS, 8),
        keras.layers.GlobalAveragePooling1D(),
        keras.layers.Dense(1, activation="sigmoid"),
    ], name=_start("embedding"))
    model.compile(optimizer=keras.optimizers.Adam(), **BINARY_CE)
    return model


def regression_model(data) -> keras.Model:
    normalization = keras.layers.Normalization()
    model = keras.Sequential([
        keras.Input(shape=(3,), dtype="float32"),
        normalization,
        keras.layers.Dense(8, activation="relu"),
        keras.layers.Dense(1),
    ], name=_start("regression"))
    # Adapted once built inside the model, so its variables are named normalization/mean etc.
    # (adapting first would build them unscoped: "mean", "variance", "count").
    normalization.adapt(data["x_train"])
    model.compile(optimizer=keras.optimizers.SGD(), **MSE)
    return model


def lstm_model(data) -> keras.Model:
    model = keras.Sequential([
        keras.Input(shape=(SEQUENCE,), dtype="int32"),
        keras.layers.Embedding(TOKENS, 8),
        keras.layers.LSTM(4),
        keras.layers.Dense(1, activation="sigmoid"),
    ], name=_start("lstm"))
    model.compile(optimizer=keras.optimizers.Adam(), **BINARY_CE)
    return model


def uncompiled_model(data) -> keras.Model:
    return mlp_model(data, compiled=False)


# name -> (model builder, data file stem, data builder)
def mlp_legacy_rmsprop_model(data) -> keras.Model:
    """The mlp compiled with a legacy (optimizer_v2) RMSprop and a time decay, as old code does."""
    model = keras.Sequential([
        keras.Input(shape=(2,), dtype="float32"),
        keras.layers.Dense(16, activation="relu"),
        keras.layers.Dense(3, activation="softmax"),
    ], name=_start("sequential"))
    model.compile(optimizer=keras.optimizers.legacy.RMSprop(learning_rate=0.002, decay=1e-6,
                                                            rho=0.8), **SPARSE_CE)
    return model


FIXTURE_MODELS = {
    "mlp": (mlp_model, "mlp", mlp_data),
    "mlp_l2": (mlp_l2_model, "mlp", mlp_data),
    "cnn_bn": (cnn_bn_model, "cnn_bn", cnn_data),
    "cnn_dropout": (cnn_dropout_model, "cnn_bn", cnn_data),
    "embedding": (embedding_model, "embedding", embedding_data),
    "regression": (regression_model, "regression", regression_data),
    "lstm": (lstm_model, "embedding", embedding_data),
    "uncompiled": (uncompiled_model, "mlp", mlp_data),
    "mlp_legacy_rmsprop": (mlp_legacy_rmsprop_model, "mlp", mlp_data),
}


# ---------------------------------------------------------------- bundled twins


def _tf_keras_layer(layer):
    """The tf_keras layer equivalent to one Keras 3 layer (same class, name and settings)."""
    kind = type(layer).__name__
    config = layer.get_config()
    keys = {
        "Dense": ("units", "activation", "use_bias"),
        "Conv2D": ("filters", "kernel_size", "strides", "padding", "activation", "use_bias"),
        "MaxPooling2D": ("pool_size", "strides", "padding"),
        "Flatten": (),
        "Rescaling": ("scale", "offset"),
    }[kind]
    return getattr(keras.layers, kind)(name=layer.name, **{k: config[k] for k in keys})


def load_keras3_source(path: Path):
    import keras as keras3

    return keras3.saving.load_model(path, compile=False)


def twin_model(source) -> keras.Model:
    """``source`` (a Keras 3 Sequential) rebuilt in tf_keras, holding the same weights."""
    keras.backend.clear_session()
    source_input = source.inputs[0]
    layers = [keras.Input(shape=tuple(source_input.shape[1:]), dtype=source_input.dtype)]
    model = keras.Sequential(layers + [_tf_keras_layer(l) for l in source.layers], name=source.name)
    for mine, theirs in zip(model.layers, source.layers, strict=True):
        mine.set_weights(theirs.get_weights())
    model.compile(optimizer=keras.optimizers.Adam(), **SPARSE_CE)
    return model


def twin_difference(model, source, x: np.ndarray) -> float:
    """Largest absolute difference between the two models' predictions on ``x``."""
    mine = model.predict(x, verbose=0)
    theirs = np.asarray(source.predict(x, verbose=0))
    return float(np.max(np.abs(mine - theirs)))


TWIN_MODELS = ("blobs_mlp", "mnist_cnn")


# ---------------------------------------------------------------- writing


def size_of(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def save(model: keras.Model, out: Path) -> None:
    shutil.rmtree(out, ignore_errors=True)
    model.save(str(out), save_format="tf")


def build_fixture(name: str, root: Path) -> None:
    make_model, stem, make_data = FIXTURE_MODELS[name]
    out_dir = root / FIXTURES
    out_dir.mkdir(parents=True, exist_ok=True)
    data = make_data(root)
    data_file = out_dir / f"{stem}.npz"
    np.savez_compressed(data_file, **data)
    model = make_model(data)
    save(model, out_dir / name)
    print(f"{name}: {model.count_params()} parameters, {size_of(out_dir / name)} bytes; "
          f"{data_file.name} {size_of(data_file)} bytes")


def build_twin(name: str, root: Path) -> None:
    source = load_keras3_source(root / "savedmodels/sources" / f"{name}.keras")
    model = twin_model(source)
    with np.load(root / "savedmodels" / f"{name}.npz") as data:
        x = data["x_test"][:64]
    diff = twin_difference(model, source, x)
    assert diff < 1e-5, f"{name}: tf_keras and Keras 3 predictions differ by {diff}"
    out = root / TWINS / name
    save(model, out)
    print(f"{name}: twin of sources/{name}.keras, input {model.inputs[0].dtype.name}, "
          f"max |diff| {diff:.2e}, {size_of(out)} bytes")


def main(argv=None) -> int:
    names = list(FIXTURE_MODELS) + list(TWIN_MODELS)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=names, action="append")
    parser.add_argument("--root", type=Path, default=ROOT)
    args = parser.parse_args(argv)
    for name in args.only or names:
        if name in FIXTURE_MODELS:
            build_fixture(name, args.root)
        else:
            build_twin(name, args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
