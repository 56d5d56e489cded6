#!/usr/bin/env python3
"""Seed 004's rate study: ``scripts/lrfinder sweep`` against Keras ``fit`` running the same study.

The study: ``blobs_mlp`` (Dense 50 relu -> Dense 3 softmax, 500 training rows, 500 test rows),
SGD at the rates 1e0, 1e-1, ..., 1e-7, 200 epochs of batch 32 each (16 steps an epoch, the last
of 20 rows: 8 x 3,200 steps), every run from the same initial weights, the 500-row test split
evaluated after every epoch (the article's ``fit(..., validation_data=(testX, testy))``).

Interleaved over ``--rounds`` rounds (the order alternates each round), each side a fresh process
that runs the whole study, as a user would:

* A  ``scripts/lrfinder sweep savedmodels/blobs_mlp --optimizer sgd --epochs 200 --batch-size 32
     --vary lr=1,0.1,...,1e-7 --out DIR`` from starting the launcher to its exit with the sweep
     report (HTML, JSON, CSV, charts) written;
* B  ``seed004_keras_rates.py``: a fresh ``python`` imports Keras 3 (TensorFlow backend) and
     matplotlib, loads ``savedmodels/sources/blobs_mlp.keras`` (the weights the SavedModel starts
     from), and per rate puts the start weights back, compiles ``SGD(learning_rate=rate)`` and runs
     ``fit(x, y, validation_data=(tx, ty), epochs=200, batch_size=32, verbose=0)``, plotting each
     run's accuracy curves in a 4 x 2 grid saved as a PNG (the article's script).

Before the rounds, one untimed run of each side (B shortened to one rate and one epoch: it
brings Keras into the page cache and, with a counting callback, checks that an epoch of ``fit``
is 16 training steps and one validation pass of 16 batches). Each side's work is checked, not
assumed: A's ``sweep.json`` must hold, per rate, 200 complete epochs of 16 steps each with a
validation loss over the 500 test rows (``Evaluation.of`` in batches of 32: 16 batches, as
Keras's ``validation_batch_size`` defaults to the batch size); each timed B run must have 200
validation results per rate. The timed B runs have no callback of ours (a Python callback on
every batch can slow ``fit``), as the article's script has none.

Prints the wall-time median (min-max) of each side, A/B per round and of the medians, the median
CPU time (user + sys) of each process, the training steps per second (the study's 25,600 steps
over the wall time, and over the in-process training time), and where each side's time goes.
``--profile`` adds one more A run under Java Flight Recorder and splits its main thread's samples
into model load, training steps, per-epoch evaluation, listeners and the report.
``--baseline DIR`` times another built checkout's ``scripts/lrfinder sweep`` in the same rounds
(A0). Everything goes to ``reports/bench-sweep-<date>.json``. Figures from a loaded machine are
noisy: the load average is printed with them; no figure is asserted.

Usage: .venv/bin/python tools/bench/bench_sweep.py [--rounds 3] [--profile] [--baseline OTHER]
       [--rates 1,0.1,...] [--epochs 200] [--json FILE]
"""
from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
LAUNCHER = ROOT / "scripts" / "lrfinder"
KERAS_SIDE = Path(__file__).resolve().parent / "seed004_keras_rates.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
MODEL = "blobs_mlp"
RATES = "1,0.1,0.01,0.001,1e-4,1e-5,1e-6,1e-7"
BATCH = 32
TIMING_PREFIX = "lrfinder: timing "


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def sweep_command(launcher: Path, rates: str, epochs: int, out: Path) -> list[str]:
    return [str(launcher), "sweep", str(launcher.parent.parent / "savedmodels" / MODEL),
            "--optimizer", "sgd", "--epochs", str(epochs), "--batch-size", str(BATCH),
            "--vary", f"lr={rates}", "--out", str(out)]


