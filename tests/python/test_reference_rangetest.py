"""Java's range test equals independent Python references, step for step.

1. ``tools/oracle/reference_rangetest.py`` (seed 002's algorithm on the same exported SavedModel and the
   same batches, whose row indices Java writes with ``--batch-order``): learning rates to 1e-12
   relative, raw and smoothed losses to 1e-5, the same stop step and reason, the same suggestions.
2. The original Keras model trained with ``model.fit`` and a per-batch learning-rate callback
   (seed 002's LambdaCallback approach) on the same batches: the first 20 raw losses to 1e-4.
"""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "oracle"))

import reference_rangetest  # noqa: E402

MODELS = {"blobs_mlp": 32, "mnist_cnn": 64}
FIT_STEPS = 20


@pytest.fixture(scope="module", params=sorted(MODELS))
def runs(request, tmp_path_factory):
    """Java's result.json and the batch order it trained on, for one bundled model."""
    model = request.param
    out = tmp_path_factory.mktemp(model)
    command = [str(ROOT / "scripts" / "lrfinder"), "find", str(ROOT / "savedmodels" / model),
               "--batch-size", str(MODELS[model]), "--out", str(out / "report"),
               "--batch-order", str(out / "order.npy"), "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=900,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert done.returncode == 0, done.stderr
    java = json.loads((out / "report" / "result.json").read_text())
    return model, java, np.load(out / "order.npy")


def test_java_matches_the_python_reference_step_for_step(runs):
    model, java, order = runs
    config = java["config"]
    reference = {}
    meta, x, y = reference_rangetest.load_inputs(ROOT / "savedmodels" / model,
                                                 ROOT / "savedmodels" / f"{model}.npz")
    for run in java["optimizers"]:
        key = run["optimizer"]
        ref = reference_rangetest.run_optimizer(
            ROOT / "savedmodels" / model, key, x, y, order, config["start_lr"], config["end_lr"],
            config["beta"], config["stop_factor"], config["skip_begin"])
        ref["suggestions"] = reference_rangetest.suggestions(
            ref["lr"], ref["smoothed"], config["skip_begin"], config["skip_end"])
        reference[key] = ref

        assert run["steps_run"] == ref["steps_run"], key
        assert run["stop_reason"] == ref["stop_reason"], key
        np.testing.assert_allclose(run["lr"], ref["lr"], rtol=1e-12, err_msg=key)
        np.testing.assert_allclose(run["loss"], ref["loss"], rtol=1e-5, err_msg=key)
        java_smoothed = [np.nan if v is None else v for v in run["smoothed"]]
        np.testing.assert_allclose(java_smoothed, ref["smoothed"], rtol=1e-5, err_msg=key)
        java_picks = {s["rule"]: s["lr"] for s in run["suggestions"]}
        if not run["descent"]["loss_fell"]:
            # Java weighs the fall against batch noise (dev.lrfinder.suggest.Descent); when it
            # finds none, every rule gives none, whatever the plain rules below would read.
            assert all(v is None for v in java_picks.values()), f"{key}: {java_picks}"
            continue
        for rule, value in ref["suggestions"].items():
            if value is None:
                assert java_picks[rule] is None, f"{key} {rule}: Java {java_picks[rule]}"
            else:
                assert java_picks[rule] == pytest.approx(value, rel=1e-9), f"{key} {rule}"
    assert set(reference) == {o["key"] for o in meta["optimizers"]}


def test_keras_fit_with_a_per_batch_rate_callback_gives_the_same_first_losses(runs):
    import keras

    model_name, java, order = runs
    config = java["config"]
    meta, x, y = reference_rangetest.load_inputs(ROOT / "savedmodels" / model_name,
                                                 ROOT / "savedmodels" / f"{model_name}.npz")
    rows = order[:FIT_STEPS].reshape(-1)
    planned = len(order)
    for run in java["optimizers"]:
        info = next(o for o in meta["optimizers"] if o["key"] == run["optimizer"])
        model = keras.models.load_model(
            ROOT / "savedmodels" / "sources" / f"{model_name}.keras", compile=False)
        optimizer = keras.optimizers.deserialize(
            {"class_name": info["class_name"], "config": info["config"]})
        model.compile(optimizer=optimizer, loss=meta["loss"]["name"])

        def set_rate(batch, logs=None, optimizer=optimizer):
            optimizer.learning_rate = config["start_lr"] * (
                config["end_lr"] / config["start_lr"]) ** (batch / planned)

        means = []
        model.fit(x[rows], y[rows], batch_size=order.shape[1], epochs=1, shuffle=False, verbose=0,
                  callbacks=[keras.callbacks.LambdaCallback(
                      on_train_batch_begin=set_rate,
                      on_train_batch_end=lambda batch, logs: means.append(logs["loss"]))])
        # fit logs the running mean of the epoch: loss_k = k * mean_k - (k - 1) * mean_{k-1}.
        means = np.asarray(means, dtype=np.float64)
        steps = np.arange(1, len(means) + 1)
        per_batch = steps * means - np.concatenate([[0.0], (steps[:-1]) * means[:-1]])
        print(f"{model_name} {run['optimizer']}: largest relative difference to Keras fit "
              f"{np.max(np.abs(per_batch - run['loss'][:FIT_STEPS]) / per_batch):.1e}")
        np.testing.assert_allclose(run["loss"][:FIT_STEPS], per_batch, rtol=1e-4,
                                   err_msg=run["optimizer"])
        keras.backend.clear_session()
