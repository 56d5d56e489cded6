#!/usr/bin/env python3
"""keras_metadata.pb fixtures for dev.lrfinder.direct.KerasMetadata.

Each case is a tiny seeded tf_keras (Keras 2) model saved with ``model.save(dir)`` (the legacy
SavedModel format, which writes ``keras_metadata.pb`` next to ``saved_model.pb``); only the
metadata file is kept, as ``<case>.pb``. Layers have explicit names so the files do not depend on
Keras's global name counters. ``made_on.json`` says where they were made (CPU, TensorFlow build),
as every fixture does; the metadata itself holds configuration only, no computed numbers.

Usage: make_metadata_fixtures.py [OUT_DIR]   (default: src/test/resources/fixtures/keras_metadata)
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from fixture_json import made_on  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "src/test/resources/fixtures/keras_metadata"
SEED = 11


def _compiled_string(k):
    """Sequential, softmax output, string loss and "accuracy" (saved before any training)."""
    model = k.Sequential([k.Input((4,)), k.layers.Dense(3, activation="softmax", name="probs")],
                         name="tiny")
    model.compile(loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


def _compiled_object(k):
    """Functional, logits output, a loss object and a metric object."""
    inputs = k.Input((4,), name="x")
    hidden = k.layers.Dense(8, activation="relu", name="hidden")(inputs)
    logits = k.layers.Dense(3, name="logits")(hidden)
    model = k.Model(inputs, logits, name="functional_logits")
    model.compile(optimizer=k.optimizers.Adam(learning_rate=0.01),
                  loss=k.losses.SparseCategoricalCrossentropy(from_logits=True),
                  metrics=[k.metrics.SparseCategoricalAccuracy(), "mae"])
    return model


def _uncompiled(k):
    return k.Sequential([k.Input((4,)), k.layers.Dense(2, name="out")], name="uncompiled")


def _regularized(k):
    """A kernel regularizer on one layer and an activity regularizer on another."""
    model = k.Sequential([
        k.Input((4,)),
        k.layers.Dense(8, activation="relu", kernel_regularizer=k.regularizers.L2(0.01),
                       name="l2_dense"),
        k.layers.Dropout(0.5, name="drop"),
        k.layers.Dense(1, activation="sigmoid", activity_regularizer=k.regularizers.L1(0.001),
                       name="active"),
    ], name="regularized")
    model.compile(loss="binary_crossentropy", metrics=["acc"])
    return model


CASES = {
    "compiled_string": _compiled_string,
    "compiled_object": _compiled_object,
    "uncompiled": _uncompiled,
    "regularized": _regularized,
}


def write_all(out_dir: Path) -> list[Path]:
    import tf_keras

    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, build in CASES.items():
        tf_keras.backend.clear_session()
        tf_keras.utils.set_random_seed(SEED)
        with tempfile.TemporaryDirectory() as tmp:
            build(tf_keras).save(os.path.join(tmp, "model"))
            path = out_dir / f"{name}.pb"
            shutil.copyfile(os.path.join(tmp, "model", "keras_metadata.pb"), path)
        written.append(path)
    (out_dir / "made_on.json").write_text(json.dumps(made_on(), indent=1) + "\n")
    return written


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else DEFAULT_OUT
    for path in write_all(out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
