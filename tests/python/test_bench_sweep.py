"""The sweep benchmark's pieces work: tools/bench/bench_sweep.py runs seed 004's rate study,
shortened (2 rates, 1 epoch), on both sides, and its own checks pass: lrfinder's sweep.json
holds every epoch with a validation loss over the 500 test rows, and Keras's fit (counted in the
warm-up) runs 16 steps and one validation pass of 16 batches an epoch, so both sides time the
same work. No timing is asserted."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_sweep_benchmark_runs_the_same_work_on_both_sides(tmp_path):
    out = tmp_path / "bench.json"
    done = subprocess.run([sys.executable, str(ROOT / "tools" / "bench" / "bench_sweep.py"),
                           "--rounds", "1", "--epochs", "1", "--rates", "1,0.1", "--json", str(out)],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "2"})
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert figures["steps"] == 2 * 1 * 16
    (lab,), (keras,) = figures["sides"]["A"], figures["sides"]["B"]
    assert lab["steps"] == {"lr=1": 16, "lr=0.1": 16}
    assert lab["validations"] == {"lr=1": 1, "lr=0.1": 1}
    assert keras["validations"] == {"lr=1": 1, "lr=0.1": 1}
    assert set(lab["final"]) == set(keras["final"]) == {"lr=1", "lr=0.1"}
    for side in (lab, keras):
        assert side["seconds"] > side["training_seconds"] > 0
    assert "B/A wall" in done.stdout
