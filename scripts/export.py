#!/usr/bin/env python3
"""Export a Keras model as a SavedModel that lrfinder can train from Java (contract v2).

The SavedModel carries the *training contract* (docs/contract.md), one argument per model input
(``x`` or ``x_<input>``) and per output label (``y`` or ``y_<output>``):

* ``serving_default(inputs)``                  inference, ``training=False``;
* ``train_<K>(inputs, labels) -> {loss, ...}``  one step of optimizer ``K``;
* ``train_at_lr_<K>(inputs, labels, lr)``      assign ``K``'s learning rate, then one step at it;
* ``get_lr_<K>() -> {lr}`` / ``set_lr_<K>(lr)``  read / assign optimizer ``K``'s learning rate;
* ``get_momentum_<K>()``, ``set_momentum_<K>(momentum)``, ``train_at_lr_momentum_<K>(inputs,
  labels, lr, momentum)``: the momentum (SGD, RMSprop with momentum > 0) or ``beta_1`` (Adam,
  AdamW), read, assigned, or assigned with the rate before one step (optional; see
  ``_SettableMomentum``);
* ``evaluate(inputs, labels) -> {loss, ...}``   loss and metrics, ``training=False``;
* ``assets/lrfinder.json``                     metadata (inputs, outputs, losses, optimizers).

``.keras`` files are exported with Keras 3 (``keras.export.ExportArchive``). Legacy models (``.h5``
files, Keras 2 SavedModel directories, old tf.keras ``.keras`` zips) are exported with tf_keras
itself, with its own losses and optimizers, as a ``tf.Module`` saved by ``tf.saved_model.save``:
tf_keras variables are plain ``tf.Variable``s, which a graph-mode loader (TF Java's
``LoadSavedModel``) restores and trains.

Usage::

    python scripts/export.py model.h5 --out savedmodels/my_model \\
        --optimizer sgd --optimizer sgd:momentum=0.9 --optimizer adam:learning_rate=0.001
"""
from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import importlib.util
import inspect
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
from absl import logging as absl_logging  # noqa: E402
import tensorflow as tf  # noqa: E402
import keras  # noqa: E402
from keras import ops  # noqa: E402
from tensorflow.python.ops import resource_variable_ops  # noqa: E402  (_EmptySlot)

CONTRACT_VERSION = 2
METADATA_FILE = "lrfinder.json"
EVALUATE_SIGNATURE = "evaluate"
_KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")

# Optimizer names accepted on the command line -> Keras class names (Keras 3 and tf_keras alike).
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

# Legacy optimizer settings that have no counterpart in the optimizers lrfinder trains with, and
# why dropping them is right for a range test.
_LEGACY_OPTIMIZER_KEYS = {
    "decay": "time decay of the rate",
}
# Settings that only describe the optimizer object itself; dropped without a note.
_SILENT_OPTIMIZER_KEYS = {"name", "is_legacy_optimizer", "jit_compile"}


class ExportError(Exception):
    """A problem with the user's input, reported as one line."""


def sanitize(key: str) -> str:
    """Contract v2 names: lower-case, every character outside [a-z0-9_] becomes '_'."""
    return re.sub(r"[^a-z0-9_]", "_", str(key).lower())



@dataclass(frozen=True)
class Library:
    """The Keras that loaded (and will export) a model: Keras 3 or tf_keras."""

    name: str        # "keras" or "tf_keras"
    module: object   # the imported package

    @property
    def version(self) -> str:
        return self.module.__version__

    @property
    def is_legacy(self) -> bool:
        return self.name == "tf_keras"


def keras3() -> Library:
    return Library("keras", keras)


def tf_keras_library() -> Library:
    try:
        import tf_keras
    except ImportError as error:
        raise ExportError("legacy Keras models (.h5, Keras 2 SavedModel) need the 'tf-keras' "
                          "package; install it with scripts/setup-python") from error
    return Library("tf_keras", tf_keras)


def library_of(model) -> Library:
    """Keras 3 for keras.Model, tf_keras for a tf_keras model."""
    if isinstance(model, keras.Model):
        return keras3()
    lib = tf_keras_library()
    if isinstance(model, lib.module.Model):
        return lib
    raise ExportError(f"not a Keras model: {type(model).__name__}")


@dataclass(frozen=True)
class OptimizerSpec:
    """One optimizer requested for export: a signature key, a Keras name and its config."""

    key: str
    name: str
    config: dict = field(default_factory=dict)

    def build(self, lib: Library | None = None, settable_momentum: bool = True):
        """The Keras optimizer. With ``settable_momentum`` (Keras 3 only), SGD and RMSprop with
        momentum > 0 and Adam and AdamW are built as their ``_SettableMomentum`` subclasses
        (``settable_momentum_class``), which hold the momentum or ``beta_1`` in a variable."""
        lib = lib or keras3()
        class_name = OPTIMIZER_CLASSES.get(self.name.lower())
        if class_name is None:
            raise ExportError(
                f"unknown optimizer '{self.name}'; known: {', '.join(sorted(OPTIMIZER_CLASSES))}")
        check_optimizer_config(self.key, self.config)
        config = {**self.config, "name": self.key}
        if lib.is_legacy:
            config["jit_compile"] = False  # an XLA update step is not a graph a loader can run
        try:
            # The class itself, not deserialize(): tf_keras's would pick its legacy optimizers.
            stock = getattr(lib.module.optimizers, class_name).from_config(config)
            settable = settable_momentum_class(stock) if settable_momentum else None
            return stock if settable is None else settable.from_config(config)
        except (TypeError, ValueError) as error:
            raise ExportError(f"optimizer '{self.key}': {_first_line(error)}") from error


@dataclass(frozen=True)
class TensorSpecJson:
    """Name, dtype and shape (None for the batch dimension) of one signature argument."""

    name: str
    dtype: str
    shape: tuple

    def tf_spec(self) -> tf.TensorSpec:
        return tf.TensorSpec(shape=self.shape, dtype=tf.as_dtype(self.dtype), name=self.name)

    def to_json(self) -> dict:
        return {"name": self.name, "dtype": self.dtype, "shape": list(self.shape)}


@dataclass(frozen=True)
class InputSpec:
    """One model input: its Keras key and its signature argument."""

    key: str
    spec: TensorSpecJson

    def to_json(self) -> dict:
        return {"name": self.spec.name, "key": self.key, "dtype": self.spec.dtype,
                "shape": list(self.spec.shape)}


@dataclass(frozen=True)
class Metric:
    """A per-batch metric of one output: its signature name and ``fn(y, y_pred) -> scalar``."""

    name: str
    fn: object


@dataclass(frozen=True)
class OutputSpec:
    """One model output: key, shape, label argument, loss (callable returning a scalar) and
    metrics."""

    key: str
    shape: tuple
    label: TensorSpecJson
    loss: object
    loss_name: str
    loss_config: dict
    loss_weight: float
    metrics: tuple

    def to_json(self) -> dict:
        return {"key": self.key, "shape": list(self.shape), "label": self.label.to_json(),
                "loss": {"name": self.loss_name, "config": self.loss_config},
                "loss_weight": self.loss_weight, "metrics": [m.name for m in self.metrics]}


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


# --- Loading -------------------------------------------------------------------------------------

# Identifiers older Keras versions wrote that today's Keras no longer knows, mapped to what they
# meant (tf.nn.softmax is named softmax_v2; Keras 3.4 wrote that name into .keras configs).
_RENAMED_ACTIVATIONS = {"softmax_v2": "softmax", "log_softmax_v2": "log_softmax",
                        "sigmoid_v2": "sigmoid", "relu_v2": "relu", "swish_v2": "silu"}


def _renamed_identifiers(lib: Library) -> dict:
    activations = lib.module.activations
    return {
        "softmax_v2": activations.softmax,
        "log_softmax_v2": getattr(activations, "log_softmax", tf.nn.log_softmax),
        "sigmoid_v2": activations.sigmoid,
        "relu_v2": activations.relu,
    }


def load_custom_objects(path: Path) -> dict:
    """Import a user's Python module and return its public classes and functions by name."""
    path = Path(path)
    if not path.is_file():
        raise ExportError(f"custom objects file '{path}' does not exist")
    module_name = path.stem
    spec = importlib.util.spec_from_file_location(module_name, path)
    if spec is None or spec.loader is None:
        raise ExportError(f"custom objects file '{path}' is not a Python module")
    module = importlib.util.module_from_spec(spec)
    # Registered under its own name so that configs naming the module (e.g. 'module': 'my_layers')
    # find it, and registration decorators that read __module__ work.
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as error:  # the user's code may raise anything
        sys.modules.pop(module_name, None)
        raise ExportError(f"importing custom objects file '{path}' failed: "
                          f"{_first_line(error)}") from error
    objects = {name: value for name, value in vars(module).items()
               if not name.startswith("_") and (inspect.isclass(value) or inspect.isfunction(value))
               and getattr(value, "__module__", None) == module_name}
    if not objects:
        raise ExportError(f"custom objects file '{path}' defines no public class or function")
    return objects


def _root_cause(error: BaseException) -> str:
    """The deepest message that says what failed: Keras wraps the real error ("Unrecognized keyword
    arguments ...") in "could not be deserialized properly ... Exception encountered: ..."."""
    chain = []
    seen = set()
    current = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        chain.append(current)
        current = current.__cause__ or current.__context__
    for candidate in reversed(chain):
        text = str(candidate).strip()
        if not text:
            continue
        encountered = re.findall(r"Exception encountered: (.+)", text)
        if encountered:
            return _clean_cause(encountered[-1])
        return _clean_cause(text.splitlines()[0])
    return type(error).__name__


def _clean_cause(text: str) -> str:
    """One sentence without TensorFlow's decoration (function names, op names, error classes)."""
    text = text.strip()
    text = re.sub(r"\s*Full object config:.*$", "", text)
    text = re.sub(r"\{\{function_node [^}]*\}\}\s*", "", text)
    text = re.sub(r"\s*\[Op:\w+\]( name:.*)?$", "", text)
    text = re.sub(r"^(?:\w+\.)*\w*(?:Error|Exception): ", "", text)
    return text.rstrip(". ") if len(text) < 400 else text[:400] + "..."


_MISSING_CLASS = re.compile(r"(?:Could not locate (?:class|function) |Unknown (?:layer|object|"
                            r"activation|loss|metric|optimizer|regularizer|initializer|"
                            r"constraint)(?: function)?:? )'?([A-Za-z_][\w.>]*)'?")


def _missing_object_message(path: Path, cause: str, custom_objects: dict) -> str | None:
    """For a config naming a class or function Keras does not know: say which, from which module,
    and how to supply it."""
    module = re.search(r"No module named '([\w.]+)'", cause)
    if module:
        classes = _classes_of_module(path, module.group(1))
        named = f" (it defines {', '.join(repr(c) for c in classes)})" if classes else ""
        return (f"'{path}' needs the Python module '{module.group(1)}'{named}, which cannot be "
                f"imported; pass --custom-objects FILE.py with that module ({cause})")
    match = _MISSING_CLASS.search(cause)
    if not match:
        return None
    name = match.group(1)
    module = _module_of(path, name) or _module_in(cause)
    where = f" from module '{module}'" if module and not module.startswith(("keras", "tf_keras"))\
        else ""
    if custom_objects:
        return (f"'{path}' needs '{name}'{where}, which the custom objects file does not define"
                f" ({cause})")
    return (f"'{path}' needs the custom class or function '{name}'{where}; pass "
            f"--custom-objects FILE.py with the module that defines it ({cause})")


