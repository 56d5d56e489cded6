#!/usr/bin/env python3
"""Export a Keras model as a SavedModel that lrfinder can train from Java.

The SavedModel carries the *training contract* (docs/contract.md):

* ``serving_default(x)``            inference, ``training=False``;
* ``train_<K>(x, y) -> {loss, ...}``  one step of optimizer ``K``;
* ``get_lr_<K>() -> {lr}``           read optimizer ``K``'s own learning-rate variable;
* ``set_lr_<K>(lr) -> {lr}``         assign it;
* ``evaluate(x, y) -> {loss, ...}``  loss and metrics, ``training=False``, no state change;
* ``assets/lrfinder.json``           metadata (specs, loss, metrics, optimizers, versions).

Usage::

    python scripts/export.py model.keras --out savedmodels/my_model \\
        --optimizer sgd --optimizer sgd:momentum=0.9 --optimizer adam:learning_rate=0.001
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import math
import os
import re
import shutil
import sys
import tempfile
import warnings
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402

CONTRACT_VERSION = 1
METADATA_FILE = "lrfinder.json"
EVALUATE_SIGNATURE = "evaluate"
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# Optimizer names accepted on the command line -> Keras class names.
OPTIMIZER_CLASSES = {
    "sgd": "SGD",
    "rmsprop": "RMSprop",
    "adagrad": "Adagrad",
    "adadelta": "Adadelta",
    "adam": "Adam",
    "adamw": "AdamW",
    "adamax": "Adamax",
    "nadam": "Nadam",
    "ftrl": "Ftrl",
    "lion": "Lion",
}

# Losses whose labels are class indices rather than tensors shaped like the output.
_SPARSE_LOSSES = {"sparse_categorical_crossentropy", "SparseCategoricalCrossentropy"}


class ExportError(Exception):
    """A problem with the user's input, reported as one line."""


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer requested for export: a signature key, a Keras name and its config."""

    key: str
    name: str
    config: dict = field(default_factory=dict)

    def build(self) -> keras.optimizers.Optimizer:
        class_name = OPTIMIZER_CLASSES.get(self.name.lower())
        if class_name is None:
            raise ExportError(
                f"unknown optimizer '{self.name}'; known: {', '.join(sorted(OPTIMIZER_CLASSES))}")
        check_optimizer_config(self.key, self.config)
        try:
            return keras.optimizers.deserialize(
                {"class_name": class_name, "config": {**self.config, "name": self.key}})
        except (TypeError, ValueError) as error:
            raise ExportError(f"optimizer '{self.key}': {error}") from error


@dataclass(frozen=True)
class TensorSpecJson:
    """Name, dtype and shape (None for the batch dimension) of one signature input."""

    name: str
    dtype: str
    shape: tuple

    def tf_spec(self) -> tf.TensorSpec:
        return tf.TensorSpec(shape=self.shape, dtype=tf.as_dtype(self.dtype), name=self.name)

    def to_json(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}


# Valid ranges of the numeric optimizer settings: (low, low inclusive, high, high inclusive).
# Keras checks few of them (SGD's momentum in [0, 1]); a negative learning rate or a momentum of 1
# would export a model whose every step diverges or never settles.
_SETTING_RANGES = {
    "learning_rate": (0.0, True, math.inf, False),
    "momentum": (0.0, True, 1.0, False),
    "rho": (0.0, True, 1.0, False),
    "beta_1": (0.0, True, 1.0, False),
    "beta_2": (0.0, True, 1.0, False),
    "ema_momentum": (0.0, True, 1.0, False),
    "epsilon": (0.0, False, math.inf, False),
    "weight_decay": (0.0, True, math.inf, False),
    "initial_accumulator_value": (0.0, True, math.inf, False),
    "l1_regularization_strength": (0.0, True, math.inf, False),
    "l2_regularization_strength": (0.0, True, math.inf, False),
    "l2_shrinkage_regularization_strength": (0.0, True, math.inf, False),
    "learning_rate_power": (-math.inf, False, 0.0, True),
    "clipnorm": (0.0, False, math.inf, False),
    "clipvalue": (0.0, False, math.inf, False),
    "global_clipnorm": (0.0, False, math.inf, False),
}
_BOOLEAN_SETTINGS = {"nesterov", "amsgrad", "centered", "use_ema"}


def _interval(low, low_closed, high, high_closed) -> str:
    if high == math.inf:
        return f"a finite number {'>=' if low_closed else '>'} {low:g}"
    if low == -math.inf:
        return f"a number {'<=' if high_closed else '<'} {high:g}"
    return f"a number in {'[' if low_closed else '('}{low:g}, {high:g}{']' if high_closed else ')'}"


def check_optimizer_config(key: str, config: dict) -> None:
    """Refuse settings no optimizer can train with: a non-finite or negative learning rate, a
    momentum outside [0, 1), a non-positive epsilon, a boolean setting that is not a boolean...
    Unset settings (None) and learning-rate schedules (checked later) pass."""
    for name, value in config.items():
        if value is None:
            continue
        if name in _BOOLEAN_SETTINGS:
            if not isinstance(value, bool):
                raise ExportError(f"optimizer '{key}': {name} must be true or false, got {value!r}")
            continue
        bounds = _SETTING_RANGES.get(name)
        if bounds is None:
            continue
        if name == "learning_rate" and not isinstance(value, (bool, int, float, str)):
            continue  # a schedule or callable: refused with its own message once built
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ExportError(f"optimizer '{key}': {name} must be a number, got {value!r}")
        low, low_closed, high, high_closed = bounds
        fits = (math.isfinite(value)
                and (value > low or (low_closed and value == low))
                and (value < high or (high_closed and value == high)))
        if not fits:
            raise ExportError(f"optimizer '{key}': {name} must be "
                              f"{_interval(*bounds)}, got {value:g}")


def _parse_value(text: str):
    lowered = text.lower()
    if lowered in ("true", "false"):
        return lowered == "true"
    for cast in (int, float):
        try:
            return cast(text)
        except ValueError:
            pass
    return text


def parse_optimizer_spec(text: str) -> OptimizerSpec:
    """Parse ``[key=]name[:param=value,...]``, e.g. ``sgd:momentum=0.9`` or ``fast=adam:learning_rate=0.01``.

    Without an explicit key, the key is the name followed by the names of the parameters given
    (``sgd:momentum=0.9`` -> ``sgd_momentum``), so that several variants of one optimizer coexist.
    """
    key = None
    head, _, params = text.partition(":")
    if "=" in head:
        key, head = head.split("=", 1)
    name = head.strip().lower()
    if not name:
        raise ExportError(f"bad optimizer spec '{text}': expected [key=]name[:param=value,...]")
    config = {}
    for item in filter(None, (p.strip() for p in params.split(","))):
        param, sep, value = item.partition("=")
        if not sep:
            raise ExportError(f"bad optimizer parameter '{item}' in '{text}': expected param=value")
        config[param.strip()] = _parse_value(value.strip())
    for float_param in ("learning_rate", "momentum", "rho", "beta_1", "beta_2", "epsilon",
                        "weight_decay", "initial_accumulator_value"):
        if isinstance(config.get(float_param), int) and not isinstance(config[float_param], bool):
            config[float_param] = float(config[float_param])
    if key is None:
        extra = [p for p in config if p != "learning_rate"]
        key = "_".join([name] + extra)
    key = key.strip().lower()
    if not _KEY_PATTERN.match(key):
        raise ExportError(f"optimizer key '{key}' must match [a-z][a-z0-9_]*")
    return OptimizerSpec(key=key, name=name, config=config)


def load_keras_model(path: Path) -> keras.Model:
    """Load a ``.keras`` file, a legacy ``.h5`` file, or a Keras 2 SavedModel directory."""
    if not path.exists():
        if path.is_symlink():
            raise ExportError(f"model '{path}' is a symbolic link to '{os.readlink(path)}', "
                              "which does not exist")
        raise ExportError(f"model '{path}' does not exist")
    if path.is_dir():
        if not (path / "saved_model.pb").exists():
            raise ExportError(f"'{path}' is a directory but holds no saved_model.pb")
        return _load_keras2_saved_model(path)
    if path.suffix not in (".keras", ".h5", ".hdf5"):
        raise ExportError(f"'{path}': expected a .keras or .h5 file or a SavedModel directory")
    check_model_file(path)
    try:
        with warnings.catch_warnings():
            # A model saved compiled but untrained makes Keras warn that it skips the optimizer's
            # variables; the exporter builds its own optimizers, so that is only noise on stderr.
            warnings.filterwarnings("ignore", message="Skipping variable loading for optimizer")
            return keras.models.load_model(path, compile=True)
    except Exception as error:  # Keras raises many types; report one line.
        raise ExportError(f"'{path}' is not a valid Keras model: "
                          f"{_first_line(error)}") from error


def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


_HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"


def check_model_file(path: Path) -> None:
    """Say what is wrong with a model file before Keras reads it (Keras calls a corrupt .keras
    file "File not found"): not a regular file, unreadable, empty, not the archive its suffix
    promises (a .keras file is a zip with config.json; an .h5 file is HDF5), or corrupt."""
    if not path.is_file():
        raise ExportError(f"'{path}' is not a regular file (a pipe, socket or device)")
    try:
        with open(path, "rb") as stream:
            head = stream.read(8)
    except PermissionError as error:
        raise ExportError(f"cannot read '{path}': permission denied") from error
    except OSError as error:
        raise ExportError(f"cannot read '{path}': {error.strerror or _first_line(error)}") \
            from error
    if not head:
        raise ExportError(f"'{path}' is empty; it is not a Keras model")
    if path.suffix == ".keras":
        if not zipfile.is_zipfile(path):
            raise ExportError(f"'{path}' is not a Keras file: a .keras file is a zip archive and"
                              " this one is not (truncated or corrupt)")
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
                if "config.json" not in names:
                    raise ExportError(f"'{path}' is not a Keras file: its zip archive has no"
                                      " config.json")
                bad = archive.testzip()
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError) as error:
            raise ExportError(f"'{path}' is corrupt: {_first_line(error)}") from error
        if bad is not None:
            raise ExportError(f"'{path}' is corrupt: its member '{bad}' fails its checksum")
    elif not _is_hdf5(path):
        raise ExportError(f"'{path}' is not a Keras file: an {path.suffix} file is HDF5 and this"
                          " one is not (truncated or corrupt)")


def _is_hdf5(path: Path) -> bool:
    """HDF5's signature, at offset 0 or a power of two from 512 on (the HDF5 specification)."""
    size = path.stat().st_size
    with open(path, "rb") as stream:
        offset = 0
        while offset + len(_HDF5_SIGNATURE) <= size:
            stream.seek(offset)
            if stream.read(len(_HDF5_SIGNATURE)) == _HDF5_SIGNATURE:
                return True
            offset = 512 if offset == 0 else offset * 2
    return False


