#!/usr/bin/env python3
"""Keras ``fit`` trajectories for the direct training path (plain Keras 2 SavedModels).

For each fidelity model under ``src/test/resources/fixtures/keras2/`` (mlp, cnn_bn, embedding,
regression, and mlp_l2 with weight regularizers)
and each optimizer case, the committed SavedModel is loaded with
``tf_keras.models.load_model`` (fresh for every case, so all cases start from the saved weights and
BatchNorm statistics), re-compiled with its own loss and metrics and the case's optimizer, and
trained with STEPS ``train_on_batch`` calls (the train_function ``fit`` uses) on the first STEPS
batches of BATCH rows of x_train, in order. x is cast to the model's input dtype (no scaling).

Two files per model:

* ``<model>_fit.json``: per case the serialized optimizer and the loss and metrics returned by every
  step (computed on the forward pass before that step's update); where it was made (``made_on``).
* ``<model>_states.npz``: Keras's whole training state after steps 1..N (N = ``state_steps`` in the
  JSON: 1 by default, STEPS with ``--all-states``): ``<case>/<step>/variables/<name>`` for every
  model variable (BatchNorm statistics included) and ``<case>/<step>/optimizer/<slot>/<name>`` and
  ``<case>/<step>/optimizer/iteration`` for the optimizer's. A test loads state k, runs step k+1
  and compares with state k+1, so rounding differences never compound over steps.

Every float is a float32 (in the JSON written as the exact double). Two runs on one machine give
the same bits; different CPUs or kernels (TF_ENABLE_ONEDNN_OPTS) differ in the last bits, and 20
steps through the BatchNorm CNN grow that to 1e-2, which is why the committed files hold the
first state only and the tests compute the whole trajectory live.

Usage: make_direct_fixtures.py [--only MODEL] [--all-states] [OUT_DIR]
       (default OUT_DIR: src/test/resources/fixtures/keras2)
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

from fixture_json import made_on, plain  # noqa: E402

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


def make_optimizer(case: str):
    import tf_keras

    class_name, kwargs = CASES[case]
    return getattr(tf_keras.optimizers, class_name)(**kwargs)


def load(model_dir: Path):
    """The committed SavedModel revived as a Keras model, uncompiled."""
    import tf_keras

    return tf_keras.models.load_model(str(model_dir), compile=False)


def optimizer_state(optimizer) -> dict[str, np.ndarray]:
    """The optimizer's variables by ``<slot>/<model variable>`` (class prefix cut) and "iteration".

    tf_keras's SGD without momentum still keeps the last update in its "m" slots, which the next
    step multiplies by 0: they carry no state and are left out.
    """
    import tf_keras

    stateless_m = isinstance(optimizer, tf_keras.optimizers.SGD) and optimizer.momentum == 0
    state = {}
    for variable in optimizer.variables:
        name = variable_name(variable)
        if name != "iteration":
            prefix, _, name = name.partition("/")
            assert prefix == optimizer.name, f"unexpected optimizer variable {variable.name}"
            if stateless_m and name.startswith("m/"):
                continue
        state[name] = np.array(variable.numpy())
    return state


def trajectory(model_dir: Path, data_file: Path, loss: str, metrics: list[str], case: str,
               state_steps: int = 1) -> tuple[dict, dict[str, np.ndarray]]:
    """One case: a freshly loaded model trained STEPS steps with the case's optimizer.

    Returns the JSON record (optimizer, per-step losses and metrics) and the states after steps
    1..state_steps, keyed ``<step>/variables/<name>`` and ``<step>/optimizer/<name>``.
    """
    import tf_keras

    model = load(model_dir)
    optimizer = make_optimizer(case)
    serialized = tf_keras.optimizers.serialize(optimizer)
    model.compile(optimizer=optimizer, loss=loss, metrics=list(metrics))
    input_dtype = model.inputs[0].dtype.as_numpy_dtype
    losses, metric_values, states = [], {}, {}
    for step, (x, y) in enumerate(batches(data_file, input_dtype), start=1):
        logs = model.train_on_batch(x, y, reset_metrics=True, return_dict=True)
        losses.append(float(np.float32(logs["loss"])))
        for name, value in logs.items():
            if name != "loss":
                metric_values.setdefault(name, []).append(float(np.float32(value)))
        if step <= state_steps:
            for v in model.weights:
                states[f"{step}/variables/{variable_name(v)}"] = np.array(v.numpy())
            for name, value in optimizer_state(optimizer).items():
                states[f"{step}/optimizer/{name}"] = value
    record = {
        "optimizer": plain(serialized),
        "losses": losses,
        "metrics": metric_values,
        "optimizer_variables": sorted(optimizer_state(optimizer)),
    }
    return record, states


def fixture(model_name: str, fixtures: Path = FIXTURES, cases=None,
            state_steps: int = 1) -> tuple[dict, dict[str, np.ndarray]]:
    """The JSON document and the states of one model (all cases unless ``cases`` names some)."""
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
        "state_steps": state_steps,
        "loss": loss,
        "metrics": list(metrics),
        "made_on": made_on(),
        "trainable_variables": [variable_name(v) for v in model.trainable_variables],
        "non_trainable_variables": [variable_name(v) for v in model.non_trainable_variables],
        "cases": {},
    }
    states = {}
    for case in cases or CASES:
        record, case_states = trajectory(model_dir, fixtures / data_name, loss, metrics, case,
                                         state_steps)
        document["cases"][case] = record
        states.update({f"{case}/{key}": value for key, value in case_states.items()})
    return document, states


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


def write(model_name: str, out_dir: Path, fixtures: Path = FIXTURES,
          state_steps: int = 1) -> list[Path]:
    document, states = fixture(model_name, fixtures, state_steps=state_steps)
    json_path = out_dir / f"{model_name}_fit.json"
    json_path.write_text(dumps(document))
    states_path = out_dir / f"{model_name}_states.npz"
    np.savez(states_path, **states)
    return [json_path, states_path]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--only", choices=sorted(MODELS), action="append")
    parser.add_argument("--all-states", action="store_true",
                        help=f"write the state after each of the {STEPS} steps, not the first only")
    parser.add_argument("out_dir", nargs="?", type=Path, default=FIXTURES)
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    for name in args.only or MODELS:
        for path in write(name, args.out_dir, state_steps=STEPS if args.all_states else 1):
            print(f"{path} ({path.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
