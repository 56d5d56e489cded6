"""``scripts/lrfinder`` on a terminal (a pseudo-terminal): progress and the last line show, for a
normal run and after Ctrl-C or SIGTERM, and an interrupted run leaves nothing behind.

A terminal's Ctrl-C sends SIGINT to the whole foreground process group: java *and* the launcher's
stderr filter. These tests deliver it the same ways (the ^C character through the terminal's line
discipline, ``os.killpg``) and also SIGTERM, and check exit code 130, the "interrupted" line, the
model unchanged (checksum) and no report, no ``.partial-*`` staging and no batch-order file.
They run after ``mvn package`` (scripts/test), so the launcher finds target/lrfinder.jar built.
"""
from __future__ import annotations

import os
import pty
import re
import select
import signal
import time
from pathlib import Path

import pytest

from tree_checksum import checksum

ROOT = Path(__file__).resolve().parents[2]
LAUNCHER = ROOT / "scripts" / "lrfinder"
MODEL = ROOT / "savedmodels" / "blobs_mlp"
# The progress bar as ProgressBar draws it on a terminal: "adam   [#####.....]  12/60  lr ...".
PROGRESS = re.compile(rb"adam\s+\[[#.]+\]\s+\d+/\d+")
INTERRUPTED = b"lrfinder: interrupted; the model was restored, no report written"
TF_NOISE = (b"before absl::InitializeLog", b"mlir_graph_optimization_pass")


class Terminal:
    """A command run as the session leader of a new pseudo-terminal, its foreground group."""

    def __init__(self, args: list[str]):
        env = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL",
                                                                "LRFINDER_TF_LOG")}
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child: the pty is its controlling terminal and stdin/out/err
            try:
                os.execve(args[0], args, env)
            finally:
                os._exit(127)
        self.output = bytearray()
        self.status = None

    def read_until(self, pattern: re.Pattern, timeout: float) -> bool:
        """Reads until ``pattern`` shows in the output; False at the end of output or timeout."""
        deadline = time.monotonic() + timeout
        while not pattern.search(self.output):
            if not self._read(deadline - time.monotonic()):
                return False
        return True

    def read_to_end(self, timeout: float) -> bytes:
        """Reads until every process holding the terminal has closed it."""
        deadline = time.monotonic() + timeout
        while self._read(deadline - time.monotonic()):
            pass
        return bytes(self.output)

    def _read(self, timeout: float) -> bool:
        if timeout <= 0:
            return False
        ready, _, _ = select.select([self.fd], [], [], timeout)
        if not ready:
            return False
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # EIO: the last process on the terminal is gone
            return False
        self.output += chunk
        return bool(chunk)

    def wait(self, timeout: float) -> int:
        deadline = time.monotonic() + timeout
        while self.status is None and time.monotonic() < deadline:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.status = os.waitstatus_to_exitcode(status)
            else:
                time.sleep(0.05)
        assert self.status is not None, f"still running after {timeout} s: {self.text()}"
        return self.status

    def text(self) -> str:
        return self.output.decode(errors="replace")

    def close(self):
        if self.status is None:
            try:
                os.killpg(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            except (ProcessLookupError, ChildProcessError):
                pass
        os.close(self.fd)


@pytest.fixture
def terminal():
    opened = []

    def start(*args: str) -> Terminal:
        opened.append(Terminal([str(LAUNCHER), *args]))
        return opened[-1]

    yield start
    for t in opened:
        t.close()


def leftovers(*directories: Path) -> list[str]:
    return [str(p) for d in directories for p in d.rglob(".*partial-*")]


def test_a_normal_run_shows_progress_and_the_report_line(terminal, tmp_path):
    run = terminal("find", str(MODEL), "--optimizers", "adam", "--steps", "2000",
                   "--stop-factor", "off", "--end", "1e-3", "--batch-size", "32",
                   "--out", str(tmp_path / "report"), "--batch-order", str(tmp_path / "order.npy"))
    output = run.read_to_end(timeout=240)
    assert run.wait(timeout=30) == 0, run.text()
    assert PROGRESS.search(output), run.text()
    assert f"report: {tmp_path / 'report' / 'index.html'}".encode() in output, run.text()
    for noise in TF_NOISE:
        assert noise not in output, run.text()
    assert (tmp_path / "report" / "result.json").is_file()
    assert (tmp_path / "order.npy").is_file()
    assert leftovers(tmp_path) == []


def ctrl_c(run: Terminal):
    os.write(run.fd, b"\x03")  # the line discipline turns it into SIGINT to the foreground group


@pytest.mark.parametrize("interrupt", [
    pytest.param(ctrl_c, id="ctrl-c on the terminal"),
    pytest.param(lambda run: os.killpg(run.pid, signal.SIGINT), id="SIGINT to the process group"),
    pytest.param(lambda run: os.killpg(run.pid, signal.SIGTERM), id="SIGTERM to the process group"),
    pytest.param(lambda run: os.kill(run.pid, signal.SIGTERM), id="SIGTERM to lrfinder"),
])
def test_an_interrupted_run_says_so_and_leaves_nothing_behind(terminal, tmp_path, interrupt):
    before = checksum(MODEL)
    report, order = tmp_path / "report", tmp_path / "order.npy"
    # Tiny learning rates and no stop factor: it trains for minutes unless interrupted.
    run = terminal("find", str(MODEL), "--optimizers", "adam,sgd", "--steps", "200000",
                   "--stop-factor", "off", "--end", "1e-6", "--batch-size", "32",
                   "--out", str(report), "--batch-order", str(order))
    assert run.read_until(PROGRESS, timeout=240), "no progress bar: " + run.text()
    interrupt(run)
    output = run.read_to_end(timeout=60)
    assert run.wait(timeout=30) == 130, run.text()
    assert INTERRUPTED in output, run.text()
    assert checksum(MODEL) == before
    assert not report.exists()
    assert not order.exists()
    assert leftovers(tmp_path, MODEL) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == []
