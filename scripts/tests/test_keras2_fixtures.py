"""The plain Keras 2 SavedModels of the direct training path and their golden fit trajectories.

``src/test/resources/fixtures/keras2/`` holds tf_keras SavedModels (no lrfinder contract) and, for
the fidelity models, ``<model>_fit.json``: Keras ``train_on_batch`` trajectories the Java direct
path must reproduce. Here every (model, optimizer) case is recomputed from the committed
SavedModels and must equal the committed JSON exactly (the CPU runs are bit-deterministic), the
SavedModels' Keras metadata must agree with the JSON, and the bundled twins under
``savedmodels/keras2/`` must predict what their Keras 3 sources predict.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import build_keras2_examples as examples  # noqa: E402
import make_direct_fixtures as direct  # noqa: E402

FIXTURES = ROOT / examples.FIXTURES
# Every (model, optimizer) case: about a second each.
RECOMPUTED = [(model, case) for model in direct.MODELS for case in direct.CASES]


def committed(model: str) -> dict:
    return json.loads((FIXTURES / f"{model}_fit.json").read_text())


@pytest.mark.parametrize("model", sorted(direct.MODELS))
def test_committed_json_is_complete(model):
    document = committed(model)
    data_name, loss, metrics = direct.MODELS[model]
    assert document["model"] == model and document["data"] == data_name
    assert (document["batch_size"], document["steps"]) == (direct.BATCH, direct.STEPS)
    assert (document["loss"], document["metrics"]) == (loss, metrics)
    assert list(document["cases"]) == list(direct.CASES)
    names = document["trainable_variables"] + document["non_trainable_variables"]
    with np.load(FIXTURES / data_name) as data:
        assert len(data["x_train"]) >= direct.BATCH * direct.STEPS
    for case, result in document["cases"].items():
        assert result["optimizer"]["class_name"] == direct.CASES[case][0]
        assert len(result["losses"]) == direct.STEPS
        assert all(len(v) == direct.STEPS for v in result["metrics"].values())
        assert sorted(result["final_variables"]) == sorted(names)
        for record in result["final_variables"].values():
            assert len(record["values"]) == int(np.prod(record["shape"]))


@pytest.mark.parametrize("model,case", RECOMPUTED)
def test_recomputed_trajectory_equals_committed(model, case):
    data_name, loss, metrics = direct.MODELS[model]
    fresh = direct.trajectory(FIXTURES / model, FIXTURES / data_name, loss, metrics, case)
    # Through JSON, so tuples and lists compare alike.
    assert json.loads(json.dumps(fresh)) == committed(model)["cases"][case]


@pytest.mark.parametrize("model", sorted(examples.FIXTURE_MODELS))
def test_fixture_is_a_plain_keras2_savedmodel(model):
    model_dir = FIXTURES / model
    assert (model_dir / "saved_model.pb").is_file()
    assert (model_dir / "keras_metadata.pb").is_file()
    assert not (model_dir / "assets" / "lrfinder.json").exists()
    training_config = direct.root_metadata(model_dir).get("training_config")
    if model == "uncompiled":
        assert training_config is None
    else:
        assert training_config is not None
        if model in direct.MODELS:
            assert training_config["loss"] == committed(model)["loss"]


@pytest.mark.parametrize("name", examples.TWIN_MODELS)
def test_twin_predicts_like_its_keras3_source(name):
    import tf_keras

    source = examples.load_keras3_source(ROOT / "savedmodels/sources" / f"{name}.keras")
    twin = tf_keras.models.load_model(str(ROOT / examples.TWINS / name), compile=False)
    assert twin.inputs[0].dtype.name == source.inputs[0].dtype
    assert not (ROOT / examples.TWINS / name / "assets" / "lrfinder.json").exists()
    with np.load(ROOT / "savedmodels" / f"{name}.npz") as data:
        x = data["x_test"][:16]
    assert examples.twin_difference(twin, source, x) < 1e-5
