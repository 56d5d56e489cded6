"""Tests of scripts/export.py: the training contract of an exported SavedModel, its metadata, the
optimizer-spec parser, the command line's handling of bad input, the bundled models and the
Keras 2 SavedModel input format."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

import export
from conftest import (BATCH, CLASSES, INPUT_DIM, KERAS_OPTIMIZERS, LOSS, REPO, SEED,
                      build_tiny_model, clone_with_weights, make_batches, serve)


def call(loaded, signature, **tensors):
    """Call a signature with numpy/float arguments and return its outputs as numpy values."""
    outputs = loaded.signatures[signature](**{k: tf.constant(v) for k, v in tensors.items()})
    return {name: value.numpy() for name, value in outputs.items()}


def run_main(capsys, *argv):
    """Run main in process; Python warnings are recorded rather than printed, so stderr holds only
    what the exporter writes itself (test_cli_... checks the real command line's stderr)."""
    with warnings.catch_warnings(record=True):
        warnings.simplefilter("always")
        code = export.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def assert_one_line_error(err: str, *fragments: str):
    assert err.endswith("\n") and err.count("\n") == 1, f"expected one line on stderr, got {err!r}"
    assert err.startswith("export: error: "), err
    for fragment in fragments:
        assert fragment in err, f"{fragment!r} not in {err!r}"


# --- 1. Round trip: the exported train step is Keras's train step -------------------------------

@pytest.mark.parametrize("key", ["adam", "sgd_momentum"])
def test_train_steps_match_keras_train_on_batch(shared_export, loaded_export, batches, key):
    _, _, model, weights = shared_export
    clone = clone_with_weights(model, weights, KERAS_OPTIMIZERS[key]())

    exported_losses, keras_losses, exported_acc, keras_acc = [], [], [], []
    for x, y in batches:
        outputs = call(loaded_export, f"train_{key}", x=x, y=y)
        exported_losses.append(outputs["loss"])
        exported_acc.append(outputs["accuracy"])
        # Keras 3's train_on_batch reports the running mean of its loss tracker since the last
        # reset_metrics(), not this batch's loss, so reset before every step.
        clone.reset_metrics()
        logs = clone.train_on_batch(x, y, return_dict=True)
        keras_losses.append(logs["loss"])
        keras_acc.append(logs["accuracy"])

    np.testing.assert_allclose(exported_losses, keras_losses, rtol=1e-6)
    np.testing.assert_allclose(exported_acc, keras_acc, rtol=1e-6)
    assert len(set(np.round(exported_losses, 6))) > 1, "the loss never changed: nothing trained"


@pytest.mark.parametrize("key", ["adam", "sgd_momentum"])
def test_train_steps_end_at_keras_weights(shared_export, loaded_export, batches, key):
    _, _, model, weights = shared_export
    clone = clone_with_weights(model, weights, KERAS_OPTIMIZERS[key]())
    for x, y in batches:
        call(loaded_export, f"train_{key}", x=x, y=y)
        clone.train_on_batch(x, y)

    exported = [v.numpy() for v in loaded_export.trainable_variables]
    trained = [v.numpy() for v in clone.trainable_variables]
    assert [w.shape for w in exported] == [w.shape for w in trained]
    assert not np.allclose(trained[0], weights[0]), "Keras did not move the weights"
    for got, want in zip(exported, trained):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
    x = batches[0][0]
    np.testing.assert_allclose(serve(loaded_export, x), clone.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


# --- 2. get_lr / set_lr ------------------------------------------------------------------------

def test_get_lr_starts_at_initial_learning_rate(shared_export, loaded_export):
    for entry in shared_export[1]["optimizers"]:
        lr = call(loaded_export, f"get_lr_{entry['key']}")["lr"]
        assert lr == pytest.approx(entry["initial_learning_rate"], rel=1e-7)
    assert call(loaded_export, "get_lr_sgd")["lr"] == pytest.approx(0.1, rel=1e-6)


def test_set_lr_then_get_lr_returns_new_value(loaded_export):
    assert call(loaded_export, "set_lr_adam", lr=np.float32(0.5))["lr"] == 0.5
    assert call(loaded_export, "get_lr_adam")["lr"] == 0.5


def test_set_lr_leaves_other_optimizers_alone(loaded_export):
    before = {k: call(loaded_export, f"get_lr_{k}")["lr"] for k in ("sgd", "sgd_momentum")}
    call(loaded_export, "set_lr_adam", lr=np.float32(0.5))
    after = {k: call(loaded_export, f"get_lr_{k}")["lr"] for k in ("sgd", "sgd_momentum")}
    assert after == before
    assert 0.5 not in after.values()


def test_sgd_step_at_zero_lr_leaves_serving_output_unchanged(loaded_export, batches):
    x, y = batches[0]
    before = serve(loaded_export, x)
    call(loaded_export, "set_lr_sgd", lr=np.float32(0.0))
    loss = call(loaded_export, "train_sgd", x=x, y=y)["loss"]
    assert np.isfinite(loss) and loss > 0
    np.testing.assert_array_equal(serve(loaded_export, x), before)


def test_sgd_step_at_positive_lr_changes_serving_output(loaded_export, batches):
    x, y = batches[0]
    before = serve(loaded_export, x)
    call(loaded_export, "set_lr_sgd", lr=np.float32(0.5))
    call(loaded_export, "train_sgd", x=x, y=y)
    assert np.abs(serve(loaded_export, x) - before).max() > 1e-4


@pytest.mark.parametrize("key", ["adam", "sgd_momentum"])
def test_train_at_lr_equals_set_lr_then_train_bit_for_bit(shared_export, batches, key):
    """The fused signature is the two calls in one: same losses, metrics and weights, exactly, on
    two fresh copies of one export, with the rate changing every step as in a range test."""
    fused, split = (tf.saved_model.load(str(shared_export[0])) for _ in range(2))
    for i, (x, y) in enumerate(batches):
        lr = np.float32(1e-4 * 3.0 ** i)
        one = call(fused, f"train_at_lr_{key}", x=x, y=y, lr=lr)
        call(split, f"set_lr_{key}", lr=lr)
        two = call(split, f"train_{key}", x=x, y=y)
        assert one.keys() == two.keys() and "lr" not in one
        for name in one:
            assert one[name].tobytes() == two[name].tobytes(), (i, name)
        assert call(fused, f"get_lr_{key}")["lr"] == lr
    for got, want in zip(fused.variables, split.variables):
        assert got.name == want.name
        assert got.numpy().tobytes() == want.numpy().tobytes(), got.name
    assert not np.array_equal(fused.trainable_variables[0].numpy(),
                              shared_export[3][0]), "nothing trained"


def test_train_at_lr_takes_the_train_arguments_and_lr(loaded_export, shared_export):
    for entry in shared_export[1]["optimizers"]:
        _, train = loaded_export.signatures[f"train_{entry['key']}"].structured_input_signature
        _, fused = loaded_export.signatures[f"train_at_lr_{entry['key']}"] \
            .structured_input_signature
        assert set(fused) == set(train) | {"lr"}
        assert fused["lr"].shape == [] and fused["lr"].dtype == tf.float32


# --- 3. evaluate --------------------------------------------------------------------------------

def test_evaluate_is_repeatable_and_leaves_serving_output_unchanged(loaded_export, batches):
    x, y = batches[1]
    before = serve(loaded_export, x)
    first = call(loaded_export, "evaluate", x=x, y=y)
    second = call(loaded_export, "evaluate", x=x, y=y)
    assert set(first) == {"loss", "accuracy"}
    assert first == second
    np.testing.assert_array_equal(serve(loaded_export, x), before)


def test_evaluate_leaves_every_model_variable_unchanged(loaded_export, batches):
    before = [v.numpy() for v in loaded_export.variables]
    for x, y in batches[:3]:
        call(loaded_export, "evaluate", x=x, y=y)
    for got, want in zip([v.numpy() for v in loaded_export.variables], before):
        np.testing.assert_array_equal(got, want)


def test_evaluate_does_not_disturb_the_next_train_steps(shared_export, loaded_export, batches):
    """Optimizer state (Adam's moments and iteration count) is not visible as attributes of the
    loaded object, so compare train steps after evaluate with train steps on a fresh copy."""
    fresh = tf.saved_model.load(str(shared_export[0]))
    for x, y in batches[:3]:
        call(loaded_export, "evaluate", x=x, y=y)
    for x, y in batches[:3]:
        after_evaluate = call(loaded_export, "train_adam", x=x, y=y)
        untouched = call(fresh, "train_adam", x=x, y=y)
        assert after_evaluate == untouched
    x = batches[0][0]
    np.testing.assert_array_equal(serve(loaded_export, x), serve(fresh, x))


def test_evaluate_matches_keras_test_on_batch(shared_export, loaded_export, batches):
    _, _, model, weights = shared_export
    clone = clone_with_weights(model, weights, keras.optimizers.Adam(learning_rate=0.01))
    for x, y in batches[:3]:
        outputs = call(loaded_export, "evaluate", x=x, y=y)
        clone.reset_metrics()
        logs = clone.test_on_batch(x, y, return_dict=True)
        np.testing.assert_allclose(outputs["loss"], logs["loss"], rtol=1e-6)
        np.testing.assert_allclose(outputs["accuracy"], logs["accuracy"], rtol=1e-6)


def test_evaluate_loss_includes_l2_penalty(shared_export, loaded_export, batches):
    _, _, model, weights = shared_export
    x, y = batches[2]
    probabilities = model.predict(x, verbose=0)
    cross_entropy = -np.mean(np.log(probabilities[np.arange(len(y)), y]))
    penalty = 0.01 * np.sum(np.square(weights[0]))  # L2(0.01) on the first kernel
    assert penalty > 1e-3
    loss = call(loaded_export, "evaluate", x=x, y=y)["loss"]
    np.testing.assert_allclose(loss, cross_entropy + penalty, rtol=1e-5)


# --- 4. Metadata --------------------------------------------------------------------------------

def test_metadata_file_matches_returned_metadata(shared_export):
    out, metadata, _, _ = shared_export
    path = out / "assets" / export.METADATA_FILE
    assert path.is_file()
    assert json.loads(path.read_text()) == metadata


def test_metadata_describes_contract_specs_and_model(shared_export):
    _, metadata, model, _ = shared_export
    assert metadata["contract_version"] == 2
    assert metadata["model_name"] == "tiny"
    (model_input,) = metadata["inputs"]
    assert model_input == {"name": "x", "key": model.inputs[0].name, "dtype": "float32",
                           "shape": [None, INPUT_DIM]}
    (output,) = metadata["outputs"]
    assert output["shape"] == [None, CLASSES]
    assert output["label"] == {"name": "y", "dtype": "int32", "shape": [None]}
    assert output["loss"]["name"] == LOSS
    assert output["loss_weight"] == 1.0
    assert output["metrics"] == ["accuracy"]
    assert metadata["metrics"] == ["accuracy"]
    assert metadata["notes"] == []
    assert metadata["keras_library"] == f"keras {keras.__version__}"
    assert metadata["evaluate_signature"] == "evaluate"
    assert metadata["parameter_count"] == model.count_params() == INPUT_DIM * 16 + 16 + 16 * 3 + 3
    assert metadata["tensorflow_version"] == tf.__version__
    assert metadata["keras_version"] == keras.__version__


def test_metadata_lists_optimizers_in_order_with_initial_learning_rates(shared_export):
    optimizers = shared_export[1]["optimizers"]
    assert [o["key"] for o in optimizers] == ["adam", "sgd", "sgd_momentum"]
    assert [o["class_name"] for o in optimizers] == ["Adam", "SGD", "SGD"]
    assert [o["initial_learning_rate"] for o in optimizers] == pytest.approx([0.01, 0.1, 0.01])
    assert optimizers[2]["config"]["momentum"] == pytest.approx(0.9)


def test_signatures_take_the_specs_in_the_metadata(shared_export, loaded_export):
    metadata = shared_export[1]
    keys = [o["key"] for o in metadata["optimizers"]]
    for name in ["evaluate"] + [f"train_{k}" for k in keys]:
        _, specs = loaded_export.signatures[name].structured_input_signature
        for role in (metadata["inputs"][0], metadata["outputs"][0]["label"]):
            spec = specs[role["name"]]
            assert spec.dtype.name == role["dtype"]
            assert spec.shape.as_list() == role["shape"]
    _, serving = loaded_export.signatures["serving_default"].structured_input_signature
    assert serving["x"].shape.as_list() == [None, INPUT_DIM]


# --- 5. parse_optimizer_spec ----------------------------------------------------------------------

def test_parse_plain_name_uses_it_as_key():
    spec = export.parse_optimizer_spec("sgd")
    assert (spec.key, spec.name, spec.config) == ("sgd", "sgd", {})


def test_parse_parameters_extend_the_key_and_become_floats():
    spec = export.parse_optimizer_spec("sgd:momentum=0.9")
    assert (spec.key, spec.name) == ("sgd_momentum", "sgd")
    assert spec.config == {"momentum": 0.9} and isinstance(spec.config["momentum"], float)
    assert isinstance(export.parse_optimizer_spec("sgd:momentum=1").config["momentum"], float)


def test_parse_learning_rate_does_not_extend_the_key():
    spec = export.parse_optimizer_spec("adam:learning_rate=0.01")
    assert spec.key == "adam" and spec.config == {"learning_rate": 0.01}


def test_parse_explicit_key():
    spec = export.parse_optimizer_spec("fast=adam:learning_rate=0.01")
    assert (spec.key, spec.name, spec.config) == ("fast", "adam", {"learning_rate": 0.01})


def test_parse_booleans_and_several_parameters():
    spec = export.parse_optimizer_spec("sgd:momentum=0.9,nesterov=true")
    assert spec.key == "sgd_momentum_nesterov"
    assert spec.config == {"momentum": 0.9, "nesterov": True}


@pytest.mark.parametrize("text", ["", "sgd:momentum", "Bad Key=sgd", "=sgd", "1st=sgd"])
def test_parse_rejects_bad_specs(text):
    with pytest.raises(export.ExportError):
        export.parse_optimizer_spec(text)


def test_duplicate_optimizer_keys_are_rejected(tmp_path):
    out = tmp_path / "out"
    with pytest.raises(export.ExportError, match="unique"):
        export.export_trainable(build_tiny_model(), out, ["sgd", "sgd:learning_rate=0.5"])
    assert not out.exists()


# --- 6. The command line: success and bad input ---------------------------------------------------

def test_main_exports_with_the_compiled_optimizer_by_default(tmp_path, capsys, tiny_keras_file):
    out = tmp_path / "out"
    code, stdout, err = run_main(capsys, tiny_keras_file, "--out", out)
    assert code == 0, err
    assert stdout.startswith("exported tiny (") and stdout.rstrip().endswith("optimizers: adam")
    metadata = json.loads((out / "assets" / export.METADATA_FILE).read_text())
    assert metadata["source"] == "tiny.keras"
    assert [o["key"] for o in metadata["optimizers"]] == ["adam"]
    assert metadata["optimizers"][0]["initial_learning_rate"] == pytest.approx(0.01)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # no staging leftovers


def test_main_missing_model_is_a_one_line_error(tmp_path, capsys):
    missing = tmp_path / "nope.keras"
    code, stdout, err = run_main(capsys, missing, "--out", tmp_path / "out")
    assert code == 2 and stdout == ""
    assert_one_line_error(err, str(missing), "does not exist")
    assert not (tmp_path / "out").exists()


def test_main_existing_output_dir_is_an_error_and_left_untouched(tmp_path, capsys,
                                                                 tiny_keras_file):
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("precious\n")
    code, _, err = run_main(capsys, tiny_keras_file, "--out", out, "--optimizer", "sgd")
    assert code == 2
    assert_one_line_error(err, "already exists")
    assert [p.name for p in out.iterdir()] == ["keep.txt"]
    assert (out / "keep.txt").read_text() == "precious\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_main_unknown_optimizer_is_an_error(tmp_path, capsys, tiny_keras_file):
    out = tmp_path / "out"
    code, _, err = run_main(capsys, tiny_keras_file, "--out", out, "--optimizer", "nosuchopt")
    assert code == 2
    assert_one_line_error(err, "unknown optimizer 'nosuchopt'")
    assert list(tmp_path.iterdir()) == []


def test_cli_error_is_the_only_line_on_stderr(tmp_path, tiny_keras_file):
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "export.py"), str(tiny_keras_file),
         "--out", str(tmp_path / "out"), "--optimizer", "nosuchopt"],
        capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stdout == ""
    assert_one_line_error(done.stderr, "unknown optimizer 'nosuchopt'")
    assert list(tmp_path.iterdir()) == []


