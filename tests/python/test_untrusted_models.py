"""Malicious SavedModels, built here with the venv, are refused before anything of them runs.

Three models a stranger could hand over (none is committed; each is written into a tmp dir and
points only into the test's own tmp dir):

* a tf_keras (Keras 2) SavedModel whose custom layer calls ``tf.io.write_file`` in ``call``
  (the direct path runs that call in every train step);
* a tf_keras SavedModel whose layer adds ``tf.io.read_file`` of a "secret" to its output;
* a TF1 SavedModel (``tf.compat.v1.saved_model.Builder``) whose ``main_op`` writes a file and
  which carries ``assets/lrfinder.json``, so it takes the exported path (TensorFlow's loader runs
  a ``main_op`` at load, before any signature is called).

``find`` and ``inspect`` refuse each (exit 2, one line naming the op) and no file appears; with
``--trust-model`` the write and the read really happen, so the models are truly malicious and the
refusal is what protects the user. The command line is the launcher (``scripts/lrfinder``, which
uses the jar ``mvn package`` built before pytest in ``scripts/test``).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import tensorflow as tf
import tf_keras as keras

from tree_checksum import checksum

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "scripts" / "lrfinder"
DATA = ROOT / "savedmodels" / "blobs_mlp.npz"  # float32 [n, 2] features, 3 classes
CONTRACT = ROOT / "savedmodels" / "blobs_mlp" / "assets" / "lrfinder.json"


def lrfinder(*args, timeout=300) -> subprocess.CompletedProcess:
    return subprocess.run([str(LAUNCHER), *map(str, args)], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})


def assert_refused(done: subprocess.CompletedProcess, *fragments: str) -> str:
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.splitlines()
    assert len(lines) == 1, f"one line expected on stderr, got {done.stderr!r}"
    line = lines[0]
    assert line.startswith("lrfinder: error: refusing to run '"), line
    for fragment in fragments + ("--trust-model",):
        assert fragment in line, f"{fragment!r} not in {line!r}"
    for internal in ("Exception", "tensorflow::", "[[{{", "function_node", "dev.lrfinder."):
        assert internal not in done.stderr, done.stderr
    return line


# ---------------------------------------------------------------- the malicious models


class WriteFileLayer(keras.layers.Layer):
    """Writes ``target`` whenever it is called: a stateful op tf.function keeps as a control output."""

    def __init__(self, target: str, **kwargs):
        super().__init__(**kwargs)
        self.target = target

    def call(self, inputs):
        tf.io.write_file(self.target, "pwned by a SavedModel")
        return inputs


class ReadFileLayer(keras.layers.Layer):
    """Adds the number stored in ``secret`` to its inputs: the output depends on the file."""

    def __init__(self, secret: str, **kwargs):
        super().__init__(**kwargs)
        self.secret = secret

    def call(self, inputs):
        return inputs + tf.strings.to_number(tf.io.read_file(self.secret))


def keras2_model(layer: keras.layers.Layer, out: Path) -> Path:
    keras.backend.clear_session()
    keras.utils.set_random_seed(3)
    model = keras.Sequential([keras.Input(shape=(2,), dtype="float32"), layer,
                              keras.layers.Dense(3, activation="softmax")], name="innocent")
    model.compile(optimizer=keras.optimizers.SGD(), loss="sparse_categorical_crossentropy")
    model.save(str(out), save_format="tf")  # traces call; runs none of its ops
    assert (out / "keras_metadata.pb").is_file() and not (out / "assets" / "lrfinder.json").exists()
    return out


@pytest.fixture(scope="module")
def writer(tmp_path_factory):
    """(model dir, the file its layer writes)."""
    base = tmp_path_factory.mktemp("writer")
    target = base / "victim" / "written.txt"
    target.parent.mkdir()
    model = keras2_model(WriteFileLayer(str(target)), base / "model")
    target.unlink(missing_ok=True)
    return model, target


@pytest.fixture(scope="module")
def reader(tmp_path_factory):
    """(model dir, the secret file its layer reads)."""
    base = tmp_path_factory.mktemp("reader")
    secret = base / "secret.txt"
    return keras2_model(ReadFileLayer(str(secret)), base / "model"), secret


@pytest.fixture(scope="module")
def tf1_main_op(tmp_path_factory):
    """(model dir, the file its main_op writes): a TF1 SavedModel with lrfinder's contract."""
    base = tmp_path_factory.mktemp("tf1")
    target = base / "victim" / "main_op.txt"
    target.parent.mkdir()
    out = base / "model"
    v1 = tf.compat.v1
    graph = tf.Graph()
    with graph.as_default():
        x = v1.placeholder(tf.float32, [None, 2], name="x")
        w = v1.get_variable("w", shape=[2, 3], initializer=v1.zeros_initializer())
        logits = tf.matmul(x, w, name="logits")
        main_op = tf.group(tf.io.write_file(str(target), "pwned by a main_op"), name="main_op")
        with v1.Session(graph=graph) as session:
            session.run(v1.global_variables_initializer())
            builder = v1.saved_model.Builder(str(out))
            builder.add_meta_graph_and_variables(
                session, ["serve"], main_op=main_op,
                signature_def_map={"serving_default": v1.saved_model.predict_signature_def(
                    {"x": x}, {"logits": logits})})
            builder.save()
    (out / "assets").mkdir(exist_ok=True)
    shutil.copy(CONTRACT, out / "assets" / "lrfinder.json")  # so it takes the exported path
    assert not target.exists()
    return out, target


