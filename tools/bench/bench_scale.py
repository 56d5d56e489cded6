#!/usr/bin/env python3
"""Scale benchmark: keras.applications models (weights=None, 64x64x3 inputs, 10 classes, batch 16,
synthetic data) exported with SGD momentum and Adam, then trained by ``scripts/lrfinder find`` and
by Keras ``fit``. Per model it measures:

* the export: wall time, peak RSS, size on disk against the size of the weights;
* ``scripts/lrfinder find`` (2 optimizers x ``--steps`` steps, no early stop): wall time and peak
  RSS of the process (``/usr/bin/time -v``, the largest process of the tree: the JVM);
* the Java side's load and first step (``dev.lrfinder.bench.StepBenchmark``: the model load with
  its safety scan, and the first ``train_sgd_momentum`` call) and its time per step;
* the Keras side, with ``fit``: load + compile + first step, time per step and peak RSS, once per
  optimizer in its own process and once with both optimizers in one process (the comparable one:
  ``find`` holds both optimizers in one process too).

Models and exports are built under ``--work`` (outside the repository; never committed) and reused
when present. ``--full-slots`` exports with the optimizers' slots saved full (as before lazy
slots) into their own folders, and ``--exporter OLD/export.py --tag before`` exports with an older
exporter, for a before/after comparison. Usage::

    .venv/bin/python tools/bench/bench_scale.py --work /work/scale-tmp/bench \\
        --models mobilenetv2,resnet50,resnet101 [--steps 20] [--full-slots]

Each model's row is appended to ``WORK/results.jsonl``; the table is printed at the end.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv" / "bin" / "python"
OPTIMIZERS = ["sgd:momentum=0.9", "adam"]
KEYS = ["sgd_momentum", "adam"]
MODELS = {  # name -> keras.applications constructor
    "mobilenetv2": "MobileNetV2",
    "resnet50": "ResNet50",
    "resnet101": "ResNet101",
}
INPUT_SHAPE = (64, 64, 3)
CLASSES = 10
BATCH = 16


# --- subprocess modes (run in their own interpreter, so each peak RSS is its own) ----------------

def build_model(name: str, path: Path) -> None:
    import keras
    keras.utils.set_random_seed(0)
    model = getattr(keras.applications, MODELS[name])(weights=None, input_shape=INPUT_SHAPE,
                                                      classes=CLASSES)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    partial = path.with_name(f"{path.stem}.{os.getpid()}.keras")  # two runs may build at once
    model.save(partial)
    os.replace(partial, path)


def write_data(path: Path, rows: int) -> None:
    import numpy as np
    rng = np.random.default_rng(0)
    partial = path.with_name(f"{path.stem}.{os.getpid()}.npz")
    np.savez(partial, x_train=rng.random((rows,) + INPUT_SHAPE, dtype=np.float32),
             y_train=rng.integers(0, CLASSES, rows).astype(np.int32))
    os.replace(partial, path)


def export_model(source: Path, out: Path, exporter: Path, full_slots: bool) -> None:
    import functools
    import importlib.util
    spec = importlib.util.spec_from_file_location("export", exporter)
    export = importlib.util.module_from_spec(spec)
    sys.modules["export"] = export
    spec.loader.exec_module(export)
    if full_slots:
        export.export_trainable = functools.partial(export.export_trainable, lazy_slots=False)
    args = [str(source), "--out", str(out)]
    for spec in OPTIMIZERS:
        args += ["--optimizer", spec]
    sys.exit(export.main(args))


def keras_fit(source: Path, data: Path, specs: list, steps: int) -> None:
    """Load + compile + first step, then ``steps - 1`` more steps with fit, per optimizer in
    ``specs`` (one process); prints one JSON line."""
    start = time.perf_counter()
    import numpy as np
    import keras
    imported = time.perf_counter() - start
    with np.load(data) as arrays:
        x, y = arrays["x_train"][:steps * BATCH], arrays["y_train"][:steps * BATCH]
    t, c = time.perf_counter(), time.process_time()
    model = keras.models.load_model(source, compile=False)
    load_s, load_cpu_s = time.perf_counter() - t, time.process_time() - c
    runs = []
    for spec in specs:
        name, _, params = spec.partition(":")
        config = {k: float(v) for k, v in (p.split("=") for p in params.split(",") if p)}
        t = time.perf_counter()
        model.compile(optimizer=keras.optimizers.get({"class_name": name, "config": config}),
                      loss="sparse_categorical_crossentropy")
        compile_s = time.perf_counter() - t
        t, c = time.perf_counter(), time.process_time()
        model.fit(x[:BATCH], y[:BATCH], batch_size=BATCH, epochs=1, verbose=0, shuffle=False)
        first_s, first_cpu_s = time.perf_counter() - t, time.process_time() - c
        timer = _BatchTimer(keras)
        model.fit(x[BATCH:], y[BATCH:], batch_size=BATCH, epochs=1, verbose=0, shuffle=False,
                  callbacks=[timer])
        runs.append({"optimizer": spec, "compile_s": compile_s, "first_step_s": first_s,
                     "first_step_cpu_s": first_cpu_s,
                     "step_s": float(np.median(timer.seconds[1:] or timer.seconds))})
    print(json.dumps({"import_s": imported, "load_s": load_s, "load_cpu_s": load_cpu_s,
                      "runs": runs}))


def _BatchTimer(keras):
    """A Keras callback that records each batch's seconds (fit's own tracing of a new dataset
    falls in its first batch, left out of the median)."""

    class BatchTimer(keras.callbacks.Callback):
        def __init__(self):
            super().__init__()
            self.seconds = []

        def on_train_batch_begin(self, batch, logs=None):
            self._start = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            self.seconds.append(time.perf_counter() - self._start)

    return BatchTimer()


# --- measuring -----------------------------------------------------------------------------------

def timed(command: list, env: dict | None = None, log: Path | None = None) -> dict:
    """Runs ``command`` under /usr/bin/time -v: wall seconds, peak RSS (MiB) and stdout."""
    start = time.perf_counter()
    process = subprocess.run(["/usr/bin/time", "-v"] + [str(c) for c in command],
                             capture_output=True, text=True, env={**os.environ, **(env or {})})
    wall = time.perf_counter() - start
    if log:
        log.write_text(process.stdout + "\n--- stderr ---\n" + process.stderr)
    if process.returncode != 0:
        raise SystemExit(f"bench_scale: failed ({process.returncode}): {' '.join(map(str, command))}"
                         f"\n{process.stderr[-3000:]}")
    return {**_time_v(process.stderr), "wall_s": wall, "stdout": process.stdout}


def _time_v(text: str) -> dict:
    """Peak RSS (MiB), CPU and wall seconds from /usr/bin/time -v's report in ``text``."""
    rss = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
    cpu = sum(float(m) for m in re.findall(r"(?:User|System) time \(seconds\): ([0-9.]+)", text))
    wall = re.search(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): ([0-9:.]+)", text)
    seconds = None
    if wall:
        seconds = 0.0
        for part in wall.group(1).split(":"):
            seconds = seconds * 60 + float(part)
    return {"wall_s": seconds, "cpu_s": cpu,
            "peak_rss_mib": int(rss.group(1)) / 1024 if rss else None}


