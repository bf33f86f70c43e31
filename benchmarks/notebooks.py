"""Notebook run times and slider update times, measured in real kernels.

Each notebook runs cell by cell in a fresh kernel (nbclient, as ``make test``
does); its seconds are the wall time from the first cell's start to the last
cell's end (the kernel's start-up is reported apart). Then, in that same
kernel, :mod:`benchmarks.probe` moves every slider of every registered Demo.
A notebook that fails is reported as failed; the others still run.
"""
from __future__ import annotations

import json
import subprocess
import time
from pathlib import Path

from .common import NOTEBOOKS_DIR

PROBE_MARK = "BENCH-SLIDERS "
TARGETS = {"single_ms": 50.0, "multi_ms": 150.0, "retrain_ms": 1000.0}


def notebook_paths(pattern: str = "*.ipynb") -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob(pattern))


def _probe_source(n_changes: int) -> str:
    source = (Path(__file__).with_name("probe.py")).read_text(encoding="utf-8")
    args = ", ".join(f"{k}={v!r}" for k, v in TARGETS.items())
    return (source + "\n\nimport json as _bench_json\n"
            f"print({PROBE_MARK!r} + _bench_json.dumps(probe(n_changes={n_changes}, {args})))\n")


def _error_text(exc: BaseException) -> str:
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}".strip()[:300]
    return f"{type(exc).__name__}: {exc}"[:300]


def run_notebook(path: Path, *, sliders: bool = True, n_changes: int = 10, timeout: int = 600) -> dict:
    """Execute ``path`` in a fresh kernel; optionally time its sliders in that kernel.

    Returns ``{"ok", "seconds", "kernel_start_seconds", "cells", "error", "sliders": [...]}``.
    """
    import nbformat
    from nbclient import NotebookClient
    from nbclient.util import run_sync

    nb = nbformat.read(str(path), as_version=4)
    result = {"notebook": path.stem, "ok": False, "seconds": None, "kernel_start_seconds": None,
              "cells": sum(c.cell_type == "code" for c in nb.cells), "error": None, "sliders": []}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.reset_execution_trackers()
    start = time.perf_counter()
    try:
        with client.setup_kernel(stderr=subprocess.DEVNULL):  # no 'kernel over TCP' warnings in the table
            run_sync(client.async_wait_for_reply)(client.kc.kernel_info())
            result["kernel_start_seconds"] = time.perf_counter() - start
            cells_start = time.perf_counter()
            index = 0
            try:
                for index, cell in enumerate(nb.cells):
                    client.execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
                result["ok"] = True
            except Exception as exc:  # a failing notebook is a result, not a crash
                first_line = (nb.cells[index].source.strip().splitlines() or [""])[0][:60]
                result["error"] = f"cell {index} ({first_line!r}): {_error_text(exc)}"
            result["seconds"] = time.perf_counter() - cells_start
            if sliders:
                cell = nbformat.v4.new_code_cell(_probe_source(n_changes))
                nb.cells.append(cell)
                try:
                    client.execute_cell(cell, len(nb.cells) - 1)
                    out = "".join(o.get("text", "") for o in cell.outputs if o.get("output_type") == "stream")
                    line = next(l for l in out.splitlines() if l.startswith(PROBE_MARK))
                    result["sliders"] = json.loads(line[len(PROBE_MARK):])
                except Exception as exc:
                    result["slider_error"] = _error_text(exc)
    except Exception as exc:  # the kernel itself failed
        result["error"] = result["error"] or _error_text(exc)
    result["wall_seconds"] = time.perf_counter() - start
    return result


def slider_key(stem: str, row: dict, taken: set) -> str:
    """"<notebook stem>:<slider label>", with the demo's name added when two sliders share a label."""
    key = f"{stem}:{row['label']}"
    if key in taken:
        key = f"{stem}:{row['label']} [{row['demo']}]"
    taken.add(key)
    return key


def run(pattern: str = "*.ipynb", sliders: bool = True, n_changes: int = 10, log=print) -> dict:
    """Both sections: ``notebook_seconds`` (+ details) and ``slider_update_ms`` (+ details)."""
    notebooks, details, slider_ms, slider_details, taken = {}, {}, {}, {}, set()
    for path in notebook_paths(pattern):
        log(f"  running {path.name} ...")
        r = run_notebook(path, sliders=sliders, n_changes=n_changes)
        notebooks[path.stem] = r["seconds"] if r["ok"] else None
        details[path.stem] = {k: r.get(k) for k in ("ok", "seconds", "kernel_start_seconds", "wall_seconds",
                                                     "cells", "error", "slider_error")}
        msg = f"{r['seconds']:.1f} s" if r["ok"] else f"FAILED ({r['error']})"
        log(f"    {path.stem}: {msg}; {len(r['sliders'])} slider(s) timed")
        for row in r["sliders"]:
            k = slider_key(path.stem, row, taken)
            slider_ms[k] = row.get("median_ms")
            slider_details[k] = {"notebook": path.stem, **row}
    ok_seconds = [s for s in notebooks.values() if s is not None]
    return {"notebook_seconds": notebooks, "notebook_details": details,
            "total_seconds": sum(ok_seconds) if ok_seconds else None,
            "notebooks_failed": sorted(k for k, v in notebooks.items() if v is None),
            "slider_update_ms": slider_ms, "slider_details": slider_details}
