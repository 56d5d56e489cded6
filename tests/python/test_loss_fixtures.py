"""The loss/metric fixture: a deterministic generator within rounding of the committed file.

``src/test/resources/fixtures/losses.json`` drives dev.lrfinder.direct's LossFixturesTest (which,
with the venv, also compares with a live run). Here it is regenerated from tf_keras in memory: two
runs must give the same bits on this machine, and the regenerated numbers must be within
TOLERANCE of the committed file, which was made on another CPU (``made_on`` says which). Each
value is one forward pass over 8 rows (softmax, sigmoid, log, a mean), where another machine's
vectorized exp and log may differ by an ulp or two; 1e-6 is about 8 float32 ulps.
"""
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "fixtures"))

import make_loss_fixtures as fixtures  # noqa: E402

TOLERANCE = 1e-6  # relative; LossFixturesTest holds Java to the same


def regenerate() -> dict:
    return json.loads(json.dumps(fixtures.all_fixtures()))


def test_two_runs_are_bit_equal():
    assert regenerate() == regenerate()


def test_regenerated_fixture_is_within_rounding_of_committed(capsys):
    committed = json.loads(fixtures.DEFAULT_OUT.read_text())
    fresh = regenerate()
    assert committed["made_on"]["cpu"]["kernel_flags"], "the committed file says where it was made"
    assert [c["name"] for c in fresh["cases"]] == [c["name"] for c in committed["cases"]]
    worst = 0.0
    for got, want in zip(fresh["cases"], committed["cases"]):
        name = got["name"]
        floats = ("input", "labels", "expected")
        assert {k: v for k, v in got.items() if k not in floats} == \
            {k: v for k, v in want.items() if k not in floats}, name
        np.testing.assert_allclose(got["input"], want["input"], rtol=TOLERANCE, err_msg=name)
        np.testing.assert_allclose(got["labels"], want["labels"], rtol=TOLERANCE, err_msg=name)
        assert got["expected"].keys() == want["expected"].keys(), name
        for key, value in want["expected"].items():
            fresh_value = got["expected"][key]
            rel = 0.0 if fresh_value == value else abs(fresh_value - value) / abs(value)
            assert rel <= TOLERANCE, f"{name} {key}: {fresh_value} vs committed {value}"
            worst = max(worst, rel)
    with capsys.disabled():  # shown in scripts/test's quiet output too
        print(f"\nregenerated vs committed losses: {worst:.2e}")


def test_logits_shortcut_cases_have_a_confidently_wrong_row():
    """The Java test relies on it to tell the logits path from the clipped one."""
    for name, (activation, *_) in fixtures.CASES.items():
        if activation != "linear":
            x, _ = fixtures.inputs(name)
            assert abs(x[-1]).max() > 39.9, name