def tree_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def self_command(*args) -> list:
    return [PYTHON, Path(__file__).resolve(), *args]


def bench_model(name: str, work: Path, steps: int, exporter: Path, tag: str, full_slots: bool,
                keras_runs: bool, lrfinder_runs: bool = True) -> dict:
    env = {"TF_CPP_MIN_LOG_LEVEL": "2"}
    source = work / f"{name}.keras"
    if not source.exists():
        timed(self_command("_build", name, source), env)
    data = work / f"data_{steps}.npz"
    if not data.exists():
        timed(self_command("_data", data, str(steps * BATCH)), env)
    row = {"model": name, "slots": tag, "steps": steps, "keras_runs": keras_runs}
    if lrfinder_runs:
        row.update(_bench_lrfinder(name, work, steps, exporter, tag, full_slots, source, data, env))
    if keras_runs:
        row.update(_bench_keras(name, work, steps, source, data, env))
    with (work / "results.jsonl").open("a") as out:
        out.write(json.dumps(row) + "\n")
    return row


def _bench_lrfinder(name, work, steps, exporter, tag, full_slots, source, data, env) -> dict:
    """Export (unless done), scripts/lrfinder find, and StepBenchmark's load and first step."""
    export_dir = work / f"{name}-{tag}"
    row = {}
    log = work / f"{name}-{tag}-export.log"
    if export_dir.exists() and log.exists():  # exported by an earlier run: its measurements
        exported = _time_v(log.read_text())
        row.update(export_s=exported["wall_s"], export_cpu_s=exported["cpu_s"],
                   export_rss_mib=exported["peak_rss_mib"])
    if not export_dir.exists():
        exported = timed(self_command("_export", source, export_dir, exporter,
                                      "full" if full_slots else "lazy"), env,
                         work / f"{name}-{tag}-export.log")
        row.update(export_s=exported["wall_s"], export_cpu_s=exported["cpu_s"],
                   export_rss_mib=exported["peak_rss_mib"])
    meta = json.loads((export_dir / "assets" / "lrfinder.json").read_text())
    row["parameters"] = meta["parameter_count"]
    row["weights_mb"] = meta["parameter_count"] * 4 / 1e6
    row["export_mb"] = tree_bytes(export_dir) / 1e6
    row["checkpoint_mb"] = tree_bytes(export_dir / "variables") / 1e6
    row["graph_mb"] = (export_dir / "saved_model.pb").stat().st_size / 1e6

    report = work / f"{name}-{tag}-report-{time.strftime('%H%M%S')}"
    found = timed([ROOT / "scripts" / "lrfinder", "find", export_dir, "--data", data,
                   "--batch-size", BATCH, "--steps", steps, "--stop-factor", "off",
                   "--out", report], env, work / f"{name}-{tag}-find.log")
    row.update(find_s=found["wall_s"], find_cpu_s=found["cpu_s"], find_rss_mib=found["peak_rss_mib"])

    # The benchmarks are compiled apart from the product jar (target/bench-classes).
    classpath = f"{ROOT / 'target' / 'lrfinder.jar'}:{ROOT / 'target' / 'bench-classes'}"
    stepped = timed(["java", "-cp", classpath, "dev.lrfinder.bench.StepBenchmark", export_dir,
                     KEYS[0], BATCH, 3, 1, data], env, work / f"{name}-{tag}-step.log")
    line = json.loads(stepped["stdout"].strip().splitlines()[-1])
    row.update(java_load_s=line["load_s"], java_first_step_s=line["first_ms"] / 1000,
               java_step_s=line["ms_mean"] / 1000, java_step_rss_mib=stepped["peak_rss_mib"],
               java_process_s=stepped["wall_s"], java_load_cpu_s=line.get("load_cpu_s"),
               java_first_step_cpu_s=line.get("first_cpu_ms", 0) / 1000)
    return row


