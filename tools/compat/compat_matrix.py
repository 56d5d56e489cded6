#!/usr/bin/env python3
"""The compatibility matrix: run public Keras models through lrfinder as a new user would.

For each model of the manifest (tools/compat/compat_corpus.json: references only, no model bytes):
  exported path  scripts/export.py MODEL --out T/exported, then lrfinder inspect --json and find;
  direct path    (Keras 2 SavedModels only) lrfinder inspect DIR --json and find DIR.
The data for `find` is synthesized from the model's own specs as `inspect --json` reports them
(contract v1 `input`/`label`, or v2 `inputs`/`outputs`). Each command runs with a timeout; each
path ends `ok` (every command exited 0), `refused` (exit 2: a stated refusal), `unsafe` (refused
by the op scan) or `failed` (anything else: exit 1, a crash, a timeout).

  .venv/bin/python tools/compat/compat_matrix.py /work/corpus --fetch      # extract from /work/.mirror
  .venv/bin/python tools/compat/compat_matrix.py /work/corpus --markdown > matrix.md

--fetch extracts each model from the bare git mirrors that the `fetch` tool leaves in
/work/.mirror (`git show COMMIT:PATH`); a missing mirror is named with the fetch to run.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
PYTHON = REPO / ".venv" / "bin" / "python"
LRFINDER = REPO / "scripts" / "lrfinder"
ROWS = 256          # rows of synthesized data (find draws 30 batches of 64 from them, reshuffled)
UNKNOWN_DIM = 10    # the size given to a non-batch dimension the model leaves open (sequences)
WORDS = np.array(["cat", "dog", "red", "blue", "yes", "no", "small", "large"])
SAVEDMODEL_PARTS = ("saved_model.pb", "keras_metadata.pb", "fingerprint.pb")


# --------------------------------------------------------------------------- the corpus on disk

def local_path(corpus: Path, model: dict) -> Path:
    """Where a model lives in the corpus folder: <id>/<its own file or directory name>."""
    if "file" in model:
        return corpus / model["file"]
    name = Path(model["path"]).name if model["path"] not in (".", "") else model["repo"].split("/")[1]
    return corpus / model["id"] / name


def git_dir(mirrors: Path, repo: str) -> Path | None:
    base = mirrors / repo.replace("/", "+") / "repo"
    for candidate in (base / ".git", base):
        if (candidate / "HEAD").is_file():
            return candidate
    return None


def extract(model: dict, corpus: Path, mirrors: Path) -> str:
    """Writes the model's files from its mirror; returns what happened, in words."""
    target = local_path(corpus, model)
    if target.exists():
        return "present"
    gd = git_dir(mirrors, model["repo"])
    if gd is None:
        return f"no mirror: call the fetch tool with github:{model['repo']}, then rerun --fetch"
    git = ["git", "--git-dir", str(gd)]
    commit, path = model["commit"], model["path"]
    prefix = "" if path in (".", "") else path.rstrip("/") + "/"
    if model["format"] == "savedmodel":
        listing = subprocess.run(git + ["ls-tree", "-r", "-z", commit, "--", prefix or "."],
                                 capture_output=True)
        if listing.returncode != 0:
            return f"not in the mirror: commit {commit}"
        wanted = [line.split("\t", 1)[1] for line in listing.stdout.decode().split("\0")
                  if "\t" in line]
        wanted = [p for p in wanted if p[len(prefix):] in SAVEDMODEL_PARTS
                  or p[len(prefix):].startswith(("variables/", "assets/"))]
    else:
        wanted = [path]
    staging = Path(tempfile.mkdtemp(dir=corpus, prefix=".extract-"))
    try:
        for member in wanted:
            blob = subprocess.run(git + ["show", f"{commit}:{member}"], capture_output=True)
            if blob.returncode != 0:
                return f"not in the mirror: {member} at {commit}"
            relative = member[len(prefix):] if model["format"] == "savedmodel" else Path(member).name
            dest = staging / relative
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(blob.stdout)
        size = model_bytes(staging)
        if model.get("bytes") and size != model["bytes"]:  # a Git LFS pointer, another version
            return f"size mismatch: {size} bytes, the manifest says {model['bytes']}"
        target.parent.mkdir(parents=True, exist_ok=True)
        if model["format"] == "savedmodel":
            staging.rename(target)
        else:
            (staging / Path(path).name).rename(target)
        return f"extracted {size} bytes"
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def model_bytes(path: Path) -> int:
    return path.stat().st_size if path.is_file() else sum(
        f.stat().st_size for f in path.rglob("*") if f.is_file())