def _module_in(text: str) -> str | None:
    match = re.search(r"'module': '([^']+)'", text)
    return match.group(1) if match else None


def _classes_of_module(path: Path, module: str) -> list:
    """The class names a .keras config takes from ``module``."""
    classes = []
    for item in _config_items(path):
        if item.get("module") == module and isinstance(item.get("class_name"), str) \
                and item["class_name"] not in classes:
            classes.append(item["class_name"])
    return classes


def _config_items(path: Path) -> list:
    """Every dict in a .keras file's config.json (none for other files)."""
    if path.suffix != ".keras" or not zipfile.is_zipfile(path):
        return []
    try:
        with zipfile.ZipFile(path) as archive:
            config = json.loads(archive.read("config.json"))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        return []
    items, stack = [], [config]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            items.append(item)
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return items


def _module_of(path: Path, name: str) -> str | None:
    """The 'module' a .keras config gives for the class ``name``, when the file says."""
    return next((item["module"] for item in _config_items(path)
                 if item.get("class_name") == name and isinstance(item.get("module"), str)), None)


@dataclass(frozen=True)
class LoadedModel:
    """A loaded model, the Keras that loaded it, what the exporter changed to read it (notes), and
    why its compile arguments could not be rebuilt, when they could not (it is then uncompiled)."""

    model: object
    library: Library
    notes: tuple = ()
    compile_error: str | None = None


def load_keras_model(path: Path, custom_objects: dict | None = None,
                     input_shape: tuple | None = None) -> LoadedModel:
    """Load a model with the library that wrote it.

    ``.h5``/``.hdf5``, Keras 2 SavedModel directories and ``.keras`` zips written by tf.keras 2.x:
    tf_keras, never converted. Other ``.keras`` files: Keras 3. ``input_shape`` (with the batch
    dimension) replaces an input shape the config leaves unknown where a layer needs it known.
    """
    path = Path(path)
    custom_objects = dict(custom_objects or {})
    if not path.exists():
        if path.is_symlink():
            raise ExportError(f"model '{path}' is a symbolic link to '{os.readlink(path)}', "
                              "which does not exist")
        raise ExportError(f"model '{path}' does not exist")
    if path.is_dir():
        if not (path / "saved_model.pb").exists():
            raise ExportError(f"'{path}' is a directory but holds no saved_model.pb")
        return _load_with(tf_keras_library(), path, custom_objects)
    if path.suffix not in (".keras", ".h5", ".hdf5"):
        raise ExportError(f"'{path}': expected a .keras or .h5 file or a SavedModel directory")
    check_model_file(path)
    as_h5 = path.suffix in (".h5", ".hdf5") or not zipfile.is_zipfile(path)
    notes = [f"'{path.name}' is an HDF5 model file named .keras; it is read as an .h5 file"] \
        if as_h5 and path.suffix == ".keras" else []
    if not as_h5 and _is_tf_keras_zip(path):
        # A .keras zip that tf.keras 2.x wrote: read it with the library that wrote it (Keras 3
        # reads its layers but not its compile config: tf_keras optimizers and loss objects).
        try:
            return _load_with(tf_keras_library(), path, custom_objects)
        except ExportError:
            pass
    if not as_h5:
        libraries = [keras3()]
    elif _h5_keras_version(path).startswith("3."):
        libraries = [keras3()]  # an .h5 file that Keras 3 wrote (its InputLayer has batch_shape)
    else:
        # tf_keras wrote it, or Keras 2 before it; Keras 3's reading of legacy .h5 files is only
        # a last resort (it converts, which breaks LSTMs, loss objects...).
        libraries = [tf_keras_library(), keras3()]
    first_error = None
    for lib in libraries:
        patch = _Patch(input_shape=input_shape, library=f"{lib.name} {lib.version}")
        for _ in range(16):  # each round fixes one more thing the error names
            try:
                with _patched_copy(path, patch, as_h5) as (readable, changes):
                    loaded = _load_with(lib, readable, custom_objects, shown=path)
                fallback = [f"read with {lib.name} {lib.version}: {first_error}"] \
                    if first_error is not None else []
                return LoadedModel(loaded.model, loaded.library,
                                   tuple(notes + fallback + changes), loaded.compile_error)
            except ExportError as error:
                better = _patch_for(error, patch, path, as_h5, lib)
                if better is None:
                    first_error = first_error or error
                    break
                patch = better
    raise first_error


@dataclass(frozen=True)
class _Patch:
    """What to change in a model's config before loading it: a known input shape (and where it
    comes from), and settings to drop per layer class that this Keras does not know."""

    input_shape: tuple | None = None
    shape_source: str = "--input-shape"
    dropped: tuple = ()  # (class name, setting name) pairs
    library: str = ""


_UNKNOWN_KEYWORDS = re.compile(r"Unrecognized keyword arguments passed to (\w+): (\{.*\})")


def _patch_for(error: ExportError, patch: _Patch, path: Path, as_h5: bool,
               lib: Library) -> _Patch | None:
    """A patch that gets past the load error, or None. Keras 3 refuses settings it does not know,
    e.g. those a newer Keras 3 wrote ('quantization_config' of Dense): they are dropped, one note
    each. An unknown feature size of an .h5 Normalization input is read from its saved mean."""
    cause = str(error)
    if patch.input_shape is None and "known shape" in cause and as_h5:
        inferred = _normalization_input_shape(path)
        if inferred is not None:
            shape, layer = inferred
            return _Patch(shape, f"from the mean saved for Normalization layer '{layer}'",
                          patch.dropped, patch.library)
    match = _UNKNOWN_KEYWORDS.search(cause)
    if match and not lib.is_legacy:
        try:
            keys = list(ast.literal_eval(match.group(2)))
        except (ValueError, SyntaxError):
            keys = re.findall(r"'(\w+)':", match.group(2))
        new = tuple((match.group(1), k) for k in keys if (match.group(1), k) not in patch.dropped)
        if new:
            return _Patch(patch.input_shape, patch.shape_source, patch.dropped + new,
                          patch.library)
    return None


def _h5_keras_version(path: Path) -> str:
    try:
        import h5py
        with h5py.File(path, "r") as h5:
            version = h5.attrs.get("keras_version", "")
    except Exception:
        return ""
    return version.decode() if isinstance(version, bytes) else str(version)


def _normalization_input_shape(path: Path):
    """For an .h5 model whose one input has an unknown feature size ([None, None]) and feeds a
    Normalization layer directly: the shape its saved mean gives, and the layer's name."""
    try:
        import h5py
        with h5py.File(path, "r") as h5:
            raw = h5.attrs.get("model_config")
            config = json.loads(raw.decode() if isinstance(raw, bytes) else raw)
            weights = h5.get("model_weights")
            layers = config["config"]["layers"]
            inputs = [l for l in layers if l.get("class_name") == "InputLayer"]
            first = next((l for l in layers if l.get("class_name") != "InputLayer"), None)
            for layer in layers:
                if layer.get("class_name") != "Normalization":
                    continue
                inbound = json.dumps(layer.get("inbound_nodes", []))
                direct = layer is first or any(f'"{i["config"]["name"]}"' in inbound
                                               for i in inputs)
                name = layer["config"]["name"]
                if not direct or weights is None or name not in weights:
                    continue
                mean = [weights[name][k] for k in weights[name] if k.startswith("mean")]
                if len(mean) == 1 and len(mean[0].shape) == 1:
                    return (None, int(mean[0].shape[0])), name
    except Exception:  # any surprise in the file: no inference, the loader's message stands
        return None
    return None


def _patch_config(config, patch: _Patch) -> tuple:
    """Rewrite a model config in place: renamed activations by their current names (Keras 3 looks
    activation names up in its own table only, so custom_objects cannot map them), an input shape
    with unknown feature sizes by ``patch.input_shape``, and the settings ``patch.dropped`` names
    removed. Returns (whether anything changed, one note per change that matters)."""
    changes = []
    dropped_any = []
    input_shape = patch.input_shape
    dropped = {}
    for class_name, key in patch.dropped:
        dropped.setdefault(class_name, set()).add(key)

    def note(text):
        if text not in changes:
            changes.append(text)

    def fix(item):
        if isinstance(item, dict):
            inner = item.get("config")
            if item.get("class_name") in dropped and isinstance(inner, dict):
                for key in sorted(dropped[item["class_name"]] & set(inner)):
                    value = inner.pop(key)
                    dropped_any.append(key)
                    if value is not None:  # an unset setting loses nothing
                        note(f"{item['class_name']} setting {key}={value!r} is dropped: "
                             f"{patch.library} does not know it (another Keras version wrote "
                             "the file)")
            for key, value in item.items():
                if key.endswith("activation") and isinstance(value, str) \
                        and value in _RENAMED_ACTIVATIONS:
                    item[key] = _RENAMED_ACTIVATIONS[value]
                    note(f"{key} '{value}' is read as '{item[key]}' (renamed in Keras)")
                elif key in ("batch_input_shape", "batch_shape") and input_shape is not None \
                        and _is_shape(value) and len(value) == len(input_shape) \
                        and any(d is None for d in value[1:]):
                    item[key] = [None] + list(input_shape[1:])
                    note(f"input shape {list(value[1:])} is read as {list(input_shape[1:])} "
                         f"({patch.shape_source})")
                else:
                    fix(value)
        elif isinstance(item, list):
            for value in item:
                fix(value)

    fix(config)
    return bool(changes or dropped_any), changes


@contextlib.contextmanager
def _patched_copy(path: Path, patch: _Patch, as_h5: bool):
    """The model file, or a temporary copy whose config _patch_config changed (always a copy
    named .h5 for an HDF5 file with another suffix). Yields (path to load, notes)."""
    try:
        if not as_h5:
            with zipfile.ZipFile(path) as archive:
                config = json.loads(archive.read("config.json"))
        else:
            import h5py
            with h5py.File(path, "r") as h5:
                raw = h5.attrs.get("model_config")
                config = json.loads(raw.decode() if isinstance(raw, bytes) else raw) \
                    if raw is not None else None
    except Exception:  # unreadable configs are reported by the loader itself
        config = None
    changed, changes = _patch_config(config, patch) if config is not None else (False, [])
    renamed = as_h5 and path.suffix not in (".h5", ".hdf5")
    if not changed and not renamed:
        yield path, []
        return
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / (path.stem + ".h5" if as_h5 else path.name)
        if not as_h5:
            with zipfile.ZipFile(path) as src, \
                    zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as dst:
                for info in src.infolist():
                    data = json.dumps(config).encode() if info.filename == "config.json" \
                        else src.read(info.filename)
                    dst.writestr(info, data)
        else:
            import h5py
            shutil.copyfile(path, copy)
            if changed:
                with h5py.File(copy, "r+") as h5:
                    h5.attrs["model_config"] = json.dumps(config)
        yield copy, changes


def _is_tf_keras_zip(path: Path) -> bool:
    """A .keras zip written by tf.keras 2.x (its metadata.json says keras_version 2.x)."""
    try:
        with zipfile.ZipFile(path) as archive:
            metadata = json.loads(archive.read("metadata.json"))
    except (KeyError, ValueError, OSError, zipfile.BadZipFile):
        return False
    return str(metadata.get("keras_version", "")).startswith("2.")


