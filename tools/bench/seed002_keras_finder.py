#!/usr/bin/env python3
"""Seed 002's learning-rate finder (Rosebrock, "Keras Learning Rate Finder", pyimagesearch 2019),
run the way its article does, as the Keras side of ``bench_report.py``.

One fresh process: import Keras (TensorFlow backend) and matplotlib, load a model's Keras source
(``savedmodels/sources/<model>.keras``), then for each optimizer compile the model, run
``LearningRateFinder.find`` (a ``LambdaCallback`` on ``on_batch_end`` that logs the rate and the
smoothed loss, stops at 4x the best, multiplies the rate; weights saved to a temporary file before
and loaded after) for exactly ``--steps`` batch updates, and save its ``plot_loss`` chart as a PNG.
The class below is the article's, line for line, with only what Keras 3 renamed changed
(``optimizer.learning_rate`` for ``optimizer.lr``, a ``.weights.h5`` suffix for ``save_weights``).

Prints one JSON line on stdout: seconds per phase (``import``, ``load``, ``<optimizer>`` = compile
+ find, ``plot_<optimizer>``), the steps each optimizer ran and the resolved ``jit_compile``.

Usage: seed002_keras_finder.py MODEL_SOURCE.keras DATA.npz CONTRACT.json OUT_DIR
       [--optimizers sgd,adam] [--steps 100] [--batch-size 64] [--start 1e-7] [--end 10]
       [--stop-factor off|4]
"""
import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import tempfile  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras import backend as K  # noqa: E402,F401  (the article's import)
from keras.callbacks import LambdaCallback  # noqa: E402

IMPORTED = time.perf_counter()


class LearningRateFinder:
    """Seed 002's class (its comments shortened)."""

    def __init__(self, model, stopFactor=4, beta=0.98):
        self.model = model
        self.stopFactor = stopFactor
        self.beta = beta
        self.lrs = []
        self.losses = []
        self.lrMult = 1
        self.avgLoss = 0
        self.bestLoss = 1e9
        self.batchNum = 0
        self.weightsFile = None

    def reset(self):
        self.lrs = []
        self.losses = []
        self.lrMult = 1
        self.avgLoss = 0
        self.bestLoss = 1e9
        self.batchNum = 0
        self.weightsFile = None

    def is_data_iter(self, data):
        iterClasses = ["NumpyArrayIterator", "DirectoryIterator", "DataFrameIterator", "Iterator",
                       "Sequence"]
        return data.__class__.__name__ in iterClasses

    def on_batch_end(self, batch, logs):
        lr = float(self.model.optimizer.learning_rate.numpy())  # K.get_value(optimizer.lr)
        self.lrs.append(lr)
        l = logs["loss"]  # noqa: E741
        self.batchNum += 1
        self.avgLoss = (self.beta * self.avgLoss) + ((1 - self.beta) * l)
        smooth = self.avgLoss / (1 - (self.beta ** self.batchNum))
        self.losses.append(smooth)
        stopLoss = self.stopFactor * self.bestLoss
        if self.batchNum > 1 and smooth > stopLoss:
            self.model.stop_training = True
            return
        if self.batchNum == 1 or smooth < self.bestLoss:
            self.bestLoss = smooth
        lr *= self.lrMult
        self.model.optimizer.learning_rate.assign(lr)  # K.set_value(optimizer.lr, lr)

    def find(self, trainData, startLR, endLR, epochs=None, stepsPerEpoch=None, batchSize=32,
             sampleSize=2048, verbose=1):
        self.reset()
        useGen = self.is_data_iter(trainData)
        if useGen and stepsPerEpoch is None:
            raise Exception("Using generator without supplying stepsPerEpoch")
        elif not useGen:
            numSamples = len(trainData[0])
            stepsPerEpoch = np.ceil(numSamples / float(batchSize))
        if epochs is None:
            epochs = int(np.ceil(sampleSize / float(stepsPerEpoch)))
        numBatchUpdates = epochs * stepsPerEpoch
        self.lrMult = (endLR / startLR) ** (1.0 / numBatchUpdates)
        # Keras 3 saves weights only to a name ending in .weights.h5
        self.weightsFile = tempfile.mkstemp(suffix=".weights.h5")[1]
        self.model.save_weights(self.weightsFile)
        origLR = float(self.model.optimizer.learning_rate.numpy())
        self.model.optimizer.learning_rate.assign(startLR)
        callback = LambdaCallback(on_batch_end=lambda batch, logs: self.on_batch_end(batch, logs))
        if useGen:
            self.model.fit(trainData, steps_per_epoch=stepsPerEpoch, epochs=epochs,
                           verbose=verbose, callbacks=[callback])
        else:
            self.model.fit(trainData[0], trainData[1], batch_size=batchSize, epochs=epochs,
                           callbacks=[callback], verbose=verbose)
        self.model.load_weights(self.weightsFile)
        self.model.optimizer.learning_rate.assign(origLR)
        os.remove(self.weightsFile)  # the article leaves it in /tmp

    def plot_loss(self, skipBegin=10, skipEnd=1, title=""):
        lrs = self.lrs[skipBegin:-skipEnd]
        losses = self.losses[skipBegin:-skipEnd]
        plt.plot(lrs, losses)
        plt.xscale("log")
        plt.xlabel("Learning Rate (Log Scale)")
        plt.ylabel("Loss")
        if title != "":
            plt.title(title)