def test_main_bad_optimizer_parameter_is_an_error(tmp_path, capsys, tiny_keras_file):
    code, _, err = run_main(capsys, tiny_keras_file, "--out", tmp_path / "out",
                            "--optimizer", "sgd:no_such_param=1")
    assert code == 2
    assert_one_line_error(err, "optimizer 'sgd_no_such_param'")
    assert list(tmp_path.iterdir()) == []


def test_main_uncompiled_model_without_loss_asks_for_loss(tmp_path, capsys):
    path = tmp_path / "bare.keras"
    build_tiny_model(compiled=False).save(path)
    code, _, err = run_main(capsys, path, "--out", tmp_path / "out", "--optimizer", "sgd")
    assert code == 2
    assert_one_line_error(err, "--loss")
    assert not (tmp_path / "out").exists()


def test_main_uncompiled_model_with_loss_exports(tmp_path, capsys):
    path = tmp_path / "bare.keras"
    build_tiny_model(compiled=False).save(path)
    code, _, err = run_main(capsys, path, "--out", tmp_path / "out", "--optimizer", "sgd",
                            "--loss", LOSS, "--metric", "accuracy")
    assert code == 0, err
    metadata = json.loads((tmp_path / "out" / "assets" / export.METADATA_FILE).read_text())
    (output,) = metadata["outputs"]
    assert output["loss"]["name"] == LOSS and metadata["metrics"] == ["accuracy"]
    assert output["label"]["dtype"] == "int32"