def check_lab(result: dict, rates: list[str], epochs: int, steps_per_epoch: int,
              rows: int) -> dict:
    """What A's sweep.json says it did; raises when it is not the study."""
    runs = result["runs"]
    if len(runs) != len(rates):
        raise SystemExit(f"bench_sweep: the sweep ran {len(runs)} runs, not {len(rates)}")
    steps, validated, training = {}, {}, 0.0
    for run in runs:
        t = run["training"]
        done = t["epochs"]
        if len(done) != epochs or not all(e["complete"] for e in done):
            raise SystemExit(f"bench_sweep: {run['label']} ran {len(done)} epochs, not {epochs}")
        if t["validation_rows"] != rows or not all("loss" in e["validation"] for e in done):
            raise SystemExit(f"bench_sweep: {run['label']} did not validate every epoch on"
                             f" {rows} rows")
        steps[run["label"]] = sum(e["steps"] for e in done)
        validated[run["label"]] = sum(1 for e in done if "loss" in e["validation"])
        training += t["seconds"]
        if t["steps_per_epoch"] != steps_per_epoch:
            raise SystemExit(f"bench_sweep: {run['label']} has {t['steps_per_epoch']} steps an"
                             f" epoch, not {steps_per_epoch}")
    final = {r["label"]: {"accuracy": r["final"]["accuracy"],
                          "val_accuracy": r["final"]["val_accuracy"]} for r in runs}
    return {"steps": steps, "validations": validated, "training_seconds": training,
            "final": final}


def run_lab(launcher: Path, rates: str, epochs: int, out: Path, shape: dict,
            java_opts: str = "") -> dict:
    env = dict(os.environ, LRFINDER_TIMING="1")
    if java_opts:
        env["LRFINDER_JAVA_OPTS"] = (env.get("LRFINDER_JAVA_OPTS", "") + " " + java_opts).strip()
    cpu = children_cpu()
    spawned = time.time() * 1000
    started = time.perf_counter()
    done = subprocess.run(sweep_command(launcher, rates, epochs, out), capture_output=True,
                          text=True, env=env)
    wall = time.perf_counter() - started
    cpu = children_cpu() - cpu
    ended = spawned + wall * 1000
    if done.returncode != 0:
        raise SystemExit(f"bench_sweep: lrfinder sweep failed ({done.returncode}):\n{done.stderr}")
    checked = check_lab(json.loads((out / "sweep.json").read_text()), rates.split(","), epochs,
                        **shape)
    phases = {}
    marks = next((json.loads(line[len(TIMING_PREFIX):]) for line in done.stderr.splitlines()
                  if line.startswith(TIMING_PREFIX)), None)
    if marks is not None:
        command = marks["command_done"] - marks["main"]
        phases = {"launcher (bash, up-to-date check)": marks["jvm_start"] - spawned,
                  "JVM start -> main": marks["main"] - marks["jvm_start"],
                  "main -> native TensorFlow loaded": marks["tf_native_loaded"] - marks["main"],
                  "training: the runs' epoch loops": checked["training_seconds"] * 1000,
                  "model load, scan, restores, report": command
                  - (marks["tf_native_loaded"] - marks["main"])
                  - checked["training_seconds"] * 1000,
                  "exit (shutdown hooks, native teardown)": ended - marks["command_done"]}
    return {"seconds": wall, "cpu_seconds": cpu, "phases_ms": phases, **checked}


