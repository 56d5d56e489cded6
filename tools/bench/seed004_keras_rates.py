#!/usr/bin/env python3
"""Seed 004's learning-rate study (Brownlee, "Understand the Impact of Learning Rate on Neural
Network Performance", 2019), run the way its article does, as the Keras side of
``bench_sweep.py``.

One fresh process, as a user runs the article's script: import Keras (TensorFlow backend) and
matplotlib, load the bundled model's Keras source (``savedmodels/sources/blobs_mlp.keras``, the
article's Dense 50 relu -> Dense 3 softmax with the weights lrfinder's SavedModel starts from),
then for each rate put those weights back, compile ``SGD(learning_rate=rate)`` with the model's
loss and metrics, and run the article's ``fit_model``: ``model.fit(trainX, trainy,
validation_data=(testX, testy), epochs=200, verbose=0)`` (Keras's default batch of 32, shuffled
each epoch), then plot train and test accuracy in one subplot of a 4 x 2 grid. The figure is
saved as a PNG (the article calls ``pyplot.show()``).

The article builds a new model per rate (fresh random weights); here every run starts from the
same weights, as lrfinder's sweep does, which costs the same: ``compile`` discards the traced
train and test functions either way, so each rate traces them again.

Prints one JSON line on stdout: seconds per phase (``import``, ``load``, ``lr=<rate>`` = compile
+ fit, ``plot``), the steps each rate ran (with ``--count``, else null), the number of validation
passes (counted with ``--count``, else the length of ``history['val_loss']``), the validation
batches (with ``--count``) and the final accuracies.

Usage: seed004_keras_rates.py MODEL_SOURCE.keras DATA.npz CONTRACT.json OUT_DIR
       [--rates 1,0.1,...] [--epochs 200] [--batch-size 32] [--count]
"""
import time

STARTED = time.perf_counter()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import matplotlib  # noqa: E402

matplotlib.use("Agg")
from matplotlib import pyplot  # noqa: E402
import numpy as np  # noqa: E402
import keras  # noqa: E402
from keras.optimizers import SGD  # noqa: E402

IMPORTED = time.perf_counter()

RATES = "1,0.1,0.01,0.001,1e-4,1e-5,1e-6,1e-7"


class CountBatches(keras.callbacks.Callback):
    """Counts the training steps, validation passes and validation batches ``fit`` runs."""

    def __init__(self):
        super().__init__()
        self.steps = 0
        self.validations = 0
        self.validation_batches = 0

    def on_train_batch_end(self, batch, logs=None):
        self.steps += 1

    def on_test_begin(self, logs=None):
        self.validations += 1

    def on_test_batch_end(self, batch, logs=None):
        self.validation_batches += 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source")
    parser.add_argument("data")
    parser.add_argument("contract")
    parser.add_argument("out")
    parser.add_argument("--rates", default=RATES)
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--count", action="store_true",
                        help="count fit's steps and validation passes with a callback (a Python"
                        " callback on every batch can slow fit: off by default, as in the article)")
    args = parser.parse_args()
    phases = {"import": IMPORTED - STARTED}

    meta = json.loads(open(args.contract).read())
    arrays = np.load(args.data)
    trainX, trainy = arrays["x_train"], arrays["y_train"]
    testX, testy = arrays["x_test"], arrays["y_test"]
    started = time.perf_counter()
    model = keras.models.load_model(args.source, compile=False)
    start_weights = model.get_weights()
    phases["load"] = time.perf_counter() - started

    rates = [float(r) for r in args.rates.split(",")]
    steps, validations, validation_batches, final = {}, {}, {}, {}
    for i, lrate in enumerate(rates):
        started = time.perf_counter()
        pyplot.subplot(420 + (i + 1))
        # the article's fit_model, from the same start weights each time
        model.set_weights(start_weights)
        opt = SGD(learning_rate=lrate)
        model.compile(loss=meta["loss"]["name"], optimizer=opt, metrics=meta["metrics"])
        counter = [CountBatches()] if args.count else []
        history = model.fit(trainX, trainy, validation_data=(testX, testy),
                            epochs=args.epochs, batch_size=args.batch_size, verbose=0,
                            callbacks=counter)
        pyplot.plot(history.history["accuracy"], label="train")
        pyplot.plot(history.history["val_accuracy"], label="test")
        pyplot.title("lrate=" + str(lrate), pad=-50)
        key = f"lr={lrate:g}"
        phases[key] = time.perf_counter() - started
        steps[key] = counter[0].steps if counter else None
        validation_batches[key] = counter[0].validation_batches if counter else None
        validations[key] = counter[0].validations if counter else len(
            history.history["val_loss"])
        final[key] = {"accuracy": history.history["accuracy"][-1],
                      "val_accuracy": history.history["val_accuracy"][-1]}
    started = time.perf_counter()
    pyplot.savefig(os.path.join(args.out, "seed004_rates.png"))
    pyplot.close()
    phases["plot"] = time.perf_counter() - started
    phases["in_process"] = time.perf_counter() - STARTED
    print(json.dumps({"phases": phases, "steps": steps, "validations": validations,
                      "validation_batches": validation_batches, "final": final, "jit_compile": model.jit_compile}))


if __name__ == "__main__":
    main()
