#!/usr/bin/env python3
"""Recurrent layers on the direct path: tiny tf_keras models and their Keras numbers.

Writes into OUT_DIR, for each model, the Keras 2 SavedModel (``model.save(dir)``), its data as
``<model>.npz`` (x, y) and ``<model>.json`` with what tf_keras computes from the saved weights
on the first BATCH rows: ``evaluate`` (return_dict) and then two ``train_on_batch`` calls on
that batch (return_dict; each the loss and metrics of the forward pass before its update), with
the compiled optimizer (SGD, learning rate 0.05). Every layer runs its while_v2 loop (none is
``unroll=True``); the direct path must unroll it.

* ``lstm``: Input (6, 3) -> LSTM 4 -> Dense 1, mse.
* ``gru_sequences``: Input (6, 3) -> GRU 4 (return_sequences) -> GlobalAveragePooling1D ->
  Dense 1 sigmoid, binary_crossentropy and accuracy.
* ``gru_time_distributed``: Input (5, 2) -> GRU 3 (return_sequences) -> TimeDistributed Dense 1
  -> Flatten -> Dense 1, mse.
* ``simple_rnn``: Input (6, 3) -> SimpleRNN 5 -> Dense 1, mae.
* ``bilstm``: Input (6, 3) -> Bidirectional(LSTM 3) -> Dense 1, mse.
* ``stacked_lstm``: Input (6, 3) -> LSTM 4 (return_sequences) -> LSTM 3 -> Dense 1, mse.
* ``masked_text``: int Input (7,) -> Embedding 20x4 (mask_zero) -> LSTM 4 -> Dense 1 sigmoid,
  binary_crossentropy and accuracy; sequences padded with zeros.
* ``conv_lstm``: int Input (12,) -> Embedding 30x8 -> Conv1D 4x3 -> MaxPooling1D -> LSTM 4
  (return_sequences) -> LSTM 3 -> Dense 1 sigmoid, binary_crossentropy and accuracy.
* ``bigru_sequences``: Input (6, 3) -> Bidirectional(GRU 3, return_sequences) ->
  GlobalMaxPooling1D -> Dense 1, mse.
* ``masked_gru``: Input (6, 3) -> Masking (0) -> GRU 4 (reset_after=False) -> Dense 1, mse;
  the last steps of some rows are zeros. The SavedModel's call function leaves the mask out
  (tf_keras saves it so), so the direct path refuses it; its Keras numbers show the difference.
* ``gru_reset_before``: Input (6, 3) -> GRU 4 (reset_after=False, not cuDNN-compatible: the
  generic loop over the cell) -> Dense 1, mse.
* ``lstm_states``: Input (6, 3) -> LSTM 4 (return_state) -> Dense 1 on the concatenated h and c,
  mse.
* ``sigmoid_sparse``: Input (6, 3) -> LSTM 4 -> Dense 3 sigmoid, sparse_categorical_crossentropy
  and accuracy (Keras takes the sigmoid's logits into a softmax crossentropy).
* ``softmax_binary``: Input (6, 3) -> LSTM 4 -> Dense 2 softmax, binary_crossentropy (Keras takes
  the softmax's logits into a sigmoid crossentropy).
* ``stateful_lstm``: Input batch (16, 6, 3) -> LSTM 4 (stateful) -> Dense 1, mse (refused by the
  direct path).
* ``lstm_dropout``: Input (6, 3) -> LSTM 4 (dropout and recurrent_dropout 0.3) -> Dense 1, mse
  (its masks are not Keras's: only ``evaluate`` compares).
* ``dynamic_length``: Input (None, 3) -> LSTM 4 -> Dense 1 (refused by the direct path).
* ``long_lstm``: Input (200, 8) -> LSTM 16 -> Dense 1, mse (graph build time; no reference
  beyond evaluate).

Usage: make_direct_rnn_fixtures.py OUT_DIR
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tf_keras as keras  # noqa: E402

ROWS = 32
BATCH = 16
LAYERS = keras.layers


def numbers(values: dict) -> dict:
    return {k: float(v) for k, v in values.items()}


def reference(model, x, y, steps: int = 2) -> dict:
    evaluated = model.evaluate(x[:BATCH], y[:BATCH], batch_size=BATCH, verbose=0,
                               return_dict=True)
    # Two steps on the same batch: the second one's loss shows the first update (the gradient
    # through every unrolled step) was the same.
    trained = [numbers(model.train_on_batch(x[:BATCH], y[:BATCH], return_dict=True))
               for _ in range(steps)]
    return {"batch": BATCH, "evaluate": numbers(evaluated), "train_on_batch": trained}


def save(model, directory: Path, x, y, compiled: dict, steps: int = 2) -> None:
    model.compile(**compiled)
    model.save(str(directory))
    np.savez(directory.parent / (directory.name + ".npz"), x=x, y=y)
    # As a user gets it: the saved model loaded and compiled afresh with the same arguments.
    model = keras.models.load_model(str(directory), compile=False)
    optimizer = keras.optimizers.get(compiled["optimizer"])
    model.compile(**dict(compiled, optimizer=optimizer.__class__.from_config(
        optimizer.get_config())))
    ref = reference(model, x, y, steps)
    (directory.parent / (directory.name + ".json")).write_text(json.dumps(ref, indent=1))


def sgd() -> dict:
    return dict(optimizer=keras.optimizers.SGD(0.05), loss="mse")


def sequences(rng, length: int, features: int):
    x = rng.normal(size=(ROWS, length, features)).astype("float32")
    y = (x[:, :, 0].mean(1, keepdims=True) - 0.5 * x[:, -1, 1:2]).astype("float32")
    return x, y


def sequential(out: Path, name: str, shape: tuple, layers: list, compiled: dict, rng,
               binary: bool = False) -> None:
    inputs = keras.Input(shape, name="x")
    h = inputs
    for layer in layers:
        h = layer(h)
    model = keras.Model(inputs, h, name=name)
    x, y = sequences(rng, shape[0] or 6, shape[1])
    if binary:
        y = (y > 0).astype("float32")
    save(model, out / name, x, y, compiled)


def masked_text(out: Path, rng) -> None:
    inputs = keras.Input((7,), dtype="int32", name="x")
    h = LAYERS.Embedding(20, 4, mask_zero=True)(inputs)
    h = LAYERS.LSTM(4)(h)
    model = keras.Model(inputs, LAYERS.Dense(1, activation="sigmoid")(h), name="masked_text")
    x = rng.integers(1, 20, size=(ROWS, 7)).astype("int32")
    lengths = rng.integers(2, 8, size=ROWS)
    for row, n in enumerate(lengths):
        x[row, n:] = 0  # padded after the text, as pad_sequences(padding="post") does
    y = (x[:, 0] > 10).astype("float32")[:, None]
    save(model, out / "masked_text", x, y, dict(optimizer=keras.optimizers.SGD(0.05),
                                                loss="binary_crossentropy",
                                                metrics=["accuracy"]))


def conv_lstm(out: Path, rng) -> None:
    inputs = keras.Input((12,), dtype="int32", name="x")
    h = LAYERS.Embedding(30, 8)(inputs)
    h = LAYERS.Conv1D(4, 3, activation="relu")(h)
    h = LAYERS.MaxPooling1D()(h)
    h = LAYERS.LSTM(4, return_sequences=True)(h)
    h = LAYERS.LSTM(3)(h)
    model = keras.Model(inputs, LAYERS.Dense(1, activation="sigmoid")(h), name="conv_lstm")
    x = rng.integers(0, 30, size=(ROWS, 12)).astype("int32")
    y = (x[:, :3].mean(1) > 15).astype("float32")[:, None]
    save(model, out / "conv_lstm", x, y, dict(optimizer=keras.optimizers.SGD(0.05),
                                              loss="binary_crossentropy", metrics=["accuracy"]))


def masked_gru(out: Path, rng) -> None:
    inputs = keras.Input((6, 3), name="x")
    h = LAYERS.Masking(0.0)(inputs)
    h = LAYERS.GRU(4, reset_after=False)(h)
    model = keras.Model(inputs, LAYERS.Dense(1)(h), name="masked_gru")
    x, y = sequences(rng, 6, 3)
    for row, n in enumerate(rng.integers(2, 7, size=ROWS)):
        x[row, n:] = 0.0
    save(model, out / "masked_gru", x, y, sgd())


def lstm_states(out: Path, rng) -> None:
    inputs = keras.Input((6, 3), name="x")
    _, h, c = LAYERS.LSTM(4, return_state=True)(inputs)
    model = keras.Model(inputs, LAYERS.Dense(1)(LAYERS.Concatenate()([h, c])),
                        name="lstm_states")
    x, y = sequences(rng, 6, 3)
    save(model, out / "lstm_states", x, y, sgd())


def crossed_activations(out: Path, rng) -> None:
    x, y = sequences(rng, 6, 3)
    classes = np.digitize(y[:, 0], [-0.3, 0.3]).astype("int32")
    inputs = keras.Input((6, 3), name="x")
    model = keras.Model(inputs, LAYERS.Dense(3, activation="sigmoid")(LAYERS.LSTM(4)(inputs)),
                        name="sigmoid_sparse")
    save(model, out / "sigmoid_sparse", x, classes,
         dict(optimizer=keras.optimizers.SGD(0.05), loss="sparse_categorical_crossentropy",
              metrics=["accuracy"]))
    inputs = keras.Input((6, 3), name="x")
    model = keras.Model(inputs, LAYERS.Dense(2, activation="softmax")(LAYERS.LSTM(4)(inputs)),
                        name="softmax_binary")
    two = np.stack([classes == 0, classes != 0], axis=1).astype("float32")
    save(model, out / "softmax_binary", x, two,
         dict(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy"))


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    keras.utils.set_random_seed(0)
    rng = np.random.default_rng(0)
    binary = dict(optimizer=keras.optimizers.SGD(0.05), loss="binary_crossentropy",
                  metrics=["accuracy"])
    sequential(out, "lstm", (6, 3), [LAYERS.LSTM(4), LAYERS.Dense(1)], sgd(), rng)
    sequential(out, "gru_sequences", (6, 3),
               [LAYERS.GRU(4, return_sequences=True), LAYERS.GlobalAveragePooling1D(),
                LAYERS.Dense(1, activation="sigmoid")], binary, rng, binary=True)
    sequential(out, "gru_time_distributed", (5, 2),
               [LAYERS.GRU(3, return_sequences=True), LAYERS.TimeDistributed(LAYERS.Dense(1)),
                LAYERS.Flatten(), LAYERS.Dense(1)], sgd(), rng)
    sequential(out, "simple_rnn", (6, 3), [LAYERS.SimpleRNN(5), LAYERS.Dense(1)],
               dict(optimizer=keras.optimizers.SGD(0.05), loss="mae"), rng)
    sequential(out, "bilstm", (6, 3), [LAYERS.Bidirectional(LAYERS.LSTM(3)), LAYERS.Dense(1)],
               sgd(), rng)
    sequential(out, "stacked_lstm", (6, 3),
               [LAYERS.LSTM(4, return_sequences=True), LAYERS.LSTM(3), LAYERS.Dense(1)], sgd(),
               rng)
    masked_text(out, rng)
    conv_lstm(out, rng)
    sequential(out, "bigru_sequences", (6, 3),
               [LAYERS.Bidirectional(LAYERS.GRU(3, return_sequences=True)),
                LAYERS.GlobalMaxPooling1D(), LAYERS.Dense(1)], sgd(), rng)
    masked_gru(out, rng)
    crossed_activations(out, rng)
    stateful = keras.Sequential([keras.Input(batch_shape=(BATCH, 6, 3), name="x"),
                                 LAYERS.LSTM(4, stateful=True), LAYERS.Dense(1)],
                                name="stateful_lstm")
    x, y = sequences(rng, 6, 3)
    save(stateful, out / "stateful_lstm", x, y, sgd(), steps=1)
    sequential(out, "gru_reset_before", (6, 3), [LAYERS.GRU(4, reset_after=False),
                                                 LAYERS.Dense(1)], sgd(), rng)
    lstm_states(out, rng)
    sequential(out, "lstm_dropout", (6, 3),
               [LAYERS.LSTM(4, dropout=0.3, recurrent_dropout=0.3), LAYERS.Dense(1)], sgd(), rng)
    sequential(out, "dynamic_length", (None, 3), [LAYERS.LSTM(4), LAYERS.Dense(1)], sgd(), rng)
    sequential(out, "long_lstm", (200, 8), [LAYERS.LSTM(16), LAYERS.Dense(1)], sgd(), rng)
    return 0


if __name__ == "__main__":
    sys.exit(main())