def schedule_model():
    schedule = keras.optimizers.schedules.ExponentialDecay(0.1, decay_steps=10, decay_rate=0.9)
    return build_tiny_model(optimizer=keras.optimizers.SGD(learning_rate=schedule)), schedule


def test_compiled_optimizer_with_lr_schedule_keeps_the_optimizer_at_its_starting_rate(
        tmp_path):
    # Real checkpoints often carry a schedule; the range test sets the rate itself.
    model, _ = schedule_model()
    metadata = export.export_trainable(model, tmp_path / "out", [])
    (optimizer,) = metadata["optimizers"]
    assert optimizer["class_name"] == "SGD"
    assert optimizer["initial_learning_rate"] == pytest.approx(0.1)
    assert metadata["notes"] == ["the learning-rate schedule ExponentialDecay is replaced by its "
                                 "starting rate 0.1: lrfinder sets the learning rate at every "
                                 "step"]


def test_requested_optimizer_with_lr_schedule_is_an_error(tmp_path):
    model, schedule = schedule_model()
    spec = export.OptimizerSpec(key="sgd", name="sgd", config={"learning_rate": schedule})
    with pytest.raises(export.ExportError, match="schedule"):
        export.export_trainable(model, tmp_path / "out", [spec])
    assert list(tmp_path.iterdir()) == []