def _bench_keras(name, work, steps, source, data, env) -> dict:
    """Keras fit: SGD momentum alone, then both optimizers in one process."""
    row = {}
    for label, specs in [("sgd_momentum", OPTIMIZERS[:1]), ("both", OPTIMIZERS)]:
        fitted = timed(self_command("_keras", source, data, str(steps), *specs), env,
                       work / f"{name}-keras-{label}.log")
        result = json.loads(fitted["stdout"].strip().splitlines()[-1])
        first = result["runs"][0]
        row[f"keras_{label}"] = {
            "rss_mib": fitted["peak_rss_mib"], "process_s": fitted["wall_s"],
            "load_s": result["load_s"], "compile_s": first["compile_s"],
            "first_step_s": first["first_step_s"],
            "load_first_step_s": result["load_s"] + first["compile_s"] + first["first_step_s"],
            "load_first_step_cpu_s": result["load_cpu_s"] + first["first_step_cpu_s"],
            "process_cpu_s": fitted["cpu_s"],
            "step_s": [r["step_s"] for r in result["runs"]]}
    return row


def table(rows: list) -> str:
    """One line per model and exporter; times are wall (CPU) seconds: on a shared machine the
    CPU seconds compare better."""
    head = ("| model | params | exporter | export MB (x weights) | export s | find s "
            "| find peak RSS MiB | Keras fit peak RSS MiB: 1 opt, both (find / both) "
            "| load + 1st step s: Java | Keras (1 opt) | s/step: Java (SGD-m) | Keras (both) |")
    lines = [head, "|" + "---|" * (head.count("|") - 1)]
    keras_of = {r["model"]: r for r in rows if "keras_both" in r}  # the latest Keras runs
    rows = [r for r in rows if "find_s" in r]

    def both(wall, cpu):
        return "-" if wall is None else f"{wall:.0f} ({cpu:.0f})" if cpu is not None \
            else f"{wall:.0f}"

    for r in rows:
        k = keras_of.get(r["model"], {})
        k1, k2 = k.get("keras_sgd_momentum", {}), k.get("keras_both", {})
        ratio = f" ({r['find_rss_mib'] / k2['rss_mib']:.2f}x)" if k2.get("rss_mib") else ""
        java_first = r["java_load_s"] + r["java_first_step_s"]
        java_first_cpu = (r["java_load_cpu_s"] + r["java_first_step_cpu_s"]
                          if r.get("java_load_cpu_s") is not None else None)
        lines.append(
            f"| {r['model']} | {r['parameters'] / 1e6:.1f}M | {r['slots']} "
            f"| {r['export_mb']:.0f} for {r['weights_mb']:.0f} ({r['export_mb'] / r['weights_mb']:.2f}x) "
            f"| {both(r.get('export_s'), r.get('export_cpu_s'))} "
            f"| {both(r['find_s'], r.get('find_cpu_s'))} | {r['find_rss_mib']:.0f} "
            f"| {k1.get('rss_mib', float('nan')):.0f}, {k2.get('rss_mib', float('nan')):.0f}{ratio} "
            f"| {both(java_first, java_first_cpu)} "
            f"| {both(k1.get('load_first_step_s'), k1.get('load_first_step_cpu_s'))} "
            f"| {r['java_step_s']:.2f} | {', '.join(f'{x:.2f}' for x in k2.get('step_s', []))} |")
    return "\n".join(lines)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0].startswith("_"):  # a subprocess mode
        mode, rest = argv[0], argv[1:]
        if mode == "_build":
            build_model(rest[0], Path(rest[1]))
        elif mode == "_data":
            write_data(Path(rest[0]), int(rest[1]))
        elif mode == "_export":
            export_model(Path(rest[0]), Path(rest[1]), Path(rest[2]), rest[3] == "full")
        elif mode == "_keras":
            keras_fit(Path(rest[0]), Path(rest[1]), rest[3:], int(rest[2]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--work", type=Path, required=True, help="folder outside the repository")
    parser.add_argument("--models", default="mobilenetv2,resnet50,resnet101")
    parser.add_argument("--steps", type=int, default=20, help="steps per optimizer")
    parser.add_argument("--full-slots", action="store_true",
                        help="export with full slots (export_trainable(lazy_slots=False))")
    parser.add_argument("--exporter", type=Path, default=ROOT / "scripts" / "export.py",
                        help="the export.py to export with (e.g. an older one, for 'before')")
    parser.add_argument("--tag", help="names this configuration's exports and rows (default: "
                                      "lazy, or full with --full-slots)")
    parser.add_argument("--no-keras", action="store_true", help="skip the Keras fit runs")
    parser.add_argument("--keras-only", action="store_true", help="only the Keras fit runs")
    parser.add_argument("--table", action="store_true", help="only print WORK/results.jsonl")
    args = parser.parse_args(argv)
    work = args.work.resolve()
    if ROOT in work.parents or work == ROOT:
        parser.error("--work must be outside the repository (models are never committed)")
    work.mkdir(parents=True, exist_ok=True)
    if not args.table:
        for name in args.models.split(","):
            row = bench_model(name, work, args.steps, args.exporter.resolve(),
                              args.tag or ("full" if args.full_slots else "lazy"),
                              args.full_slots, not args.no_keras, not args.keras_only)
            print(json.dumps(row), flush=True)
    rows = [json.loads(l) for l in (work / "results.jsonl").read_text().splitlines() if l.strip()]
    print(f"machine: {os.cpu_count()} CPUs, {os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