def _load_keras2_saved_model(path: Path) -> keras.Model:
    """Rebuild a tf.keras (Keras 2) SavedModel as a Keras 3 model with the same weights."""
    try:
        import tf_keras
    except ImportError as error:
        raise ExportError("loading a Keras 2 SavedModel needs the 'tf-keras' package") from error
    try:
        legacy = tf_keras.models.load_model(path)
    except Exception as error:
        raise ExportError(f"cannot load '{path}' as a Keras 2 SavedModel: "
                          f"{str(error).splitlines()[0]}") from error
    # Keras 3 cannot deserialize a Keras 2 config (to_json() has no "module" keys, and the loaded
    # model's loss is a function, not its name), but it reads Keras 2 HDF5 files: architecture,
    # weights and compile arguments.
    with tempfile.TemporaryDirectory() as tmp:
        h5 = Path(tmp) / "model.h5"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                legacy.save(str(h5), save_format="h5")
                return keras.models.load_model(h5, compile=True)
        except Exception as error:
            raise ExportError(f"cannot convert '{path}' to a Keras 3 model: "
                              f"{str(error).splitlines()[0]}") from error


def _compiled_metric_names(model) -> list:
    try:
        config = model.get_compile_config() or {}
    except Exception:  # not compiled
        return []
    metrics = config.get("metrics") or []
    def flat(items):  # Keras 2 models nest them: [[{...}]]
        for item in items if isinstance(items, (list, tuple)) else [items]:
            if isinstance(item, (list, tuple)):
                yield from flat(item)
            else:
                yield item

    names = []
    for metric in flat(metrics):
        if isinstance(metric, str):
            names.append(metric)
        elif isinstance(metric, dict) and "config" in metric:
            names.append(metric["config"].get("name", metric.get("class_name")))
    return names


