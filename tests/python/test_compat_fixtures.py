"""Every synthetic compatibility fixture (tools/fixtures/make_compat_fixtures.py) exports with contract v2
metadata, and its export loads in a graph-mode loader (tf.compat.v1: a Graph, a Session and
loader.load, as TF Java's LoadSavedModel does) and trains there; the refusals name their cause."""
from __future__ import annotations

import io
import contextlib
import json
import math
import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import tensorflow as tf

import export
import make_compat_fixtures
from conftest import REPO

NAMES = [name for name, _ in make_compat_fixtures.FIXTURES]
STEPS = 3
BATCH = 16


@pytest.fixture(scope="session")
def fixtures(tmp_path_factory):
    """The fixtures, built once by the script itself in a separate process (as CI does): the
    subclassed fixture's class must not be registered in this process, or the test of its refusal
    without --custom-objects would pass for the wrong reason. Returns (dir, manifest by name)."""
    out = tmp_path_factory.mktemp("compat") / "fixtures"
    done = subprocess.run([sys.executable, str(REPO / "tools" / "fixtures" / "make_compat_fixtures.py"),
                           str(out)], capture_output=True, text=True, timeout=300,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert done.returncode == 0, done.stderr[-2000:]
    manifest = json.loads((out / "fixtures.json").read_text())
    return out, {entry["name"]: entry for entry in manifest}


def run_export(*argv):
    """export.main in this process: (exit code, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out), \
            contextlib.redirect_stderr(err):
        warnings.simplefilter("ignore")
        code = export.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def export_args(fixture_dir, entry):
    """The manifest's export arguments, with file arguments (--custom-objects) made absolute."""
    return [str(fixture_dir / a) if a.endswith(".py") else a for a in entry["export_args"]]


@pytest.fixture(scope="session")
def exports(fixtures, tmp_path_factory):
    """Each fixture exported once with its manifest's arguments: name -> (dir, metadata)."""
    fixture_dir, manifest = fixtures
    root = tmp_path_factory.mktemp("compat_exports")
    done = {}

    def get(name):
        if name not in done:
            entry = manifest[name]
            out = root / name
            code, _, err = run_export(fixture_dir / entry["path"], "--out", out,
                                      *export_args(fixture_dir, entry))
            assert code == 0, err
            done[name] = out, json.loads((out / "assets" / export.METADATA_FILE).read_text())
        return done[name]

    return get


def feeds(metadata, data, start, stop):
    """Signature argument name -> batch, from a fixture's .npz in the contract v2 layout: labels
    [N] reshaped to [N, 1] and class ids made one-hot where the label spec asks, as lrfinder's
    data loader does."""
    one_each = len(metadata["inputs"]) == 1 and len(metadata["outputs"]) == 1
    batch = {}
    for spec in metadata["inputs"]:
        array = data["x_train"] if one_each and "x_train" in data else \
            data.get(f"x_{spec['key']}", data.get(spec["name"]))
        array = array[start:stop]
        batch[spec["name"]] = array.astype(bytes) if spec["dtype"] == "string" else \
            array.astype(spec["dtype"])
    for output in metadata["outputs"]:
        label = output["label"]
        array = data["y_train"] if one_each and "y_train" in data else data[f"y_{output['key']}"]
        array = array[start:stop]
        if array.ndim == len(label["shape"]) - 1 and label["shape"][-1] == 1:
            array = array.reshape(-1, 1)
        elif array.ndim == len(label["shape"]) - 1 and label["dtype"] == "float32":
            array = np.eye(label["shape"][-1])[array]
        batch[label["name"]] = array.astype(label["dtype"])
    return batch


def graph_mode_steps(export_dir, metadata, data, steps=STEPS):
    """Load the export with the TF1 graph-mode loader and run the first optimizer's train
    signature on ``steps`` batches: (outputs per step, lr read, lr after set_lr(0.05))."""
    key = metadata["optimizers"][0]["key"]
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        meta_graph = tf.compat.v1.saved_model.loader.load(session, ["serve"], str(export_dir))
        signatures = meta_graph.signature_def
        train = signatures[f"train_{key}"]
        fetches = {name: tensor.name for name, tensor in train.outputs.items()}
        results = []
        for step in range(steps):
            batch = feeds(metadata, data, step * BATCH, (step + 1) * BATCH)
            assert set(batch) == set(train.inputs), (sorted(batch), sorted(train.inputs))
            results.append(session.run(fetches, {train.inputs[n].name: v
                                                 for n, v in batch.items()}))
        get_lr, set_lr = signatures[f"get_lr_{key}"], signatures[f"set_lr_{key}"]
        lr = session.run(get_lr.outputs["lr"].name)
        session.run(set_lr.outputs["lr"].name, {set_lr.inputs["lr"].name: 0.05})
        lr_after = session.run(get_lr.outputs["lr"].name)
    return results, lr, lr_after


def load_data(fixtures, name):
    fixture_dir, manifest = fixtures
    with np.load(fixture_dir / manifest[name]["data"]) as data:
        return {k: data[k] for k in data.files}


# --- every fixture ---------------------------------------------------------------------------------

def test_manifest_lists_every_fixture_with_its_files(fixtures):
    fixture_dir, manifest = fixtures
    assert sorted(manifest) == sorted(NAMES)
    for entry in manifest.values():
        assert (fixture_dir / entry["path"]).exists(), entry
        assert (fixture_dir / entry["data"]).is_file(), entry
        assert entry["format"] in ("h5", "keras", "keras2-savedmodel") and entry["tests"]


@pytest.mark.parametrize("name", NAMES)
def test_fixture_exports_contract_v2_metadata(fixtures, exports, name):
    entry = fixtures[1][name]
    _, metadata = exports(name)
    assert metadata["contract_version"] == 2
    legacy = (entry["format"] in ("h5", "keras2-savedmodel") and name != "keras3_h5") \
        or name in ("tf_keras_zip", "h5_named_keras")
    assert metadata["keras_library"].split()[0] == ("tf_keras" if legacy else "keras")
    inputs, outputs = metadata["inputs"], metadata["outputs"]
    assert inputs and outputs
    if len(inputs) == 1:
        assert inputs[0]["name"] == "x"
    else:
        assert [i["name"] for i in inputs] == ["x_" + export.sanitize(i["key"]) for i in inputs]
    if len(outputs) == 1:
        assert outputs[0]["label"]["name"] == "y"
    else:
        assert [o["label"]["name"] for o in outputs] == [
            "y_" + export.sanitize(o["key"]) for o in outputs]
    assert metadata["metrics"] == [m for o in outputs for m in o["metrics"]]
    for output in outputs:
        assert output["loss"]["name"] and output["loss_weight"] > 0
    assert metadata["optimizers"] and all(o["initial_learning_rate"] > 0
                                          for o in metadata["optimizers"])


@pytest.mark.parametrize("name", NAMES)
def test_fixture_export_trains_in_a_graph_mode_loader(fixtures, exports, name):
    out, metadata = exports(name)
    results, lr, lr_after = graph_mode_steps(out, metadata, load_data(fixtures, name))
    expected = {"loss"} | set(metadata["metrics"])
    if len(metadata["outputs"]) > 1:
        expected |= {export.sanitize(o["key"]) + "_loss" for o in metadata["outputs"]}
    for outputs in results:
        assert set(outputs) == expected
        assert all(math.isfinite(float(v)) for v in outputs.values()), outputs
    assert lr == pytest.approx(metadata["optimizers"][0]["initial_learning_rate"], rel=1e-6)
    assert lr_after == pytest.approx(0.05)


# --- what each fixture is for --------------------------------------------------------------------

def test_lstm_models_export_with_tf_keras_without_conversion(exports):
    for name in ("lstm_text_h5", "lstm_text_savedmodel"):
        _, metadata = exports(name)
        assert metadata["inputs"][0]["dtype"] == "int32"
        assert metadata["outputs"][0]["loss"]["name"] == "sparse_categorical_crossentropy"
        assert metadata["optimizers"][0]["class_name"] == "Adam"


def test_loss_object_keeps_its_config(exports):
    output = exports("loss_object")[1]["outputs"][0]
    assert output["loss"]["name"] == "categorical_crossentropy"
    assert output["loss"]["config"]["label_smoothing"] == pytest.approx(0.1)
    assert output["label"] == {"name": "y", "dtype": "float32", "shape": [None, 4]}


def test_stateful_metrics_are_per_batch_values(fixtures, exports):
    out, metadata = exports("stateful_metrics")
    assert metadata["metrics"] == ["mae", "mse", "auc", "accuracy"]
    assert metadata["notes"] == []
    results, _, _ = graph_mode_steps(out, metadata, load_data(fixtures, "stateful_metrics"), 1)
    assert 0.0 <= results[0]["auc"] <= 1.0 and 0.0 <= results[0]["accuracy"] <= 1.0


def test_metric_that_cannot_take_the_labels_is_left_out_with_a_note(exports):
    metadata = exports("keras3_cnn")[1]
    assert metadata["metrics"] == ["accuracy"]
    (note,) = metadata["notes"]
    assert note.startswith("metric 'auc' is left out")


def test_renamed_activation_is_read_with_a_note(exports):
    assert exports("softmax_v2")[1]["notes"] == [
        "activation 'softmax_v2' is read as 'softmax' (renamed in Keras)"]


def test_several_inputs_keep_their_keys_dtypes_and_string_inputs(exports):
    inputs = exports("tabular11")[1]["inputs"]
    assert len(inputs) == 11
    assert [i["key"] for i in inputs if i["dtype"] == "string"] == ["city", "plan", "device"]
    assert {"key": "Days-Active", "name": "x_days_active", "dtype": "float32",
            "shape": [None, 1]} in inputs
    recommender = exports("recommender")[1]
    assert [(i["name"], i["dtype"]) for i in recommender["inputs"]] == [
        ("x_user_id", "int32"), ("x_item_id", "int32")]


def test_feature_column_model_takes_its_saved_dict_of_inputs(exports):
    inputs = exports("feature_columns")[1]["inputs"]
    assert len(inputs) == 11
    assert sorted(i["key"] for i in inputs if i["dtype"] == "string") == [
        "angina", "chest_pain", "sex", "slope"]
    assert all(i["name"] == "x_" + i["key"] and i["shape"] == [None] for i in inputs)


def test_several_outputs_keep_losses_weights_and_metrics(exports):
    metadata = exports("two_outputs")[1]
    assert [(o["key"], o["loss"]["name"], o["loss_weight"], o["metrics"])
            for o in metadata["outputs"]] == [
        ("age", "mean_squared_error", 0.1, ["age_mae"]),
        ("gender", "binary_crossentropy", 1.0, ["gender_accuracy"])]
    lstm = exports("two_target_lstm")[1]
    assert [(o["key"], o["loss"]["name"]) for o in lstm["outputs"]] == [
        ("temperature", "mean_squared_error"), ("humidity", "mean_absolute_error")]


def test_legacy_decay_keeps_the_optimizer_and_says_why_decay_is_dropped(exports):
    metadata = exports("rmsprop_decay")[1]
    (optimizer,) = metadata["optimizers"]
    assert optimizer["class_name"] == "RMSprop"
    assert optimizer["initial_learning_rate"] == pytest.approx(1e-3)
    assert "decay" not in optimizer["config"]
    assert metadata["notes"] == ["decay=1e-06 (time decay of the rate) is not exported: "
                                 "lrfinder sets the learning rate at every step"]


def test_unbuilt_and_unknown_shape_models_are_built_from_input_shape(exports):
    unbuilt = exports("sequential_unbuilt")[1]
    assert unbuilt["inputs"][0]["shape"] == [None, 3]
    assert any("saved before it was built" in n for n in unbuilt["notes"])
    normalization = exports("normalization")[1]
    assert normalization["inputs"][0]["shape"] == [None, 5]
    assert normalization["notes"] == ["input shape [None] is read as [5] (from the mean saved "
                                      "for Normalization layer 'normalization')"]


def test_input_shape_option_gives_an_unknown_feature_size(fixtures, tmp_path):
    fixture_dir, manifest = fixtures
    code, _, err = run_export(fixture_dir / manifest["normalization"]["path"], "--out",
                              tmp_path / "out", "--input-shape", "5")
    assert code == 0, err
    metadata = json.loads((tmp_path / "out" / "assets" / export.METADATA_FILE).read_text())
    assert metadata["notes"] == ["input shape [None] is read as [5] (--input-shape)"]
    code, _, err = run_export(fixture_dir / manifest["normalization"]["path"], "--out",
                              tmp_path / "out4", "--input-shape", "4")
    assert code == 2  # the saved mean has 5 features: Keras's own message says so
    one_line(err)


def test_files_other_keras_versions_wrote_are_read_with_notes(exports):
    newer = exports("schedule_newer_keras")[1]
    assert newer["metrics"] == ["accuracy", "precision", "recall"]
    assert newer["optimizers"][0]["initial_learning_rate"] == pytest.approx(0.01)
    assert newer["notes"] == [
        f"Dense setting lora_alpha=4 is dropped: {newer['keras_library']} does not know it "
        "(another Keras version wrote the file)",
        "the learning-rate schedule CosineDecay is replaced by its starting rate 0.01: lrfinder "
        "sets the learning rate at every step"]
    assert exports("h5_named_keras")[1]["notes"] == [
        "'h5_named_keras.keras' is an HDF5 model file named .keras; it is read as an .h5 file"]
    assert exports("keras3_h5")[1]["notes"] == []


# --- refusals: one line, the root cause, what to do ------------------------------------------------

def one_line(err):
    assert err.count("\n") == 1 and err.startswith("export: error: "), err
    return err


def test_subclassed_model_without_its_module_names_module_class_and_option(fixtures, tmp_path):
    fixture_dir, manifest = fixtures
    # A separate process: this one may have imported the module for the export above.
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "export.py"),
                           str(fixture_dir / manifest["subclassed"]["path"]),
                           "--out", str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"}, cwd=tmp_path)
    assert done.returncode == 2
    err = one_line(done.stderr)
    for fragment in ("compat_custom", "TinyNet", "--custom-objects"):
        assert fragment in err
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name, fragments", [
    ("sequential_unbuilt", ["no known input shape", "--input-shape"]),
    ("uncompiled", ["--loss", "--optimizer"]),
])
def test_refusal_without_the_needed_option_says_which(fixtures, tmp_path, name, fragments):
    fixture_dir, manifest = fixtures
    code, _, err = run_export(fixture_dir / manifest[name]["path"], "--out", tmp_path / "out")
    assert code == 2
    one_line(err)
    for fragment in fragments:
        assert fragment in err
    assert not (tmp_path / "out").exists()


