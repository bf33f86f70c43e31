"""Run the benchmarks: ``python -m benchmarks`` (all of them, as ``make bench`` does).

Sections (``--only`` takes a comma-separated list):

* ``sliders``   every slider of every Demo, timed in the kernel of its executed notebook
* ``notebooks`` seconds to execute each notebook in a fresh kernel
* ``bptt``      numpy RNN / LSTM forward + backward against PyTorch CPU autograd
* ``adding``    the adding problem (LSTM against vanilla RNN) and the LSTM's peak memory
* ``sizing``    what one student's server on a JupyterHub needs: each notebook's kernel after Run All
                (peak MB, CPU seconds), one Voilà viewer's memory (Linux), the JupyterLab server's

``--quick`` shrinks every section (a smaller BPTT grid, one seed at T=100,
5 changes per slider, one sizing repeat) for use during development. The table goes to stdout;
``benchmarks/results.json`` (or ``--out``) gets every number measured.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time

from . import report
from .common import RESULTS_PATH, machine

SECTIONS = ("sliders", "notebooks", "bptt", "adding", "sizing")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated sections to run, from {', '.join(SECTIONS)} (default: all)")
    parser.add_argument("--quick", action="store_true", help="small grid, one seed, fewer slider changes")
    parser.add_argument("--notebooks", default="*.ipynb", help="glob of notebooks/ to run (default: all)")
    parser.add_argument("--changes", type=int, default=None, help="value changes per slider (default 10; 5 with --quick)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="sizing: runs of each notebook, medians reported (default 3; 1 with --quick)")
    parser.add_argument("--out", default=str(RESULTS_PATH), help="where to write the JSON results")
    args = parser.parse_args(argv)
    only = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(only) - set(SECTIONS)
    if unknown:
        parser.error(f"--only must list sections among {', '.join(SECTIONS)}; got {', '.join(sorted(unknown))}")
    changes = args.changes or (5 if args.quick else 10)
    if changes < 1:
        parser.error("--changes must be at least 1")
    repeats = args.repeats or (1 if args.quick else 3)
    if repeats < 1:
        parser.error("--repeats must be at least 1")

    def log(msg):
        print(msg, flush=True)

    def load():  # 1-minute load average: on a shared machine it says how much the timings are inflated
        return round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None

    results = {"started_utc": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
               "sections": only, "quick": args.quick, "machine": machine(),
               "load_average_start": [round(x, 2) for x in os.getloadavg()] if hasattr(os, "getloadavg") else None}
    start = time.perf_counter()
    if "sliders" in only or "notebooks" in only:
        from . import notebooks
        log(f"[notebooks{' + sliders' if 'sliders' in only else ''}] executing notebooks/{args.notebooks} in fresh kernels")
        loads = [load()]
        nb = notebooks.run(args.notebooks, sliders="sliders" in only, n_changes=changes, log=log)
        results["load_average"] = {"notebooks": loads + [load()]}
        if "notebooks" in only:
            for k in ("notebook_seconds", "notebook_details", "total_seconds", "notebooks_failed"):
                results[k] = nb[k]
        if "sliders" in only:
            results["slider_update_ms"] = nb["slider_update_ms"]
            results["slider_details"] = nb["slider_details"]
            if "notebooks" not in only:
                results["notebooks_failed"] = nb["notebooks_failed"]
    if "bptt" in only:
        from . import bptt
        log("[bptt] numpy vs torch, forward + backward")
        loads = [load()]
        results["bptt"] = bptt.run(quick=args.quick, log=log)
        results.setdefault("load_average", {})["bptt"] = loads + [load()]
    if "adding" in only:
        from . import adding
        log("[adding] training runs, one process each")
        loads = [load()]
        results["adding_problem"] = adding.run(quick=args.quick, log=log)
        results.setdefault("load_average", {})["adding"] = loads + [load()]
        lstm = (results["adding_problem"].get("summary") or {}).get("lstm T=100")
        results["peak_rss_mb"] = lstm["peak_rss_mb"] if lstm else None
    if "sizing" in only:
        from . import sizing
        log(f"[sizing] one student's server: notebooks/{args.notebooks} run all in fresh kernels, "
            f"then as a Voilà page; the JupyterLab server; {repeats} repeat(s)")
        loads = [load()]
        results["sizing"] = sizing.run(args.notebooks, repeats=repeats, log=log)
        results.setdefault("load_average", {})["sizing"] = loads + [load()]
    results["benchmark_seconds"] = time.perf_counter() - start
    results["checks"] = report.checks(results)
    print()
    print(report.render(results))
    with open(args.out, "w", encoding="utf-8") as fh:
        json.dump(results, fh, indent=1, default=str, ensure_ascii=False)
    print(f"\nwrote {args.out} ({results['benchmark_seconds']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