def resolve_loss(model, loss_name: str | None):
    """Return (loss object with mean reduction, its name) from ``--loss`` or the compiled loss."""
    loss = loss_name if loss_name else getattr(model, "loss", None)
    if loss is None:
        raise ExportError("the model was not compiled with a loss; pass --loss "
                          "(e.g. sparse_categorical_crossentropy)")
    if isinstance(loss, (list, dict, tuple)):
        raise ExportError("models with several outputs or losses are not supported yet")
    try:
        resolved = keras.losses.get(loss)
    except (ValueError, TypeError) as error:
        raise ExportError(f"unknown loss '{loss}'") from error
    if isinstance(resolved, keras.losses.Loss):
        return resolved, resolved.name
    # A per-sample function such as sparse_categorical_crossentropy: use its Loss class, which
    # averages over the batch exactly as Keras's compile() does with the plain function.
    name = getattr(resolved, "__name__", str(loss))
    class_name = "".join(part.capitalize() for part in name.split("_"))
    loss_class = getattr(keras.losses, class_name, None)
    if loss_class is None or not issubclass(loss_class, keras.losses.Loss):
        raise ExportError(f"loss '{loss}' has no Keras Loss class; pass a Loss object")
    return loss_class(), loss if isinstance(loss, str) else name


def _loss_family(loss_obj) -> str:
    fn = getattr(loss_obj, "fn", None)
    name = getattr(fn, "__name__", type(loss_obj).__name__)
    if name in _SPARSE_LOSSES or isinstance(loss_obj, keras.losses.SparseCategoricalCrossentropy):
        return "sparse"
    if "binary" in name.lower() or isinstance(loss_obj, keras.losses.BinaryCrossentropy):
        return "binary"
    if "categorical" in name.lower() or isinstance(loss_obj, keras.losses.CategoricalCrossentropy):
        return "categorical"
    return "regression"