def _load_with(lib: Library, path: Path, custom_objects: dict,
               shown: Path | None = None) -> LoadedModel:
    shown = shown or path
    objects = {**_renamed_identifiers(lib), **custom_objects}
    logger = tf.get_logger()
    level = logger.level
    try:
        # tf_keras logs "No training configuration found" and the like: not for the one-line
        # contract of stderr.
        logger.setLevel("ERROR")
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
            warnings.simplefilter("ignore")
            model, compile_error = _load_compiled_or_not(lib, path, objects)
            return LoadedModel(model, lib, (), compile_error)
    except ExportError:
        raise
    except Exception as error:  # Keras raises many types; report one line with the root cause.
        cause = _root_cause(error)
        missing = _missing_object_message(path, cause, custom_objects)
        if missing:
            raise ExportError(missing.replace(f"'{path}'", f"'{shown}'", 1)) from error
        what = "a Keras 2 SavedModel" if path.is_dir() else \
            ("a Keras 3 model" if not lib.is_legacy else "a tf.keras (Keras 2) model")
        raise ExportError(f"cannot load '{shown}' as {what} with {lib.name} {lib.version}: "
                          f"{cause}{_hint_for(cause)}") from error
    finally:
        logger.setLevel(level)


def _hint_for(cause: str) -> str:
    """What to do about a load failure whose cause Keras states but does not explain."""
    if "axis" in cause and "known shape" in cause:
        return ("; a layer (Normalization) needs the feature size the model's input leaves "
                "unknown: pass --input-shape with it (e.g. --input-shape 5)")
    return ""


def _load_compiled_or_not(lib: Library, path: Path, objects: dict):
    """Load compiled; a model whose compile arguments cannot be rebuilt (a loss or metric this
    Keras does not know) loads uncompiled, and --loss then names the loss. Returns (model, why
    it is uncompiled or None)."""
    load = lib.module.models.load_model
    try:
        return load(str(path), custom_objects=objects, compile=True), None
    except Exception as error:
        try:
            model = load(str(path), custom_objects=objects, compile=False)
        except Exception:
            raise error from None
        return model, _root_cause(error)


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
    if path.suffix == ".keras" and not zipfile.is_zipfile(path) and _is_hdf5(path):
        return  # an .h5 file named .keras: read as one
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




def ensure_built(model, input_shape: tuple | None, notes: list) -> None:
    """Build a model saved before it was built (a Sequential without an input shape) from
    ``--input-shape`` or the shape its config names; its weights then start from their
    initializers, which the range test accepts (it is usually run before training)."""
    if _model_inputs(model):
        return
    shape = input_shape or _config_input_shape(model)
    if shape is None:
        raise ExportError(f"model '{model.name}' has no known input shape (it was saved before "
                          "it was built, so its weights were never created); pass --input-shape, "
                          "e.g. --input-shape 28,28,1")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model.build(shape)
    except Exception as error:
        raise ExportError(f"cannot build model '{model.name}' for input shape "
                          f"{list(shape[1:])}: {_root_cause(error)}") from error
    if not _model_inputs(model):
        raise ExportError(f"model '{model.name}' has no inputs after building it for input "
                          f"shape {list(shape[1:])}; save it as a functional or Sequential model")
    notes.append(f"the model was saved before it was built; it was built for input shape "
                 f"{list(shape[1:])} and its weights start from their initializers")


def _config_input_shape(model) -> tuple | None:
    try:
        config = model.get_config()
    except Exception:
        return None
    if not isinstance(config, dict):
        return None
    layers = config.get("layers")
    for candidate in ([config] + list(layers[:1] if isinstance(layers, list) else [])):
        inner = candidate.get("config", candidate) if isinstance(candidate, dict) else {}
        for key in ("batch_shape", "batch_input_shape", "build_input_shape"):
            shape = inner.get(key) or candidate.get(key)
            if _is_shape(shape):
                return tuple([None] + list(shape[1:]))
    return None


def _is_shape(shape) -> bool:
    return isinstance(shape, (list, tuple)) and len(shape) > 0 and all(
        d is None or isinstance(d, int) for d in shape)


@dataclass(frozen=True)
class _Port:
    """An input or output of a subclassed model, which has no symbolic tensors: name, dtype and
    shape with the batch dimension."""

    name: str
    dtype: str
    shape: tuple
    in_dict: bool = False  # the model takes a dict of inputs by name (feature columns)


def _model_inputs(model) -> list:
    try:
        inputs = model.inputs
    except (AttributeError, ValueError):
        inputs = None
    if inputs:
        return list(inputs)
    # A tf_keras model revived from a SavedModel before it was ever built in Python (a Sequential
    # whose DenseFeatures layer takes a dict of feature columns): the input spec it was saved with.
    saved = getattr(model, "_saved_model_inputs_spec", None)
    if isinstance(saved, dict) and saved and all(
            isinstance(v, tf.TensorSpec) for v in saved.values()):
        return [_Port(str(k), v.dtype.name, tuple(v.shape.as_list()), in_dict=True)
                for k, v in saved.items()]
    if isinstance(saved, tf.TensorSpec) and saved.shape.rank:
        return [_Port("input", saved.dtype.name, tuple([None] + saved.shape.as_list()[1:]))]
    shape = _built_input_shape(model)
    if shape is None:
        return []
    return [_Port("input", _model_dtype(model), shape)]


def _built_input_shape(model) -> tuple | None:
    """The shape a built subclassed model was built for (Keras 3's build config, tf_keras's
    build input shape); None when unbuilt or built for several inputs."""
    if not getattr(model, "built", False):
        return None
    shape = None
    try:
        shape = (model.get_build_config() or {}).get("input_shape")
    except Exception:
        pass
    if shape is None:
        shape = getattr(model, "_build_input_shape", None)
    if shape is not None and hasattr(shape, "as_list"):
        shape = shape.as_list()
    return tuple([None] + list(shape[1:])) if _is_shape(shape) else None


def _model_dtype(model) -> str:
    dtype = getattr(model, "input_dtype", None) or getattr(model, "compute_dtype", None)
    try:
        return tf.as_dtype(dtype).name
    except TypeError:
        return "float32"


def _model_outputs(model) -> list:
    try:
        outputs = model.outputs
    except (AttributeError, ValueError):
        outputs = None
    if outputs:
        return list(outputs)
    inputs = _model_inputs(model)
    if not inputs or not all(isinstance(p, _Port) for p in inputs):
        return []
    # A subclassed or revived model: run it once on one zero sample to learn its outputs.
    if any(d is None for p in inputs for d in p.shape[1:]):
        return []
    try:
        sample = [tf.fill([1] + list(p.shape[1:]), "") if p.dtype == "string"
                  else tf.zeros([1] + list(p.shape[1:]), tf.as_dtype(p.dtype)) for p in inputs]
        values = _flat_outputs(model(_pack_inputs(model, sample), training=False))
    except Exception as error:
        raise ExportError(f"cannot run model '{model.name}' on inputs "
                          f"{', '.join(f'{p.name} {list(p.shape[1:])}' for p in inputs)}: "
                          f"{_root_cause(error)}") from error
    names = ["output"] if len(values) == 1 else [f"output_{i}" for i in range(len(values))]
    layers = getattr(model, "layers", None)
    if len(values) == 1 and model.__class__.__name__ == "Sequential" and layers:
        names = [layers[-1].name]  # a Sequential's output is its last layer's (as Keras names it)
    return [_Port(n, tf.as_dtype(v.dtype).name, tuple([None] + list(v.shape[1:])))
            for n, v in zip(names, values)]


def _tensor_dtype(tensor) -> str:
    return tf.as_dtype(tensor.dtype).name


def _input_keys(model) -> list:
    inputs = _model_inputs(model)
    names = getattr(model, "input_names", None)
    if names and len(names) == len(inputs):
        return [str(n) for n in names]
    keys = []
    for i, tensor in enumerate(inputs):
        name = getattr(tensor, "name", None) or f"input_{i}"
        keys.append(str(name).split(":")[0])
    return keys


def _output_keys(model) -> list:
    outputs = _model_outputs(model)
    names = getattr(model, "output_names", None)
    if names and len(names) == len(outputs):
        return [str(n) for n in names]
    struct = getattr(model, "_outputs_struct", None)
    if isinstance(struct, dict) and len(struct) == len(outputs):
        return sorted(str(k) for k in struct)
    keys = []
    for i, tensor in enumerate(outputs):
        history = getattr(tensor, "_keras_history", None)
        layer = history[0] if history else None
        keys.append(getattr(layer, "name", None) or getattr(tensor, "name", None)
                    or f"output_{i}")
    return keys


def input_specs(model, input_shape: tuple | None = None,
                input_dtype: str | None = None) -> list:
    """The signature arguments of the model's inputs (contract v2 names)."""
    inputs = _model_inputs(model)
    if not inputs:
        raise ExportError(f"model '{model.name}' has no known input shape; build it or pass "
                          "--input-shape")
    keys = _input_keys(model)
    if len(inputs) > 1 and (input_shape is not None or input_dtype):
        raise ExportError("--input-shape and --input-dtype apply to models with one input; this "
                          f"one has {len(inputs)} ({', '.join(keys)})")
    names = ["x"] if len(inputs) == 1 else ["x_" + sanitize(k) for k in keys]
    _check_unique(names, keys, "inputs")
    specs = []
    for key, name, tensor in zip(keys, names, inputs):
        shape = input_shape or tuple([None] + list(tensor.shape[1:]))
        specs.append(InputSpec(key, TensorSpecJson(name, input_dtype or _tensor_dtype(tensor),
                                                   tuple(shape))))
    return specs


def _known_feature_sizes(model, inputs: list, notes: list) -> list:
    """An input of unknown feature size ([None, None]) that feeds a Normalization layer directly
    has the size of that layer's mean: the signature says so, and the data is checked against it."""
    tensors = _model_inputs(model)
    refined = []
    for spec, tensor in zip(inputs, tensors):
        shape = spec.spec.shape
        size = None
        if len(shape) == 2 and shape[1] is None:
            for layer in getattr(model, "layers", []):
                if type(layer).__name__ != "Normalization":
                    continue
                try:
                    feeds = layer.input is tensor or (len(tensors) == 1 and layer is next(
                        l for l in model.layers if type(l).__name__ != "InputLayer"))
                    mean = next(w for w in layer.weights if "mean" in w.name)
                except (AttributeError, ValueError, StopIteration):
                    continue
                if feeds and len(mean.shape) == 1 and mean.shape[0]:
                    size = int(mean.shape[0])
                    notes.append(f"input '{spec.key}' has an unknown feature size; it is "
                                 f"{size}, the size of the mean saved for Normalization layer "
                                 f"'{layer.name}'")
                    break
        refined.append(spec if size is None else InputSpec(
            spec.key, TensorSpecJson(spec.spec.name, spec.spec.dtype, (None, size))))
    return refined


def _check_unique(names: list, keys: list, what: str) -> None:
    seen = {}
    for name, key in zip(names, keys):
        if name in seen:
            raise ExportError(f"{what} '{seen[name]}' and '{key}' both become the signature "
                              f"argument '{name}'; rename one of them in the model")
        seen[name] = key


