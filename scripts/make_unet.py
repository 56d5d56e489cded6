#!/usr/bin/env python3
"""A small tf_keras U-Net with 14 BatchNormalization layers, for the direct path's speed benchmark.

Writes OUT_DIR/unet (a Keras 2 SavedModel from ``model.save(dir)``, compiled with
binary_crossentropy and Adam) and OUT_DIR/unet.npz (synthetic x_train float32 [N, 256, 256, 3] in
[0, 1] and y_train float32 [N, 256, 256, 1] masks of 0/1, the layout of docs/data.md). Keep the
output out of git (target/ or /tmp).

Layout: 3 encoder levels of two Conv2D(3x3)+BatchNorm+ReLU blocks (16, 32, 64 filters) with
MaxPooling, a bottleneck of two blocks (128), 2 decoder levels of Conv2DTranspose(2x2, stride 2) +
concatenate(skip) + two blocks (64, 32), one level of UpSampling2D + concatenate + two blocks (16):
6 + 2 + 4 + 2 = 14 BatchNormalization layers; then a 1x1 Conv2D with a sigmoid.

The filter counts are those of --base 16 (the default); --base 32 has 4x the FLOPs.

Usage: make_unet.py OUT_DIR [--samples 64] [--size 256] [--seed 0] [--base 16]
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("TF_USE_LEGACY_KERAS", "1")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402
from tf_keras import layers  # noqa: E402


def block(x, filters: int):
    """Conv2D 3x3 (no bias: BatchNorm has one) + BatchNormalization + ReLU."""
    x = layers.Conv2D(filters, 3, padding="same", use_bias=False)(x)
    x = layers.BatchNormalization()(x)
    return layers.ReLU()(x)


def unet(size: int, base: int) -> keras.Model:
    inputs = keras.Input((size, size, 3), name="image")
    skips = []
    x = inputs
    for filters in (base, 2 * base, 4 * base):
        x = block(block(x, filters), filters)
        skips.append(x)
        x = layers.MaxPooling2D()(x)
    x = block(block(x, 8 * base), 8 * base)
    for filters, skip in ((4 * base, skips[2]), (2 * base, skips[1])):
        x = layers.Conv2DTranspose(filters, 2, strides=2, padding="same")(x)
        x = layers.Concatenate()([x, skip])
        x = block(block(x, filters), filters)
    x = layers.UpSampling2D()(x)
    x = layers.Concatenate()([x, skips[0]])
    x = block(block(x, base), base)
    outputs = layers.Conv2D(1, 1, activation="sigmoid", name="mask")(x)
    return keras.Model(inputs, outputs, name="unet")


def synthetic(samples: int, size: int, rng: np.random.Generator):
    """Images of noise plus one bright disc each; the mask is the disc."""
    yy, xx = np.mgrid[0:size, 0:size]
    x = rng.uniform(0, 0.5, (samples, size, size, 3)).astype(np.float32)
    y = np.zeros((samples, size, size, 1), np.float32)
    for i in range(samples):
        cy, cx = rng.uniform(0.2, 0.8, 2) * size
        r = rng.uniform(0.08, 0.25) * size
        disc = (yy - cy) ** 2 + (xx - cx) ** 2 <= r * r
        y[i, disc, 0] = 1.0
        x[i, disc, :] += 0.5
    return x, y


def main(argv) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("--samples", type=int, default=64)
    parser.add_argument("--size", type=int, default=256)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--base", type=int, default=16,
                        help="filters of the first level (doubling per level; default 16)")
    args = parser.parse_args(argv)
    keras.utils.set_random_seed(args.seed)
    model = unet(args.size, args.base)
    bn = sum(isinstance(l, layers.BatchNormalization) for l in model.layers)
    assert bn == 14, bn
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="binary_crossentropy",
                  metrics=["accuracy"])
    args.out_dir.mkdir(parents=True, exist_ok=True)
    model.save(str(args.out_dir / "unet"))
    x, y = synthetic(args.samples, args.size, np.random.default_rng(args.seed))
    np.savez(args.out_dir / "unet.npz", x_train=x, y_train=y)
    print(f"{args.out_dir / 'unet'}: {model.count_params()} parameters, {bn} BatchNormalization"
          f" layers; {args.out_dir / 'unet.npz'}: {args.samples} samples")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