def resolve_metrics(names, loss_obj):
    """Map metric names to stateless per-batch functions ``f(y_true, y_pred) -> scalar``."""
    family = _loss_family(loss_obj)
    accuracy = {
        "sparse": keras.metrics.sparse_categorical_accuracy,
        "categorical": keras.metrics.categorical_accuracy,
        "binary": keras.metrics.binary_accuracy,
    }
    metrics = {}
    for name in names:
        if name in ("accuracy", "acc"):
            if family not in accuracy:
                raise ExportError(f"metric '{name}' needs a classification loss")
            metrics["accuracy"] = accuracy[family]
            continue
        try:
            fn = keras.metrics.get(name)
        except (ValueError, TypeError) as error:
            raise ExportError(f"unknown metric '{name}'") from error
        if not callable(fn) or isinstance(fn, keras.metrics.Metric):
            raise ExportError(f"metric '{name}' is stateful; only per-batch metric functions "
                              "(accuracy, mae, mse, ...) can be exported")
        metrics[_signature_name(name)] = fn
    return metrics


def _signature_name(name: str) -> str:
    return re.sub(r"[^a-z0-9_]", "_", name.lower())


def default_input_spec(model) -> TensorSpecJson:
    inputs = getattr(model, "inputs", None)
    if not inputs:
        raise ExportError("the model has no known input shape; build it or pass --input-shape")
    if len(inputs) != 1:
        raise ExportError("models with several inputs are not supported yet")
    tensor = inputs[0]
    return TensorSpecJson("x", str(tensor.dtype), tuple([None] + list(tensor.shape[1:])))


def default_label_spec(model, loss_obj) -> TensorSpecJson:
    outputs = getattr(model, "outputs", None)
    if not outputs or len(outputs) != 1:
        raise ExportError("models with several outputs are not supported yet")
    output_shape = tuple([None] + list(outputs[0].shape[1:]))
    if _loss_family(loss_obj) == "sparse":
        return TensorSpecJson("y", "int32", output_shape[:-1])
    return TensorSpecJson("y", "float32", output_shape)


def _learning_rate_variable(optimizer):
    lr = optimizer._learning_rate  # Keras keeps a float LR in this variable; no public handle.
    if not isinstance(lr, keras.Variable):
        raise ExportError(
            f"optimizer '{optimizer.name}' uses a learning-rate schedule or callable; the range "
            "test sets the learning rate itself, so export it with a float learning_rate")
    return lr


