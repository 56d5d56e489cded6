"""Java's train steps give the same losses as Python calling the same SavedModel signature.

Java runs through the command line (``scripts/lrfinder train --no-shuffle --json``), so step i
trains on rows [j*B, (j+1)*B) of x_train with j = i mod (rows // B) (the incomplete last batch of
an epoch is dropped); Python feeds the same rows to ``train_sgd``.
"""
import json
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest
import tensorflow as tf

ROOT = Path(__file__).resolve().parents[2]
STEPS = 20


def java_losses(model: str, optimizer: str, batch_size: int) -> list:
    command = [str(ROOT / "scripts" / "lrfinder"), "train", str(ROOT / "savedmodels" / model),
               "--optimizer", optimizer, "--steps", str(STEPS), "--batch-size", str(batch_size),
               "--no-shuffle", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert done.returncode == 0, done.stderr
    return [step["loss"] for step in json.loads(done.stdout)["steps"]]


def python_losses(model: str, optimizer: str, batch_size: int) -> list:
    loaded = tf.saved_model.load(str(ROOT / "savedmodels" / model))  # in memory; disk untouched
    data = np.load(ROOT / "savedmodels" / f"{model}.npz")
    x, y = data["x_train"], data["y_train"]
    train = loaded.signatures[f"train_{optimizer}"]
    losses = []
    steps_per_epoch = len(x) // batch_size
    for step in range(STEPS):
        start = (step % steps_per_epoch) * batch_size
        rows = slice(start, start + batch_size)
        losses.append(float(train(x=tf.constant(x[rows]), y=tf.constant(y[rows]))["loss"]))
    return losses


@pytest.mark.parametrize("model,batch_size", [("blobs_mlp", 32), ("mnist_cnn", 250)])
def test_first_sgd_losses_match(model, batch_size):
    java = java_losses(model, "sgd", batch_size)
    python = python_losses(model, "sgd", batch_size)
    assert len(java) == STEPS
    np.testing.assert_allclose(java, python, rtol=1e-5)
    assert java[-1] != java[0], "the steps must train"
