#!/usr/bin/env python3
"""Build every compatibility fixture (scripts/make_compat_fixtures.py) and export each with
scripts/export.py, as a user would, for the Java tests (dev.lrfinder.cli.CompatFixturesTest).

Writes OUT_DIR/fixtures/ (the Keras files and their data), OUT_DIR/exports/<name>/ (the exported
SavedModels) and OUT_DIR/exports.json: one entry per fixture with its name, export directory,
data file, the number of outputs of the export and what it tests. One process for all: importing
TensorFlow once keeps the whole build near a minute on two cores.

Usage: export_compat_fixtures.py OUT_DIR
"""
from __future__ import annotations

import contextlib
import io
import json
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import export  # noqa: E402
import make_compat_fixtures  # noqa: E402


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1:
        print("usage: export_compat_fixtures.py OUT_DIR", file=sys.stderr)
        return 2
    out = Path(argv[0])
    started = time.perf_counter()
    fixtures = out / "fixtures"
    manifest = make_compat_fixtures.build(fixtures)
    entries = []
    for entry in manifest:
        target = out / "exports" / entry["name"]
        args = [str(fixtures / a) if a.endswith(".py") else a for a in entry["export_args"]]
        printed = io.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(printed), \
                contextlib.redirect_stderr(printed):
            warnings.simplefilter("ignore")
            code = export.main([str(fixtures / entry["path"]), "--out", str(target), *args])
        if code != 0:
            print(f"export_compat_fixtures: {entry['name']} did not export:\n{printed.getvalue()}",
                  file=sys.stderr)
            return 1
        metadata = json.loads((target / "assets" / export.METADATA_FILE).read_text())
        entries.append({"name": entry["name"], "export": str(target.relative_to(out)),
                        "data": str((fixtures / entry["data"]).relative_to(out)),
                        "outputs": len(metadata["outputs"]), "notes": metadata.get("notes", []),
                        "tests": entry["tests"]})
    (out / "exports.json").write_text(json.dumps(entries, indent=2) + "\n")
    print(f"exported {len(entries)} fixtures into {out} in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
