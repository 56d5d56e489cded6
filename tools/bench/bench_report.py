#!/usr/bin/env python3
"""Time to report: ``scripts/lrfinder find`` against seed 002's Keras callback method, end to end.

Interleaved over ``--rounds`` rounds (the order alternates each round), each side a fresh process:

* A  ``scripts/lrfinder find MODEL --out DIR`` (the bundled default: every optimizer of the
     model, 100 steps, batch 64), from starting the launcher to its exit with the report written;
* B  ``seed002_keras_finder.py``: a fresh ``python`` that imports Keras 3 (TensorFlow backend),
     loads the model's Keras source ``savedmodels/sources/MODEL.keras``, runs seed 002's
     ``LearningRateFinder`` (a per-batch ``LambdaCallback``) for the same optimizers, steps, batch
     size and rate range, and saves a matplotlib chart per optimizer.

Prints the medians (min-max) and A/B, then where A's time goes: from the marks ``lrfinder`` prints
with ``LRFINDER_TIMING=1`` (launcher, JVM start, command, exit) and from ``FindPhases``, a Java
program that runs find's phases one by one in a JVM started like the launcher's (native load,
safety scan, SavedModel load, first step of each optimizer, the steps, suggestions, report); and
B's phases as its process reports them. Writes everything to ``reports/bench-report-<date>.json``.
Numbers from a loaded machine are noisy: the load average is printed with them.

Also the CPU time (user + sys) of each process, which a loaded machine distorts less than the
wall time. ``--baseline DIR`` times another built checkout's ``scripts/lrfinder find`` in the same
rounds (A0), for a before/after of a change.

Usage: tools/bench/bench_report.py [--rounds 3] [--model mnist_cnn] [--no-phases]
       [--baseline OTHER_CHECKOUT]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
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
KERAS_SIDE = Path(__file__).resolve().parent / "seed002_keras_finder.py"
PYTHON = ROOT / ".venv" / "bin" / "python"
TIMING_PREFIX = "lrfinder: timing "


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_java(model: str, out: Path, launcher: Path = LAUNCHER) -> dict:
    env = dict(os.environ, LRFINDER_TIMING="1")
    cpu = children_cpu()
    spawned = time.time() * 1000
    started = time.perf_counter()
    done = subprocess.run([str(launcher), "find", str(launcher.parent.parent / "savedmodels" / model),
                           "--out", str(out)], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    cpu = children_cpu() - cpu
    ended = spawned + wall * 1000
    if done.returncode != 0:
        raise SystemExit(f"bench_report: lrfinder find failed ({done.returncode}):\n{done.stderr}")
    result = json.loads((out / "result.json").read_text())
    steps = {o["optimizer"]: o["steps_run"] for o in result["optimizers"]}
    marks = next((json.loads(line[len(TIMING_PREFIX):]) for line in done.stderr.splitlines()
                  if line.startswith(TIMING_PREFIX)), None)
    if marks is None:  # a checkout from before LRFINDER_TIMING
        return {"seconds": wall, "cpu_seconds": cpu, "steps": steps, "phases_ms": {}}
    phases = {"launcher (bash, up-to-date check)": marks["jvm_start"] - spawned,
              "JVM start -> main": marks["main"] - marks["jvm_start"],
              "main -> report written": marks["command_done"] - marks["main"],
              "exit (shutdown hooks, native teardown)": ended - marks["command_done"]}
    for key, value in marks.items():
        if key not in ("jvm_start", "main", "command_done"):
            phases[f"main -> {key}"] = value - marks["main"]
    return {"seconds": wall, "cpu_seconds": cpu, "steps": steps, "phases_ms": phases}


def run_phases(model: str, out: Path) -> dict:
    env = dict(os.environ, LRFINDER_MAIN_CLASS="dev.lrfinder.bench.FindPhases")
    done = subprocess.run([str(LAUNCHER), str(ROOT / "savedmodels" / model),
                           str(ROOT / "savedmodels" / f"{model}.npz"), str(out)],
                          capture_output=True, text=True, env=env)
    if done.returncode != 0:
        raise SystemExit(f"bench_report: FindPhases failed ({done.returncode}):\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def run_keras(model: str, optimizers: list[str], out: Path) -> dict:
    cpu = children_cpu()
    started = time.perf_counter()
    done = subprocess.run([str(PYTHON), str(KERAS_SIDE),
                           str(ROOT / "savedmodels" / "sources" / f"{model}.keras"),
                           str(ROOT / "savedmodels" / f"{model}.npz"),
                           str(ROOT / "savedmodels" / model / "assets" / "lrfinder.json"), str(out),
                           "--optimizers", ",".join(optimizers), "--steps", "100",
                           "--batch-size", "64", "--start", "1e-7", "--end", "10"],
                          capture_output=True, text=True)
    wall = time.perf_counter() - started
    cpu = children_cpu() - cpu
    if done.returncode != 0:
        raise SystemExit(f"bench_report: the Keras side failed ({done.returncode}):\n{done.stderr}")
    reported = json.loads(done.stdout.strip().splitlines()[-1])
    phases = {k: v * 1000 for k, v in reported["phases"].items()}
    phases["interpreter start + exit"] = wall * 1000 - phases.pop("in_process")
    return {"seconds": wall, "cpu_seconds": cpu, "steps": reported["steps"], "phases_ms": phases,
            "jit_compile": reported["jit_compile"]}


def summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "values": values}


def phase_table(title: str, rounds: list[dict]) -> list[str]:
    keys = list(dict.fromkeys(k for r in rounds for k in r))
    lines = [f"  {title}", f"    {'phase':44s} {'median ms':>10s} {'min-max':>14s}"]
    for key in keys:
        values = [r[key] for r in rounds if key in r]
        s = summary(values)
        lines.append(f"    {key:44s} {s['median']:10.0f} {s['min']:6.0f}-{s['max']:<7.0f}")
    return lines


def side_line(label: str, runs: list[dict], note: str = "") -> str:
    wall = summary([r["seconds"] for r in runs])
    cpu = summary([r["cpu_seconds"] for r in runs])
    return (f"  {label:40s} {wall['median']:6.2f} s ({wall['min']:.2f}-{wall['max']:.2f})"
            f"   cpu {cpu['median']:6.2f} s   {note}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--model", default="mnist_cnn")
    parser.add_argument("--no-phases", action="store_true",
                        help="skip the FindPhases breakdown runs (faster)")
    parser.add_argument("--baseline", type=Path,
                        help="another checkout (built) whose scripts/lrfinder find runs in the"
                        " same rounds as A0, e.g. the commit before a change")
    args = parser.parse_args(argv)
    if not PYTHON.exists():
        print("bench_report: no .venv (run scripts/setup-python)", file=sys.stderr)
        return 2
    contract = json.loads((ROOT / "savedmodels" / args.model / "assets" / "lrfinder.json")
                          .read_text())
    optimizers = [o["key"] for o in contract["optimizers"]]
    baseline = None if args.baseline is None else args.baseline.resolve() / "scripts" / "lrfinder"
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="bench-report-"))
    sides = {"A": [], "B": []} if baseline is None else {"A": [], "A0": [], "B": []}
    phases = []
    try:
        # Untimed warm-up of each side: builds the jar if stale, lets the launcher record its
        # class-data archive, and brings the libraries into the page cache.
        print("bench_report: warm-up run of each side (untimed)...", file=sys.stderr, flush=True)

        def run(side: str, name: str) -> dict:
            out = work / name
            if side == "A":
                return run_java(args.model, out)
            if side == "A0":
                return run_java(args.model, out, baseline)
            out.mkdir()
            return run_keras(args.model, optimizers, out)

        for side in sides:
            run(side, f"warm-{side}")
            if side != "B":
                run(side, f"warm2-{side}")  # the run after recording maps the archive
        order = list(sides)
        for number in range(args.rounds):
            for side in order[number % len(order):] + order[:number % len(order)]:
                sides[side].append(run(side, f"{side}-{number}"))
            if not args.no_phases:
                phases.append(run_phases(args.model, work))
            print(f"bench_report: round {number + 1}/{args.rounds}: " + ", ".join(
                f"{side} {runs[-1]['seconds']:.2f} s" for side, runs in sides.items()),
                file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    load_after = os.getloadavg()

    java, keras = sides["A"], sides["B"]
    a = summary([r["seconds"] for r in java])
    b = summary([r["seconds"] for r in keras])
    ratios = [x["seconds"] / y["seconds"] for x, y in zip(java, keras)]
    cpu_ratio = (statistics.median(r["cpu_seconds"] for r in java)
                 / statistics.median(r["cpu_seconds"] for r in keras))
    steps_a = " ".join(f"{k} {v}" for k, v in java[0]["steps"].items())
    steps_b = " ".join(f"{k} {v}" for k, v in keras[0]["steps"].items())
    lines = [
        f"time to report: {args.model}, {'+'.join(optimizers)}, 100 steps each, batch 64, rates"
        f" 1e-7 -> 10; wall median (min-max) of {args.rounds} interleaved rounds, and the median"
        f" CPU time (user + sys) of the process",
        f"machine: {os.cpu_count()} cpus, load average {load_before[0]:.1f} before,"
        f" {load_after[0]:.1f} after (noisy above ~1)",
        side_line("A  lrfinder find, launcher start -> exit", java, f"steps: {steps_a}"),
    ]
    if baseline is not None:
        lines.append(side_line(f"A0 baseline {args.baseline}", sides["A0"]))
    lines += [
        side_line("B  seed 002 Keras, python start -> exit", keras,
                  f"steps: {steps_b}, jit_compile {keras[0]['jit_compile']}"),
        f"  A/B wall (median of A / median of B)     {a['median'] / b['median']:6.2f}"
        f"     per round: {', '.join(f'{r:.2f}' for r in ratios)}",
        f"  A/B cpu                                  {cpu_ratio:6.2f}",
    ]
    if baseline is not None:
        a0 = summary([r["seconds"] for r in sides["A0"]])
        lines.append(f"  A0/B wall                                {a0['median'] / b['median']:6.2f}"
                     f"     A/A0 wall {a['median'] / a0['median']:.2f}")
    lines.append("")
    lines += phase_table("A, from lrfinder's LRFINDER_TIMING=1 marks", [r["phases_ms"] for r in java])
    if phases:
        lines += phase_table("A, phase by phase (FindPhases: find's steps in a JVM started by the"
                             " launcher)", phases)
    lines += phase_table("B, seed 002's process", [r["phases_ms"] for r in keras])
    table = "\n".join(lines)
    print(table)

    today = datetime.date.today().isoformat()
    out = ROOT / "reports" / f"bench-report-{today}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({
        "date": today, "model": args.model, "optimizers": optimizers, "rounds": args.rounds,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform(),
                    "load_average_before": load_before, "load_average_after": load_after},
        "A_seconds": a, "B_seconds": b, "ratio_of_medians": a["median"] / b["median"],
        "ratios_per_round": ratios, "cpu_ratio_of_medians": cpu_ratio, "sides": sides,
        "A_phases": phases, "baseline": str(args.baseline) if args.baseline else None,
        "table": table}, indent=2) + "\n")
    print(f"written to {out.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