@pytest.fixture(scope="module", autouse=True)
def built_jar():
    """The launcher builds target/lrfinder.jar when it is missing or stale (scripts/test built it)."""
    done = lrfinder("--help", timeout=900)
    assert done.returncode == 0, done.stderr


def find_args(model: Path, tmp_path: Path, *more):
    return ("find", model, "--data", DATA, "--steps", 5, "--out", tmp_path / "report", *more)


# ---------------------------------------------------------------- refused, nothing written


@pytest.mark.parametrize("command", ["find", "inspect", "inspect --json"])
def test_a_layer_that_writes_a_file_is_refused(writer, tmp_path, command):
    model, target = writer
    before = checksum(model)
    args = find_args(model, tmp_path) if command == "find" else ("inspect", model,
                                                                 *command.split()[1:])
    done = lrfinder(*args)
    assert_refused(done, "op WriteFile (node '", "' in function '__inference_",
                   "reads, writes, lists or maps files")
    assert not target.exists(), "the refused model wrote its file"
    assert list(target.parent.iterdir()) == []
    assert checksum(model) == before
    if command == "inspect --json":
        safety = json.loads(done.stdout)["safety"]
        assert safety["safe"] is False
        assert {f["op"] for f in safety["findings"]} == {"WriteFile"}


@pytest.mark.parametrize("command", ["find", "inspect"])
def test_a_layer_that_reads_a_file_is_refused(reader, tmp_path, command):
    model, secret = reader
    secret.write_text("0")
    args = find_args(model, tmp_path) if command == "find" else ("inspect", model)
    assert_refused(lrfinder(*args), "op ReadFile (node '", "' in function '__inference_")
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize("command", ["find", "inspect"])
def test_a_tf1_main_op_that_writes_a_file_is_refused(tf1_main_op, tmp_path, command):
    model, target = tf1_main_op
    before = checksum(model)
    args = find_args(model, tmp_path) if command == "find" else ("inspect", model)
    assert_refused(lrfinder(*args), "op WriteFile (node 'WriteFile' in the graph)")
    assert not target.exists(), "the refused model's main_op ran"
    assert checksum(model) == before


# ---------------------------------------------------------------- trusted: the harm is real


def test_trusted_find_runs_the_layer_that_writes(writer, tmp_path):
    model, target = writer
    done = lrfinder(*find_args(model, tmp_path, "--trust-model"))
    try:
        assert done.returncode == 0, done.stderr
        assert "--trust-model" in done.stderr  # the note that the check was skipped
        assert target.read_text() == "pwned by a SavedModel"
    finally:
        target.unlink(missing_ok=True)


def test_trusted_train_reads_the_secret(reader):
    model, secret = reader
    losses = []
    for content in ("0", "1000"):
        secret.write_text(content)
        done = lrfinder("train", model, "--data", DATA, "--steps", 1, "--no-shuffle", "--json",
                        "--trust-model")
        assert done.returncode == 0, done.stderr
        losses.append(json.loads(done.stdout)["steps"][0]["loss"])
    assert abs(losses[1] - losses[0]) > 1.0, f"the loss must depend on the file read: {losses}"


def test_trusted_inspect_runs_the_main_op(tf1_main_op):
    model, target = tf1_main_op
    try:
        # The model has none of the contract's signatures: it fails after TensorFlow loaded it.
        done = lrfinder("inspect", model, "--trust-model")
        assert done.returncode == 2, done.stderr
        assert target.read_text() == "pwned by a main_op"
    finally:
        target.unlink(missing_ok=True)


# ---------------------------------------------------------------- what must keep passing


def test_an_export_with_every_optimizer_passes_the_scan(tmp_path):
    """scripts/export.py's output (Keras 3, every optimizer it offers) is safe to lrfinder."""
    import export
    from conftest import build_tiny_model

    optimizers = ["sgd", "sgd:momentum=0.9", "rmsprop", "adagrad", "adadelta", "adam", "adamw",
                  "adamax", "nadam", "ftrl", "lion"]
    out = tmp_path / "export"
    export.export_trainable(build_tiny_model(), out, optimizers, model_name="tiny",
                            source="test_untrusted_models")
    done = lrfinder("inspect", out, "--json")
    assert done.returncode == 0, done.stderr
    safety = json.loads(done.stdout)["safety"]
    assert safety["safe"] is True and safety["findings"] == []
    assert {"SaveV2", "RestoreV2", "MergeV2Checkpoints"} <= set(safety["op_types"])
