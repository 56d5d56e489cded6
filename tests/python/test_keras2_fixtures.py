"""The plain Keras 2 SavedModels of the direct training path and their Keras fit references.

``src/test/resources/fixtures/keras2/`` holds tf_keras SavedModels (no lrfinder contract) and, for
the fidelity models, ``<model>_fit.json`` and ``<model>_states.npz``: Keras ``train_on_batch``
losses, metrics and the state after the first step, which the Java direct path must reproduce
(KerasFitFidelityTest; with the venv it compares every step with a live run instead). Here the
generator must be deterministic (two runs on this machine give the same bits, all 20 steps), and
its first step must be within one step of kernel noise of the committed files, which were made on
another CPU or with other kernels (``made_on`` says which): the same tolerances as the Java test.
The SavedModels' Keras metadata must agree with the JSON, and the bundled twins under
``savedmodels/keras2/`` must predict what their Keras 3 sources predict.
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "fixtures"))

import build_keras2_examples as examples  # noqa: E402
import make_direct_fixtures as direct  # noqa: E402

FIXTURES = ROOT / examples.FIXTURES
# KerasFitFidelityTest.Tolerance.OTHER_KERNELS, justified there: after one step with another
# machine's kernels, losses and metrics relative to Keras's value, variables and slots relative
# to their largest magnitude.
OUTPUT_TOLERANCE = 1e-4
STATE_TOLERANCE = 1e-2


def committed(model: str) -> dict:
    return json.loads((FIXTURES / f"{model}_fit.json").read_text())


def committed_states(model: str) -> dict:
    with np.load(FIXTURES / f"{model}_states.npz") as states:
        return {k: states[k] for k in states.files}


@pytest.fixture(scope="module")
def regenerated():
    """Every model's fit document and all 20 states, computed once here (about 30 s)."""
    return {model: direct.fixture(model, state_steps=direct.STEPS) for model in direct.MODELS}


@pytest.mark.parametrize("model", sorted(direct.MODELS))
def test_committed_json_is_complete(model):
    document = committed(model)
    data_name, loss, metrics = direct.MODELS[model]
    assert document["model"] == model and document["data"] == data_name
    assert (document["batch_size"], document["steps"]) == (direct.BATCH, direct.STEPS)
    assert document["state_steps"] == 1
    assert (document["loss"], document["metrics"]) == (loss, metrics)
    assert list(document["cases"]) == list(direct.CASES)
    made_on = document["made_on"]
    assert made_on["cpu"]["model"] and "avx" in made_on["cpu"]["kernel_flags"]
    assert made_on["tensorflow_git"] and isinstance(made_on["onednn"], bool)
    names = document["trainable_variables"] + document["non_trainable_variables"]
    with np.load(FIXTURES / data_name) as data:
        assert len(data["x_train"]) >= direct.BATCH * direct.STEPS
    states = committed_states(model)
    for case, result in document["cases"].items():
        assert result["optimizer"]["class_name"] == direct.CASES[case][0]
        assert len(result["losses"]) == direct.STEPS
        assert all(len(v) == direct.STEPS for v in result["metrics"].values())
        assert "iteration" in result["optimizer_variables"]
        expected = {f"{case}/1/variables/{n}" for n in names}
        expected |= {f"{case}/1/optimizer/{n}" for n in result["optimizer_variables"]}
        assert {k for k in states if k.startswith(f"{case}/")} == expected
        assert int(states[f"{case}/1/optimizer/iteration"]) == 1


@pytest.mark.parametrize("model", sorted(direct.MODELS))
def test_two_runs_are_bit_equal(regenerated, model):
    first_document, first_states = regenerated[model]
    document, states = direct.fixture(model, state_steps=direct.STEPS)
    assert json.loads(json.dumps(document)) == json.loads(json.dumps(first_document))
    assert sorted(states) == sorted(first_states)
    unequal = [k for k in states if not np.array_equal(states[k], first_states[k])]
    assert unequal == []


def _relative(got, want) -> float:
    return 0.0 if got == want else abs(got - want) / abs(want)


@pytest.mark.parametrize("model", sorted(direct.MODELS))
def test_first_step_is_within_kernel_noise_of_committed(regenerated, model, capsys):
    document, states = regenerated[model]
    want_document, want_states = committed(model), committed_states(model)
    worst = {"loss": 0.0, "metric": 0.0, "state": (0.0, "-")}
    for case, want in want_document["cases"].items():
        got = document["cases"][case]
        assert got["optimizer"] == want["optimizer"], case
        assert got["optimizer_variables"] == want["optimizer_variables"], case
        loss = _relative(got["losses"][0], want["losses"][0])
        assert loss <= OUTPUT_TOLERANCE, f"{case}: first loss differs by {loss:.2e}"
        worst["loss"] = max(worst["loss"], loss)
        for name, values in want["metrics"].items():
            rel = _relative(got["metrics"][name][0], values[0])
            assert rel <= OUTPUT_TOLERANCE, f"{case}: first {name} differs by {rel:.2e}"
            worst["metric"] = max(worst["metric"], rel)
    for key, want in want_states.items():
        got = states[key]
        assert got.dtype == want.dtype and got.shape == want.shape, key
        if key.endswith("/optimizer/iteration"):
            assert got == want, key
            continue
        diff = float(np.max(np.abs(got.astype(np.float64) - want)))
        rel = 0.0 if diff == 0 else diff / float(np.max(np.abs(want)))
        assert rel <= STATE_TOLERANCE, f"{key} differs by {rel:.2e} of its largest magnitude"
        if rel > worst["state"][0]:
            worst["state"] = (rel, key)
    with capsys.disabled():  # shown in scripts/test's quiet output too
        print(f"\nregenerated vs committed {model}: first loss {worst['loss']:.2e}, metrics "
              f"{worst['metric']:.2e}, state after step 1 {worst['state'][0]:.2e} "
              f"({worst['state'][1]}); committed on {want_document['made_on']['cpu']['model']}, "
              f"oneDNN {want_document['made_on']['onednn']}")


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