def test_main_lr_schedule_is_replaced_with_a_note_line(tmp_path, capsys):
    path = tmp_path / "scheduled.keras"
    schedule_model()[0].save(path)
    code, out, err = run_main(capsys, path, "--out", tmp_path / "out")
    assert code == 0, err
    assert "note: the learning-rate schedule ExponentialDecay is replaced" in out


def test_main_directory_without_saved_model_is_an_error(tmp_path, capsys):
    (tmp_path / "empty").mkdir()
    code, _, err = run_main(capsys, tmp_path / "empty", "--out", tmp_path / "out")
    assert code == 2
    assert_one_line_error(err, "saved_model.pb")


def test_main_unsupported_file_suffix_is_an_error(tmp_path, capsys):
    path = tmp_path / "model.txt"
    path.write_text("not a model\n")
    code, _, err = run_main(capsys, path, "--out", tmp_path / "out")
    assert code == 2
    assert_one_line_error(err, ".keras")


# --- 7. The bundled models (read only: loaded in memory, never written) --------------------------

SAVEDMODELS = REPO / "savedmodels"


def bundled_metadata(name):
    return json.loads((SAVEDMODELS / name / "assets" / export.METADATA_FILE).read_text())


BLOBS_KEYS = [o["key"] for o in bundled_metadata("blobs_mlp")["optimizers"]]


@pytest.mark.parametrize("name", ["blobs_mlp", "mnist_cnn"])
def test_bundled_model_has_contract_signatures_for_every_optimizer(name):
    metadata = bundled_metadata(name)
    assert metadata["contract_version"] == 1  # the bundled exports stay v1; Java reads both
    keys = [o["key"] for o in metadata["optimizers"]]
    assert keys
    signatures = set(tf.saved_model.load(str(SAVEDMODELS / name)).signatures)
    expected = {"serving_default", metadata["evaluate_signature"]}
    for key in keys:
        expected |= {f"train_{key}", f"get_lr_{key}", f"set_lr_{key}"}
    assert expected <= signatures


def test_bundled_blobs_mlp_learning_rates_match_metadata():
    loaded = tf.saved_model.load(str(SAVEDMODELS / "blobs_mlp"))
    for entry in bundled_metadata("blobs_mlp")["optimizers"]:
        lr = call(loaded, f"get_lr_{entry['key']}")["lr"]
        assert lr == pytest.approx(entry["initial_learning_rate"], rel=1e-7)


@pytest.fixture(scope="module")
def blobs_data():
    with np.load(SAVEDMODELS / "blobs_mlp.npz") as data:
        return {k: data[k] for k in data.files}


