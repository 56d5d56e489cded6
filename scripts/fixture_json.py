"""Helpers shared by the fixture generators (make_*_fixtures.py): JSON conversion and provenance."""
from __future__ import annotations

import os
import platform
import sys
from pathlib import Path

import numpy as np

# CPU features that decide which TensorFlow/oneDNN kernels run, hence the last bits of results.
KERNEL_FLAGS = ("sse4_2", "avx", "avx2", "fma", "f16c", "avx512f", "avx512dq", "avx512bw",
                "avx512vl", "avx512_vnni", "avx512_bf16", "avx512_fp16", "amx_tile", "amx_bf16",
                "amx_int8")


def plain(value):
    """numpy scalars -> JSON numbers, recursively through dicts, lists and tuples."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value


def _cpu(cpuinfo: Path = Path("/proc/cpuinfo")) -> dict:
    model, flags = platform.processor() or platform.machine(), set()
    try:
        for line in cpuinfo.read_text().splitlines():
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                model = value.strip()
            elif key.strip() == "flags":
                flags = set(value.split())
                break
    except OSError:
        pass
    return {"model": model, "machine": platform.machine(),
            "kernel_flags": [f for f in KERNEL_FLAGS if f in flags]}


def _onednn() -> bool:
    """Whether TensorFlow's oneDNN kernels are on in this process (TF_ENABLE_ONEDNN_OPTS)."""
    try:
        from tensorflow.python.util import _pywrap_util_port
        return bool(_pywrap_util_port.IsMklEnabled())
    except (ImportError, AttributeError):  # not a public API: fall back to the variable
        return os.environ.get("TF_ENABLE_ONEDNN_OPTS", "1").lower() not in ("0", "false")


def made_on() -> dict:
    """Where numbers were computed: CPU, TensorFlow build and kernel settings, library versions.

    Floating-point results of the same program differ in their last bits between CPUs and kernel
    choices, so every fixture says what made it; a test compares them with numbers made elsewhere
    only to a tolerance.
    """
    import tensorflow as tf
    import tf_keras

    return {
        "cpu": _cpu(),
        "tensorflow": tf.__version__,
        "tensorflow_git": tf.version.GIT_VERSION,
        "tensorflow_compiler": tf.version.COMPILER_VERSION,
        "onednn": _onednn(),
        "TF_ENABLE_ONEDNN_OPTS": os.environ.get("TF_ENABLE_ONEDNN_OPTS"),
        "tf_keras": tf_keras.__version__,
        "numpy": np.__version__,
        "python": sys.version.split()[0],
    }