def _pack_inputs(model, flat: list):
    ports = _model_inputs(model)
    if ports and isinstance(ports[0], _Port) and ports[0].in_dict:
        return {p.name: x for p, x in zip(ports, flat)}
    if len(flat) == 1:
        return flat[0]
    struct = getattr(model, "_inputs_struct", None)  # Keras 3 functional
    if struct is None:
        struct = getattr(model, "_nested_inputs", None)  # tf_keras functional
    if isinstance(struct, dict):
        return tf.nest.pack_sequence_as(struct, flat)
    return list(flat)


def _flat_outputs(outputs) -> list:
    return tf.nest.flatten(outputs)


# --- Losses and metrics, per output ---------------------------------------------------------------

def _plain(value):
    """Keras's tracking wrappers (ListWrapper, DictWrapper) as plain lists and dicts."""
    if isinstance(value, (str, bytes)) or value is None:
        return value
    if hasattr(value, "items") and hasattr(value, "keys"):
        return {k: v for k, v in value.items()}
    if isinstance(value, (list, tuple)) or type(value).__name__ == "ListWrapper":
        return list(value)
    return value


def _spread(value, keys: list, what: str) -> list:
    """A compile argument given once, as a list (in output order) or as a dict by output key,
    as one entry per output."""
    value = _plain(value)
    if isinstance(value, dict):
        unknown = [k for k in value if k not in keys]
        if unknown:
            raise ExportError(f"the model's {what} name outputs {unknown} it does not have; its "
                              f"outputs are {keys}")
        return [value.get(k) for k in keys]
    if isinstance(value, list):
        if len(value) != len(keys):
            if len(keys) == 1:
                return [value]
            raise ExportError(f"the model has {len(keys)} outputs ({', '.join(keys)}) but "
                              f"{len(value)} {what}")
        return value
    return [value] * len(keys)


def _loss_name(loss_obj) -> str:
    fn = getattr(loss_obj, "fn", None)
    if callable(fn) and getattr(fn, "__name__", None):
        return fn.__name__
    name = getattr(loss_obj, "name", None)
    if name:
        return name
    return re.sub(r"(?<!^)(?=[A-Z])", "_", type(loss_obj).__name__).lower()


def resolve_loss(lib: Library, loss, output_key: str = "output"):
    """Return (callable loss returning the batch mean, function-style name, config) for one
    output, from a name, a serialized config, a function or a Loss object of ``lib``."""
    module = lib.module
    if loss is None:
        raise ExportError(f"output '{output_key}' has no loss: the model was not compiled with "
                          "one; pass --loss (e.g. --loss sparse_categorical_crossentropy, or "
                          "--loss KEY=NAME per output)")
    original = loss
    try:
        if isinstance(loss, (str, dict)):
            loss = module.losses.get(loss)
    except Exception as error:
        raise ExportError(f"unknown loss '{_describe(original)}' for output '{output_key}': "
                          f"{_root_cause(error)}") from error
    if isinstance(loss, module.losses.Loss):
        loss_obj = loss
    elif callable(loss):
        # A per-sample function such as mean_squared_error: its Loss class averages over the batch
        # exactly as compile() does with the plain function; a user's function is averaged here.
        name = getattr(loss, "__name__", "loss")
        loss_class = getattr(module.losses, "".join(p.capitalize() for p in name.split("_")),
                             None)
        if inspect.isclass(loss_class) and issubclass(loss_class, module.losses.Loss):
            loss_obj = loss_class()
        else:
            loss_obj = _FunctionLoss(loss, name)
    else:
        raise ExportError(f"loss '{_describe(original)}' of output '{output_key}' is neither a "
                          "name, a function nor a Loss object")
    config = {k: v for k, v in _safe_config(loss_obj).items() if k != "fn"}
    return loss_obj, _loss_name(loss_obj), _jsonable(config)


@dataclass(frozen=True)
class _FunctionLoss:
    """A user's per-sample loss function; the batch mean is taken by the caller."""

    fn: object
    name: str

    def __call__(self, y_true, y_pred):
        return self.fn(y_true, y_pred)

    def get_config(self) -> dict:
        return {}


def _describe(value) -> str:
    if isinstance(value, dict):
        return str(value.get("class_name", value))
    return str(getattr(value, "__name__", value))


def _loss_family(name) -> str:
    """'sparse', 'categorical', 'binary' or 'regression', from a loss name or object."""
    if not isinstance(name, str):
        name = _loss_name(name)
    lowered = name.lower().replace("_", "")
    if "sparsecategorical" in lowered:
        return "sparse"
    if "binary" in lowered:
        return "binary"
    if "categorical" in lowered or lowered in ("kldivergence", "kld", "kullbackleiblerdivergence"):
        return "categorical"
    return "regression"


_ACCURACY_NAMES = {"accuracy", "acc"}
_ACCURACY_FUNCTIONS = {"sparse": "sparse_categorical_accuracy",
                       "categorical": "categorical_accuracy",
                       "binary": "binary_accuracy"}


def _mean_of(fn, kwargs=None):
    kwargs = dict(kwargs or {})

    def per_batch(y, y_pred):
        return tf.reduce_mean(tf.cast(fn(y, y_pred, **kwargs), tf.float32))

    return per_batch


def _stateless(metric):
    """The metric's value on one batch, from its initial state: Keras 3's stateless API, so no
    state is kept between calls and no variable of the metric is captured by the export."""
    metric.reset_state()
    initial = [np.array(v.numpy()) for v in metric.variables]

    def per_batch(y, y_pred):
        values = metric.stateless_update_state([tf.constant(v) for v in initial], y, y_pred)
        # A traced update can lose its static shape (Precision's thresholds), which the
        # stateless scope of stateless_result insists on.
        values = [tf.reshape(v, x.shape) for v, x in zip(values, initial)]
        return tf.cast(tf.reduce_mean(metric.stateless_result(values)), tf.float32)

    return per_batch


def _keras3_metric(class_name: str, config: dict):
    """A Keras 3 metric built from a (tf_keras) metric's class name and config; settings Keras 3
    does not take are dropped one by one."""
    config = {k: v for k, v in config.items() if k not in ("dtype",)}
    for _ in range(len(config) + 1):
        try:
            return keras.metrics.deserialize({"class_name": class_name, "config": config})
        except TypeError as error:
            match = re.search(r"argument '(\w+)'|arguments passed to \w+: \{'(\w+)'", str(error))
            key = match and (match.group(1) or match.group(2))
            if not key or key not in config:
                raise
            config.pop(key)
    raise ValueError(f"cannot build {class_name}")


class MetricLeftOut(Exception):
    """A compiled metric that is not exported; the message says why (a note)."""


def resolve_metric(lib: Library, spec, family: str, output_key: str, multi: bool) -> Metric:
    """A per-batch metric (signature name, fn) for one output, from a name, a serialized config,
    a function or a Metric object. Raises MetricLeftOut with the reason when it cannot be."""
    module = lib.module
    spec = _plain(spec)
    label = _describe(spec) if not hasattr(spec, "name") else spec.name
    prefix = sanitize(output_key) + "_"

    def named(base: str, fn) -> Metric:
        base = sanitize(base)
        if multi and base.startswith(prefix):  # tf_keras stores 'age_mae' for output 'age'
            base = base[len(prefix):]
        return Metric((prefix + base) if multi else base, fn)

    if isinstance(spec, dict) and spec.get("class_name") == "MeanMetricWrapper":
        inner = spec.get("config", {}) or {}
        fn = inner.get("fn")
        fn_name = fn.get("config") if isinstance(fn, dict) else fn
        base = inner.get("name") or fn_name
        if isinstance(fn_name, str):
            base_name = str(base)
            stripped = base_name[len(prefix):] if multi and base_name.startswith(prefix) \
                else base_name
            if stripped in _ACCURACY_NAMES:
                return resolve_metric(lib, stripped, family, output_key, multi)
            try:
                return named(base_name, _mean_of(module.metrics.get(fn_name)))
            except Exception as error:
                raise MetricLeftOut(f"metric '{base_name}' is left out: {_root_cause(error)}") \
                    from error
    if isinstance(spec, str):
        lowered = spec.lower()
        if lowered in _ACCURACY_NAMES:
            if family not in _ACCURACY_FUNCTIONS:
                raise MetricLeftOut(f"metric '{spec}' is left out: accuracy needs a "
                                    f"classification loss and output '{output_key}' has a "
                                    "regression loss")
            return named("accuracy", _mean_of(getattr(module.metrics,
                                                      _ACCURACY_FUNCTIONS[family])))
        failure = ValueError(f"no metric is named '{spec}'")
        try:
            resolved = module.metrics.get(spec)
        except Exception as error:
            resolved, failure = None, error
        if not callable(resolved) and lib.is_legacy:  # tf_keras knows fewer names ('auc')
            try:
                resolved = keras.metrics.get(spec)
            except Exception as error:
                failure = error
        if not callable(resolved):
            raise MetricLeftOut(f"metric '{spec}' is left out: {_root_cause(failure)}") \
                from failure
        return _metric_from_object(lib, resolved, spec, named)
    if isinstance(spec, dict):
        try:
            resolved = module.metrics.deserialize(spec)
        except Exception as error:
            raise MetricLeftOut(f"metric '{label}' is left out: {_root_cause(error)}") from error
        return _metric_from_object(lib, resolved, resolved.name if hasattr(resolved, "name")
                                   else label, named)
    return _metric_from_object(lib, spec, getattr(spec, "name", None)
                               or getattr(spec, "__name__", "metric"), named)


def _metric_from_object(lib: Library, metric, name: str, named) -> Metric:
    if inspect.isfunction(metric) or (callable(metric) and not hasattr(metric, "update_state")):
        return named(name, _mean_of(metric))
    fn = getattr(metric, "_fn", None)  # MeanMetricWrapper (mae, mse, accuracy...): its function
    if callable(fn):
        return named(name, _mean_of(fn, getattr(metric, "_fn_kwargs", None)))
    try:
        keras3_metric = metric if isinstance(metric, keras.metrics.Metric) else \
            _keras3_metric(type(metric).__name__, metric.get_config())
        return named(name, _stateless(keras3_metric))
    except Exception as error:
        raise MetricLeftOut(f"metric '{name}' is left out: it keeps state across batches and "
                            f"has no per-batch form ({_root_cause(error)})") from error


def _try_metric(metric: Metric, label: TensorSpecJson, output_shape: tuple) -> None:
    """Run the metric once on a made-up batch of two of the label's and the output's shapes: a
    metric that cannot take them (AUC on softmax outputs with class-id labels) fails here, with
    its reason, rather than in every training step."""
    def batch(shape, dtype, fill):
        return tf.fill([2] + [2 if d is None else d for d in shape[1:]], tf.cast(fill, dtype))

    try:
        value = metric.fn(batch(label.shape, tf.as_dtype(label.dtype), 0),
                          batch(output_shape, tf.float32, 0.5))
        float(value)
    except Exception as error:
        raise MetricLeftOut(f"metric '{metric.name}' is left out: it cannot take labels "
                            f"{list(label.shape)} and outputs {list(output_shape)} "
                            f"({_root_cause(error)})") from error


def _compile_config(model) -> dict:
    try:
        return model.get_compile_config() or {}
    except Exception:  # not compiled
        return {}


def _compiled_metric_specs(model) -> object:
    return _compile_config(model).get("metrics")


