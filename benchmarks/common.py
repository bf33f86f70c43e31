"""Timing helpers shared by the benchmark sections: medians, adaptive repeats, thread counts."""
from __future__ import annotations

import os
import platform
import statistics
import time
from pathlib import Path

from helpers.blas import blas_info

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"
RESULTS_PATH = Path(__file__).resolve().parent / "results.json"


def median(values) -> float:
    values = [v for v in values if v is not None]
    return float(statistics.median(values)) if values else float("nan")


def time_once(fn) -> float:
    """Seconds for one call of ``fn()``."""
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def time_and_cpu(fn) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process, all its threads) for one call of ``fn()``.

    On a busy machine the wall time includes waiting for a core; the CPU time
    does not, so it shows the work itself (summed over threads when there are several).
    """
    cpu, start = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu


def repeats_for(seconds_per_call: float, budget: float, minimum: int = 5, maximum: int = 25) -> int:
    """How many repeats fit in ``budget`` seconds, clamped to [minimum, maximum]."""
    if seconds_per_call <= 0:
        return maximum
    return int(max(minimum, min(maximum, budget // seconds_per_call)))


def numpy_threads() -> tuple[int | None, str]:
    """(number of BLAS threads numpy uses, how it was found: the library and code path threadpoolctl reports)."""
    libs = blas_info()
    if libs:
        lib = libs[0]
        return lib["num_threads"], f"threadpoolctl: {lib['internal_api']} {lib['version']} ({lib['architecture']})"
    return os.cpu_count(), "os.cpu_count() (threadpoolctl found no BLAS it knows)"


def machine() -> dict:
    import numpy as np
    threads, how = numpy_threads()
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return {"python": platform.python_version(), "numpy": np.__version__, "cpu": cpu,
            "cores": os.cpu_count(), "numpy_blas_threads": threads, "numpy_threads_from": how,
            "platform": platform.platform()}