class _TrainingFunctions:
    """The tf.functions of the contract for one model, loss and set of metrics."""

    def __init__(self, model, loss_obj, metric_fns):
        self.model = model
        self.loss_obj = loss_obj
        self.metric_fns = metric_fns

    def _loss_and_metrics(self, y, y_pred):
        loss = self.loss_obj(y, y_pred)
        if self.model.losses:  # weight and activity regularization, as Keras's compute_loss
            loss = loss + tf.add_n([tf.cast(l, loss.dtype) for l in self.model.losses])
        outputs = {"loss": loss}
        for name, fn in self.metric_fns.items():
            outputs[name] = tf.reduce_mean(tf.cast(fn(y, y_pred), tf.float32))
        return outputs

    def train_step(self, optimizer):
        model = self.model

        def train(x, y):
            with tf.GradientTape() as tape:
                y_pred = model(x, training=True)
                outputs = self._loss_and_metrics(y, y_pred)
            variables = model.trainable_variables
            gradients = tape.gradient(outputs["loss"], variables)
            optimizer.apply_gradients(zip(gradients, variables))
            return outputs

        return train

    def evaluate(self):
        def evaluate(x, y):
            return self._loss_and_metrics(y, self.model(x, training=False))

        return evaluate

    @staticmethod
    def get_lr(optimizer):
        variable = _learning_rate_variable(optimizer)

        def get_lr():
            return {"lr": tf.identity(variable.value)}

        return get_lr

    @staticmethod
    def set_lr(optimizer):
        variable = _learning_rate_variable(optimizer)

        def set_lr(lr):
            variable.assign(lr)
            return {"lr": tf.identity(variable.value)}

        return set_lr