def _spread_metrics(specs, keys: list) -> list:
    """Compiled metrics as a list per output: a dict by output key, a list of lists (one per
    output), or one flat list for every output."""
    specs = _plain(specs)
    if specs is None:
        return [[] for _ in keys]
    if isinstance(specs, dict):
        return [_as_list(specs.get(k)) for k in keys]
    specs = _as_list(specs)
    if len(keys) > 1 and len(specs) == len(keys) and all(
            _plain(s) is None or isinstance(_plain(s), list) for s in specs):
        return [_as_list(s) for s in specs]
    if len(keys) == 1 and len(specs) == 1 and isinstance(_plain(specs[0]), list):
        return [_as_list(specs[0])]  # Keras 2 nests one output's metrics: [[...]]
    return [list(specs) for _ in keys]


def _as_list(value) -> list:
    value = _plain(value)
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def _loss_weights(model, keys: list) -> list:
    weights = _compile_config(model).get("loss_weights")
    if weights is None:
        return [1.0] * len(keys)
    values = _spread(weights, keys, "loss weights")
    return [1.0 if w is None else float(w) for w in values]


def _parse_loss_args(losses, keys: list):
    """``--loss NAME`` (every output) or ``--loss KEY=NAME`` (one output), as a dict by key."""
    if not losses:
        return None
    if isinstance(losses, str):
        losses = [losses]
    chosen = {}
    for text in losses:
        key, sep, name = text.partition("=")
        if sep and key in keys:
            chosen[key] = name
        elif sep and len(keys) > 1:
            raise ExportError(f"--loss {text}: the model has no output '{key}'; its outputs are "
                              f"{', '.join(keys)}")
        else:
            for k in keys:
                chosen.setdefault(k, text)
    return chosen


def output_specs(model, lib: Library, losses=None, metrics=None, label_spec=None,
                 notes: list | None = None, compile_error: str | None = None) -> list:
    """Every output's label argument, loss, loss weight and per-batch metrics."""
    notes = notes if notes is not None else []
    outputs = _model_outputs(model)
    if not outputs:
        raise ExportError(f"model '{model.name}' has no known outputs; build it or pass "
                          "--input-shape")
    keys = _output_keys(model)
    multi = len(keys) > 1
    label_names = ["y"] if not multi else ["y_" + sanitize(k) for k in keys]
    _check_unique(label_names, keys, "outputs")
    chosen = _parse_loss_args(losses, keys)
    if chosen is not None:
        loss_specs = [chosen.get(k) for k in keys]
        compiled = _spread(getattr(model, "loss", None), keys, "losses") \
            if getattr(model, "loss", None) is not None else [None] * len(keys)
        loss_specs = [c if s is None else s for s, c in zip(loss_specs, compiled)]
    else:
        compiled_loss = getattr(model, "loss", None)
        if compiled_loss is None and compile_error:
            raise ExportError(f"the model's compile arguments cannot be rebuilt ({compile_error})"
                              "; pass --loss (and --optimizer, --metric)")
        loss_specs = _spread(compiled_loss, keys, "losses") if compiled_loss is not None \
            else [None] * len(keys)
    weights = _loss_weights(model, keys)
    if metrics is not None:
        metric_specs = _spread_metrics(list(metrics), keys)
    else:
        metric_specs = _spread_metrics(_compiled_metric_specs(model), keys)

    specs = []
    for key, label_name, tensor, loss, weight, wanted in zip(
            keys, label_names, outputs, loss_specs, weights, metric_specs):
        loss_obj, loss_name, loss_config = resolve_loss(lib, loss, key)
        family = _loss_family(loss_name)
        shape = tuple([None] + list(tensor.shape[1:]))
        if label_spec is not None and not multi:
            label = TensorSpecJson(label_name, label_spec.dtype, label_spec.shape)
        elif family == "sparse":
            label = TensorSpecJson(label_name, "int32", shape[:-1])
        else:
            label = TensorSpecJson(label_name, "float32", shape)
        resolved = []
        for spec in wanted:
            if _plain(spec) == "loss":
                continue
            try:
                metric = resolve_metric(lib, spec, family, key, multi)
                _try_metric(metric, label, shape)
            except MetricLeftOut as left_out:
                if metrics is not None:  # asked for on the command line: say so, do not guess
                    raise ExportError(str(left_out).replace(" is left out", " cannot be "
                                                            "exported")) from left_out
                notes.append(str(left_out))
                continue
            if any(m.name == metric.name for m in resolved):
                continue
            resolved.append(metric)
        specs.append(OutputSpec(key, shape, label, loss_obj, loss_name, loss_config, weight,
                                tuple(resolved)))
    return specs


# --- Optimizers -----------------------------------------------------------------------------------

def compiled_optimizer_spec(model, lib: Library, notes: list,
                            compile_error: str | None = None) -> OptimizerSpec:
    """The model's compiled optimizer as a spec: its class and whole config (momentum, clipnorm...),
    minus legacy settings today's optimizers do not have (each dropped one becomes a note)."""
    compiled = getattr(model, "optimizer", None)
    if compiled is None:
        why = f"its compile arguments cannot be rebuilt ({compile_error})" if compile_error \
            else "the model has no compiled optimizer"
        raise ExportError(f"no --optimizer given and {why}; pass --optimizer (e.g. --optimizer "
                          "adam)")
    class_name = type(compiled).__name__
    name = next((n for n, c in OPTIMIZER_CLASSES.items() if c.lower() == class_name.lower()),
                None)
    if name is None:
        raise ExportError(f"the compiled optimizer {class_name} is not one lrfinder exports; pass"
                          f" --optimizer (one of {', '.join(sorted(OPTIMIZER_CLASSES))})")
    try:
        config = dict(compiled.get_config())
    except Exception as error:
        raise ExportError(f"cannot read the compiled optimizer's config: {_root_cause(error)}") \
            from error
    if "lr" in config and "learning_rate" not in config:  # Keras 1/2.0 name
        config["learning_rate"] = config.pop("lr")
    target = getattr(lib.module.optimizers, OPTIMIZER_CLASSES[name])
    accepted = set(inspect.signature(target.__init__).parameters) - {"self", "kwargs"}
    kept = {}
    for key, value in config.items():
        if key in _SILENT_OPTIMIZER_KEYS:
            continue
        if key in accepted:
            kept[key] = _jsonable(value) if isinstance(value, (np.floating, np.integer)) \
                else value
            continue
        if value in (None, 0, 0.0, False):
            continue  # an unset legacy setting loses nothing
        why = _LEGACY_OPTIMIZER_KEYS.get(key, f"a setting {lib.name}'s {class_name} no longer "
                                              "has")
        if key == "decay":
            notes.append(f"decay={value:g} ({why}) is not exported: lrfinder sets the learning "
                         "rate at every step")
        else:
            notes.append(f"optimizer setting {key}={value!r} ({why}) is not exported")
    learning_rate = kept.get("learning_rate")
    if isinstance(learning_rate, dict) or callable(learning_rate):
        # A schedule: the range test sets the rate itself, so the optimizer is kept with the
        # rate its schedule starts at.
        start = _schedule_start(getattr(compiled, "_learning_rate", None), learning_rate)
        if start is None:
            raise ExportError(
                f"optimizer '{sanitize(class_name)}' uses a learning-rate schedule whose start "
                "cannot be read; pass --optimizer with a float learning_rate")
        schedule = learning_rate.get("class_name", "schedule") \
            if isinstance(learning_rate, dict) else type(learning_rate).__name__
        notes.append(f"the learning-rate schedule {schedule} is replaced by its starting rate "
                     f"{start:g}: lrfinder sets the learning rate at every step")
        learning_rate = kept["learning_rate"] = start
    if isinstance(learning_rate, (np.floating, float)):
        kept["learning_rate"] = float(learning_rate)
    return OptimizerSpec(key=sanitize(class_name), name=name, config=kept)


def _schedule_start(schedule, serialized) -> float | None:
    """The learning rate a schedule gives at step 0 (or its config's initial rate)."""
    try:
        if callable(schedule):
            return float(np.asarray(schedule(0)))
    except Exception:
        pass
    config = serialized.get("config", {}) if isinstance(serialized, dict) else {}
    value = config.get("initial_learning_rate")
    return float(value) if isinstance(value, (int, float)) else None


def _learning_rate_variable(optimizer):
    lr = optimizer._learning_rate  # Keras keeps a float rate in this variable; no public handle.
    if not isinstance(lr, (keras.Variable, tf.Variable)):
        raise ExportError(
            f"optimizer '{optimizer.name}' uses a learning-rate schedule or callable; the range "
            "test sets the learning rate itself, so export it with a float learning_rate")
    return lr


def _dtype_name(variable) -> str:
    return tf.as_dtype(variable.dtype).name


def _read(variable):
    return tf.identity(variable.value if isinstance(variable, keras.Variable)
                       else variable.read_value())


# --- Optimizer slots, saved empty ---------------------------------------------------------------

@dataclass(frozen=True)
class LazySlot:
    """An optimizer slot saved with no elements: ``variable`` (a tf.Variable of unknown shape,
    holding ``[0]`` until the optimizer's first iteration) is then set to ``shape`` filled with
    ``fill``, the value Keras initializes the slot to (0, or Adagrad's and Ftrl's
    ``initial_accumulator_value``)."""

    variable: tf.Variable
    shape: tuple
    fill: float
    replaced: object  # the full variable Keras made, dropped once the optimizer is built


def build_optimizer(optimizer, variables, lazy_slots: bool = True) -> list:
    """Builds ``optimizer`` (Keras 3 or tf_keras) on ``variables``. With ``lazy_slots`` every slot
    that ``build`` makes whose initial value is one constant is stored with no elements, and
    ``apply_gradients`` first fills them at the optimizer's first iteration (when Keras's slots
    hold their initial values by definition): a fresh export then saves the weights alone, not
    each optimizer's momentum and moments too, and a snapshot of the exported state holds empty
    slots, which a restore puts back and the next step fills again. Returns the lazy slots."""
    if not lazy_slots:
        optimizer.build(variables)
        return []
    lazy = []
    # Keras 3 makes every slot with add_variable (Adagrad and Ftrl directly); tf_keras with
    # add_variable_from_reference.
    maker = "add_variable" if isinstance(optimizer, keras.Optimizer) \
        else "add_variable_from_reference"
    make_slot = getattr(optimizer, maker)

    def make_lazy_slot(*args, **kwargs):
        slot = make_slot(*args, **kwargs)
        shrunk = _shrink(optimizer, slot)
        if shrunk is None:
            return slot
        lazy.append(shrunk)
        return slot if isinstance(slot, keras.Variable) else shrunk.variable

    setattr(optimizer, maker, make_lazy_slot)  # for build() only
    try:
        optimizer.build(variables)
    finally:
        delattr(optimizer, maker)
    if not isinstance(optimizer, keras.Optimizer):
        # tf_keras lists the variables it made: the empty slots take the full ones' places (a
        # new list: a tracked list whose items were replaced cannot be saved).
        empty = {id(s.replaced): s.variable for s in lazy}
        optimizer._variables = [empty.get(id(v), v) for v in optimizer._variables]
    if lazy:
        # Keras 3's apply_gradients calls apply, which training code may also call directly.
        applier = "apply" if isinstance(optimizer, keras.Optimizer) else "apply_gradients"
        apply = getattr(optimizer, applier)

        def fill_then_apply(*args, **kwargs):
            _fill_at_first_iteration(optimizer, lazy)
            return apply(*args, **kwargs)

        setattr(optimizer, applier, fill_then_apply)
    return lazy