def test_bundled_blobs_mlp_serves_like_its_source_model(blobs_data):
    loaded = tf.saved_model.load(str(SAVEDMODELS / "blobs_mlp"))
    source = keras.models.load_model(SAVEDMODELS / "sources" / "blobs_mlp.keras", compile=False)
    x = blobs_data["x_test"][:64]
    np.testing.assert_allclose(serve(loaded, x), source.predict(x, verbose=0),
                               rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("key", BLOBS_KEYS)
def test_bundled_blobs_mlp_train_steps_match_keras(blobs_data, key):
    entry = next(o for o in bundled_metadata("blobs_mlp")["optimizers"] if o["key"] == key)
    loaded = tf.saved_model.load(str(SAVEDMODELS / "blobs_mlp"))
    source = keras.models.load_model(SAVEDMODELS / "sources" / "blobs_mlp.keras", compile=False)
    source.compile(optimizer=keras.optimizers.deserialize(
        {"class_name": entry["class_name"], "config": entry["config"]}),
        loss=LOSS, metrics=["accuracy"])
    exported_losses, keras_losses = [], []
    for step in range(3):
        x = blobs_data["x_train"][step * 32:(step + 1) * 32]
        y = blobs_data["y_train"][step * 32:(step + 1) * 32]
        exported_losses.append(call(loaded, f"train_{key}", x=x, y=y)["loss"])
        source.reset_metrics()
        keras_losses.append(source.train_on_batch(x, y, return_dict=True)["loss"])
    np.testing.assert_allclose(exported_losses, keras_losses, rtol=1e-5)


# --- 8. Keras 2 (tf_keras) SavedModel directories -------------------------------------------------

def test_main_exports_keras2_saved_model_directory(tmp_path, capsys):
    tf_keras = pytest.importorskip("tf_keras")
    tf_keras.utils.set_random_seed(SEED)
    legacy = tf_keras.Sequential([
        tf_keras.Input(shape=(INPUT_DIM,)),
        tf_keras.layers.Dense(8, activation="relu"),
        tf_keras.layers.Dense(CLASSES, activation="softmax"),
    ])
    legacy.compile(optimizer="sgd", loss=LOSS, metrics=["accuracy"])
    legacy_dir = tmp_path / "legacy_savedmodel"
    legacy.save(str(legacy_dir), save_format="tf")
    assert (legacy_dir / "saved_model.pb").is_file()

    out = tmp_path / "exported"
    # No --loss: the loss the Keras 2 model was compiled with must carry over.
    code, _, err = run_main(capsys, legacy_dir, "--out", out, "--optimizer", "sgd")
    assert code == 0, err
    x, y = make_batches(count=1, seed=5)[0]
    loaded = tf.saved_model.load(str(out))
    np.testing.assert_allclose(serve(loaded, x), legacy.predict(x, verbose=0),
                               rtol=1e-6, atol=1e-6)
    metadata = json.loads((out / "assets" / export.METADATA_FILE).read_text())
    assert metadata["outputs"][0]["loss"]["name"] == LOSS
    assert metadata["metrics"] == ["accuracy"]
    assert metadata["source"] == "legacy_savedmodel"
    assert metadata["keras_library"].startswith("tf_keras ")
    assert call(loaded, "evaluate", x=x, y=y)["loss"] == pytest.approx(
        legacy.evaluate(x, y, batch_size=BATCH, verbose=0)[0], rel=1e-5)


def test_default_optimizer_keeps_its_whole_compiled_config(tmp_path):
    model = build_tiny_model(optimizer=keras.optimizers.SGD(
        learning_rate=0.05, momentum=0.9, nesterov=True, clipnorm=1.0))
    meta = export.export_trainable(model, tmp_path / "out", [])
    (optimizer,) = meta["optimizers"]
    assert optimizer["key"] == "sgd"
    assert optimizer["config"]["momentum"] == pytest.approx(0.9)
    assert optimizer["config"]["nesterov"] is True
    assert optimizer["config"]["clipnorm"] == pytest.approx(1.0)
    assert optimizer["initial_learning_rate"] == pytest.approx(0.05)


# --- 9. A model file that exists but is no Keras model: named, with why --------------------------

def _truncated_keras(tmp_path, source):
    path = tmp_path / "truncated.keras"
    data = source.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    return path


def _random_keras(tmp_path, _):
    path = tmp_path / "random.keras"
    path.write_bytes(np.random.default_rng(3).bytes(5000))
    return path


def _empty_keras(tmp_path, _):
    path = tmp_path / "empty.keras"
    path.write_bytes(b"")
    return path


def _zip_without_config(tmp_path, _):
    import zipfile
    path = tmp_path / "no_config.keras"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return path


def _zip_with_corrupt_member(tmp_path, source):
    import zipfile
    path = tmp_path / "bad_member.keras"
    with zipfile.ZipFile(source) as original, \
            zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as copy:
        for name in original.namelist():
            copy.writestr(name, original.read(name))
    data = bytearray(path.read_bytes())
    weights = bytes(zipfile.ZipFile(source).read("model.weights.h5"))
    at = data.index(weights[:64]) + 32  # inside the stored bytes of model.weights.h5
    data[at] ^= 0xFF
    path.write_bytes(bytes(data))
    return path


def _random_h5(tmp_path, _):
    path = tmp_path / "random.h5"
    path.write_bytes(np.random.default_rng(4).bytes(3000))
    return path


@pytest.mark.parametrize("make, fragments", [
    (_truncated_keras, ["is not a Keras file", "zip archive", "truncated or corrupt"]),
    (_random_keras, ["is not a Keras file", "zip archive"]),
    (_empty_keras, ["is empty"]),
    (_zip_without_config, ["is not a Keras file", "no config.json"]),
    (_zip_with_corrupt_member, ["is corrupt", "model.weights.h5", "checksum"]),
    (_random_h5, ["is not a Keras file", "HDF5"]),
], ids=["truncated", "random", "empty", "no-config", "corrupt-member", "random-h5"])
def test_main_damaged_model_file_is_named_with_why(tmp_path, capsys, tiny_keras_file, make,
                                                   fragments):
    path = make(tmp_path, tiny_keras_file)
    before = path.read_bytes()
    code, stdout, err = run_main(capsys, path, "--out", tmp_path / "out", "--optimizer", "sgd")
    assert code == 2 and stdout == ""
    assert_one_line_error(err, str(path), *fragments)
    assert "not found" not in err.lower()
    assert not (tmp_path / "out").exists()
    assert path.read_bytes() == before


def test_main_unreadable_model_file_says_permission_denied(tmp_path, capsys, tiny_keras_file):
    path = tmp_path / "locked.keras"
    path.write_bytes(tiny_keras_file.read_bytes())
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("this user (root) reads any file whatever its mode")
        code, _, err = run_main(capsys, path, "--out", tmp_path / "out", "--optimizer", "sgd")
        assert code == 2
        assert_one_line_error(err, str(path), "permission denied")
    finally:
        path.chmod(0o644)


def test_main_dangling_symlink_is_named_as_one(tmp_path, capsys):
    link = tmp_path / "model.keras"
    link.symlink_to(tmp_path / "gone.keras")
    code, _, err = run_main(capsys, link, "--out", tmp_path / "out", "--optimizer", "sgd")
    assert code == 2
    assert_one_line_error(err, "symbolic link", "gone.keras", "does not exist")


# --- 10. Optimizer settings no optimizer can train with ------------------------------------------

@pytest.mark.parametrize("spec, fragment", [
    ("sgd:learning_rate=-1", "learning_rate must be a finite number >= 0, got -1"),
    ("sgd:learning_rate=nan", "learning_rate must be a finite number >= 0, got nan"),
    ("adam:learning_rate=inf", "learning_rate must be a finite number >= 0, got inf"),
    ("sgd:learning_rate=fast", "learning_rate must be a number, got 'fast'"),
    ("sgd:momentum=1", "momentum must be a number in [0, 1), got 1"),
    ("sgd:momentum=-0.5", "momentum must be a number in [0, 1), got -0.5"),
    ("adam:beta_1=1.5", "beta_1 must be a number in [0, 1), got 1.5"),
    ("rmsprop:rho=1", "rho must be a number in [0, 1), got 1"),
    ("adam:epsilon=0", "epsilon must be a finite number > 0, got 0"),
    ("sgd:clipnorm=-1", "clipnorm must be a finite number > 0, got -1"),
    ("adamw:weight_decay=-0.1", "weight_decay must be a finite number >= 0, got -0.1"),
    ("sgd:nesterov=maybe", "nesterov must be true or false, got 'maybe'"),
])
def test_main_invalid_optimizer_setting_is_a_one_line_error(tmp_path, capsys, tiny_keras_file,
                                                            spec, fragment):
    code, stdout, err = run_main(capsys, tiny_keras_file, "--out", tmp_path / "out",
                                 "--optimizer", spec)
    assert code == 2 and stdout == ""
    assert_one_line_error(err, fragment)
    assert list(tmp_path.iterdir()) == []


def test_invalid_optimizer_setting_is_refused_before_the_model_loads(tmp_path, capsys):
    # The model does not exist: the optimizer's error comes first, without the slow load.
    code, _, err = run_main(capsys, tmp_path / "absent.keras", "--out", tmp_path / "out",
                            "--optimizer", "sgd:learning_rate=-1")
    assert code == 2
    assert_one_line_error(err, "learning_rate must be a finite number >= 0")


def test_boundary_optimizer_settings_are_accepted():
    for key, config in [("sgd", {"learning_rate": 0.0, "momentum": 0.0}),
                        ("adam", {"beta_1": 0.0, "beta_2": 0.999999, "epsilon": 1e-12}),
                        ("sgd", {"nesterov": True, "clipnorm": None}),
                        ("ftrl", {"learning_rate_power": 0.0})]:
        export.check_optimizer_config(key, config)


def test_compiled_optimizer_with_a_momentum_of_one_is_refused(tmp_path):
    # Keras itself accepts momentum=1 (its range is [0, 1]); every step would then keep all of
    # the previous velocity, so the exporter refuses it like a bad --optimizer.
    model = build_tiny_model(optimizer=keras.optimizers.SGD(learning_rate=0.1, momentum=1.0))
    with pytest.raises(export.ExportError, match=r"momentum must be a number in \[0, 1\)"):
        export.export_trainable(model, tmp_path / "out", [])
    assert list(tmp_path.iterdir()) == []


# --- 9. Contract v2: several inputs and outputs, per-batch metrics, root causes -------------------

def two_in_two_out(compiled=True):
    """Keras 3: inputs 'User ID' (int) and 'features', outputs age (mse) and gender (binary)."""
    keras.utils.set_random_seed(SEED)
    user = keras.Input((1,), dtype="int32", name="User ID")
    features = keras.Input((3,), name="features")
    embedded = keras.layers.Flatten()(keras.layers.Embedding(10, 2)(user))
    hidden = keras.layers.Dense(4, activation="relu",
                                kernel_regularizer=keras.regularizers.L2(0.01))(
        keras.layers.Concatenate()([embedded, features]))
    model = keras.Model([user, features], [keras.layers.Dense(1, name="age")(hidden),
                                           keras.layers.Dense(1, activation="sigmoid",
                                                              name="gender")(hidden)])
    if compiled:
        model.compile(keras.optimizers.SGD(0.1), loss={"age": "mse", "gender":
                                                       "binary_crossentropy"},
                      loss_weights={"age": 0.5, "gender": 2.0},
                      metrics={"age": ["mae"], "gender": ["accuracy"]})
    return model


def two_in_two_out_batch(seed=0):
    rng = np.random.default_rng(seed)
    return ({"User ID": rng.integers(0, 10, (BATCH, 1)).astype(np.int32),
             "features": rng.normal(size=(BATCH, 3)).astype(np.float32)},
            {"age": rng.normal(size=(BATCH, 1)).astype(np.float32),
             "gender": (rng.random((BATCH, 1)) > 0.5).astype(np.float32)})


def test_several_inputs_and_outputs_get_contract_v2_names_and_specs(tmp_path):
    metadata = export.export_trainable(two_in_two_out(), tmp_path / "out", [])
    assert [(i["name"], i["key"], i["dtype"]) for i in metadata["inputs"]] == [
        ("x_user_id", "User ID", "int32"), ("x_features", "features", "float32")]
    assert [(o["key"], o["label"]["name"], o["loss"]["name"], o["loss_weight"], o["metrics"])
            for o in metadata["outputs"]] == [
        ("age", "y_age", "mean_squared_error", 0.5, ["age_mae"]),
        ("gender", "y_gender", "binary_crossentropy", 2.0, ["gender_accuracy"])]
    assert metadata["metrics"] == ["age_mae", "gender_accuracy"]
    loaded = tf.saved_model.load(str(tmp_path / "out"))
    _, specs = loaded.signatures["train_sgd"].structured_input_signature
    assert sorted(specs) == ["x_features", "x_user_id", "y_age", "y_gender"]
    assert set(loaded.signatures["serving_default"].structured_outputs) == {"age", "gender"}


def test_several_outputs_total_loss_is_keras_weighted_sum(tmp_path):
    model = two_in_two_out()
    export.export_trainable(model, tmp_path / "out", [])
    x, y = two_in_two_out_batch()
    loaded = tf.saved_model.load(str(tmp_path / "out"))
    exported = call(loaded, "evaluate", x_user_id=x["User ID"], x_features=x["features"],
                    y_age=y["age"], y_gender=y["gender"])
    logs = model.evaluate(x, y, batch_size=BATCH, verbose=0, return_dict=True)
    for name in ("loss", "age_loss", "gender_loss", "age_mae", "gender_accuracy"):
        assert exported[name] == pytest.approx(logs[name], rel=1e-5), name
    penalty = float(sum(model.losses))
    assert penalty > 0  # the total includes the L2 penalty, the per-output losses do not
    assert exported["loss"] == pytest.approx(
        0.5 * exported["age_loss"] + 2.0 * exported["gender_loss"] + penalty, rel=1e-5)


def test_loss_per_output_from_the_command_line(tmp_path, capsys):
    path = tmp_path / "bare.keras"
    two_in_two_out(compiled=False).save(path)
    code, _, err = run_main(capsys, path, "--out", tmp_path / "out", "--optimizer", "adam",
                            "--loss", "age=mae", "--loss", "gender=binary_crossentropy")
    assert code == 0, err
    metadata = json.loads((tmp_path / "out" / "assets" / export.METADATA_FILE).read_text())
    assert [o["loss"]["name"] for o in metadata["outputs"]] == ["mean_absolute_error",
                                                               "binary_crossentropy"]
    code, _, err = run_main(capsys, path, "--out", tmp_path / "out2", "--optimizer", "adam",
                            "--loss", "height=mae")
    assert code == 2
    assert_one_line_error(err, "no output 'height'", "age, gender")


def test_inputs_whose_names_collide_are_refused_naming_both(tmp_path):
    first, second = keras.Input((1,), name="Age"), keras.Input((1,), name="age")
    model = keras.Model([first, second], keras.layers.Dense(1)(
        keras.layers.Concatenate()([first, second])))
    model.compile("sgd", "mse")
    with pytest.raises(export.ExportError, match="'Age' and 'age' both become .*'x_age'"):
        export.export_trainable(model, tmp_path / "out", [])


@pytest.fixture(scope="module")
def regression_keras_file(tmp_path_factory):
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((INPUT_DIM,)), keras.layers.Dense(1)])
    model.compile("sgd", "mse")
    path = tmp_path_factory.mktemp("regression") / "regression.keras"
    model.save(path)
    return path