# --------------------------------------------------------------------------- synthesized data

def config_text(path: Path) -> str:
    """The model's saved Keras config as text, for what inspect does not say (Embedding sizes)."""
    try:
        if path.is_dir():
            return (path / "keras_metadata.pb").read_bytes().decode("latin-1")
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                return archive.read("config.json").decode()
        import h5py
        with h5py.File(path, "r") as f:
            config = f.attrs.get("model_config", "")
            return config.decode() if isinstance(config, bytes) else str(config)
    except (OSError, KeyError, ValueError):
        return ""


def smallest_vocabulary(text: str) -> int | None:
    sizes = [int(v) for v in re.findall(r'"input_dim":\s*(\d+)', text)]
    return min(sizes) if sizes else None


def known_shape(text: str, shape: list) -> list:
    """An input shape with open feature sizes filled from the first layer built on a known shape
    of the same rank (a Normalization saved with an unknown feature size: its Dense knows it)."""
    if all(d and d > 0 for d in shape[1:]):
        return shape
    built = r'"build_input_shape": \{"class_name": "TensorShape", "items": \[([^\]]*)\]'
    for items in re.findall(built, text):
        dims = [None if d.strip() == "null" else int(d) for d in items.split(",")]
        fits = all(a in (None, -1) or a == b for a, b in zip(shape[1:], dims[1:]))
        if len(dims) == len(shape) and fits and None not in dims[1:]:
            return [shape[0], *dims[1:]]
    return shape


def field(obj: dict, *names, default=None):
    """The first of several spellings (camelCase from Java, snake_case from the contract)."""
    for name in names:
        if isinstance(obj, dict) and obj.get(name) is not None:
            return obj[name]
    return default


def specs(contract: dict) -> tuple[list[dict], list[dict]]:
    """(inputs, outputs) as {key, dtype, shape} and {key, dtype, shape, loss, classes}."""
    raw_inputs = field(contract, "inputs") or [field(contract, "input", default={})]
    inputs = []
    for spec in raw_inputs:
        name = field(spec, "name", default="x")
        inputs.append({"key": field(spec, "key", default=re.sub(r"^x_", "", name)),
                       "dtype": str(field(spec, "dtype", default="float32")).lower(),
                       "shape": field(spec, "shape", default=[-1])})
    raw_outputs = field(contract, "outputs") or [{"label": field(contract, "label", default={}),
                                                  "loss": field(contract, "loss")}]
    outputs = []
    for spec in raw_outputs:
        label = field(spec, "label", default=spec)
        values = field(label, "values", default={})
        loss = field(spec, "loss", default="")
        loss = field(loss, "name", default="") if isinstance(loss, dict) else loss
        loss = loss or field(values, "loss", default="") or field(contract, "loss", default="")
        shape = field(spec, "shape", "outputShape", "output_shape") or field(label, "shape")
        classes = field(values, "classes", default=-1)
        if classes is None or classes < 1:
            classes = shape[-1] if shape and shape[-1] and shape[-1] > 0 else 2
        name = field(label, "name", default="y")
        outputs.append({"key": field(spec, "key", default=re.sub(r"^y_", "", name)),
                        "dtype": str(field(label, "dtype", default="float32")).lower(),
                        "shape": field(label, "shape", default=[-1]), "loss": str(loss).lower(),
                        "kind": str(field(values, "kind", default="")).upper(), "classes": classes})
    return inputs, outputs


def concrete(shape, rows: int) -> tuple[int, ...]:
    return tuple(rows if i == 0 else (d if d and d > 0 else UNKNOWN_DIM) for i, d in enumerate(shape))