class _EmptySlot(resource_variable_ops.ResourceVariable):
    """A slot variable of unknown shape, saved with no elements. Reads in a traced function carry
    the slot's full static shape (Keras's update code needs the rank), which holds after
    ``_fill_at_first_iteration``; the variable's own shape, the one the export declares, stays
    unknown."""

    def __init__(self, full_shape, dtype, name):
        super().__init__(initial_value=tf.zeros([0], dtype), shape=tf.TensorShape(None),
                         trainable=False, name=name)
        self._full_shape = tf.TensorShape(full_shape)

    def _read_variable_op(self, no_copy=False):
        result = super()._read_variable_op(no_copy)
        if not tf.executing_eagerly():
            result.set_shape(self._full_shape)
        return result


def _shrink(optimizer, slot) -> LazySlot | None:
    """``slot`` replaced by an empty variable of unknown shape, or None when it stays as it is: a
    scalar (Nadam's running product: nothing to save), or an initial value that is not one
    constant."""
    full = slot._value if isinstance(slot, keras.Variable) else slot
    values = full.numpy()
    if values.size <= 1 or not (values == values.flat[0]).all():
        return None
    empty = _EmptySlot(full.shape, full.dtype, full.name.split(":")[0])
    if isinstance(slot, keras.Variable):
        slot._value = empty  # Keras 3 keeps a slot's storage here; its declared shape stays full
    return LazySlot(empty, tuple(full.shape), float(values.flat[0]), slot)


def _fill_at_first_iteration(optimizer, slots: list) -> None:
    """In a training function: at the optimizer's first iteration (a fresh export, or the
    exported state restored) sets every slot of ``slots`` to its full shape and initial value,
    as a fresh Keras optimizer holds them; a read of the iteration counter on every other step."""
    def fill():
        for slot in slots:
            slot.variable.assign(tf.fill(slot.shape, tf.constant(slot.fill, slot.variable.dtype)))

    first = tf.equal(tf.convert_to_tensor(optimizer.iterations), 0)
    tf.cond(first, fill, lambda: None)


# --- Optimizers whose momentum is a variable -----------------------------------------------------
#
# Keras 3 reads SGD's and RMSprop's ``momentum`` and Adam's ``beta_1`` as Python floats when it
# traces the update, so an exported step has them as constants. These subclasses hold the value in
# a float32 variable of the optimizer (tracked, saved in the checkpoint, restored with a snapshot)
# that ``set_momentum_K`` and ``train_at_lr_momentum_K`` assign, and otherwise compute exactly what
# the stock class computes: ``update_step`` is the stock one, op for op, with each use of the float
# replaced by the variable's read. Stock Keras turns a float into a float32 constant by rounding
# it once; the variables hold the same float32s: ``m`` and, for Adam, ``1 - m`` computed in double
# and rounded once (Python's ``1 - self.beta_1``), so at the config's momentum every step equals
# the stock optimizer's bit for bit (tests/python/test_export.py, ExportedMomentumTest). A new
# value is set from a float64 scalar for the same reason. ``get_config`` is the stock class's, and
# the metadata names the stock class.


class _SettableMomentum:
    """Mixin of the settable-momentum optimizers: ``stock`` is the Keras class they compute as,
    ``complement`` whether a second variable holds ``1 - m`` (Adam's ``1 - beta_1``)."""

    stock = None
    complement = False

    def _momentum_config_value(self) -> float:
        raise NotImplementedError

    def build(self, variables):
        super().build(variables)  # returns at once when built (Keras 3) or re-checks (tf_keras)
        if getattr(self, "momentum_variable", None) is not None:
            return
        value = float(self._momentum_config_value())
        self.momentum_variable = self._momentum_scalar("cycled_momentum", value)
        self.one_minus_momentum_variable = self._momentum_scalar(
            "cycled_one_minus_momentum", 1.0 - value) if self.complement else None

    def _momentum_scalar(self, name: str, value: float):
        """A float32 scalar optimizer variable holding ``value`` rounded once (Keras 3)."""
        return self.add_variable(shape=(), initializer=keras.initializers.Constant(value),
                                 dtype="float32", name=name)

    def assign_momentum(self, momentum) -> None:
        """Assigns the momentum from a float64 scalar: ``(float32) m``, and ``(float32) (1 - m)``
        with ``1 - m`` in float64, as Python computes ``1 - beta_1`` before Keras rounds it."""
        momentum = tf.convert_to_tensor(momentum, tf.float64)
        self.momentum_variable.assign(tf.cast(momentum, tf.float32))
        if self.complement:
            self.one_minus_momentum_variable.assign(
                tf.cast(tf.constant(1.0, tf.float64) - momentum, tf.float32))

    def _m(self, dtype):
        return ops.cast(self.momentum_variable, dtype)

    def _one_minus_m(self, dtype):
        return ops.cast(self.one_minus_momentum_variable, dtype)


class _SettableMomentumSGD(_SettableMomentum, keras.optimizers.SGD):
    """Keras 3 SGD with momentum > 0 (Nesterov or not), the momentum read from a variable."""

    stock = keras.optimizers.SGD

    def _momentum_config_value(self) -> float:
        return self.momentum

    def update_step(self, gradient, variable, learning_rate):
        # keras.optimizers.SGD.update_step (Keras 3.8), momentum != 0, self.momentum -> variable.
        learning_rate = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        m = self.momentums[self._get_variable_index(variable)]
        momentum = self._m(variable.dtype)
        self.assign(m, ops.subtract(ops.multiply(m, momentum),
                                    ops.multiply(gradient, learning_rate)))
        if self.nesterov:
            self.assign_add(variable, ops.subtract(ops.multiply(m, momentum),
                                                   ops.multiply(gradient, learning_rate)))
        else:
            self.assign_add(variable, m)


class _SettableMomentumRMSprop(_SettableMomentum, keras.optimizers.RMSprop):
    """Keras 3 RMSprop with momentum > 0 (centered or not), the momentum read from a variable."""

    stock = keras.optimizers.RMSprop

    def _momentum_config_value(self) -> float:
        return self.momentum

    def update_step(self, gradient, variable, learning_rate):
        # keras.optimizers.RMSprop.update_step (Keras 3.8), momentum > 0, self.momentum ->
        # variable.
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        velocity = self._velocities[self._get_variable_index(variable)]
        momentum = self._momentums[self._get_variable_index(variable)]
        average_grad = None
        if self.centered:
            average_grad = self._average_gradients[self._get_variable_index(variable)]
        rho = self.rho
        self.assign(velocity, ops.add(ops.multiply(rho, velocity),
                                      ops.multiply(1 - rho, ops.square(gradient))))
        if self.centered:
            self.assign(average_grad, ops.add(ops.multiply(rho, average_grad),
                                              ops.multiply(1 - rho, gradient)))
            denominator = velocity - ops.square(average_grad) + self.epsilon
        else:
            denominator = ops.add(velocity, self.epsilon)
        increment = ops.divide(ops.multiply(lr, gradient), ops.sqrt(denominator))
        self.assign(momentum, ops.add(ops.multiply(self._m(variable.dtype), momentum), increment))
        self.assign_sub(variable, momentum)


class _SettableBeta1:
    """Adam's and AdamW's update (Keras 3.8 ``Adam.update_step``) with ``beta_1`` and
    ``1 - beta_1`` read from variables; the bias correction uses the current step's ``beta_1``
    (``ops.power(beta_1, local_step)``), as the stock update does with the attribute's value."""

    complement = True

    def _momentum_config_value(self) -> float:
        return self.beta_1

    def update_step(self, gradient, variable, learning_rate):
        lr = ops.cast(learning_rate, variable.dtype)
        gradient = ops.cast(gradient, variable.dtype)
        local_step = ops.cast(self.iterations + 1, variable.dtype)
        beta_1_power = ops.power(self._m(variable.dtype), local_step)
        beta_2_power = ops.power(ops.cast(self.beta_2, variable.dtype), local_step)
        m = self._momentums[self._get_variable_index(variable)]
        v = self._velocities[self._get_variable_index(variable)]
        alpha = lr * ops.sqrt(1 - beta_2_power) / (1 - beta_1_power)
        self.assign_add(m, ops.multiply(ops.subtract(gradient, m),
                                        self._one_minus_m(variable.dtype)))
        self.assign_add(v, ops.multiply(ops.subtract(ops.square(gradient), v), 1 - self.beta_2))
        if self.amsgrad:
            v_hat = self._velocity_hats[self._get_variable_index(variable)]
            self.assign(v_hat, ops.maximum(v_hat, v))
            v = v_hat
        self.assign_sub(variable, ops.divide(ops.multiply(m, alpha),
                                             ops.add(ops.sqrt(v), self.epsilon)))


class _SettableMomentumAdam(_SettableBeta1, _SettableMomentum, keras.optimizers.Adam):
    """Keras 3 Adam, ``beta_1`` read from a variable."""

    stock = keras.optimizers.Adam


class _SettableMomentumAdamW(_SettableBeta1, _SettableMomentum, keras.optimizers.AdamW):
    """Keras 3 AdamW (its decoupled weight decay is the base optimizer's, before the update),
    ``beta_1`` read from a variable."""

    stock = keras.optimizers.AdamW