# --- the exported step is Keras's step -------------------------------------------------------------

def test_tf_keras_two_output_lstm_steps_match_train_on_batch(fixtures, exports):
    """The export of a tf_keras SavedModel (LSTM, two outputs, Adam) trained in the graph-mode
    loader gives the losses tf_keras's own train_on_batch gives, step by step, from the same file.

    Tolerance 1e-5 relative: both run the same float32 kernels on the same weights, but in two
    different graphs (Keras's tf.function with its own Grappler passes vs the exported signature
    in a TF1 session), so sums may be reduced in a different order; that moves a float32 loss by a
    few ulps (~1e-7) per op over three steps, far below the 1e-3 or more that a wrong loss weight,
    a missing output loss or a different optimizer setting would change it by."""
    import tf_keras
    fixture_dir, manifest = fixtures
    out, metadata = exports("two_target_lstm")
    data = load_data(fixtures, "two_target_lstm")
    results, _, _ = graph_mode_steps(out, metadata, data)
    model = tf_keras.models.load_model(str(fixture_dir / manifest["two_target_lstm"]["path"]))
    for step, exported in enumerate(results):
        rows = slice(step * BATCH, (step + 1) * BATCH)
        keras_values = model.train_on_batch(
            data["x_series"][rows],
            [data["y_temperature"][rows].reshape(-1, 1), data["y_humidity"][rows].reshape(-1, 1)],
            return_dict=True)
        for name in ("loss", "temperature_loss", "humidity_loss"):
            assert float(exported[name]) == pytest.approx(keras_values[name], rel=1e-5), name