def make_input(spec: dict, rows: int, vocabulary: int | None, rng) -> np.ndarray:
    shape = concrete(spec["shape"], rows)
    dtype = spec["dtype"]
    if dtype in ("string", "str", "tf_string"):
        return rng.choice(WORDS, size=shape)
    if dtype == "bool":
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.startswith(("int", "uint")) or vocabulary is not None:
        # Embedding ids; tf.keras text models often take them as float32 inputs.
        high = min(vocabulary or 10, 10)
        return rng.integers(0, high, size=shape).astype(
            dtype if dtype.startswith(("int", "uint", "float")) else "float32")
    return rng.normal(size=shape).astype(dtype if dtype.startswith("float") else "float32")


def make_label(spec: dict, rows: int, like: tuple, rng) -> np.ndarray:
    """Labels valid for the loss; an open label dimension takes the size of the input's dimension
    at the same place (an autoencoder's image, a sequence's length), else UNKNOWN_DIM."""
    shape = list(concrete(spec["shape"], rows))
    for i, declared in enumerate(spec["shape"][1:len(like)], start=1):
        if not declared or declared < 0:
            shape[i] = like[i]
    shape = tuple(shape)
    loss, classes = spec["loss"], int(spec["classes"])
    if "sparse" in loss or spec["kind"] == "CLASS_IDS":
        return rng.integers(0, classes, size=shape).astype("int32")
    if "categorical" in loss:
        ids = rng.integers(0, shape[-1], size=shape[:-1])
        return np.eye(shape[-1], dtype="float32")[ids]
    if "binary" in loss or "hinge" in loss:
        return rng.integers(0, 2, size=shape).astype("float32")
    return rng.normal(size=shape).astype("float32")


def synthesize(contract: dict, config: str, target: Path, seed: int = 0) -> dict:
    """Writes target (.npz) with data that fits the model (config: its saved Keras config text,
    for Embedding sizes and open feature sizes); returns {array: "shape dtype"}."""
    rng = np.random.default_rng(seed)
    inputs, outputs = specs(contract)
    vocabulary = smallest_vocabulary(config)
    if len(inputs) == 1:
        inputs[0]["shape"] = known_shape(config, inputs[0]["shape"])
    rows = ROWS
    per_row = sum(int(np.prod(concrete(s["shape"], 1))) for s in inputs)
    if per_row > 100_000:  # big images: fewer rows keep the file small
        rows = 128
    single = len(inputs) == 1 and len(outputs) == 1
    arrays = {}
    for spec in inputs:
        arrays["x_train" if single else f"x_{spec['key']}"] = make_input(spec, rows, vocabulary, rng)
    like = concrete(inputs[0]["shape"], rows)
    for spec in outputs:
        arrays["y_train" if single else f"y_{spec['key']}"] = make_label(spec, rows, like, rng)
    np.savez(target, **arrays)
    return {name: f"{list(a.shape)} {a.dtype}" for name, a in arrays.items()}


# --------------------------------------------------------------------------- running the product

def first_error(stderr: str) -> str:
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("lrfinder: error:", "export: error:")):
            return line
    for line in reversed(lines):  # a traceback ends with the exception
        if re.search(r"error|exception|killed", line, re.IGNORECASE):
            return line
    return lines[-1] if lines else ""


def run(step: str, argv: list, timeout: int) -> dict:
    start = time.monotonic()
    try:
        done = subprocess.run([str(a) for a in argv], capture_output=True, text=True,
                              timeout=timeout, cwd=REPO)
        rc, out, err = done.returncode, done.stdout, done.stderr
    except subprocess.TimeoutExpired as expired:
        rc, out = "timeout", expired.stdout or ""
        err = f"timed out after {timeout} s"
        out = out.decode(errors="replace") if isinstance(out, bytes) else out
    return {"step": step, "rc": rc, "seconds": round(time.monotonic() - start, 1),
            "error": "" if rc == 0 else first_error(err)[:400],
            "stderr_lines": len([line for line in err.splitlines() if line.strip()]), "stdout": out}


def verdict(steps: list[dict]) -> dict:
    """The path's status from its steps: the first step that did not exit 0 decides."""
    seconds = round(sum(s["seconds"] for s in steps), 1)
    clean = [{k: v for k, v in s.items() if k != "stdout"} for s in steps]
    for s in clean:
        if s["rc"] != 0:
            status = ("unsafe" if "refusing to run" in s["error"] else
                      "refused" if s["rc"] == 2 else "failed")
            return {"status": status, "step": s["step"], "error": s["error"],
                    "seconds": seconds, "steps": clean}
    return {"status": "ok", "step": None, "error": "", "seconds": seconds, "steps": clean}