def rows_for(count: int, steps: int, batch: int) -> np.ndarray:
    """``steps * batch`` row indices, a fresh shuffle per pass over the data (as lrfinder's)."""
    passes = steps * batch // count + 1
    rows = np.concatenate([np.random.default_rng(p).permutation(count) for p in range(passes)])
    return rows[:steps * batch]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("data")
    parser.add_argument("contract")
    parser.add_argument("out")
    parser.add_argument("--optimizers", default="sgd,adam")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--start", type=float, default=1e-7)
    parser.add_argument("--end", type=float, default=10.0)
    parser.add_argument("--stop-factor", default="off",
                        help="seed 002's stopFactor (its default is 4; 'off', the default here,"
                        " runs every step, as lrfinder's default run on mnist_cnn does)")
    args = parser.parse_args()
    phases = {"import": IMPORTED - STARTED}
    stop_factor = float("inf") if args.stop_factor == "off" else float(args.stop_factor)

    meta = json.loads(open(args.contract).read())
    arrays = np.load(args.data)
    x, y = arrays["x_train"], arrays["y_train"]
    # exactly --steps batch updates in one epoch: find() derives stepsPerEpoch from the row count
    rows = rows_for(len(x), args.steps, args.batch_size)
    x, y = x[rows], y[rows]
    started = time.perf_counter()
    model = keras.models.load_model(args.source, compile=False)
    phases["load"] = time.perf_counter() - started

    steps, jit = {}, None
    for key in args.optimizers.split(","):
        started = time.perf_counter()
        info = next(o for o in meta["optimizers"] if o["key"] == key)
        optimizer = keras.optimizers.deserialize({"class_name": info["class_name"],
                                                  "config": info["config"]})
        model.compile(loss=meta["loss"]["name"], optimizer=optimizer, metrics=meta["metrics"])
        jit = model.jit_compile
        finder = LearningRateFinder(model, stopFactor=stop_factor)
        finder.find((x, y), args.start, args.end, epochs=1, batchSize=args.batch_size, verbose=0)
        phases[key] = time.perf_counter() - started
        steps[key] = finder.batchNum
        started = time.perf_counter()
        plt.figure()
        finder.plot_loss(title=key)
        plt.savefig(os.path.join(args.out, f"lrfind_plot_{key}.png"))
        plt.close()
        phases[f"plot_{key}"] = time.perf_counter() - started
    phases["in_process"] = time.perf_counter() - STARTED
    print(json.dumps({"phases": phases, "steps": steps, "jit_compile": jit}))


if __name__ == "__main__":
    main()