@pytest.mark.parametrize("metric", ["mae", "mse", "mean_absolute_error"])
def test_stateful_keras3_metric_names_export_as_per_batch_values(tmp_path, capsys,
                                                                  regression_keras_file, metric):
    # Keras 3 resolves 'mae' to the MeanAbsoluteError object; it used to be refused as stateful.
    code, _, err = run_main(capsys, regression_keras_file, "--out", tmp_path / "out",
                            "--metric", metric)
    assert code == 0, err
    rng = np.random.default_rng(9)
    loaded = tf.saved_model.load(str(tmp_path / "out"))
    for _ in range(2):  # each batch's value is its own: no running mean between calls
        x = rng.normal(size=(BATCH, INPUT_DIM)).astype(np.float32)
        y = rng.normal(size=(BATCH, 1)).astype(np.float32)
        error = serve(loaded, x) - y
        expected = np.mean(error ** 2) if metric == "mse" else np.mean(np.abs(error))
        assert call(loaded, "evaluate", x=x, y=y)[export.sanitize(metric)] == pytest.approx(
            expected, rel=1e-5)


def test_explicit_metric_that_cannot_take_the_labels_is_refused_with_why(tmp_path, capsys,
                                                                        tiny_keras_file):
    # mae of class ids against three probabilities: Keras's own fit fails on it too.
    code, _, err = run_main(capsys, tiny_keras_file, "--out", tmp_path / "out", "--metric", "mae")
    assert code == 2
    assert_one_line_error(err, "metric 'mae' cannot be exported", "labels [None]",
                          "outputs [None, 3]", "Incompatible shapes")
    assert "function_node" not in err and "Error" not in err