def inspect_and_find(model_dir: Path, source: Path, work: Path, trust: list, timeout: int,
                     args: list, steps: list) -> None:
    """inspect --json, data from its specs, then find; args (e.g. --loss) go to both commands."""
    inspected = run("inspect", [LRFINDER, "inspect", model_dir, "--json", *trust, *args], timeout)
    steps.append(inspected)
    if inspected["rc"] != 0:
        return
    try:
        contract = json.loads(inspected["stdout"])["contract"]
        data = work / "data.npz"
        inspected["data"] = synthesize(contract, config_text(source), data)
    except (ValueError, KeyError, TypeError, IndexError) as problem:
        steps.append({"step": "data", "rc": "error", "seconds": 0.0, "stderr_lines": 0,
                      "stdout": "", "error": f"could not synthesize data: {problem}"})
        return
    report = work / f"report-{len(steps)}"
    steps.append(run("find", [LRFINDER, "find", model_dir, "--data", data, "--steps", 30,
                              "--out", report, *trust, *args], timeout))


def exported_path(source: Path, work: Path, trust: list, args: list, timeout: int) -> dict:
    out = work / "exported"
    shutil.rmtree(out, ignore_errors=True)
    steps = [run("export", [PYTHON, REPO / "scripts" / "export.py", source, "--out", out, *args],
                 timeout)]
    if steps[0]["rc"] == 0:
        inspect_and_find(out, source, work, trust, timeout, [], steps)
    return verdict(steps)


def direct_path(source: Path, work: Path, trust: list, args: list, timeout: int) -> dict:
    steps: list = []
    inspect_and_find(source, source, work, trust, timeout, args, steps)
    return verdict(steps)


def check(model: dict, corpus: Path, timeout: int, keep: bool) -> dict:
    source = local_path(corpus, model)
    result = {k: model.get(k) for k in ("id", "repo", "commit", "path", "format", "tests",
                                        "features")}
    if not source.exists():
        result["missing"] = f"{source} is not there (run with --fetch)"
        return result
    result["bytes"] = model_bytes(source)
    trust = ["--trust-model"] if model.get("trust_model") else []
    work = Path(tempfile.mkdtemp(prefix=f"compat-{model['id']}-"))
    try:
        result["exported"] = exported_path(source, work, trust, [], timeout)
        if result["exported"]["status"] != "ok" and model.get("export_args"):
            result["exported_with_args"] = exported_path(source, work, trust,
                                                         model["export_args"], timeout)
            result["exported_with_args"]["args"] = model["export_args"]
        if model["format"] == "savedmodel":
            result["direct"] = direct_path(source, work, trust, [], timeout)
            if result["direct"]["status"] != "ok" and model.get("direct_args"):
                result["direct_with_args"] = direct_path(source, work, trust,
                                                         model["direct_args"], timeout)
                result["direct_with_args"]["args"] = model["direct_args"]
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)
    return result


# --------------------------------------------------------------------------- the summary

FORMATS = ("h5", "keras", "savedmodel")


def outcome(result: dict, path: str) -> str:
    """One cell of the table: the status, and the status with the manifest's args if it ran."""
    if path not in result:
        return "n/a"
    cell = result[path]["status"]
    again = result.get(f"{path}_with_args")
    if again:
        cell += f" → {again['status']} with `{' '.join(again['args'])}`"
    return cell


def counts(results: list[dict]) -> dict:
    """{format: {path: {status: n}}} plus 'any path' (ok on at least one path without args)."""
    table: dict = {}
    for fmt in FORMATS + ("all",):
        rows = [r for r in results if (fmt == "all" or r["format"] == fmt) and "missing" not in r]
        entry = {"models": len(rows)}
        for path in ("exported", "direct"):
            statuses = [r[path]["status"] for r in rows if path in r]
            entry[path] = {s: statuses.count(s) for s in sorted(set(statuses))}
        entry["ok_on_some_path"] = sum(
            any(r.get(p, {}).get("status") == "ok" for p in ("exported", "direct")) for r in rows)
        table[fmt] = entry
    return table


