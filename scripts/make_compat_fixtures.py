#!/usr/bin/env python3
"""Build small synthetic Keras models that cover what real models need from scripts/export.py.

Usage::

    python scripts/make_compat_fixtures.py OUT_DIR

Writes, for every fixture, the model (tf_keras ``.h5`` or Keras 2 SavedModel directory, or a
Keras 3 ``.keras`` file), a data file ``<name>.npz`` in contract v2's layout (``x_train``/``y_train``
for one input and one output, else ``x_<input>``/``y_<output>``; labels ``[N]`` for ``[batch, 1]``
outputs, as users have them) and ``fixtures.json``, the manifest: name, path, format, the export
arguments it needs and what it tests. Every model is tiny and seeded; the whole build takes well
under a minute on two cores.
"""
from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from absl import logging as absl_logging  # noqa: E402
import keras  # noqa: E402
import tf_keras  # noqa: E402

SEED = 11
N = 64

CUSTOM_MODULE = "compat_custom"
# A subclassed Keras 3 model in its own module, as users write them; the .keras file names the
# module, which the exporter cannot import unless it is given with --custom-objects.
CUSTOM_SOURCE = '''"""Custom objects of the subclassed_keras fixture (scripts/make_compat_fixtures.py)."""
import keras


@keras.saving.register_keras_serializable(package="compat_custom")
class TinyNet(keras.Model):
    """Dense 8 relu -> Dense 3 softmax, subclassed."""

    def __init__(self, units=8, **kwargs):
        super().__init__(**kwargs)
        self.units = units
        self.hidden = keras.layers.Dense(units, activation="relu")
        self.head = keras.layers.Dense(3, activation="softmax")

    def call(self, inputs, training=False):
        return self.head(self.hidden(inputs))

    def get_config(self):
        return {**super().get_config(), "units": self.units}
'''


def _seed():
    keras.utils.set_random_seed(SEED)
    tf_keras.utils.set_random_seed(SEED)


def _rng():
    return np.random.default_rng(SEED)


def _save_h5(model, path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "HDF5 is a legacy format"
        model.save(str(path), save_format="h5")


def _save_tf(model, path: Path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(str(path), save_format="tf")


# --- the fixtures: each returns (model file name, data arrays, format, export args, tests) -------

def lstm_text(out: Path, saved_model: bool):
    """tf.keras text classifier: Embedding + LSTM (its config says time_major=False)."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([
        tk.Input((12,), dtype="int32"),
        tk.layers.Embedding(50, 8),
        tk.layers.LSTM(8),
        tk.layers.Dense(3, activation="softmax"),
    ], name="lstm_text")
    model.compile(tk.optimizers.Adam(1e-3), "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = _rng()
    x = rng.integers(1, 50, (N, 12)).astype(np.int32)
    y = (x[:, 0] % 3).astype(np.int32)
    if saved_model:
        _save_tf(model, out / "lstm_text_savedmodel")
        return ("lstm_text_savedmodel", {"x_train": x, "y_train": y}, "keras2-savedmodel", [],
                "tf.keras LSTM (time_major in its config) in a Keras 2 SavedModel")
    _save_h5(model, out / "lstm_text.h5")
    return ("lstm_text.h5", {"x_train": x, "y_train": y}, "h5", [],
            "tf.keras LSTM (time_major in its config) in an .h5 file")


def loss_object(out: Path):
    """Compiled with a loss object (its config carries 'fn')."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([tk.Input((6,)), tk.layers.Dense(8, activation="relu"),
                           tk.layers.Dense(4, activation="softmax")], name="loss_object")
    model.compile(tk.optimizers.SGD(0.05, momentum=0.9),
                  tk.losses.CategoricalCrossentropy(label_smoothing=0.1), metrics=["accuracy"])
    rng = _rng()
    x = rng.normal(size=(N, 6)).astype(np.float32)
    y = np.eye(4, dtype=np.float32)[rng.integers(0, 4, N)]
    _save_h5(model, out / "loss_object.h5")
    return ("loss_object.h5", {"x_train": x, "y_train": y}, "h5", [],
            "tf.keras model compiled with a CategoricalCrossentropy(...) loss object")