def run_keras(rates: str, epochs: int, out: Path, count: bool = False) -> dict:
    cpu = children_cpu()
    started = time.perf_counter()
    command = [str(PYTHON), str(KERAS_SIDE),
               str(ROOT / "savedmodels" / "sources" / f"{MODEL}.keras"),
               str(ROOT / "savedmodels" / f"{MODEL}.npz"),
               str(ROOT / "savedmodels" / MODEL / "assets" / "lrfinder.json"), str(out),
               "--rates", rates, "--epochs", str(epochs), "--batch-size", str(BATCH)]
    done = subprocess.run(command + (["--count"] if count else []), capture_output=True, text=True)
    wall = time.perf_counter() - started
    cpu = children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"bench_sweep: the Keras side failed ({done.returncode}):\n{done.stderr}")
    reported = json.loads(done.stdout.strip().splitlines()[-1])
    phases = {k: v * 1000 for k, v in reported["phases"].items()}
    fits = [k for k in phases if k.startswith("lr=")]
    training = sum(phases[k] for k in fits) / 1000
    grouped = {"import (keras, tensorflow, matplotlib)": phases["import"],
               "load the .keras model": phases["load"],
               "training: compile + fit of each rate": training * 1000,
               "plot + save the figure": phases["plot"],
               "interpreter start + exit": wall * 1000 - phases["in_process"]}
    return {"seconds": wall, "cpu_seconds": cpu, "phases_ms": grouped, "fit_ms": phases,
            "steps": reported["steps"], "validations": reported["validations"],
            "validation_batches": reported["validation_batches"],
            "training_seconds": training, "final": reported["final"],
            "jit_compile": reported["jit_compile"]}


# Where the main thread of one A run spends its samples (Java Flight Recorder, both the samples
# in Java code and those in native calls): the first matching frame, innermost first, names it.
PROFILE_BUCKETS = [
    ("training steps (trainStep)", ("TrainableModel.trainStep", "SessionModel.trainStep",
                                    "ExportedModel.trainAtRate", "DirectModel.trainStep")),
    ("per-epoch evaluation (Evaluation.of)", ("lab.Evaluation.of",)),
    ("epoch listeners (progress lines)", (".onEpochEnd(", ".onStart(", "SweepListener")),
    ("restore start state (model.restore)", ("ExportedModel.restore", "SessionModel.restore",
                                             "restore(")),
    ("rest of the epoch loop (batches, records)", ("lab.EpochTrainer.run",)),
    ("report (HTML, JSON, CSV, charts)", ("report.",)),
    ("model load + safety scan", ("loader.ModelLoader", "safety.", "ExportedModel.load")),
]


def profile_lab(rates: str, epochs: int, work: Path, shape: dict) -> dict | None:
    jfr_tool = shutil.which("jfr")
    if jfr_tool is None:
        print("bench_sweep: no 'jfr' tool on PATH: --profile skipped", file=sys.stderr)
        return None
    recording = work / "profile.jfr"
    run = run_lab(LAUNCHER, rates, epochs, work / "profile", shape,
                  f"-XX:StartFlightRecording=filename={recording},settings=profile")
    counts = collections.Counter()
    total = 0
    for event in ("jdk.ExecutionSample", "jdk.NativeMethodSample"):
        text = subprocess.run([jfr_tool, "print", "--stack-depth", "64", "--events", event,
                               str(recording)], capture_output=True, text=True).stdout
        for sample in text.split(event + " {")[1:]:
            thread = re.search(r'sampledThread = "([^"]*)"', sample)
            if thread is None or thread.group(1) != "main":
                continue
            total += 1
            frames = re.findall(r"^\s+([\w.$<>]+)\(", sample, re.M)
            bucket = "other (JVM start, class loading, native load)"
            for frame in frames:
                hit = next((name for name, keys in PROFILE_BUCKETS
                            if any(k in frame + "(" for k in keys)), None)
                if hit is not None:
                    bucket = hit
                    break
            counts[bucket] += 1
    return {"seconds": run["seconds"], "samples": total, "buckets": dict(counts.most_common())}


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "values": values}


def phase_table(title: str, rounds: list[dict]) -> list[str]:
    keys = list(dict.fromkeys(k for r in rounds for k in r))
    lines = [f"  {title}", f"    {'phase':44s} {'median ms':>10s} {'min-max':>16s}"]
    for key in keys:
        s = summary([r[key] for r in rounds if key in r])
        lines.append(f"    {key:44s} {s['median']:10.0f} {s['min']:7.0f}-{s['max']:<8.0f}")
    return lines


