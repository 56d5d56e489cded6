#!/usr/bin/env python3
"""Golden Keras ``fit`` trajectories for the direct training path (plain Keras 2 SavedModels).

For each fidelity model under ``src/test/resources/fixtures/keras2/`` (mlp, cnn_bn, embedding,
regression) and each optimizer case, the committed SavedModel is loaded with
``tf_keras.models.load_model`` (fresh for every case, so all cases start from the saved weights and
BatchNorm statistics), re-compiled with its own loss and metrics and the case's optimizer, and
trained with STEPS ``train_on_batch`` calls (the train_function ``fit`` uses) on the first STEPS
batches of BATCH rows of x_train, in order. x is cast to the model's input dtype (no scaling).

One JSON per model, ``<model>_fit.json``, holds per case the serialized optimizer, the loss and
metrics returned by every step (computed on the forward pass before that step's update) and the
final value of every model variable (trainable and not), keyed by variable name. Every float is a
float32 written as the exact double.

Usage: make_direct_fixtures.py [--only MODEL] [OUT_DIR]   (default: src/test/resources/fixtures/keras2)
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402

from fixture_json import plain  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "src/test/resources/fixtures/keras2"
BATCH = 32
STEPS = 20

# model directory -> (data file, loss, metrics); the same compile arguments it was saved with.
MODELS = {
    "mlp": ("mlp.npz", "sparse_categorical_crossentropy", ["accuracy"]),
    "mlp_l2": ("mlp.npz", "sparse_categorical_crossentropy", ["accuracy"]),
    "cnn_bn": ("cnn_bn.npz", "sparse_categorical_crossentropy", ["accuracy"]),
    "embedding": ("embedding.npz", "binary_crossentropy", ["accuracy"]),
    "regression": ("regression.npz", "mse", ["mae"]),
}

# case name -> (tf_keras optimizer class, constructor kwargs)
CASES = {
    "sgd": ("SGD", {"learning_rate": 0.05}),
    "sgd_momentum": ("SGD", {"learning_rate": 0.02, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"learning_rate": 0.02, "momentum": 0.9, "nesterov": True}),
    "rmsprop": ("RMSprop", {"learning_rate": 0.003}),
    "adagrad": ("Adagrad", {"learning_rate": 0.05}),
    "adam": ("Adam", {"learning_rate": 0.003}),
    "adamw": ("AdamW", {"learning_rate": 0.003, "weight_decay": 0.01}),
}


def root_metadata(model_dir: Path) -> dict:
    """The JSON metadata of the root object in ``keras_metadata.pb`` (has training_config)."""
    from tf_keras.protobuf import saved_metadata_pb2

    proto = saved_metadata_pb2.SavedMetadata()
    proto.ParseFromString((model_dir / "keras_metadata.pb").read_bytes())
    (root,) = [node for node in proto.nodes if node.node_path == "root"]
    return json.loads(root.metadata)


def batches(data_file: Path, input_dtype) -> list[tuple[np.ndarray, np.ndarray]]:
    """The first STEPS batches of x_train/y_train, in order; x plainly cast to the input dtype."""
    with np.load(data_file) as data:
        x = data["x_train"].astype(input_dtype)
        y = data["y_train"]
    assert len(x) >= BATCH * STEPS, f"{data_file.name}: too few rows"
    return [(x[i * BATCH:(i + 1) * BATCH], y[i * BATCH:(i + 1) * BATCH]) for i in range(STEPS)]


def variable_name(variable) -> str:
    return variable.name[:-2] if variable.name.endswith(":0") else variable.name


def _number(value, dtype):
    return float(np.float32(value)) if np.issubdtype(dtype, np.floating) else int(value)


def variable_record(variable) -> dict:
    value = np.asarray(variable.numpy())
    return {"dtype": value.dtype.name, "shape": list(value.shape),
            "values": [_number(v, value.dtype) for v in value.reshape(-1)]}


def make_optimizer(case: str):
    import tf_keras

    class_name, kwargs = CASES[case]
    return getattr(tf_keras.optimizers, class_name)(**kwargs)


def load(model_dir: Path):
    """The committed SavedModel revived as a Keras model, uncompiled."""
    import tf_keras

    return tf_keras.models.load_model(str(model_dir), compile=False)


def trajectory(model_dir: Path, data_file: Path, loss: str, metrics: list[str], case: str) -> dict:
    """One case: a freshly loaded model trained STEPS steps with the case's optimizer."""
    import tf_keras

    model = load(model_dir)
    optimizer = make_optimizer(case)
    serialized = tf_keras.optimizers.serialize(optimizer)
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    input_dtype = model.inputs[0].dtype.as_numpy_dtype
    losses, metric_values = [], {}
    for x, y in batches(data_file, input_dtype):
        logs = model.train_on_batch(x, y, reset_metrics=True, return_dict=True)
        losses.append(float(np.float32(logs["loss"])))
        for name, value in logs.items():
            if name != "loss":
                metric_values.setdefault(name, []).append(float(np.float32(value)))
    return {
        "optimizer": plain(serialized),
        "losses": losses,
        "metrics": metric_values,
        "final_variables": {variable_name(v): variable_record(v) for v in model.weights},
    }


def fixture(model_name: str, fixtures: Path = FIXTURES, cases=None) -> dict:
    """The whole JSON document of one model (all cases unless ``cases`` names some)."""
    import tensorflow as tf
    import tf_keras

    data_name, loss, metrics = MODELS[model_name]
    model_dir = fixtures / model_name
    model = load(model_dir)
    names = [variable_name(v) for v in model.weights]
    assert len(set(names)) == len(names), f"{model_name}: variable names repeat: {names}"
    document = {
        "model": model_name,
        "data": data_name,
        "batch_size": BATCH,
        "steps": STEPS,
        "loss": loss,
        "metrics": list(metrics),
        "tensorflow_version": tf.__version__,
        "tf_keras_version": tf_keras.__version__,
        "trainable_variables": [variable_name(v) for v in model.trainable_variables],
        "non_trainable_variables": [variable_name(v) for v in model.non_trainable_variables],
        "cases": {},
    }
    for case in cases or CASES:
        document["cases"][case] = trajectory(model_dir, fixtures / data_name, loss, metrics, case)
    return document


def dumps(document: dict) -> str:
    """Indented JSON with every list of numbers on one line (a third smaller than plain indent)."""
    lists: list[str] = []

    def inline(value):
        if isinstance(value, dict):
            return {k: inline(v) for k, v in value.items()}
        if isinstance(value, list) and value and all(isinstance(v, (int, float)) for v in value):
            lists.append(json.dumps(value, separators=(",", ":")))
            return f"@@{len(lists) - 1}@@"
        return value

    text = json.dumps(inline(document), indent=1)
    return re.sub(r'"@@(\d+)@@"', lambda m: lists[int(m.group(1))], text) + "\n"


def write(model_name: str, out_dir: Path, fixtures: Path = FIXTURES) -> Path:
    path = out_dir / f"{model_name}_fit.json"
    path.write_text(dumps(fixture(model_name, fixtures)))
    return path


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(MODELS), action="append")
    parser.add_argument("out_dir", nargs="?", type=Path, default=FIXTURES)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.only or MODELS:
        path = write(name, args.out_dir)
        print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
