"""JSON helpers shared by the fixture generators (make_*_fixtures.py)."""
from __future__ import annotations

import numpy as np


def plain(value):
    """numpy scalars -> JSON numbers, recursively through dicts, lists and tuples."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
