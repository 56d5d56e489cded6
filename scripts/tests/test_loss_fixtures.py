"""The golden loss/metric fixture is tf_keras's current output.

``src/test/resources/fixtures/losses.json`` drives dev.lrfinder.direct's LossFixturesTest. Here it
is regenerated from tf_keras in memory and must equal the committed file exactly, so it cannot
drift from Keras silently.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import make_loss_fixtures as fixtures  # noqa: E402


def test_regenerated_fixture_equals_committed():
    committed = json.loads(fixtures.DEFAULT_OUT.read_text())
    fresh = json.loads(json.dumps(fixtures.all_fixtures()))
    assert [c["name"] for c in fresh["cases"]] == [c["name"] for c in committed["cases"]]
    for got, want in zip(fresh["cases"], committed["cases"]):
        assert got == want, got["name"]
    assert fresh == committed


def test_logits_shortcut_cases_have_a_confidently_wrong_row():
    """The Java test relies on it to tell the logits path from the clipped one."""
    for name, (activation, *_) in fixtures.CASES.items():
        if activation != "linear":
            x, _ = fixtures.inputs(name)
            assert abs(x[-1]).max() > 39.9, name