def markdown(results: list[dict]) -> str:
    lines = ["| model | source (repo @ commit : path) | format | what it tests | exported | direct "
             "| first error line when not ok | seconds |", "|" + "---|" * 8]
    for r in results:
        if "missing" in r:
            lines.append(f"| {r['id']} | {r['repo']} | {r['format']} | {r['tests']} | missing "
                         f"| missing | {r['missing']} | |")
            continue
        errors = []
        for path in ("exported", "exported_with_args", "direct", "direct_with_args"):
            if path in r and r[path]["status"] != "ok":  # results.json has the whole line
                line = r[path]["error"]
                line = line if len(line) <= 220 else line[:220] + "…"
                errors.append(f"{path.split('_')[0]} ({r[path]['step']}): {line}")
        error = "<br>".join(e.replace("|", "\\|") for e in errors)
        seconds = sum(r[p]["seconds"] for p in ("exported", "direct") if p in r)
        lines.append(f"| {r['id']} | {r['repo']} @ {r['commit'][:10]} : `{r['path']}` | "
                     f"{r['format']} | {r['tests']} | {outcome(r, 'exported')} | "
                     f"{outcome(r, 'direct')} | {error} | {seconds:.0f} |")
    lines += ["", "| format | models | exported ok | direct ok | ok on some path |", "|---|---|---|---|---|"]
    for fmt, c in counts(results).items():
        direct = f"{c['direct'].get('ok', 0)} of {sum(c['direct'].values())}" \
            if c["direct"] else "n/a"
        lines.append(f"| {fmt} | {c['models']} | {c['exported'].get('ok', 0)} of "
                     f"{sum(c['exported'].values())} | {direct} | {c['ok_on_some_path']} |")
    lines += ["", "| feature | models | exported ok | direct ok |", "|---|---|---|---|"]
    present = [r for r in results if "missing" not in r]
    for feature in sorted({f for r in present for f in r.get("features") or []}):
        rows = [r for r in present if feature in (r.get("features") or [])]
        ok = {p: sum(r.get(p, {}).get("status") == "ok" for r in rows) for p in ("exported", "direct")}
        with_direct = sum("direct" in r for r in rows)
        direct = f"{ok['direct']} of {with_direct}" if with_direct else "n/a"
        lines.append(f"| {feature} | {len(rows)} | {ok['exported']} | {direct} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path, help="folder of fetched models (e.g. /work/corpus)")
    parser.add_argument("--manifest", type=Path, default=REPO / "tools" / "compat" / "compat_corpus.json")
    parser.add_argument("--out", type=Path, help="results file (default: CORPUS/results.json)")
    parser.add_argument("--markdown", action="store_true", help="print the table to stdout")
    parser.add_argument("--only", default="", help="comma-separated model ids")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per command")
    parser.add_argument("--fetch", action="store_true",
                        help="first extract missing models from the git mirrors")
    parser.add_argument("--fetch-only", action="store_true", help="extract, then stop")
    parser.add_argument("--mirrors", type=Path, default=Path("/work/.mirror"))
    parser.add_argument("--keep", action="store_true", help="keep each model's work folder")
    args = parser.parse_args(argv)

    args.out = args.out or args.corpus / "results.json"
    models = json.loads(args.manifest.read_text())["models"]
    if args.only:
        wanted = set(args.only.split(","))
        models = [m for m in models if m["id"] in wanted]
    args.corpus.mkdir(parents=True, exist_ok=True)
    if args.fetch or args.fetch_only:
        for model in models:
            print(f"{model['id']}: {extract(model, args.corpus, args.mirrors)}", file=sys.stderr)
        if args.fetch_only:
            return 0
    results = []
    for model in models:
        result = check(model, args.corpus, args.timeout, args.keep)
        results.append(result)
        print(f"{model['id']}: exported {outcome(result, 'exported')}, direct "
              f"{outcome(result, 'direct')}", file=sys.stderr, flush=True)
        # written after every model, so an interrupted run keeps what it measured
        args.out.write_text(json.dumps({"counts": counts(results), "results": results}, indent=1))
    if args.markdown:
        print(markdown(results), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
