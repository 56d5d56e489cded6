"""``scripts/lrfinder``'s class-data archive (target/lrfinder.jsa): recorded by the first ``find``
after a build, checked and put in place by the next run, remade when stale, and never visible:
``--json`` output stays pure JSON and stderr carries no JVM line, whether the archive is being
recorded, used, stale or a damaged leftover; results are the same with and without it.
Runs after ``mvn package`` (scripts/test), so the launcher finds target/lrfinder.jar built.
"""
from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "scripts" / "lrfinder"
ARCHIVE = ROOT / "target" / "lrfinder.jsa"
MODEL = ROOT / "savedmodels" / "blobs_mlp"


def find(out: Path) -> dict:
    """Runs find from ``out``'s parent, which must be left with nothing but ``out``."""
    done = subprocess.run([str(LAUNCHER), "find", str(MODEL), "--steps", "12", "--json",
                           "--out", str(out)], capture_output=True, text=True, timeout=300,
                          cwd=out.parent)
    assert sorted(p.name for p in out.parent.iterdir()
                  if p.name not in ("recording", "using", "damaged", "stale", "renewed")) == []
    assert done.returncode == 0, done.stderr
    assert not [line for line in done.stderr.splitlines()
                if "cds" in line.lower() or "warning]" in line or "Aborted" in line], done.stderr
    return json.loads(done.stdout)


def recordings() -> list[Path]:
    return sorted(ARCHIVE.parent.glob(ARCHIVE.name + ".*.tmp"))


def curves(result: dict) -> list:
    return [(o["optimizer"], o["lr"], o["loss"]) for o in result["optimizers"]]


def dead_pid() -> int:
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def test_archive_is_recorded_checked_used_and_remade(tmp_path):
    for path in [ARCHIVE, *recordings()]:
        path.unlink()

    first = find(tmp_path / "recording")
    assert not ARCHIVE.exists() and len(recordings()) == 1  # written at the recording run's exit

    second = find(tmp_path / "using")
    assert ARCHIVE.stat().st_size > 1_000_000 and recordings() == []
    assert curves(second) == curves(first)  # same run on the same machine: bit for bit

    # a damaged leftover of a run that died while writing is checked and dropped, silently (the
    # checking JVM dies of SIGBUS on a truncated file: no crash report in the working directory)
    damaged = ARCHIVE.parent / f"{ARCHIVE.name}.{dead_pid()}.tmp"
    whole = ARCHIVE.read_bytes()
    ARCHIVE.unlink()
    damaged.write_bytes(whole[: len(whole) // 3])
    find(tmp_path / "damaged")
    assert not damaged.exists()

    # a jar newer than the archive: the archive is ignored and recorded anew
    ARCHIVE.write_bytes(whole)
    os.utime(ROOT / "target" / "lrfinder.jar")
    stale = find(tmp_path / "stale")
    assert curves(stale) == curves(first)
    assert len(recordings()) == 1
    find(tmp_path / "renewed")
    assert recordings() == [] and ARCHIVE.stat().st_mtime >= (ROOT / "target" / "lrfinder.jar").stat().st_mtime
