"""Execute notebooks top to bottom in fresh kernels and report, as JSON, whether each ran to the end.

Used by the portability matrix (``tests/test_portability.py``, ``make portability``): the test
runs this script under machine-like settings (another OpenBLAS code path, numpy's SIMD paths
switched off, one or two BLAS threads, the oldest package versions the requirements allow),
so that a claim asserted on one machine's digits shows up as a notebook that stops.

    python scripts/execute_notebooks.py                   # every notebook, a line each, exit 1 on a failure
    python scripts/execute_notebooks.py 03 07 --json out.json

Each kernel inherits this process's environment, so set ``OPENBLAS_CORETYPE``,
``NPY_DISABLE_CPU_FEATURES`` or ``OPENBLAS_NUM_THREADS`` on the command line. The report also
says what the kernel really ran on (BLAS library, code path and threads from threadpoolctl;
numpy's enabled SIMD features; numpy and matplotlib versions), so that a setting that had no
effect is seen, not assumed, and the kernel's CPU seconds (user + system, all threads, start-up
included) and peak memory after Run All (``benchmarks/sizing.py`` uses these for a hub's sizing).
The peak is ``VmHWM`` of ``/proc/self/status`` where there is one (Linux): ``ru_maxrss`` would
report the process that started the kernel whenever that one is larger (Linux carries it over exec).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import nbclient
import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

# Appended to each notebook: what this kernel actually computes with, and any demo whose first
# frame failed (a Demo shows its error under the figure instead of raising, so Run All goes on).
PROBE = r"""
import json as _json, numpy as _np, matplotlib as _mpl, threadpoolctl as _tpc
from helpers import demo as _hw
try:
    import resource as _resource      # not on Windows
    _usage = _resource.getrusage(_resource.RUSAGE_SELF)
    _peak_mb = _usage.ru_maxrss / (1024 * 1024 if __import__("sys").platform == "darwin" else 1024)
    _peak_from = "ru_maxrss"
    _cpu_s = _usage.ru_utime + _usage.ru_stime
except ImportError:
    _peak_mb = _cpu_s = _peak_from = None
try:  # Linux: the kernel's own peak. ru_maxrss carries over exec the peak of the process that started
    with open("/proc/self/status") as _fh:   # the kernel, so a large parent would be reported instead
        _peak_mb = int(next(_l for _l in _fh if _l.startswith("VmHWM:")).split()[1]) / 1024
    _peak_from = "VmHWM"
except (OSError, StopIteration):
    pass
try:
    from numpy._core._multiarray_umath import __cpu_features__ as _feat
except ImportError:                      # numpy < 2
    from numpy.core._multiarray_umath import __cpu_features__ as _feat
print("RUNTIME " + _json.dumps({
    "numpy": _np.__version__, "matplotlib": _mpl.__version__,
    "blas": [{k: lib.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
             for lib in _tpc.threadpool_info() if lib.get("user_api") == "blas"],
    "simd_enabled": sorted(k for k, v in _feat.items() if v),
    "kernel_peak_mb": _peak_mb, "kernel_peak_from": _peak_from, "kernel_cpu_seconds": _cpu_s,
    "demo_errors": {name: repr(d.last_error) for name, d in _hw.REGISTRY.items() if d.last_error is not None}}))
"""


def run(path: Path, timeout: int) -> dict:
    """Execute one notebook; ``{"notebook", "ok", "seconds", "error", "runtime"}``."""
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(PROBE))
    client = nbclient.NotebookClient(nb, timeout=timeout, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    start = time.perf_counter()
    error = None
    try:
        client.execute()
    except nbclient.exceptions.CellExecutionError as exc:
        cell_index = next((i for i, c in enumerate(nb.cells) if any(
            o.get("output_type") == "error" for o in c.get("outputs", []))), None)
        source = nb.cells[cell_index].source if cell_index is not None else ""
        error = {"cell": cell_index, "ename": exc.ename, "evalue": str(exc.evalue)[:500],
                 "source_head": source[:300]}
    except Exception as exc:  # kernel died (e.g. an illegal instruction), timeout
        error = {"cell": None, "ename": type(exc).__name__, "evalue": str(exc)[:500], "source_head": ""}
    seconds = time.perf_counter() - start
    runtime = None
    if error is None:
        text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
        line = next((ln for ln in text.splitlines() if ln.startswith("RUNTIME ")), None)
        runtime = json.loads(line[len("RUNTIME "):]) if line else None
        if runtime and runtime["demo_errors"]:
            name, message = next(iter(runtime["demo_errors"].items()))
            error = {"cell": None, "ename": "DemoError", "evalue": f"demo {name} failed: {message}"[:500],
                     "source_head": ""}
    return {"notebook": path.name, "ok": error is None, "seconds": round(seconds, 1),
            "error": error, "runtime": runtime}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("numbers", nargs="*", help="notebook numbers (03 or 3); default: all")
    parser.add_argument("--json", type=Path, help="write the report to this file")
    parser.add_argument("--timeout", type=int, default=600, help="seconds per cell (default 600)")
    args = parser.parse_args(argv)
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.numbers:
        wanted = {f"{int(n):02d}" for n in args.numbers}
        paths = [p for p in paths if p.name[:2] in wanted]
    if not paths:
        parser.error(f"no notebooks match {args.numbers}")
    report = []
    for path in paths:
        result = run(path, args.timeout)
        report.append(result)
        status = "ok" if result["ok"] else f"STOPPED at cell {result['error']['cell']}: " \
            f"{result['error']['ename']}: {result['error']['evalue'][:200]}"
        rt = result["runtime"] or {}
        usage = (f"  (kernel: {rt['kernel_cpu_seconds']:.1f} CPU s, peak {rt['kernel_peak_mb']:.0f} MB)"
                 if rt.get("kernel_peak_mb") else "")
        print(f"{path.name:40s} {result['seconds']:6.1f} s  {status}{usage}", flush=True)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, indent=1))
    return 0 if all(r["ok"] for r in report) else 1


if __name__ == "__main__":
    sys.exit(main())