def conv2d_transpose(out: Path):
    """Conv2DTranspose (its tf.keras config says groups=1)."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([
        tk.Input((4, 4, 1)),
        tk.layers.Conv2DTranspose(2, 3, strides=2, padding="same", activation="relu"),
        tk.layers.Conv2D(1, 3, padding="same"),
    ], name="conv2d_transpose")
    model.compile(tk.optimizers.Adam(1e-3), "mse")
    rng = _rng()
    x = rng.normal(size=(N, 4, 4, 1)).astype(np.float32)
    y = np.repeat(np.repeat(x, 2, axis=1), 2, axis=2)
    _save_h5(model, out / "conv2d_transpose.h5")
    return ("conv2d_transpose.h5", {"x_train": x, "y_train": y}, "h5", [],
            "tf.keras Conv2DTranspose (groups in its config)")


def normalization(out: Path):
    """A Normalization layer adapted without a declared feature size (input shape (None, None))."""
    _seed()
    tk = tf_keras
    rng = _rng()
    x = (rng.normal(size=(N, 5)) * 50 + 10).astype(np.float32)
    norm = tk.layers.Normalization()
    norm.adapt(x)
    inputs = tk.Input((None,))
    outputs = tk.layers.Dense(1)(tk.layers.Dense(8, activation="relu")(norm(inputs)))
    model = tk.Model(inputs, outputs, name="normalization")
    model.compile(tk.optimizers.RMSprop(1e-3), "mse", metrics=["mae"])
    y = (x @ rng.normal(size=5) / 50).astype(np.float32)
    _save_h5(model, out / "normalization.h5")
    return ("normalization.h5", {"x_train": x, "y_train": y}, "h5", [],
            "Normalization with an unknown feature size (Input shape (None,)): the size is read "
            "from its saved mean")


def unbuilt_sequential(out: Path, with_shape: bool):
    """A Keras 3 Sequential saved before it was built: with an input_shape in its first layer's
    config, or with none (then --input-shape builds it)."""
    _seed()
    layers = [keras.layers.Dense(8, activation="relu"), keras.layers.Dense(2, activation="softmax")]
    model = keras.Sequential(layers, name="sequential")
    if with_shape:  # a tf.keras Sequential whose first layer has input_shape, built on load
        tk = tf_keras
        model = tk.Sequential([tk.layers.Dense(8, activation="relu", input_shape=(3,)),
                               tk.layers.Dense(2, activation="softmax")], name="sequential")
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = _rng()
    x = rng.normal(size=(N, 3)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int32)
    if with_shape:
        _save_h5(model, out / "sequential_input_shape.h5")
        return ("sequential_input_shape.h5", {"x_train": x, "y_train": y}, "h5", [],
                "tf.keras Sequential built from input_shape= of its first layer")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.save(out / "sequential_unbuilt.keras")
    return ("sequential_unbuilt.keras", {"x_train": x, "y_train": y}, "keras",
            ["--input-shape", "3"],
            "Keras 3 Sequential saved unbuilt (no weights): built from --input-shape 3")


def stateful_metrics(out: Path):
    """Binary classifier compiled with the stateful metrics 'mae', 'mse' and AUC."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(6, activation="relu"),
                           tk.layers.Dense(1, activation="sigmoid")], name="stateful_metrics")
    model.compile(tk.optimizers.Adam(1e-2), "binary_crossentropy",
                  metrics=["mae", "mse", tk.metrics.AUC(name="auc"), "accuracy"])
    rng = _rng()
    x = rng.normal(size=(N, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.float32)  # [N] for an output [batch, 1]
    _save_h5(model, out / "stateful_metrics.h5")
    return ("stateful_metrics.h5", {"x_train": x, "y_train": y}, "h5", [],
            "metrics mae, mse, AUC and accuracy as per-batch values; labels [N] for [batch, 1]")


def softmax_v2(out: Path):
    """A Keras 3 .keras file whose config names the activation 'softmax_v2' (as Keras 3.4 wrote
    models built with activation=tf.nn.softmax)."""
    _seed()
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(8, activation="relu"),
                              keras.layers.Dense(3, activation="softmax")], name="softmax_v2")
    model.compile(keras.optimizers.Adam(1e-2), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = _rng()
    x = rng.normal(size=(N, 5)).astype(np.float32)
    y = rng.integers(0, 3, N).astype(np.int32)
    path = out / "softmax_v2.keras"
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.keras"
        model.save(plain)
        _rewrite_zip_member(plain, path, "config.json",
                            lambda text: text.replace('"activation": "softmax"',
                                                      '"activation": "softmax_v2"'))
    return ("softmax_v2.keras", {"x_train": x, "y_train": y}, "keras", [],
            "renamed identifier: activation 'softmax_v2' in a .keras config")


def _rewrite_zip_member(source: Path, target: Path, member: str, edit) -> None:
    with zipfile.ZipFile(source) as src, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == member:
                edited = edit(data.decode())
                if edited == data.decode():
                    raise RuntimeError(f"nothing to edit in {member}")
                data = edited.encode()
            dst.writestr(info, data)


def subclassed(out: Path):
    """A subclassed Keras 3 model whose class lives in compat_custom.py beside it."""
    module_path = out / f"{CUSTOM_MODULE}.py"
    module_path.write_text(CUSTOM_SOURCE)
    sys.path.insert(0, str(out))
    try:
        import importlib
        module = importlib.import_module(CUSTOM_MODULE)
        _seed()
        model = module.TinyNet(units=8, name="tiny_net")
        model.compile(keras.optimizers.SGD(0.1), "sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        rng = _rng()
        x = rng.normal(size=(N, 4)).astype(np.float32)
        y = rng.integers(0, 3, N).astype(np.int32)
        model.fit(x, y, epochs=1, batch_size=N, verbose=0)  # builds it
        model.save(out / "subclassed.keras")
    finally:
        sys.path.remove(str(out))
        sys.modules.pop(CUSTOM_MODULE, None)
    return ("subclassed.keras", {"x_train": x, "y_train": y}, "keras",
            ["--custom-objects", f"{CUSTOM_MODULE}.py"],
            "subclassed model whose class needs --custom-objects compat_custom.py")


def recommender(out: Path):
    """Two integer ids -> Embeddings -> dot product: a rating (mse)."""
    _seed()
    tk = tf_keras
    user = tk.Input((1,), dtype="int32", name="user_id")
    item = tk.Input((1,), dtype="int32", name="item_id")
    u = tk.layers.Flatten()(tk.layers.Embedding(20, 4, name="user_embedding")(user))
    v = tk.layers.Flatten()(tk.layers.Embedding(30, 4, name="item_embedding")(item))
    rating = tk.layers.Dot(axes=1, name="rating")([u, v])
    model = tk.Model([user, item], rating, name="recommender")
    model.compile(tk.optimizers.Adam(1e-2), "mse", metrics=["mae"])
    rng = _rng()
    users = rng.integers(0, 20, N).astype(np.int32)
    items = rng.integers(0, 30, N).astype(np.int32)
    ratings = ((users % 5) * 0.2 + (items % 3) * 0.3).astype(np.float32)
    _save_h5(model, out / "recommender.h5")
    return ("recommender.h5", {"x_user_id": users.reshape(-1, 1), "x_item_id":
                               items.reshape(-1, 1), "y_rating": ratings}, "h5", [],
            "two inputs (user id, item id) -> Embeddings -> Dot")


TABULAR_STRINGS = {"city": ["paris", "oslo", "rome"], "plan": ["free", "pro"],
                   "device": ["ios", "android", "web"]}
# "Days-Active" becomes the signature argument x_days_active (contract v2's sanitize).
TABULAR_NUMBERS = ["age", "income", "visits", "tenure", "clicks", "score", "Days-Active",
                   "basket"]


def tabular11(out: Path):
    """11 named inputs, three of them strings through StringLookup, one binary output."""
    _seed()
    tk = tf_keras
    inputs, features = [], []
    for name, vocabulary in TABULAR_STRINGS.items():
        tensor = tk.Input((1,), dtype="string", name=name)
        inputs.append(tensor)
        features.append(tk.layers.StringLookup(vocabulary=vocabulary, output_mode="one_hot",
                                               name=f"{name}_lookup")(tensor))
    for name in TABULAR_NUMBERS:
        tensor = tk.Input((1,), name=name)
        inputs.append(tensor)
        features.append(tensor)
    hidden = tk.layers.Dense(8, activation="relu")(tk.layers.Concatenate()(features))
    output = tk.layers.Dense(1, activation="sigmoid", name="churn")(hidden)
    model = tk.Model(inputs, output, name="tabular11")
    model.compile(tk.optimizers.Adam(1e-2), "binary_crossentropy", metrics=["accuracy"])
    rng = _rng()
    data = {}
    for name, vocabulary in TABULAR_STRINGS.items():
        data[f"x_{name}"] = rng.choice(vocabulary + ["unknown"], size=(N, 1)).astype("<U8")
    for name in TABULAR_NUMBERS:
        data[f"x_{name.lower().replace('-', '_')}"] = rng.normal(size=(N, 1)).astype(np.float32)
    data["y_churn"] = (data["x_age"][:, 0] > 0).astype(np.float32)
    _save_h5(model, out / "tabular11.h5")
    return ("tabular11.h5", data, "h5", [],
            "11 named inputs, 3 string inputs (StringLookup), labels [N]")


def feature_columns(out: Path):
    """tf.keras Sequential on feature columns (DenseFeatures) taking a dict of 11 named inputs, 4
    of them strings, fitted and saved as a Keras 2 SavedModel: revived, it has no inputs until
    called, only the input spec it was saved with."""
    _seed()
    tk = tf_keras
    fc = tf.feature_column
    rng = _rng()
    strings = {"sex": ["M", "F"], "chest_pain": ["ATA", "NAP", "ASY"], "slope": ["Up", "Flat"],
               "angina": ["N", "Y"]}
    numbers = ["age", "bp", "cholesterol", "max_hr", "oldpeak", "fasting_bs", "ecg"]
    columns = [fc.indicator_column(fc.categorical_column_with_vocabulary_list(k, v))
               for k, v in strings.items()] + [fc.numeric_column(k) for k in numbers]
    model = tk.Sequential([tk.layers.DenseFeatures(columns), tk.layers.Dense(8, activation="relu"),
                           tk.layers.Dense(1, activation="sigmoid", name="risk")],
                          name="feature_columns")
    model.compile(tk.optimizers.Adam(1e-2), "binary_crossentropy", metrics=["accuracy"])
    data = {f"x_{k}": rng.choice(v, N).astype("<U4") for k, v in strings.items()}
    data.update({f"x_{k}": rng.normal(size=N).astype(np.float32) for k in numbers})
    # Its one output is named by its last layer, on the exported path as on the direct path.
    data["y_risk"] = (data["x_age"] > 0).astype(np.float32)
    features = {k[2:]: v for k, v in data.items() if k.startswith("x_")}
    model.fit(features, data["y_risk"], epochs=1, batch_size=N, verbose=0)
    _save_tf(model, out / "feature_columns")
    return ("feature_columns", data, "keras2-savedmodel", [],
            "feature columns (DenseFeatures): a dict of 11 inputs, 4 strings, in a Keras 2 "
            "SavedModel whose revived model was never built")


def two_outputs(out: Path):
    """Keras 3: age (mse) and gender (binary crossentropy) with loss weights."""
    _seed()
    x_in = keras.Input((6,), name="features")
    hidden = keras.layers.Dense(8, activation="relu")(x_in)
    age = keras.layers.Dense(1, name="age")(hidden)
    gender = keras.layers.Dense(1, activation="sigmoid", name="gender")(hidden)
    model = keras.Model(x_in, [age, gender], name="age_gender")
    model.compile(keras.optimizers.Adam(1e-2),
                  loss={"age": "mse", "gender": "binary_crossentropy"},
                  loss_weights={"age": 0.1, "gender": 1.0},
                  metrics={"age": ["mae"], "gender": ["accuracy"]})
    rng = _rng()
    x = rng.normal(size=(N, 6)).astype(np.float32)
    data = {"x_features": x, "y_age": (30 + 5 * x[:, 0]).astype(np.float32),
            "y_gender": (x[:, 1] > 0).astype(np.float32)}
    model.save(out / "two_outputs.keras")
    return ("two_outputs.keras", data, "keras", [],
            "two outputs (age: mse, gender: binary crossentropy) with loss_weights")


def two_target_lstm(out: Path):
    """tf.keras LSTM regressor with two outputs (temperature and humidity), Keras 2 SavedModel."""
    _seed()
    tk = tf_keras
    series = tk.Input((10, 3), name="series")
    hidden = tk.layers.LSTM(6)(series)
    temperature = tk.layers.Dense(1, name="temperature")(hidden)
    humidity = tk.layers.Dense(1, name="humidity")(hidden)
    model = tk.Model(series, [temperature, humidity], name="two_target_lstm")
    model.compile(tk.optimizers.Adam(1e-2), ["mse", "mae"])
    rng = _rng()
    x = rng.normal(size=(N, 10, 3)).astype(np.float32)
    data = {"x_series": x, "y_temperature": x[:, -1, 0].astype(np.float32),
            "y_humidity": x[:, :, 1].mean(axis=1).astype(np.float32)}
    _save_tf(model, out / "two_target_lstm")
    return ("two_target_lstm", data, "keras2-savedmodel", [],
            "LSTM regressor with two outputs (mse, mae) in a Keras 2 SavedModel")


def rmsprop_decay(out: Path):
    """tf.keras model compiled with a legacy RMSprop(decay=1e-6)."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(8, activation="tanh"),
                           tk.layers.Dense(1)], name="rmsprop_decay")
    model.compile(tk.optimizers.legacy.RMSprop(learning_rate=1e-3, decay=1e-6), "mse")
    rng = _rng()
    x = rng.normal(size=(N, 4)).astype(np.float32)
    y = (x.sum(axis=1)).astype(np.float32)
    model.fit(x, y, epochs=1, batch_size=16, verbose=0)
    _save_h5(model, out / "rmsprop_decay.h5")
    return ("rmsprop_decay.h5", {"x_train": x, "y_train": y}, "h5", [],
            "legacy RMSprop with decay=1e-6: kept as RMSprop, decay dropped with a note")


def uncompiled(out: Path):
    """Saved without compile(): needs --loss and --optimizer."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(3, activation="softmax")],
                          name="uncompiled")
    rng = _rng()
    x = rng.normal(size=(N, 4)).astype(np.float32)
    y = rng.integers(0, 3, N).astype(np.int32)
    _save_h5(model, out / "uncompiled.h5")
    return ("uncompiled.h5", {"x_train": x, "y_train": y}, "h5",
            ["--loss", "sparse_categorical_crossentropy", "--optimizer", "sgd",
             "--metric", "accuracy"],
            "uncompiled model: --loss, --optimizer and --metric given")


def bn_dropout_cnn(out: Path):
    """A CNN with BatchNormalization and Dropout (their state and RNG must export)."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([
        tk.Input((8, 8, 1)),
        tk.layers.Conv2D(4, 3, padding="same"),
        tk.layers.BatchNormalization(),
        tk.layers.Activation("relu"),
        tk.layers.MaxPooling2D(),
        tk.layers.Dropout(0.25),
        tk.layers.Flatten(),
        tk.layers.Dense(2, activation="softmax"),
    ], name="bn_dropout_cnn")
    model.compile(tk.optimizers.Adam(1e-3), "categorical_crossentropy", metrics=["accuracy"])
    rng = _rng()
    x = rng.random((N, 8, 8, 1)).astype(np.float32)
    classes = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.int64)
    _save_h5(model, out / "bn_dropout_cnn.h5")
    return ("bn_dropout_cnn.h5", {"x_train": x, "y_train": classes.astype(np.int32)}, "h5", [],
            "BatchNorm/Dropout CNN, categorical loss with integer labels (converted to one-hot)")


def trained_regression(out: Path):
    """A house-price regression already trained on unscaled targets (loss ~1e10)."""
    _seed()
    tk = tf_keras
    rng = _rng()
    x = np.column_stack([rng.uniform(30, 300, N), rng.integers(1, 6, N),
                         rng.uniform(0, 50, N)]).astype(np.float32)
    y = (x[:, 0] * 3000 + x[:, 1] * 10000 - x[:, 2] * 500 + 50000).astype(np.float32)
    model = tk.Sequential([tk.Input((3,)), tk.layers.Dense(8, activation="relu"),
                           tk.layers.Dense(1)], name="house_prices")
    model.compile(tk.optimizers.Adam(0.5), "mse", metrics=["mae"])
    model.fit(x, y, epochs=20, batch_size=16, verbose=0)
    _save_h5(model, out / "trained_regression.h5")
    return ("trained_regression.h5", {"x_train": x, "y_train": y}, "h5", [],
            "already-trained regression with unscaled features and targets (loss ~1e10)")


def tf_keras_zip(out: Path):
    """A .keras zip written by tf.keras 2.x, which Keras 3 cannot read."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([tk.Input((4,)), tk.layers.Dense(6, activation="relu"),
                           tk.layers.Dense(3, activation="softmax")], name="tf_keras_zip")
    model.compile(tk.optimizers.Adam(1e-2), "sparse_categorical_crossentropy", metrics=["accuracy"])
    rng = _rng()
    x = rng.normal(size=(N, 4)).astype(np.float32)
    y = rng.integers(0, 3, N).astype(np.int32)
    model.save(str(out / "tf_keras_zip.keras"))
    return ("tf_keras_zip.keras", {"x_train": x, "y_train": y}, "keras", [],
            "a .keras zip written by tf.keras 2.x: read with tf_keras")


