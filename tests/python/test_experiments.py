"""The article experiment files (experiments/*.json) and the two models bundled for them.

Each file must be JSON in the fixed format of `scripts/lrfinder experiment` (docs/experiments.md):
only the allowed keys, a model and data that exist, optimizer keys the model has, values of the
varied parameter that the model can run. The bundled seed models must be what the articles
describe: seed 003's CNN layer by layer, and blobs_mlp_momentum with blobs_mlp's weights.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[2]
EXPERIMENTS = REPO / "experiments"
SAVEDMODELS = REPO / "savedmodels"

TOP_KEYS = {"name", "title", "source", "claim", "model", "data", "train", "vary", "runs"}
REQUIRED_TOP = {"title", "source", "claim", "model", "train"}
# train's long option names without "--" (the file mirrors the command line; --no-shuffle is
# "shuffle": false).
TRAIN_KEYS = {"optimizer", "epochs", "batch-size", "lr", "schedule", "plateau", "early-stopping",
              "validation-split", "drop-remainder", "seed", "shuffle"}
RUN_KEYS = TRAIN_KEYS | {"label"}
PARAMETERS = {"lr", "momentum", "decay", "patience", "optimizer", "batch-size", "schedule"}
SCHEDULES = {"constant", "time", "step", "exponential", "linear", "triangular", "triangular2",
             "exp_range", "one_cycle", "warmup_cosine"}

# The studies the issue names, each with the values the articles use.
EXPECTED = {
    "seed004-rates": ("lr", [1.0, 0.1, 0.01, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7]),
    "seed004-momentum": ("momentum", [0.0, 0.5, 0.9, 0.99]),
    "seed004-decay": ("decay", [0.1, 0.01, 1e-3, 1e-4]),
    "seed004-patience": ("patience", [2, 5, 10, 15]),
    "seed004-optimizers": ("runs", ["sgd", "rmsprop", "adagrad", "adam"]),
    "seed003-fixed": ("lr", [0.5, 0.01, 1e-3, 1e-5, 1e-7]),
    "seed003-decay": ("runs", ["linear", "step", "time", "exponential"]),
}

FILES = sorted(EXPERIMENTS.glob("*.json"))  # the articles' and any other (smoke) experiment
SEED_FILES = sorted(EXPERIMENTS.glob("seed*.json"))


def load(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def metadata(model_dir: Path) -> dict:
    return json.loads((model_dir / "assets" / "lrfinder.json").read_text())


def optimizers(model_dir: Path) -> dict:
    return {o["key"]: o for o in metadata(model_dir)["optimizers"]}


def spec_name(spec: str) -> str:
    return spec.partition(":")[0].strip().lower().replace("-", "_")


def spec_keys(spec: str) -> dict:
    items = [i for i in spec.partition(":")[2].split(",") if i.strip()]
    return {k.strip().lower(): v.strip() for k, _, v in (i.partition("=") for i in items)}


def test_every_study_of_the_issue_has_its_file():
    assert sorted(p.stem for p in SEED_FILES) == sorted(EXPECTED)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_follows_the_format(path):
    text = path.read_text(encoding="utf-8")
    assert "//" not in text.replace("://", ""), "comments are not JSON"
    doc = load(path)
    assert set(doc) <= TOP_KEYS, set(doc) - TOP_KEYS
    assert REQUIRED_TOP <= set(doc), REQUIRED_TOP - set(doc)
    assert ("vary" in doc) != ("runs" in doc), "exactly one of vary and runs"
    assert doc.get("name", path.stem) == path.stem
    for key in ("title", "source", "claim"):  # every file says where it comes from
        assert isinstance(doc[key], str) and doc[key].strip()
    if path.stem.startswith("seed"):
        assert doc["source"].startswith("seed 00" + path.stem[6])
    assert set(doc["train"]) <= TRAIN_KEYS, set(doc["train"]) - TRAIN_KEYS
    if "vary" in doc:
        assert set(doc["vary"]) == {"parameter", "values"}
        assert doc["vary"]["parameter"] in PARAMETERS
        values = doc["vary"]["values"]
        assert values and len(set(map(str, values))) == len(values)
    else:
        labels = [run["label"] for run in doc["runs"]]
        assert len(set(labels)) == len(labels)
        for run in doc["runs"]:
            assert set(run) <= RUN_KEYS, set(run) - RUN_KEYS
            assert len(run) > 1, f"run {run['label']} overrides nothing"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_file_points_at_a_model_and_data_that_exist(path):
    doc = load(path)
    model = (path.parent / doc["model"]).resolve()
    assert (model / "saved_model.pb").is_file(), model
    data = (path.parent / doc["data"]).resolve() if "data" in doc else model.with_suffix(".npz")
    assert data.is_file(), data
    with np.load(data) as npz:
        assert {"x_train", "y_train"} <= set(npz.files)
        if "validation-split" not in doc["train"]:
            assert {"x_test", "y_test"} <= set(npz.files), "validation on the test split"
    keys = optimizers(model)
    if "optimizer" not in doc["train"]:
        return
    configs = [doc["train"]] + [dict(doc["train"], **r) for r in doc.get("runs", [])]
    for config in configs:
        assert config["optimizer"] in keys, (config["optimizer"], sorted(keys))
        for option in ("schedule", "plateau"):
            if option in config:
                assert re.fullmatch(r"[a-z_0-9]+(:[a-z_]+=[^,=]+(,[a-z_]+=[^,=]+)*)?",
                                    config[option]), config[option]
        if "schedule" in config:
            assert spec_name(config["schedule"]) in SCHEDULES
    if doc.get("vary", {}).get("parameter") == "momentum":
        base = keys[doc["train"]["optimizer"]]
        for value in doc["vary"]["values"]:
            matching = [k for k, o in keys.items() if o["class_name"] == base["class_name"]
                        and abs(o["config"]["momentum"] - value) < 1e-9]
            assert matching, f"no {base['class_name']} with momentum {value}"
    if doc.get("vary", {}).get("parameter") == "optimizer":
        assert set(doc["vary"]["values"]) <= set(keys)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_settings_are_the_articles(name):
    doc = load(EXPERIMENTS / f"{name}.json")
    parameter, values = EXPECTED[name]
    train = doc["train"]
    if name.startswith("seed004"):
        # fit(trainX, trainy, validation_data=(testX, testy), epochs=200): batch 32, shuffled.
        assert (train["epochs"], train["batch-size"]) == (200, 32)
        assert "validation-split" not in train
        assert train.get("shuffle", True) and not train.get("drop-remainder", False)
    else:
        # batch_size = 250, no_epochs = 25, validation_split = 0.2, Adam.
        assert (train["epochs"], train["batch-size"], train["validation-split"]) == (25, 250, 0.2)
        assert train["optimizer"] == "adam"
        assert doc["data"].endswith("mnist_cnn.npz")
    if parameter == "runs":
        assert [r["label"] for r in doc["runs"] if r["label"] in values] == values
    else:
        assert doc["vary"]["parameter"] == parameter
        assert doc["vary"]["values"] == pytest.approx(values, rel=1e-12)
    if name == "seed004-patience":
        plateau = spec_keys(train["plateau"])
        assert spec_name(train["plateau"]) == "plateau"
        assert plateau["monitor"] == "val_loss"
        assert float(plateau["factor"]) == 0.1 and float(plateau["min_delta"]) == 1e-7
    if name in ("seed004-momentum", "seed004-decay", "seed004-patience"):
        assert train["schedule"] == "constant:lr=0.01" and train["optimizer"] == "sgd"
    if name == "seed003-decay":
        runs = {r["label"]: spec_keys(r["schedule"]) for r in doc["runs"]}
        assert float(runs["linear"]["lr"]) + float(runs["linear"]["delta"]) == pytest.approx(1e-3)
        assert float(runs["linear"]["delta"]) == 1e-5
        assert runs["step"] == {"lr": "0.001", "drop": "0.5", "every": "15"}
        assert float(runs["time"]["decay"]) == 1.5e-6 and runs["time"]["per"] == "epoch"
        assert float(runs["exponential"]["lr"]) == 1e-3


def test_mnist_cnn_dropout_is_seed_003s_model():
    import keras

    model = keras.models.load_model(SAVEDMODELS / "sources" / "mnist_cnn_dropout.keras")
    layers = [(type(layer).__name__, layer.get_config()) for layer in model.layers]
    kinds = [kind for kind, _ in layers]
    assert kinds == ["Rescaling", "Conv2D", "MaxPooling2D", "Dropout", "Conv2D", "MaxPooling2D",
                     "Dropout", "Flatten", "Dense", "Dense"]
    conv = [c for k, c in layers if k == "Conv2D"]
    assert [(c["filters"], tuple(c["kernel_size"]), c["activation"]) for c in conv] == [
        (32, (3, 3), "relu"), (64, (3, 3), "relu")]
    assert [c["rate"] for k, c in layers if k == "Dropout"] == [0.25, 0.25]
    dense = [(c["units"], c["activation"]) for k, c in layers if k == "Dense"]
    assert dense == [(256, "relu"), (10, "softmax")]
    assert model.count_params() == metadata(SAVEDMODELS / "mnist_cnn_dropout")["parameter_count"]
    adam = optimizers(SAVEDMODELS / "mnist_cnn_dropout")["adam"]
    assert adam["class_name"] == "Adam"
    assert adam["initial_learning_rate"] == pytest.approx(1e-3, rel=1e-6)


def test_seed_models_share_data_instead_of_copying_it():
    for name, shared in (("mnist_cnn_dropout", "mnist_cnn"), ("blobs_mlp_momentum", "blobs_mlp")):
        link = SAVEDMODELS / f"{name}.npz"
        assert link.is_symlink() and link.resolve() == (SAVEDMODELS / f"{shared}.npz").resolve()


def test_blobs_mlp_momentum_starts_from_blobs_mlps_weights():
    import tensorflow as tf

    def weights(name):
        reader = tf.train.load_checkpoint(str(SAVEDMODELS / name / "variables" / "variables"))
        return [reader.get_tensor(key) for key, shape in reader.get_variable_to_shape_map().items()
                if tuple(shape) in {(2, 50), (50,), (50, 3), (3,)}]

    source = weights("blobs_mlp")
    exported = weights("blobs_mlp_momentum")
    layer_weights = [w for w in exported if np.any(w != 0)]  # biases start at 0
    assert len(layer_weights) == 2  # the two kernels
    for w in exported:
        assert any(s.shape == w.shape and np.array_equal(s, w) for s in source), w.shape
    sgds = {k: o["config"]["momentum"] for k, o in optimizers(SAVEDMODELS / "blobs_mlp_momentum")
            .items() if o["class_name"] == "SGD"}
    assert sgds == {"sgd": 0.0, "sgd_m05": 0.5, "sgd_m09": 0.9, "sgd_m099": 0.99}
    rates = [o["initial_learning_rate"] for o in
             optimizers(SAVEDMODELS / "blobs_mlp_momentum").values()]
    assert rates == pytest.approx([0.01] * 4, rel=1e-6)  # stored as float32
