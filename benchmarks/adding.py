"""The adding problem through ``helpers.adding.train``: the LSTM's time to solve T = 100, and peak memory.

This measures speed and memory only. The comparison of the LSTM with the vanilla RNN, each at its own
tuned learning rate, is an experiment, not a benchmark: ``experiments/adding_sweep.py`` (``make sweep``).

Every training run is its own Python process, so its time includes nothing
else and its peak memory is its own: the child reports its peak resident set
size, ``VmHWM`` of ``/proc/self/status`` (the whole process: interpreter,
numpy, helpers and the training). Not ``ru_maxrss``: Linux carries that value
over ``exec`` from the process that forked the child, so a child of a large
parent (this benchmark, after the BPTT grid) would report the parent's size.
Where ``/proc`` is missing (macOS) the child's ``ru_maxrss`` is used.
"""
from __future__ import annotations

import json
import subprocess
import sys

from .common import ROOT, median

MARK = "BENCH-ADDING "
CHILD = r"""
import json, sys
from helpers import adding
model, T, seed, overrides = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.argv[4])
import time
cpu = time.process_time()
r = adding.train(model, T, seed, **overrides)
cpu = time.process_time() - cpu   # CPU seconds of the training (all threads): what the wall time would be on an idle core
keys = ("iterations", "seconds", "solved", "iterations_to_solve", "seconds_to_solve", "final_mse", "n_params")
out = {k: r.get(k) for k in keys}
out["last_batch_mse"] = r["losses"][-1] if r["losses"] else None
out["cpu_seconds"] = cpu
try:
    with open("/proc/self/status") as fh:
        hwm = next(line for line in fh if line.startswith("VmHWM:"))
    out["peak_rss_mb"], out["peak_rss_from"] = int(hwm.split()[1]) / 1024, "VmHWM"
except (OSError, StopIteration):
    import resource
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    out["peak_rss_mb"] = rss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    out["peak_rss_from"] = "ru_maxrss"
print(%r + json.dumps(out))
""" % MARK

SEEDS = (0, 1, 2)
LENGTHS = (50, 100)


def run_one(model: str, T: int, seed: int, timeout: float = 900, **overrides) -> dict:
    """Train once in a child process (``overrides`` go to ``adding.train``); its summary and ``peak_rss_mb``."""
    try:
        proc = subprocess.run([sys.executable, "-c", CHILD, model, str(T), str(seed), json.dumps(overrides)],
                              cwd=str(ROOT),
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {timeout} s", "peak_rss_mb": None}
    line = next((l for l in proc.stdout.splitlines() if l.startswith(MARK)), None)
    if proc.returncode != 0 or line is None:
        reason = (proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1][:300]
        return {"error": reason, "peak_rss_mb": None}
    return json.loads(line[len(MARK):])


def run(quick: bool = False, log=print) -> dict:
    """The ``adding_problem`` section (and the LSTM's peak memory) of results.json."""
    try:
        from helpers import adding
    except ImportError as exc:
        msg = f"adding problem skipped: helpers.adding is not importable ({exc})"
        log(f"  {msg}")
        return {"skipped": msg}
    seeds, lengths = ((0,), (100,)) if quick else (SEEDS, LENGTHS)
    section = {"settings": {k: v for k, v in adding.SETTINGS.items()}, "seeds": list(seeds), "runs": {}, "summary": {}}
    for model in ("lstm",):                     # the RNN comparison: experiments/adding_sweep.py
        for T in lengths:
            runs = []
            for seed in seeds:
                r = run_one(model, T, seed)
                r["seed"] = seed
                runs.append(r)
                if "error" in r:
                    log(f"  {model} T={T} seed={seed}: ERROR {r['error']}")
                else:
                    log(f"  {model} T={T} seed={seed}: solved={r['solved']} after {r['iterations']} iterations, "
                        f"{r['seconds']:.1f} s ({r['cpu_seconds']:.1f} s of CPU), final MSE {r['final_mse']:.4f}, "
                        f"peak RSS {r['peak_rss_mb']:.0f} MB")
            ok = [r for r in runs if "error" not in r]
            solved = [r for r in ok if r.get("solved")]
            section["runs"][f"{model} T={T}"] = runs
            section["summary"][f"{model} T={T}"] = {
                "model": model, "T": T, "successes": len(solved), "of": len(runs),
                "seconds_to_solve": [r.get("seconds_to_solve") for r in ok],
                "iterations_to_solve": [r.get("iterations_to_solve") for r in ok],
                "max_seconds_to_solve": max((r["seconds_to_solve"] for r in solved), default=None),
                "median_seconds": median(r["seconds"] for r in ok) if ok else None,
                "cpu_seconds": [r.get("cpu_seconds") for r in ok],
                "median_iterations": median(r["iterations"] for r in ok) if ok else None,
                "final_mse": [r.get("final_mse") for r in ok],
                "median_final_mse": median(r["final_mse"] for r in ok) if ok else None,
                "peak_rss_mb": max((r["peak_rss_mb"] for r in runs if r.get("peak_rss_mb")), default=None),
                "errors": [r["error"] for r in runs if "error" in r],
            }
    return section
