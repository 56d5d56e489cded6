"""The committed keras_metadata.pb fixtures are what tf_keras writes today, byte for byte.

Bytes hold across machines here: the files are the models' configuration (layers, loss,
optimizer settings as typed), with no number that a CPU computed.
"""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "fixtures"))

import make_metadata_fixtures as fixtures  # noqa: E402


def test_regenerated_metadata_equals_committed(tmp_path):
    written = fixtures.write_all(tmp_path)
    assert sorted(p.name for p in fixtures.DEFAULT_OUT.glob("*.pb")) == sorted(
        p.name for p in written)
    for path in written:
        assert path.read_bytes() == (fixtures.DEFAULT_OUT / path.name).read_bytes(), path.name