def export_trainable(model, out_dir: Path, optimizers, loss=None, metrics=None,
                     input_spec: TensorSpecJson | None = None,
                     label_spec: TensorSpecJson | None = None,
                     model_name: str | None = None, source: str | None = None) -> dict:
    """Write ``model`` with the training contract to ``out_dir`` (which must not exist).

    Returns the metadata written to ``assets/lrfinder.json``.
    """
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ExportError(f"output '{out_dir}' already exists; choose a new directory")
    specs = [s if isinstance(s, OptimizerSpec) else parse_optimizer_spec(s) for s in optimizers]
    if not specs:
        compiled = getattr(model, "optimizer", None)
        if compiled is None:
            raise ExportError("no --optimizer given and the model has no compiled optimizer")
        # Keep the whole compiled config (momentum, weight_decay, clipnorm, ...), not only the rate.
        config = {k: v for k, v in compiled.get_config().items() if k != "name"}
        specs = [OptimizerSpec(key=_signature_name(type(compiled).__name__),
                               name=type(compiled).__name__.lower(), config=config)]
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        raise ExportError(f"optimizer keys must be unique, got {keys}; name them with key=name:...")

    loss_obj, loss_name = resolve_loss(model, loss)
    metric_names = metrics if metrics is not None else [
        m for m in _compiled_metric_names(model) if m != "loss"]
    metric_fns = resolve_metrics(metric_names, loss_obj)
    x_spec = input_spec or default_input_spec(model)
    y_spec = label_spec or default_label_spec(model, loss_obj)
    functions = _TrainingFunctions(model, loss_obj, metric_fns)

    built = []
    for spec in specs:
        optimizer = spec.build()
        _learning_rate_variable(optimizer)
        optimizer.build(model.trainable_variables)
        built.append((spec, optimizer))

    archive = keras.export.ExportArchive()
    archive.track(model)
    for _, optimizer in built:
        archive.track(optimizer)
    # The first endpoint becomes serving_default.
    archive.add_endpoint("serve", lambda x: model(x, training=False),
                         input_signature=[x_spec.tf_spec()])
    archive.add_endpoint(EVALUATE_SIGNATURE, functions.evaluate(),
                         input_signature=[x_spec.tf_spec(), y_spec.tf_spec()])
    optimizer_meta = []
    for spec, optimizer in built:
        archive.add_endpoint(f"train_{spec.key}", functions.train_step(optimizer),
                             input_signature=[x_spec.tf_spec(), y_spec.tf_spec()])
        archive.add_endpoint(f"get_lr_{spec.key}", functions.get_lr(optimizer), input_signature=[])
        archive.add_endpoint(f"set_lr_{spec.key}", functions.set_lr(optimizer),
                             input_signature=[tf.TensorSpec([], tf.float32, name="lr")])
        optimizer_meta.append({
            "key": spec.key,
            "class_name": type(optimizer).__name__,
            "config": _jsonable(optimizer.get_config()),
            "initial_learning_rate": float(_learning_rate_variable(optimizer).numpy()),
        })

    metadata = {
        "contract_version": CONTRACT_VERSION,
        "model_name": model_name or model.name,
        "source": source,
        "parameter_count": int(model.count_params()),
        "trainable_parameter_count": int(sum(np.prod(v.shape) for v in model.trainable_variables)),
        "input": x_spec.to_json(),
        "label": y_spec.to_json(),
        "loss": {"name": loss_name, "config": _jsonable(_safe_config(loss_obj))},
        "metrics": sorted(metric_fns),
        "optimizers": optimizer_meta,
        "evaluate_signature": EVALUATE_SIGNATURE,
        "tensorflow_version": tf.__version__,
        "keras_version": keras.__version__,
    }

    # Write to a temporary sibling first so a failure never leaves a half-written model behind.
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        target = staging / "model"
        with contextlib.redirect_stdout(io.StringIO()):  # Keras prints every endpoint
            archive.write_out(str(target), verbose=False)
        (target / "assets").mkdir(exist_ok=True)
        (target / "assets" / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
        target.rename(out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return metadata


def _safe_config(obj) -> dict:
    try:
        return obj.get_config()
    except Exception:
        return {}


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, (np.floating, np.integer)):
        return value.item()
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return str(value)


def _parse_shape(text: str) -> tuple:
    dims = [d.strip() for d in text.split(",") if d.strip()]
    return tuple([None] + [int(d) for d in dims])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Export a Keras model with lrfinder's training contract (docs/contract.md).")
    parser.add_argument("model", type=Path, help=".keras or .h5 file, or a Keras 2 SavedModel dir")
    parser.add_argument("--out", type=Path, required=True, help="new SavedModel directory")
    parser.add_argument("--optimizer", action="append", default=[],
                        help="[key=]name[:param=value,...]; repeat for several "
                             "(default: the model's compiled optimizer)")
    parser.add_argument("--loss", help="loss name (default: the model's compiled loss)")
    parser.add_argument("--metric", action="append", dest="metrics",
                        help="per-batch metric, e.g. accuracy (default: the compiled metrics)")
    parser.add_argument("--name", help="model name in the metadata (default: the Keras name)")
    parser.add_argument("--input-shape", help="input shape without the batch dim, e.g. 28,28,1")
    parser.add_argument("--input-dtype", help="input dtype (default: the model's)")
    parser.add_argument("--label-shape", help="label shape without the batch dim ('' = scalar)")
    parser.add_argument("--label-dtype", help="label dtype (default: int32 for sparse losses, "
                                              "else float32)")
    args = parser.parse_args(argv)
    try:
        if args.out.exists():  # say so before the slow model load
            raise ExportError(f"output '{args.out}' already exists; choose a new directory")
        optimizers = [parse_optimizer_spec(text) for text in args.optimizer]
        for spec in optimizers:  # also before the load
            check_optimizer_config(spec.key, spec.config)
        model = load_keras_model(args.model)
        loss_obj, _ = resolve_loss(model, args.loss)
        x_spec = None
        if args.input_shape is not None or args.input_dtype:
            base = None if args.input_shape is not None and args.input_dtype else \
                default_input_spec(model)
            x_spec = TensorSpecJson(
                "x", args.input_dtype or base.dtype,
                _parse_shape(args.input_shape) if args.input_shape is not None else base.shape)
        y_spec = None
        if args.label_shape is not None or args.label_dtype:
            base = default_label_spec(model, loss_obj)
            y_spec = TensorSpecJson(
                "y", args.label_dtype or base.dtype,
                _parse_shape(args.label_shape) if args.label_shape is not None else base.shape)
        metadata = export_trainable(model, args.out, optimizers, loss=args.loss,
                                    metrics=args.metrics, input_spec=x_spec, label_spec=y_spec,
                                    model_name=args.name, source=args.model.name)
    except ExportError as error:
        print(f"export: error: {error}", file=sys.stderr)
        return 2
    keys = ", ".join(o["key"] for o in metadata["optimizers"])
    print(f"exported {metadata['model_name']} ({metadata['parameter_count']} parameters) to "
          f"{args.out} with optimizers: {keys}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