def test_compiled_auc_is_a_per_batch_value_with_no_state_between_calls(tmp_path):
    keras.utils.set_random_seed(SEED)
    model = keras.Sequential([keras.Input((INPUT_DIM,)),
                              keras.layers.Dense(1, activation="sigmoid")])
    model.compile("sgd", "binary_crossentropy", metrics=[keras.metrics.AUC(name="auc")])
    export.export_trainable(model, tmp_path / "out", [])
    loaded = tf.saved_model.load(str(tmp_path / "out"))
    rng = np.random.default_rng(2)
    for _ in range(2):  # the second batch's AUC is its own, not a running value
        x = rng.normal(size=(BATCH, INPUT_DIM)).astype(np.float32)
        y = (rng.random((BATCH, 1)) > 0.5).astype(np.float32)
        fresh = keras.metrics.AUC()
        fresh.update_state(y, model.predict(x, verbose=0))
        assert call(loaded, "evaluate", x=x, y=y)["auc"] == pytest.approx(
            float(fresh.result()), rel=1e-5)


def edited_keras_file(tmp_path, source, name, edit):
    """A copy of a .keras file whose config.json ``edit`` changed."""
    import zipfile
    path = tmp_path / name
    with zipfile.ZipFile(source) as original, zipfile.ZipFile(path, "w") as target:
        for info in original.infolist():
            data = original.read(info.filename)
            if info.filename == "config.json":
                config = json.loads(data)
                edit(config)
                data = json.dumps(config).encode()
            target.writestr(info, data)
    return path