@functools.cache
def _tf_keras_settable_classes() -> dict:
    """tf_keras's SGD, RMSprop, Adam and AdamW -> their settable-momentum subclasses: the stock
    ``update_step`` (tf_keras 2.18), dense and sparse branches, op for op, each use of the
    momentum or ``beta_1`` float replaced by the variable's read. Made on first use: tf_keras is
    imported only for legacy models."""
    tf_keras = tf_keras_library().module
    optimizers = tf_keras.optimizers

    class TfKerasMomentum(_SettableMomentum):
        def _momentum_scalar(self, name: str, value: float):
            return self.add_variable(shape=(), dtype=tf.float32, name=name,
                                     initializer=lambda shape, dtype: tf.constant(
                                         value, dtype=dtype, shape=shape))

        def _m(self, dtype):
            return tf.cast(self.momentum_variable, dtype)

        def _one_minus_m(self, dtype):
            return tf.cast(self.one_minus_momentum_variable, dtype)

    class SettableSGD(TfKerasMomentum, optimizers.SGD):
        stock = optimizers.SGD

        def _momentum_config_value(self) -> float:
            return self.momentum

        def update_step(self, gradient, variable):
            lr = tf.cast(self.learning_rate, variable.dtype)
            momentum = self._m(variable.dtype)
            m = self.momentums[self._index_dict[self._var_key(variable)]]
            if isinstance(gradient, tf.IndexedSlices):
                add_value = tf.IndexedSlices(-gradient.values * lr, gradient.indices)
                m.assign(m * momentum)
                m.scatter_add(add_value)
                if self.nesterov:
                    variable.scatter_add(add_value)
                    variable.assign_add(m * momentum)
                else:
                    variable.assign_add(m)
            else:
                m.assign(-gradient * lr + m * momentum)
                if self.nesterov:
                    variable.assign_add(-gradient * lr + m * momentum)
                else:
                    variable.assign_add(m)

    class SettableRMSprop(TfKerasMomentum, optimizers.RMSprop):
        stock = optimizers.RMSprop

        def _momentum_config_value(self) -> float:
            return self.momentum

        def update_step(self, gradient, variable):
            lr = tf.cast(self.learning_rate, variable.dtype)
            var_key = self._var_key(variable)
            velocity = self._velocities[self._index_dict[var_key]]
            momentum = self._momentums[self._index_dict[var_key]]
            average_grad = None
            if self.centered:
                average_grad = self._average_gradients[self._index_dict[var_key]]
            rho = self.rho
            if isinstance(gradient, tf.IndexedSlices):
                velocity.assign(rho * velocity)
                velocity.scatter_add(tf.IndexedSlices(tf.square(gradient.values) * (1 - rho),
                                                      gradient.indices))
                if self.centered:
                    average_grad.assign(rho * average_grad)
                    average_grad.scatter_add(tf.IndexedSlices(gradient.values * (1 - rho),
                                                              gradient.indices))
                    denominator = velocity - tf.square(average_grad) + self.epsilon
                else:
                    denominator = velocity + self.epsilon
                denominator_slices = tf.gather(denominator, gradient.indices)
                increment = tf.IndexedSlices(
                    lr * gradient.values * tf.math.rsqrt(denominator_slices), gradient.indices)
                momentum.assign(self._m(variable.dtype) * momentum)
                momentum.scatter_add(increment)
                variable.assign_add(-momentum)
            else:
                velocity.assign(rho * velocity + (1 - rho) * tf.square(gradient))
                if self.centered:
                    average_grad.assign(rho * average_grad + (1 - rho) * gradient)
                    denominator = velocity - tf.square(average_grad) + self.epsilon
                else:
                    denominator = velocity + self.epsilon
                increment = lr * gradient * tf.math.rsqrt(denominator)
                momentum.assign(self._m(variable.dtype) * momentum + increment)
                variable.assign_add(-momentum)

    class Beta1(TfKerasMomentum):
        complement = True

        def _momentum_config_value(self) -> float:
            return self.beta_1

        def update_step(self, gradient, variable):
            # tf_keras Adam.update_step (AdamW's is the same without adaptive_epsilon).
            lr = tf.cast(self.learning_rate, variable.dtype)
            local_step = tf.cast(self.iterations + 1, variable.dtype)
            beta_1_power = tf.pow(self._m(variable.dtype), local_step)
            beta_2_power = tf.pow(tf.cast(self.beta_2, variable.dtype), local_step)
            var_key = self._var_key(variable)
            m = self._momentums[self._index_dict[var_key]]
            v = self._velocities[self._index_dict[var_key]]
            alpha = lr * tf.sqrt(1 - beta_2_power) / (1 - beta_1_power)
            if getattr(self, "adaptive_epsilon", False):
                epsilon_hat = self.epsilon * tf.sqrt(1 - beta_2_power)
            else:
                epsilon_hat = self.epsilon
            one_minus_beta_1 = self._one_minus_m(variable.dtype)
            if isinstance(gradient, tf.IndexedSlices):
                m.assign_add(-m * one_minus_beta_1)
                m.scatter_add(tf.IndexedSlices(gradient.values * one_minus_beta_1,
                                               gradient.indices))
                v.assign_add(-v * (1 - self.beta_2))
                v.scatter_add(tf.IndexedSlices(tf.square(gradient.values) * (1 - self.beta_2),
                                               gradient.indices))
            else:
                m.assign_add((gradient - m) * one_minus_beta_1)
                v.assign_add((tf.square(gradient) - v) * (1 - self.beta_2))
            if self.amsgrad:
                v_hat = self._velocity_hats[self._index_dict[var_key]]
                v_hat.assign(tf.maximum(v_hat, v))
                v = v_hat
            variable.assign_sub((m * alpha) / (tf.sqrt(v) + epsilon_hat))

    class SettableAdam(Beta1, optimizers.Adam):
        stock = optimizers.Adam

    class SettableAdamW(Beta1, optimizers.AdamW):
        stock = optimizers.AdamW

    return {optimizers.SGD: SettableSGD, optimizers.RMSprop: SettableRMSprop,
            optimizers.Adam: SettableAdam, optimizers.AdamW: SettableAdamW}


def _is_number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def settable_momentum_class(optimizer):
    """The settable-momentum subclass that computes as ``optimizer`` (a stock Keras 3 or tf_keras
    optimizer just built from its config), or None: a class without a momentum term (SGD and
    RMSprop at momentum 0, Adagrad...), a momentum that is not a float."""
    kind = type(optimizer)
    if isinstance(optimizer, keras.Optimizer):
        classes = {keras.optimizers.SGD: _SettableMomentumSGD,
                   keras.optimizers.RMSprop: _SettableMomentumRMSprop,
                   keras.optimizers.Adam: _SettableMomentumAdam,
                   keras.optimizers.AdamW: _SettableMomentumAdamW}
    else:
        classes = _tf_keras_settable_classes()
    settable = classes.get(kind)
    if settable is None:
        return None
    value = optimizer.beta_1 if settable.complement else optimizer.momentum
    if not _is_number(value) or (not settable.complement and value <= 0):
        return None
    return settable


def has_settable_momentum(optimizer) -> bool:
    """Whether ``optimizer`` holds its momentum in a variable (``_SettableMomentum``), so the
    export gets ``get_momentum_K``, ``set_momentum_K`` and ``train_at_lr_momentum_K``."""
    return isinstance(optimizer, _SettableMomentum)


def stock_class_name(optimizer) -> str:
    """The Keras class an optimizer computes as: the stock class of a settable-momentum one."""
    return (optimizer.stock if has_settable_momentum(optimizer) else type(optimizer)).__name__


# --- The contract's functions ---------------------------------------------------------------------

class _TrainingFunctions:
    """The tf.functions of the contract for one model, its inputs and outputs."""

    def __init__(self, model, inputs: list, outputs: list):
        self.model = model
        self.inputs = inputs
        self.outputs = outputs

    def _predict(self, xs, training: bool) -> list:
        predictions = _flat_outputs(self.model(_pack_inputs(self.model, list(xs)),
                                               training=training))
        if len(predictions) != len(self.outputs):
            raise ExportError(f"the model returned {len(predictions)} outputs where its "
                              f"config declares {len(self.outputs)}")
        return predictions

    def _loss_and_metrics(self, ys, predictions) -> dict:
        multi = len(self.outputs) > 1
        results = {}
        total = tf.constant(0.0, tf.float32)
        for output, y, y_pred in zip(self.outputs, ys, predictions):
            loss = tf.reduce_mean(tf.cast(output.loss(y, y_pred), tf.float32))
            total = total + output.loss_weight * loss if multi or output.loss_weight != 1.0 \
                else loss
            if multi:
                results[sanitize(output.key) + "_loss"] = loss
        if self.model.losses:  # weight and activity regularization, as Keras's compute_loss
            total = total + tf.add_n([tf.cast(l, tf.float32) for l in self.model.losses])
        outputs = {"loss": total, **results}
        for output, y, y_pred in zip(self.outputs, ys, predictions):
            for metric in output.metrics:
                outputs[metric.name] = tf.cast(metric.fn(y, y_pred), tf.float32)
        return outputs

    def serve(self):
        keys = [sanitize(o.key) for o in self.outputs]

        def serve(*xs):
            return dict(zip(keys, self._predict(xs, training=False)))

        return serve

    def train_step(self, optimizer):
        count = len(self.inputs)
        model = self.model

        def train(*args):
            xs, ys = args[:count], args[count:]
            with tf.GradientTape() as tape:
                outputs = self._loss_and_metrics(ys, self._predict(xs, training=True))
            variables = model.trainable_variables
            gradients = tape.gradient(outputs["loss"], variables)
            optimizer.apply_gradients(zip(gradients, variables))
            return outputs

        return train

    def train_at_lr(self, optimizer):
        """``train_step`` after assigning the learning rate, in one function: the range test's
        step is one call instead of ``set_lr`` then ``train``. The assign and the optimizer's
        read of the same variable run in program order (tf.function orders a resource's ops)."""
        variable = _learning_rate_variable(optimizer)
        train = self.train_step(optimizer)

        def train_at_lr(*args):
            variable.assign(args[-1])
            return train(*args[:-1])

        return train_at_lr

    def evaluate(self):
        count = len(self.inputs)

        def evaluate(*args):
            xs, ys = args[:count], args[count:]
            return self._loss_and_metrics(ys, self._predict(xs, training=False))

        return evaluate

    @staticmethod
    def get_lr(optimizer):
        variable = _learning_rate_variable(optimizer)

        def get_lr():
            return {"lr": _read(variable)}

        return get_lr

    @staticmethod
    def set_lr(optimizer):
        variable = _learning_rate_variable(optimizer)

        def set_lr(lr):
            variable.assign(lr)
            return {"lr": _read(variable)}

        return set_lr

    def train_at_lr_momentum(self, optimizer):
        """``train_step`` after assigning the learning rate and the momentum (``set_lr_K``,
        ``set_momentum_K`` then ``train_K``), in one function, in program order."""
        variable = _learning_rate_variable(optimizer)
        train = self.train_step(optimizer)

        def train_at_lr_momentum(*args):
            variable.assign(args[-2])
            optimizer.assign_momentum(args[-1])
            return train(*args[:-2])

        return train_at_lr_momentum

    @staticmethod
    def get_momentum(optimizer):
        def get_momentum():
            return {"momentum": _read(optimizer.momentum_variable)}

        return get_momentum

    @staticmethod
    def set_momentum(optimizer):
        def set_momentum(momentum):
            optimizer.assign_momentum(momentum)
            return {"momentum": _read(optimizer.momentum_variable)}

        return set_momentum


def _endpoints(functions: _TrainingFunctions, built: list) -> list:
    """(signature name, python function, input signature) in contract order; the first is
    serving_default."""
    x_specs = [i.spec.tf_spec() for i in functions.inputs]
    y_specs = [o.label.tf_spec() for o in functions.outputs]
    endpoints = [("serving_default", functions.serve(), x_specs),
                 (EVALUATE_SIGNATURE, functions.evaluate(), x_specs + y_specs)]
    for spec, optimizer in built:
        endpoints += [
            (f"train_{spec.key}", functions.train_step(optimizer), x_specs + y_specs),
            (f"train_at_lr_{spec.key}", functions.train_at_lr(optimizer),
             x_specs + y_specs + [tf.TensorSpec([], tf.float32, name="lr")]),
            (f"get_lr_{spec.key}", functions.get_lr(optimizer), []),
            (f"set_lr_{spec.key}", functions.set_lr(optimizer),
             [tf.TensorSpec([], tf.float32, name="lr")]),
        ]
        if has_settable_momentum(optimizer):
            momentum = tf.TensorSpec([], tf.float64, name="momentum")
            endpoints += [
                (f"train_at_lr_momentum_{spec.key}", functions.train_at_lr_momentum(optimizer),
                 x_specs + y_specs + [tf.TensorSpec([], tf.float32, name="lr"), momentum]),
                (f"get_momentum_{spec.key}", functions.get_momentum(optimizer), []),
                (f"set_momentum_{spec.key}", functions.set_momentum(optimizer), [momentum]),
            ]
    return endpoints