def keras3_cnn(out: Path):
    """Keras 3 BatchNorm/Dropout CNN: the Keras 3 export path with RNG and moving statistics."""
    _seed()
    model = keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(4, 3, padding="same"),
        keras.layers.BatchNormalization(),
        keras.layers.Activation("relu"),
        keras.layers.Dropout(0.25),
        keras.layers.GlobalAveragePooling2D(),
        keras.layers.Dense(2, activation="softmax"),
    ], name="keras3_cnn")
    model.compile(keras.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy", keras.metrics.AUC(name="auc")])
    rng = _rng()
    x = rng.random((N, 8, 8, 1)).astype(np.float32)
    y = (x.mean(axis=(1, 2, 3)) > 0.5).astype(np.int32)
    model.save(out / "keras3_cnn.keras")
    return ("keras3_cnn.keras", {"x_train": x, "y_train": y}, "keras", [],
            "Keras 3 BatchNorm/Dropout CNN with accuracy and an AUC metric")


def keras3_h5(out: Path):
    """An .h5 file that Keras 3 wrote (its InputLayer says batch_shape, which tf_keras refuses)."""
    _seed()
    model = keras.Sequential([keras.Input((4,)), keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")], name="keras3_h5")
    model.compile(keras.optimizers.Adam(1e-2), "binary_crossentropy", metrics=["accuracy"])
    rng = _rng()
    x = rng.normal(size=(N, 4)).astype(np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        absl_logging.set_verbosity(absl_logging.ERROR)  # "HDF5 is a legacy format"
        model.save(out / "keras3_h5.h5")
    return ("keras3_h5.h5", {"x_train": x, "y_train": (x[:, 0] > 0).astype(np.float32)}, "h5",
            [], "an .h5 file written by Keras 3: read by Keras 3")


def h5_named_keras(out: Path):
    """A tf.keras HDF5 file saved under a .keras name."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([tk.Input((3,)), tk.layers.Dense(2, activation="softmax")],
                          name="h5_named_keras")
    model.compile(tk.optimizers.SGD(0.1), "sparse_categorical_crossentropy", metrics=["accuracy"])
    with tempfile.TemporaryDirectory() as tmp:
        _save_h5(model, Path(tmp) / "model.h5")
        shutil.copyfile(Path(tmp) / "model.h5", out / "h5_named_keras.keras")
    rng = _rng()
    x = rng.normal(size=(N, 3)).astype(np.float32)
    return ("h5_named_keras.keras", {"x_train": x, "y_train": (x[:, 0] > 0).astype(np.int32)},
            "keras", [], "an HDF5 file named .keras: read as .h5 with tf_keras")


def augmentation(out: Path):
    """tf.keras image model with RandomFlip/RandomRotation: their generators' state variables are
    not tracked by Keras, yet the training step reads them."""
    _seed()
    tk = tf_keras
    model = tk.Sequential([tk.Input((6, 6, 1)), tk.layers.RandomFlip("horizontal"),
                           tk.layers.RandomRotation(0.1), tk.layers.Flatten(),
                           tk.layers.Dense(2, activation="softmax")], name="augmentation")
    model.compile(tk.optimizers.Adam(1e-3), "sparse_categorical_crossentropy",
                  metrics=["accuracy"])
    rng = _rng()
    x = rng.random((N, 6, 6, 1)).astype(np.float32)
    _save_h5(model, out / "augmentation.h5")
    return ("augmentation.h5", {"x_train": x, "y_train": (x.mean(axis=(1, 2, 3)) > 0.5)
                                .astype(np.int32)}, "h5", [],
            "augmentation layers whose random generator state Keras does not track")


def schedule_and_precision(out: Path):
    """Keras 3 model compiled with a CosineDecay schedule and Precision/Recall metrics, saved by a
    newer Keras 3 (Dense has quantization_config=None and an unknown 'lora_alpha' setting)."""
    _seed()
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(6, activation="relu"),
                              keras.layers.Dense(1, activation="sigmoid")], name="schedule")
    schedule = keras.optimizers.schedules.CosineDecay(1e-2, decay_steps=100)
    model.compile(keras.optimizers.Adam(schedule), "binary_crossentropy",
                  metrics=["accuracy", "Precision", "Recall"])
    rng = _rng()
    x = rng.normal(size=(N, 5)).astype(np.float32)
    path = out / "schedule_newer_keras.keras"
    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.keras"
        model.save(plain)

        def newer(text):
            config = json.loads(text)
            for layer in config["config"]["layers"]:
                if layer["class_name"] == "Dense":
                    layer["config"].update({"quantization_config": None, "lora_alpha": 4})
            return json.dumps(config)
        _rewrite_zip_member(plain, path, "config.json", newer)
    return ("schedule_newer_keras.keras", {"x_train": x,
                                           "y_train": (x[:, 0] > 0).astype(np.float32)},
            "keras", [], "compiled CosineDecay schedule (starting rate kept), Precision/Recall "
                         "per batch, settings of a newer Keras (dropped with a note)")


FIXTURES = [
    ("lstm_text_h5", lambda out: lstm_text(out, saved_model=False)),
    ("lstm_text_savedmodel", lambda out: lstm_text(out, saved_model=True)),
    ("loss_object", loss_object),
    ("conv2d_transpose", conv2d_transpose),
    ("normalization", normalization),
    ("sequential_input_shape", lambda out: unbuilt_sequential(out, with_shape=True)),
    ("sequential_unbuilt", lambda out: unbuilt_sequential(out, with_shape=False)),
    ("stateful_metrics", stateful_metrics),
    ("softmax_v2", softmax_v2),
    ("subclassed", subclassed),
    ("recommender", recommender),
    ("tabular11", tabular11),
    ("feature_columns", feature_columns),
    ("two_outputs", two_outputs),
    ("two_target_lstm", two_target_lstm),
    ("rmsprop_decay", rmsprop_decay),
    ("uncompiled", uncompiled),
    ("bn_dropout_cnn", bn_dropout_cnn),
    ("trained_regression", trained_regression),
    ("tf_keras_zip", tf_keras_zip),
    ("keras3_cnn", keras3_cnn),
    ("keras3_h5", keras3_h5),
    ("h5_named_keras", h5_named_keras),
    ("augmentation", augmentation),
    ("schedule_newer_keras", schedule_and_precision),
]


def build(out_dir: Path, only: list | None = None) -> list:
    """Build the fixtures (all, or those named in ``only``) into ``out_dir``; return the
    manifest entries (also written to ``out_dir/fixtures.json``)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    manifest = []
    for name, make in FIXTURES:
        if only and name not in only:
            continue
        started = time.perf_counter()
        path, data, fmt, args, tests = make(out_dir)
        np.savez(out_dir / f"{name}.npz", **data)
        manifest.append({"name": name, "path": path, "format": fmt, "data": f"{name}.npz",
                         "export_args": args, "tests": tests,
                         "build_seconds": round(time.perf_counter() - started, 2)})
    (out_dir / "fixtures.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv or argv[0].startswith("-"):
        print("usage: make_compat_fixtures.py OUT_DIR [NAME...]", file=sys.stderr)
        return 2
    out_dir = Path(argv[0])
    if out_dir.exists() and any(out_dir.iterdir()):
        print(f"make_compat_fixtures: error: '{out_dir}' is not empty", file=sys.stderr)
        return 2
    tf.get_logger().setLevel("ERROR")  # tf.feature_column's deprecation notices
    started = time.perf_counter()
    manifest = build(out_dir, argv[1:] or None)
    print(f"built {len(manifest)} fixtures in {out_dir} in "
          f"{time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