def test_setting_this_keras_does_not_know_is_dropped_with_a_note(tmp_path, capsys,
                                                                 tiny_keras_file):
    # What a newer Keras 3 writes (Dense's quantization_config) or an old one kept (time_major).
    def edit(config):
        config["config"]["layers"][1]["config"]["time_major"] = False
    path = edited_keras_file(tmp_path, tiny_keras_file, "time_major.keras", edit)
    code, out, err = run_main(capsys, path, "--out", tmp_path / "out")
    assert code == 0, err
    assert (f"note: Dense setting time_major=False is dropped: keras {keras.__version__} does not"
            " know it") in out


def test_unknown_setting_that_is_unset_is_dropped_without_a_note(tmp_path, capsys,
                                                                 tiny_keras_file):
    def edit(config):  # what Keras 3.9 writes for every Dense layer
        config["config"]["layers"][1]["config"]["quantization_config"] = None
    path = edited_keras_file(tmp_path, tiny_keras_file, "newer.keras", edit)
    code, out, err = run_main(capsys, path, "--out", tmp_path / "out")
    assert code == 0, err
    assert "note:" not in out


def test_load_error_keeps_keras_root_cause(tmp_path, capsys, tiny_keras_file):
    def edit(config):
        config["config"]["layers"][1]["config"]["units"] = -3
    path = edited_keras_file(tmp_path, tiny_keras_file, "bad_units.keras", edit)
    code, _, err = run_main(capsys, path, "--out", tmp_path / "out")
    assert code == 2
    assert_one_line_error(err, "units", "-3")
    assert "could not be deserialized" not in err


def test_custom_objects_file_gives_its_own_public_classes_and_functions(tmp_path):
    module = tmp_path / "my_objects.py"
    module.write_text("import math\nfrom math import sqrt\n\n"
                      "def scaled_relu(x):\n    return x\n\n"
                      "class Layer1:\n    pass\n\n"
                      "def _private():\n    pass\n")
    objects = export.load_custom_objects(module)
    assert sorted(objects) == ["Layer1", "scaled_relu"]
    broken = tmp_path / "broken.py"
    broken.write_text("raise RuntimeError('no GPU here')\n")
    with pytest.raises(export.ExportError, match="no GPU here"):
        export.load_custom_objects(broken)


TF_KERAS_OPTIMIZERS = ["sgd", "sgd:momentum=0.9", "rmsprop", "adagrad", "adadelta", "adam",
                       "adamw", "adamax", "nadam", "ftrl", "lion"]


def test_tf_keras_export_trains_every_optimizer_in_a_graph_mode_loader(tmp_path):
    tf_keras = pytest.importorskip("tf_keras")
    tf_keras.utils.set_random_seed(SEED)
    model = tf_keras.Sequential([
        tf_keras.Input((INPUT_DIM,)),
        tf_keras.layers.Dense(8, activation="relu", kernel_regularizer="l2"),
        tf_keras.layers.Dropout(0.2),
        tf_keras.layers.Dense(CLASSES, activation="softmax")])
    model.compile("adam", LOSS, metrics=["accuracy"])
    metadata = export.export_trainable(model, tmp_path / "out", TF_KERAS_OPTIMIZERS)
    assert metadata["keras_library"] == f"tf_keras {tf_keras.__version__}"
    x, y = make_batches(count=1, seed=3)[0]
    graph = tf.Graph()
    with graph.as_default(), tf.compat.v1.Session(graph=graph) as session:
        signatures = tf.compat.v1.saved_model.loader.load(
            session, ["serve"], str(tmp_path / "out")).signature_def
        for entry in metadata["optimizers"]:
            train = signatures[f"train_{entry['key']}"]
            feed = {train.inputs["x"].name: x, train.inputs["y"].name: y}
            losses = [session.run(train.outputs["loss"].name, feed) for _ in range(3)]
            assert all(np.isfinite(losses)), entry["key"]
            assert losses[-1] != losses[0], entry["key"]  # the step changed the weights
            fused = signatures[f"train_at_lr_{entry['key']}"]
            lr = signatures[f"get_lr_{entry['key']}"]
            feed = {fused.inputs["x"].name: x, fused.inputs["y"].name: y,
                    fused.inputs["lr"].name: np.float32(0.0123)}
            assert np.isfinite(session.run(fused.outputs["loss"].name, feed)), entry["key"]
            assert session.run(lr.outputs["lr"].name) == np.float32(0.0123), entry["key"]


def test_unknown_metric_on_the_command_line_is_refused_naming_it(tmp_path, capsys,
                                                                 tiny_keras_file):
    code, _, err = run_main(capsys, tiny_keras_file, "--out", tmp_path / "out", "--metric",
                            "no_such_metric")
    assert code == 2
    assert_one_line_error(err, "metric 'no_such_metric' cannot be exported")
    assert not (tmp_path / "out").exists()
