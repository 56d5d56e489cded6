"""The optimizer fixtures: a deterministic generator within rounding of the committed files, and
Keras 3 agreeing with tf_keras.

``src/test/resources/fixtures/optimizers/*.json`` drive dev.lrfinder.optim's KerasFixturesTest
(which, with the venv, also compares with a live run). Here the generator must give the same bits
twice on this machine, and its numbers must be within TOLERANCE of the committed files, which were
made on another CPU (``made_on`` says which): fixed gradients and elementwise float32 math, so
machines differ only where a kernel rounds differently (rsqrt, pow), an ulp or two per step, 8
steps. Keras 3.8 is then run on the same problem: it gives the same trajectories as tf_keras on
this machine bit for bit, except RMSprop, which Keras 3 computes as ``lr * g / sqrt(denominator)``
where tf_keras computes ``lr * g * rsqrt(denominator)``; those differ in the last bits only
(within 1e-6 of the variable's largest magnitude).
"""
import json
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "fixtures"))

import make_optimizer_fixtures as fixtures  # noqa: E402

COMMITTED = ROOT / "src/test/resources/fixtures/optimizers"
# Relative to the largest magnitude of each variable (and of each gradient, initial value list).
TOLERANCE = 1e-6
# Keras 3 rounds differently from tf_keras here (sqrt-divide vs rsqrt-multiply); elsewhere exact.
KERAS3_NOT_BITWISE = {"rmsprop", "rmsprop_centered_momentum"}


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("optimizer_fixtures")
    fixtures.write_all(out)
    return out


def load(directory: Path, name: str) -> dict:
    return json.loads((directory / f"{name}.json").read_text())


def test_every_case_is_committed():
    assert sorted(p.stem for p in COMMITTED.glob("*.json")) == sorted(fixtures.CASES)


@pytest.mark.parametrize("name", sorted(fixtures.CASES))
def test_two_runs_are_bit_equal(regenerated, tmp_path, name):
    (tmp_path / f"{name}.json").write_text(json.dumps(fixtures.fixture(name), indent=1) + "\n")
    assert (tmp_path / f"{name}.json").read_bytes() == (regenerated / f"{name}.json").read_bytes()


def _close(got: list, want: list, what: str) -> float:
    """Asserts got is within TOLERANCE of want relative to want's largest magnitude; returns it."""
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    assert got.shape == want.shape, what
    diff = float(np.max(np.abs(got - want)))
    rel = 0.0 if diff == 0 else diff / float(np.max(np.abs(want)))
    assert rel <= TOLERANCE, f"{what}: differs by {rel:.2e} of its largest magnitude"
    return rel


@pytest.mark.parametrize("name", sorted(fixtures.CASES))
def test_regenerated_fixture_is_within_rounding_of_committed(regenerated, name, capsys):
    fresh, committed = load(regenerated, name), load(COMMITTED, name)
    assert committed["made_on"]["cpu"]["kernel_flags"], "the committed file says where it was made"
    numbers = ("variables", "learning_rates", "gradients", "trajectory", "made_on")
    assert {k: v for k, v in fresh.items() if k not in numbers} == \
        {k: v for k, v in committed.items() if k not in numbers}
    assert [(v["name"], v["shape"]) for v in fresh["variables"]] == \
        [(v["name"], v["shape"]) for v in committed["variables"]]
    worst = 0.0
    for got, want in zip(fresh["variables"], committed["variables"]):
        worst = max(worst, _close(got["initial"], want["initial"], f"{name} initial {got['name']}"))
    worst = max(worst, _close(fresh["learning_rates"], committed["learning_rates"], "rates"))
    for step in range(fixtures.STEPS):
        for i, var in enumerate(fixtures.SHAPES):
            for key in ("gradients", "trajectory"):
                worst = max(worst, _close(fresh[key][step][i], committed[key][step][i],
                                          f"{name} {key} step {step + 1} {var}"))
    with capsys.disabled():  # shown in scripts/test's quiet output too
        print(f"\nregenerated vs committed optimizer {name}: {worst:.2e}")


# Keras 3 has no legacy (optimizer_v2) optimizers to compare with.
@pytest.mark.parametrize("name", sorted(n for n, (c, _) in fixtures.CASES.items()
                                        if not c.startswith("legacy.")))
def test_keras3_gives_the_same_trajectory(regenerated, name):
    reference = load(regenerated, name)  # tf_keras on this machine
    class_name, kwargs = fixtures.CASES[name]
    keras3 = fixtures.keras3_trajectory(class_name, kwargs)
    names = [v["name"] for v in reference["variables"]]
    unequal = 0
    for step, values in enumerate(keras3):
        for i, var in enumerate(names):
            want = np.asarray(reference["trajectory"][step][i], np.float32)
            got = values[var].reshape(-1)
            unequal += int(np.sum(got != want))
            scale = float(np.max(np.abs(want)))
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-6 * scale,
                                       err_msg=f"{name} step {step + 1} {var}")
    if name in KERAS3_NOT_BITWISE:
        assert unequal > 0, f"{name}: Keras 3 now equals tf_keras bitwise; update the docs"
    else:
        assert unequal == 0, f"{name}: {unequal} values differ from tf_keras"
