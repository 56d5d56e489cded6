"""Tests of tools/compat/compat_matrix.py: data synthesized from inspect's specs (contract v1 and v2),
extraction from a git mirror, and one run of the matrix on two tiny models built here (a Keras 3
.keras file and a tf_keras SavedModel), skipped when the jar cannot be built."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import numpy as np
import pytest

import compat_matrix as matrix

REPO = Path(__file__).resolve().parents[2]

V1 = {"input": {"name": "x", "dtype": "INT32", "shape": [-1, 5]},
      "label": {"name": "y", "dtype": "INT32", "shape": [-1],
                "values": {"kind": "CLASS_IDS", "classes": 4, "loss": "sparse_categorical_crossentropy"}},
      "loss": "sparse_categorical_crossentropy"}
V2 = {"inputs": [{"name": "x_user_id", "key": "user_id", "dtype": "int32", "shape": [None, 1]},
                 {"name": "x_city", "key": "city", "dtype": "string", "shape": [None, 1]},
                 {"name": "x_seq", "key": "seq", "dtype": "float32", "shape": [None, None, 3]}],
      "outputs": [{"key": "age", "shape": [None, 1], "loss": {"name": "mean_squared_error"},
                   "label": {"name": "y_age", "dtype": "float32", "shape": [None, 1]}},
                  {"key": "kind", "shape": [-1, 6], "loss": "categorical_crossentropy",  # as Java
                   "label": {"name": "y_kind", "key": "kind", "dtype": "FLOAT32", "shape": [-1, 6],
                             "values": {"kind": "PROBABILITIES", "classes": 6}}},
                  {"key": "gender", "shape": [None, 1], "loss": {"name": "binary_crossentropy"},
                   "label": {"name": "y_gender", "dtype": "float32", "shape": [None, 1]}}]}


def test_v1_specs_give_class_ids_and_embedding_ids(tmp_path):
    shapes = matrix.synthesize(V1, '{"input_dim": 7}', tmp_path / "d.npz")
    data = np.load(tmp_path / "d.npz")
    assert set(data.files) == {"x_train", "y_train"} and shapes["x_train"].startswith("[256, 5]")
    assert data["x_train"].dtype == np.int32 and 0 <= data["x_train"].min() and data["x_train"].max() < 7
    assert data["y_train"].shape == (256,) and set(np.unique(data["y_train"])) <= set(range(4))


def test_v2_specs_give_one_array_per_input_and_output(tmp_path):
    matrix.synthesize(V2, "", tmp_path / "d.npz")
    data = np.load(tmp_path / "d.npz")
    assert set(data.files) == {"x_user_id", "x_city", "x_seq", "y_age", "y_kind", "y_gender"}
    assert data["x_user_id"].max() < 10 and data["x_city"].dtype.kind == "U"
    assert data["x_seq"].shape == (256, matrix.UNKNOWN_DIM, 3)
    assert np.array_equal(data["y_kind"].sum(axis=1), np.ones(256))  # one-hot rows
    assert set(np.unique(data["y_gender"])) <= {0.0, 1.0} and data["y_age"].shape == (256, 1)


def test_open_feature_size_is_read_from_the_first_built_layer():
    config = ('"build_input_shape": {"class_name": "TensorShape", "items": [null, null]} '
              '"build_input_shape": {"class_name": "TensorShape", "items": [null, 9]}')
    assert matrix.known_shape(config, [-1, -1]) == [-1, 9]
    assert matrix.known_shape(config, [-1, 4]) == [-1, 4]


def test_extract_takes_the_model_from_a_git_mirror_at_its_commit(tmp_path):
    work = tmp_path / "src"
    (work / "sub" / "sm" / "variables").mkdir(parents=True)
    (work / "model.h5").write_bytes(b"h5 bytes")
    (work / "sub" / "sm" / "saved_model.pb").write_bytes(b"pb")
    (work / "sub" / "sm" / "variables" / "variables.index").write_bytes(b"ix")
    (work / "sub" / "sm" / "notes.txt").write_text("not part of a SavedModel")
    git = ["git", "-C", str(work), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(work)], check=True)
    subprocess.run(git + ["add", "."], check=True)
    subprocess.run(git + ["commit", "-q", "-m", "m"], check=True)
    commit = subprocess.run(git + ["rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()
    mirrors = tmp_path / "mirrors"
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(mirrors / "o+r" / "repo")], check=True)
    (work / "model.h5").write_bytes(b"changed later")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    h5 = {"id": "a", "repo": "o/r", "commit": commit, "path": "model.h5", "format": "h5", "bytes": 8}
    sm = {"id": "b", "repo": "o/r", "commit": commit, "path": "sub/sm", "format": "savedmodel"}
    assert matrix.extract(h5, corpus, mirrors) == "extracted 8 bytes"
    assert (corpus / "a" / "model.h5").read_bytes() == b"h5 bytes"
    assert matrix.extract(sm, corpus, mirrors).startswith("extracted")
    assert sorted(p.name for p in (corpus / "b" / "sm").rglob("*") if p.is_file()) == [
        "saved_model.pb", "variables.index"]
    assert matrix.extract(h5, corpus, mirrors) == "present"
    assert matrix.extract({**h5, "id": "c", "repo": "o/missing"}, corpus, mirrors).startswith("no mirror")


@pytest.fixture(scope="module")
def jar():
    try:
        done = subprocess.run([str(REPO / "scripts" / "lrfinder"), "--help"], capture_output=True,
                              text=True, timeout=900)
    except (OSError, subprocess.TimeoutExpired) as problem:
        pytest.skip(f"lrfinder cannot run: {problem}")
    if done.returncode != 0:
        pytest.skip(f"the jar cannot be built: {done.stderr.strip()[-200:]}")


def build_models(corpus: Path) -> list[dict]:
    """A Keras 3 .keras MLP and the same kind of MLP as a tf_keras SavedModel, both compiled."""
    import keras
    import tf_keras

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(64, 4)).astype("float32"), rng.integers(0, 3, size=64)
    k3 = keras.Sequential([keras.Input(shape=(4,)), keras.layers.Dense(8, activation="relu"),
                           keras.layers.Dense(3, activation="softmax")])
    k3.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    (corpus / "k3").mkdir()
    k3.save(corpus / "k3" / "tiny.keras")
    k2 = tf_keras.Sequential([tf_keras.layers.Dense(8, activation="relu", input_shape=(4,)),
                              tf_keras.layers.Dense(1)])
    k2.compile(optimizer="sgd", loss="mse")
    k2.fit(x, y.astype("float32"), epochs=1, verbose=0)
    k2.save(str(corpus / "k2" / "tiny_sm"), save_format="tf")
    return [{"id": "k3", "repo": "local/k3", "commit": "0" * 40, "path": "tiny.keras",
             "format": "keras", "tests": "Keras 3 MLP", "file": "k3/tiny.keras"},
            {"id": "k2", "repo": "local/k2", "commit": "0" * 40, "path": "tiny_sm",
             "format": "savedmodel", "tests": "tf_keras MLP", "file": "k2/tiny_sm"}]


def test_matrix_runs_both_paths_and_writes_results_and_table(jar, tmp_path, capsys):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    manifest = tmp_path / "manifest.json"
    manifest.write_text(json.dumps({"models": build_models(corpus)}))
    out = tmp_path / "results.json"
    assert matrix.main([str(corpus), "--manifest", str(manifest), "--out", str(out),
                        "--markdown", "--timeout", "300"]) == 0
    results = {r["id"]: r for r in json.loads(out.read_text())["results"]}
    assert results["k3"]["exported"]["status"] == "ok", results["k3"]["exported"]
    assert [s["step"] for s in results["k3"]["exported"]["steps"]] == ["export", "inspect", "find"]
    assert "direct" not in results["k3"]
    assert results["k2"]["direct"]["status"] == "ok", results["k2"]["direct"]
    assert results["k2"]["exported"]["status"] in ("ok", "refused", "failed")
    for path in (results["k3"]["exported"], results["k2"]["direct"]):
        assert all(s["rc"] == 0 and s["seconds"] > 0 for s in path["steps"])
    counts = json.loads(out.read_text())["counts"]
    assert counts["all"]["models"] == 2 and counts["savedmodel"]["direct"] == {"ok": 1}
    table = capsys.readouterr().out
    assert "| k3 |" in table and "| k2 |" in table and "| all | 2 |" in table


def test_open_label_dimensions_follow_the_input(tmp_path):
    contract = {"input": {"name": "x", "dtype": "FLOAT32", "shape": [-1, 28, 28, 1]},
                "label": {"name": "y", "dtype": "FLOAT32", "shape": [-1, -1, -1, 1],
                          "values": {"kind": "PROBABILITIES", "classes": 1, "loss": "binary_crossentropy"}}}
    matrix.synthesize(contract, "", tmp_path / "d.npz")
    assert np.load(tmp_path / "d.npz")["y_train"].shape == (256, 28, 28, 1)


def test_extract_names_what_the_mirror_lacks(tmp_path):
    mirrors = tmp_path / "mirrors"
    subprocess.run(["git", "init", "-q", "--bare", str(mirrors / "o+r" / "repo")], check=True)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    model = {"id": "a", "repo": "o/r", "commit": "1" * 40, "path": "m", "format": "savedmodel"}
    assert matrix.extract(model, corpus, mirrors) == f"not in the mirror: commit {'1' * 40}"
    assert not (corpus / "a").exists()