def side_line(label: str, runs: list[dict], steps: int) -> str:
    wall = summary([r["seconds"] for r in runs])
    cpu = summary([r["cpu_seconds"] for r in runs])
    training = statistics.median(r["training_seconds"] for r in runs)
    return (f"  {label:38s} {wall['median']:7.2f} s ({wall['min']:.2f}-{wall['max']:.2f})"
            f"  cpu {cpu['median']:7.2f} s  {steps / wall['median']:6.0f} steps/s"
            f" ({steps / training:.0f} in training)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--rates", default=RATES, help="the study's rates (default: seed 004's)")
    parser.add_argument("--epochs", type=int, default=200)
    parser.add_argument("--profile", action="store_true",
                        help="one more lrfinder run under Java Flight Recorder: where its main"
                        " thread's time goes")
    parser.add_argument("--baseline", type=Path,
                        help="another built checkout whose scripts/lrfinder sweep runs in the same"
                        " rounds as A0")
    parser.add_argument("--json", type=Path,
                        help="where to write the figures (default reports/bench-sweep-DATE.json)")
    args = parser.parse_args(argv)
    if not PYTHON.exists():
        print("bench_sweep: no .venv (run scripts/setup-python)", file=sys.stderr)
        return 2
    import numpy as np  # the venv's; only to read the row counts
    arrays = np.load(ROOT / "savedmodels" / f"{MODEL}.npz")
    train_rows, test_rows = len(arrays["x_train"]), len(arrays["x_test"])
    steps_per_epoch = -(-train_rows // BATCH)
    shape = {"steps_per_epoch": steps_per_epoch, "rows": test_rows}
    rates = args.rates.split(",")
    total_steps = len(rates) * args.epochs * steps_per_epoch
    baseline = None if args.baseline is None else args.baseline.resolve() / "scripts" / "lrfinder"

    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-sweep-"))
    sides = {"A": [], "B": []} if baseline is None else {"A": [], "A0": [], "B": []}
    profile = None
    try:
        print("bench_sweep: warm-up run of each side (untimed)...", file=sys.stderr, flush=True)

        def run(side: str, name: str) -> dict:
            out = work / name
            if side == "A":
                return run_lab(LAUNCHER, args.rates, args.epochs, out, shape)
            if side == "A0":
                return run_lab(baseline, args.rates, args.epochs, out, shape)
            out.mkdir()
            return run_keras(args.rates, args.epochs, out)

        for side in sides:
            if side != "B":
                run(side, f"warm-{side}")
        (work / "warm-B").mkdir()
        # one rate, one epoch, with fit's steps and validation passes counted by a callback
        warm = run_keras(rates[0], 1, work / "warm-B", count=True)
        counted = next(iter(warm["steps"].values()))
        passes = next(iter(warm["validations"].values()))
        batches = next(iter(warm["validation_batches"].values()))
        if (counted, passes, batches) != (steps_per_epoch, 1, -(-test_rows // BATCH)):
            raise SystemExit(f"bench_sweep: Keras fit ran {counted} steps and {passes} validation"
                             f" passes of {batches} batches an epoch, not {steps_per_epoch} and 1"
                             f" of {-(-test_rows // BATCH)}")
        order = list(sides)
        for number in range(args.rounds):
            for side in order[number % len(order):] + order[:number % len(order)]:
                sides[side].append(run(side, f"{side}-{number}"))
            print(f"bench_sweep: round {number + 1}/{args.rounds}: " + ", ".join(
                f"{side} {runs[-1]['seconds']:.1f} s" for side, runs in sides.items()),
                file=sys.stderr, flush=True)
        if args.profile:
            profile = profile_lab(args.rates, args.epochs, work, shape)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    lab, keras = sides["A"], sides["B"]
    for run in keras:
        if any(v != args.epochs for v in run["validations"].values()):
            raise SystemExit(f"bench_sweep: a Keras run validated {run['validations']} times,"
                             f" not {args.epochs}")
    a = summary([r["seconds"] for r in lab])
    b = summary([r["seconds"] for r in keras])
    ratios = [y["seconds"] / x["seconds"] for x, y in zip(lab, keras)]
    cpu_ratio = (statistics.median(r["cpu_seconds"] for r in keras)
                 / statistics.median(r["cpu_seconds"] for r in lab))
    training_ratio = (statistics.median(r["training_seconds"] for r in keras)
                      / statistics.median(r["training_seconds"] for r in lab))
    lines = [
        f"seed 004's rate study: {MODEL}, SGD at {len(rates)} rates ({args.rates}), {args.epochs}"
        f" epochs x {steps_per_epoch} steps of batch {BATCH} each = {total_steps} steps, the"
        f" {test_rows}-row test split evaluated after every epoch ({args.epochs} x"
        f" {-(-test_rows // BATCH)} batches per run, both sides)",
        f"wall time from process start to exit, median (min-max) of {args.rounds} interleaved"
        f" rounds; CPU = user + sys of the process",
        f"machine: {os.cpu_count()} cpus, load average {load_before[0]:.1f} before,"
        f" {load_after[0]:.1f} after (noisy above ~1)",
        side_line("A  lrfinder sweep, launcher -> exit", lab, total_steps),
    ]
    if baseline is not None:
        lines.append(side_line(f"A0 {args.baseline}", sides["A0"], total_steps))
    lines += [
        side_line("B  Keras fit (seed 004), python -> exit", keras, total_steps),
        f"  B/A wall (Keras time / lrfinder time)  {b['median'] / a['median']:6.2f}x"
        f"   per round: {', '.join(f'{r:.2f}' for r in ratios)}   (target: at least 2x)",
        f"  B/A cpu                                {cpu_ratio:6.2f}x",
        f"  B/A training alone                     {training_ratio:6.2f}x"
        f"   (A: the runs' epoch loops; B: compile + fit of each rate)",
    ]
    if baseline is not None:
        a0 = summary([r["seconds"] for r in sides["A0"]])
        lines.append(f"  A0/A wall                              {a0['median'] / a['median']:6.2f}x")
    lines.append("  final accuracy / val_accuracy per rate (A | B):")
    for (label, fa), fb in zip(lab[-1]["final"].items(), keras[-1]["final"].values()):
        lines.append(f"    {label:8s} {fa['accuracy']:.3f} / {fa['val_accuracy']:.3f}"
                     f"   |   {fb['accuracy']:.3f} / {fb['val_accuracy']:.3f}")
    lines.append("")
    lines += phase_table("A, from lrfinder's LRFINDER_TIMING=1 marks and sweep.json",
                         [r["phases_ms"] for r in lab])
    lines += phase_table("B, the Keras process", [r["phases_ms"] for r in keras])
    if profile is not None:
        lines.append(f"  A under Java Flight Recorder ({profile['seconds']:.1f} s, one run):"
                     f" the main thread's {profile['samples']} samples")
        for bucket, count in profile["buckets"].items():
            lines.append(f"    {bucket:52s} {100 * count / profile['samples']:5.1f} %")
    table = "\n".join(lines)
    print(table)

    today = datetime.date.today().isoformat()
    out = args.json or ROOT / "reports" / f"bench-sweep-{today}.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "date": today, "model": MODEL, "rates": rates, "epochs": args.epochs, "batch": BATCH,
        "rounds": args.rounds, "steps": total_steps,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_before": load_before, "load_average_after": load_after},
        "A_seconds": a, "B_seconds": b, "speedup_of_medians": b["median"] / a["median"],
        "speedups_per_round": ratios, "cpu_speedup_of_medians": cpu_ratio,
        "training_speedup_of_medians": training_ratio, "sides": sides, "profile": profile,
        "baseline": str(args.baseline) if args.baseline else None, "table": table},
        indent=2) + "\n")
    print(f"written to {os.path.relpath(out, ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