def _write_keras3(model, built, endpoints, target: Path) -> None:
    archive = keras.export.ExportArchive()
    archive.track(model)
    # track() lists the model's Keras variables for the revived archive's `variables`, and the
    # checkpoint would hold each weight twice: under those and under the endpoints' tf.Variables
    # (the same storage). Listing the tf.Variables themselves saves each weight once.
    for listed in ("variables", "trainable_variables", "non_trainable_variables"):
        setattr(archive._tf_trackable, listed,
                [v.value if isinstance(v, keras.Variable) else v
                 for v in getattr(archive._tf_trackable, listed)])
    for _, optimizer in built:
        archive.track(optimizer)
    for name, fn, signature in endpoints:
        archive.add_endpoint("serve" if name == "serving_default" else name, fn,
                             input_signature=signature)
    with contextlib.redirect_stdout(io.StringIO()):  # Keras prints every endpoint
        archive.write_out(str(target), verbose=False)


def _tracked_resources(model) -> list:
    """Everything besides variables that the model's functions may capture: lookup tables
    (StringLookup), vocabulary files, random generators' state."""
    kinds = (tf.saved_model.experimental.TrackableResource, tf.saved_model.Asset, tf.Variable)
    return [item for item in tf.train.TrackableView(model).descendants()
            if isinstance(item, kinds) and not isinstance(item, tf.Variable)
            or isinstance(item, tf.Variable) and not any(item is v for v in model.variables)]


def _write_tf_keras(model, built, endpoints, target: Path) -> None:
    """tf_keras variables are tf.Variables: a tf.Module holding them and the optimizers, saved by
    tf.saved_model.save, restores in a graph-mode loader. The Keras model itself is not attached,
    so no Keras 2 layer metadata or per-layer call functions are written."""
    root = tf.Module()
    root.optimizers = [optimizer for _, optimizer in built]
    root.model_resources = _tracked_resources(model)
    signatures = {}
    root.functions = {}
    for name, fn, signature in endpoints:
        function = tf.function(fn, input_signature=signature)
        root.functions[name] = function
        signatures[name] = function.get_concrete_function()
    # Every variable a function reads, also those Keras does not track (the state of the
    # random generators of tf_keras's augmentation layers), must be saved with it.
    variables = {id(v): v for v in model.variables}
    for concrete in signatures.values():
        variables.update({id(v): v for v in concrete.variables})
    root.model_variables = list(variables.values())
    tf.saved_model.save(root, str(target), signatures=signatures)


def export_trainable(model, out_dir: Path, optimizers, loss=None, metrics=None,
                     input_spec: TensorSpecJson | None = None,
                     label_spec: TensorSpecJson | None = None,
                     model_name: str | None = None, source: str | None = None,
                     notes: list | None = None, input_shape: tuple | None = None,
                     compile_error: str | None = None, lazy_slots: bool = True,
                     settable_momentum: bool = True) -> dict:
    """Write ``model`` (Keras 3 or tf_keras) with the training contract v2 to ``out_dir`` (which
    must not exist). ``loss``: a name for every output, or a list of ``KEY=NAME``; ``metrics``:
    names for every output (default: the compiled ones). ``lazy_slots``: save the optimizers'
    slots empty, to be filled by their first step (``build_optimizer``); False saves them full, as
    exports before lazy slots did. ``settable_momentum``: Keras 3 optimizers with a momentum or
    ``beta_1`` hold it in a variable and get the momentum signatures (False: the stock classes,
    the momentum fixed in the step, as exports before them). Returns the metadata written to
    ``assets/lrfinder.json``."""
    out_dir = Path(out_dir)
    if out_dir.exists():
        raise ExportError(f"output '{out_dir}' already exists; choose a new directory")
    lib = library_of(model)
    notes = list(notes or [])
    ensure_built(model, input_shape or (input_spec.shape if input_spec else None), notes)
    specs = [s if isinstance(s, OptimizerSpec) else parse_optimizer_spec(s) for s in optimizers]
    if not specs and not loss and getattr(model, "optimizer", None) is None \
            and getattr(model, "loss", None) is None and not compile_error:
        raise ExportError(f"model '{model.name}' was saved uncompiled; pass --loss and "
                          "--optimizer (e.g. --loss sparse_categorical_crossentropy --optimizer "
                          "adam)")
    if not specs:
        specs = [compiled_optimizer_spec(model, lib, notes, compile_error)]
    keys = [s.key for s in specs]
    if len(set(keys)) != len(keys):
        raise ExportError(f"optimizer keys must be unique, got {keys}; name them with key=name:...")

    if input_spec is not None:
        inputs = input_specs(model, tuple(input_spec.shape), input_spec.dtype)
    else:
        inputs = _known_feature_sizes(model, input_specs(model), notes)
    outputs = output_specs(model, lib, losses=loss, metrics=metrics, label_spec=label_spec,
                           notes=notes, compile_error=compile_error)
    weighted = _compile_config(model).get("weighted_metrics")
    if weighted:
        notes.append("weighted metrics are left out: lrfinder trains without sample weights")
    functions = _TrainingFunctions(model, inputs, outputs)

    built = []
    # The momentum variables are float32, as the stock update's constants are for float32 weights.
    settable_momentum = settable_momentum and all(
        _dtype_name(v) == "float32" for v in model.trainable_variables)
    for spec in specs:
        optimizer = spec.build(lib, settable_momentum)
        _learning_rate_variable(optimizer)
        build_optimizer(optimizer, model.trainable_variables, lazy_slots)
        built.append((spec, optimizer))

    optimizer_meta = [{
        "key": spec.key,
        "class_name": stock_class_name(optimizer),
        "config": _jsonable(optimizer.get_config()),
        "initial_learning_rate": float(_read(_learning_rate_variable(optimizer)).numpy()),
    } for spec, optimizer in built]
    metric_names = [m.name for o in outputs for m in o.metrics]
    metadata = {
        "contract_version": CONTRACT_VERSION,
        "model_name": model_name or model.name,
        "source": source,
        "keras_library": f"{lib.name} {lib.version}",
        "parameter_count": int(model.count_params()),
        "trainable_parameter_count": int(sum(int(np.prod(v.shape))
                                             for v in model.trainable_variables)),
        "inputs": [i.to_json() for i in inputs],
        "outputs": [_jsonable(o.to_json()) for o in outputs],
        "metrics": metric_names,
        "notes": notes,
        "optimizers": optimizer_meta,
        "evaluate_signature": EVALUATE_SIGNATURE,
        "tensorflow_version": tf.__version__,
        "keras_version": lib.version,
    }
    endpoints = _endpoints(functions, built)

    # Write to a temporary sibling first so a failure never leaves a half-written model behind.
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}-", dir=out_dir.parent))
    try:
        target = staging / "model"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if lib.is_legacy:
                    _write_tf_keras(model, built, endpoints, target)
                else:
                    _write_keras3(model, built, endpoints, target)
        except ExportError:
            raise
        except Exception as error:  # tracing the model's call: report the cause in one line
            raise ExportError(f"cannot trace model '{model.name}' for export: "
                              f"{_root_cause(error)}") from error
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




def _first_line(error: BaseException) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _parse_shape(text: str) -> tuple:
    dims = [d.strip() for d in text.split(",") if d.strip()]
    try:
        return tuple([None] + [None if d.lower() in ("none", "?", "-1") else int(d)
                               for d in dims])
    except ValueError as error:
        raise ExportError(f"bad shape '{text}': expected comma-separated sizes such as 28,28,1") \
            from error


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        description="Export a Keras model with lrfinder's training contract (docs/contract.md).")
    parser.add_argument("model", type=Path, help=".keras or .h5 file, or a Keras 2 SavedModel dir")
    parser.add_argument("--out", type=Path, required=True, help="new SavedModel directory")
    parser.add_argument("--optimizer", action="append", default=[],
                        help="[key=]name[:param=value,...]; repeat for several "
                             "(default: the model's compiled optimizer)")
    parser.add_argument("--loss", action="append",
                        help="loss name for every output, or KEY=NAME for one output; repeat "
                             "(default: the model's compiled losses)")
    parser.add_argument("--metric", action="append", dest="metrics",
                        help="per-batch metric for every output, e.g. accuracy, mae, auc "
                             "(default: the compiled metrics)")
    parser.add_argument("--name", help="model name in the metadata (default: the Keras name)")
    parser.add_argument("--input-shape", help="input shape without the batch dim, e.g. 28,28,1 "
                                              "(also builds a model saved unbuilt)")
    parser.add_argument("--input-dtype", help="input dtype (default: the model's)")
    parser.add_argument("--label-shape", help="label shape without the batch dim ('' = scalar)")
    parser.add_argument("--label-dtype", help="label dtype (default: int32 for sparse losses, "
                                              "else float32)")
    parser.add_argument("--custom-objects", type=Path, metavar="FILE.py",
                        help="Python module whose public classes and functions the model needs "
                             "(custom layers, activations, losses, subclassed models)")
    args = parser.parse_args(argv)
    # TensorFlow's Python logger prints deprecation notices of tf_keras's feature columns and the
    # like on stderr, which holds only the exporter's own error line.
    tf.get_logger().setLevel("ERROR")
    absl_logging.set_verbosity(absl_logging.ERROR)  # Keras 3's "compiled metrics ... not built"
    try:
        if args.out.exists():  # say so before the slow model load
            raise ExportError(f"output '{args.out}' already exists; choose a new directory")
        optimizers = [parse_optimizer_spec(text) for text in args.optimizer]
        for spec in optimizers:  # also before the load
            check_optimizer_config(spec.key, spec.config)
        input_shape = _parse_shape(args.input_shape) if args.input_shape is not None else None
        custom = load_custom_objects(args.custom_objects) if args.custom_objects else None
        loaded = load_keras_model(args.model, custom, input_shape)
        model, lib, notes = loaded.model, loaded.library, list(loaded.notes)
        ensure_built(model, input_shape, notes)
        x_spec = None
        if input_shape is not None or args.input_dtype:
            (base,) = input_specs(model) if len(_model_inputs(model)) == 1 else [None]
            if base is None:
                raise ExportError("--input-shape and --input-dtype apply to models with one "
                                  "input; this one has several")
            x_spec = TensorSpecJson("x", args.input_dtype or base.spec.dtype,
                                    input_shape or base.spec.shape)
        y_spec = None
        if args.label_shape is not None or args.label_dtype:
            outputs = output_specs(model, lib, losses=args.loss, metrics=[],
                                   compile_error=loaded.compile_error)
            if len(outputs) != 1:
                raise ExportError("--label-shape and --label-dtype apply to models with one "
                                  "output; this one has several")
            base = outputs[0].label
            y_spec = TensorSpecJson(
                "y", args.label_dtype or base.dtype,
                _parse_shape(args.label_shape) if args.label_shape is not None else base.shape)
        source = args.model.name or str(args.model)
        metadata = export_trainable(model, args.out, optimizers, loss=args.loss,
                                    metrics=args.metrics, input_spec=x_spec, label_spec=y_spec,
                                    model_name=args.name, source=source, notes=notes,
                                    compile_error=loaded.compile_error)
    except ExportError as error:
        print(f"export: error: {error}", file=sys.stderr)
        return 2
    keys = ", ".join(o["key"] for o in metadata["optimizers"])
    print(f"exported {metadata['model_name']} ({metadata['parameter_count']} parameters, "
          f"{len(metadata['inputs'])} input(s), {len(metadata['outputs'])} output(s), "
          f"{metadata['keras_library']}) to {args.out} with optimizers: {keys}")
    for note in metadata["notes"]:
        print(f"note: {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
