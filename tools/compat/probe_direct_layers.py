#!/usr/bin/env python3
"""Which Keras 2 layers the direct path trains: builds small tf_keras models (one or two layer
kinds each), saves them as Keras 2 SavedModels in a temporary directory and runs
``lrfinder train MODEL --steps 3`` on each, printing one line per model: the loss after 3 steps or
lrfinder's one-line error. docs/direct.md lists what it found.

Usage: tools/compat/probe_direct_layers.py   (builds target/lrfinder.jar first: mvn -DskipTests package)
"""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
L = keras.layers


def residual(x):
    a = L.Conv2D(3, 3, padding="same", activation="gelu")(x)
    both = L.Concatenate()([L.Add()([a, x]), x])
    return L.Multiply()([both, both])


# name -> (input shape, body, loss); image bodies end in Flatten + Dense 4 softmax.
IMAGE = (16, 16, 3)
SEQUENCE = (10, 6)
MODELS = {
    "layernorm_leakyrelu": (IMAGE, lambda x: L.LeakyReLU()(L.LayerNormalization()(
        L.Conv2D(4, 3)(x)))),
    "depthwise_avgpool_elu": (IMAGE, lambda x: L.AveragePooling2D()(
        L.DepthwiseConv2D(3, activation="elu")(x))),
    "separable_globalmax_selu": (IMAGE, lambda x: L.Reshape((1, 1, 8))(L.GlobalMaxPooling2D()(
        L.SeparableConv2D(8, 3, activation="selu")(x)))),
    "spatialdropout_upsampling_swish": (IMAGE, lambda x: L.UpSampling2D()(L.SpatialDropout2D(0.2)(
        L.Conv2D(2, 3, strides=2, activation="swish")(x)))),
    "conv2dtranspose_zeropadding_tanh": (IMAGE, lambda x: L.ZeroPadding2D()(
        L.Conv2DTranspose(2, 3, activation="tanh")(x))),
    "add_concatenate_multiply_gelu": (IMAGE, residual),
    "conv1d_globalaverage_softplus": (SEQUENCE, lambda x: L.GlobalAveragePooling1D()(
        L.Conv1D(4, 3, activation="softplus")(x))),
    "multiheadattention": (SEQUENCE, lambda x: L.MultiHeadAttention(2, 4)(x, x)),
    "bidirectional_simplernn_unrolled": (SEQUENCE, lambda x: L.Bidirectional(
        L.SimpleRNN(3, unroll=True, return_sequences=True))(x)),
    "gru": (SEQUENCE, lambda x: L.GRU(4)(x)),
    "lstm": (SEQUENCE, lambda x: L.LSTM(4)(x)),
}


def build(name: str, shape: tuple, body, out: Path) -> None:
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    x = keras.Input(shape)
    y = L.Dense(4, activation="softmax")(L.Flatten()(body(x)))
    model = keras.Model(x, y)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    model.save(out / name)
    np.savez(out / f"{name}.npz", x_train=rng.random((64, *shape)).astype("float32"),
             y_train=rng.integers(0, 4, 64).astype("int32"))


def main() -> int:
    jar = ROOT / "target" / "lrfinder.jar"
    if not jar.is_file():
        print("build the jar first: mvn -DskipTests package", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        for name, (shape, body) in MODELS.items():
            build(name, shape, body, out)
            run = subprocess.run(["java", "-jar", str(jar), "train", str(out / name), "--steps",
                                  "3", "--every", "3", "--batch-size", "16"],
                                 capture_output=True, text=True)
            lines = [l for l in (run.stdout + run.stderr).splitlines()
                     if l.startswith(("step", "lrfinder: error"))]
            print(f"{name:34s} {lines[-1] if lines else run.stderr.strip()[-200:]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
