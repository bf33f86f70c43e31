"""Targets, PASS/MISS verdicts and the printed table."""
from __future__ import annotations

import math

TARGETS = {
    "slider_single_ms": 50.0,
    "slider_multi_ms": 150.0,
    "slider_retrain_ms": 1000.0,
    "series_seconds": 60.0,
    "bptt_float64_ratio": 1.0,          # numpy no slower than torch, every size, RNN and LSTM
    "lstm_float32_ratio_b32": 1.5,      # within 1.5x of torch.nn.LSTM in float32 at B >= 32
    "lstm_solve_seconds": 10.0,         # LSTM solves the adding problem at T=100, 3 of 3 seeds, <= 10 s each
    "peak_rss_mb": 150.0,
}


def verdict(ok) -> str:
    return "—" if ok is None else ("PASS" if ok else "MISS")


def _fmt(v, spec=".1f", none="—") -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return none
    return format(v, spec)


def table(rows: list[list], header: list[str]) -> str:
    rows = [[str(c) for c in r] for r in rows]
    widths = [max(len(h), *(len(r[i]) for r in rows)) if rows else len(h) for i, h in enumerate(header)]
    line = "  ".join(h.ljust(w) for h, w in zip(header, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    out += ["  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows]
    return "\n".join(out)


def bptt_target(r: dict):
    """The ratio target that applies to one grid point, or None."""
    if r.get("dtype") == "float64":
        return TARGETS["bptt_float64_ratio"]
    if r.get("model") == "lstm" and r.get("dtype") == "float32" and r.get("B", 0) >= 32:
        return TARGETS["lstm_float32_ratio_b32"]
    return None


def checks(results: dict) -> list[dict]:
    """Every target that this run measured: name, value, target, ok."""
    out = []
    for k, d in (results.get("slider_details") or {}).items():
        v = d.get("median_ms")
        out.append({"check": f"slider {k}", "value": v, "target": d["target_ms"], "unit": "ms",
                    "ok": None if v is None else (v <= d["target_ms"] and not d.get("errors"))})
    nb = results.get("notebook_seconds")
    if nb is not None:
        for stem, s in nb.items():
            if s is None:
                out.append({"check": f"notebook {stem} executes", "value": None, "target": None, "unit": "s", "ok": False})
        total = results.get("total_seconds")
        out.append({"check": "series executes (sum of notebook_seconds)", "value": total,
                    "target": TARGETS["series_seconds"], "unit": "s",
                    "ok": None if total is None else total <= TARGETS["series_seconds"]})
    for k, r in ((results.get("bptt") or {}).get("results") or {}).items():
        t = bptt_target(r)
        if t is not None and r.get("ratio") is not None:
            out.append({"check": f"bptt {k} numpy/torch", "value": r["ratio"], "target": t, "unit": "x",
                        "ok": r["ratio"] <= t and r.get("gradients_agree", False)})
    summary = (results.get("adding_problem") or {}).get("summary") or {}
    lstm = summary.get("lstm T=100")
    if lstm:
        secs = lstm["max_seconds_to_solve"]
        out.append({"check": "adding T=100: LSTM solves 3 of 3, each <= 10 s",
                    "value": f"{lstm['successes']}/{lstm['of']}, max {_fmt(secs)} s", "target": "3/3, 10 s", "unit": "",
                    "ok": lstm["successes"] == lstm["of"] == 3 and secs is not None and secs <= TARGETS["lstm_solve_seconds"]})
    for stem, row in ((results.get("sizing") or {}).get("notebooks") or {}).items():
        if not row["ok"] or not (row.get("voila") or {"ok": True})["ok"]:
            out.append({"check": f"sizing: {stem} runs (kernel and Voilà)", "value": None, "target": None, "unit": "",
                        "ok": False})
    if results.get("peak_rss_mb") is not None:
        out.append({"check": "peak RSS of LSTM training (T=100)", "value": results["peak_rss_mb"],
                    "target": TARGETS["peak_rss_mb"], "unit": "MB", "ok": results["peak_rss_mb"] <= TARGETS["peak_rss_mb"]})
    return out


def render(results: dict) -> str:
    parts = []
    m = results.get("machine", {})
    parts.append(f"Machine: {m.get('cpu')} ({m.get('cores')} cores), Python {m.get('python')}, numpy {m.get('numpy')} "
                 f"(BLAS threads: {m.get('numpy_blas_threads')}); load average at start {results.get('load_average_start')}")
    if results.get("load_average"):
        parts.append("1-minute load average at the start and end of each section (2 cores: above 2, "
                     "other programs share the CPU and every time here grows with it): "
                     + ", ".join(f"{k} {v[0]} -> {v[1]}" for k, v in results["load_average"].items()))
    if results.get("slider_details"):
        rows = []
        for k, d in results["slider_details"].items():
            kind = "retrains" if d["retrains"] else ("1 panel" if d["panels"] == 1 else f"{d['panels']} panels")
            ok = None if d.get("median_ms") is None else (d["median_ms"] <= d["target_ms"] and not d.get("errors"))
            rows.append([d["notebook"], d["label"], d["demo"], kind, d.get("changes", 0), _fmt(d.get("median_ms")),
                         _fmt(d.get("max_ms")), f"<= {d['target_ms']:.0f}",
                         verdict(ok) + (f" ({d['errors']} errors)" if d.get("errors") else ""),
                         _fmt(d.get("update_ms")), _fmt(d.get("draw_ms")), _fmt(d.get("png_ms"))])
        parts.append("\nSlider updates (value change -> new figure sent, in the notebook's kernel; ms; "
                     "the last three columns split one frame of the demo: update() / Agg draw / PNG)\n" +
                     table(rows, ["notebook", "slider", "demo", "kind", "changes", "median", "max", "target", "",
                                  "update", "draw", "png"]))
    elif "slider_update_ms" in results:
        parts.append("\nSlider updates: no demos found.")
    if results.get("notebook_seconds") is not None:
        rows = []
        for stem, d in (results.get("notebook_details") or {}).items():
            rows.append([stem, _fmt(d.get("seconds")), _fmt(d.get("kernel_start_seconds")),
                         "ok" if d.get("ok") else f"FAILED: {d.get('error')}"[:90]])
        rows.append(["TOTAL (executing notebooks)", _fmt(results.get("total_seconds")), "",
                     f"target <= {TARGETS['series_seconds']:.0f} s: "
                     + verdict(None if results.get('total_seconds') is None else results['total_seconds'] <= TARGETS['series_seconds'])
                     + (f"; {len(results.get('notebooks_failed', []))} failed, not counted" if results.get("notebooks_failed") else "")])
        parts.append("\nNotebooks (fresh kernel; seconds)\n" + table(rows, ["notebook", "cells s", "kernel start s", "status"]))
    b = results.get("bptt")
    if b:
        threads = [str(n) for n in (b.get("torch_threads") or [])]
        parts.append(f"\nBPTT forward + backward (median ms of interleaved repeats; numpy's BLAS pool: "
                     f"{b.get('numpy_threads')} threads; torch {b.get('torch') or 'absent'}"
                     + (f" at set_num_threads({', '.join(threads)}), OMP_WAIT_POLICY={b.get('omp_wait_policy')}; "
                        "ratio = numpy / the faster torch" if b.get("torch") else "")
                     + f"; D={b['grid']['D']}, O={b['grid']['O']})")
        for msg in (b.get("skipped") or {}).values():
            parts.append(f"  note: {msg}")
        rows = []
        for k, r in b["results"].items():
            if "error" in r:
                rows.append([k, "", "", "", "", "ERROR " + r["error"][:60]])
                continue
            t = bptt_target(r)
            ratio = r.get("ratio")
            ok = None if (t is None or ratio is None) else (ratio <= t and r.get("gradients_agree", False))
            by = r.get("torch_ms_by_threads") or {}
            rows.append([k, _fmt(r.get("numpy_ms"), ".2f")] + [_fmt(by.get(n), ".2f") for n in threads]
                        + [_fmt(ratio, ".2f"), _fmt(r.get("max_rel_diff"), ".0e"),
                           (f"<= {t}" if t else "") + ("  " + verdict(ok) if t else ""),
                           _fmt(r.get("cpu_ratio_1_thread"), ".2f")])
        parts.append(table(rows, ["model, size", "numpy"] + [f"torch {n} thr" for n in threads]
                           + ["ratio", "max rel diff", "target", "CPU-time ratio, 1 thr"]))
    a = results.get("adding_problem")
    if a:
        if "skipped" in a:
            parts.append(f"\nAdding problem: {a['skipped']}")
        else:
            rows = []
            for k, s in a["summary"].items():
                rows.append([k, f"{s['successes']}/{s['of']}",
                             ", ".join(_fmt(x) for x in s["seconds_to_solve"]),
                             ", ".join(_fmt(x) for x in s.get("cpu_seconds") or []),
                             ", ".join(_fmt(x, "d") if x else "—" for x in s["iterations_to_solve"]),
                             _fmt(s["median_seconds"]), ", ".join(_fmt(x, ".4f") for x in s["final_mse"]),
                             _fmt(s["peak_rss_mb"], ".0f"), "; ".join(s["errors"])[:60]])
            parts.append(f"\nAdding problem (helpers.adding.train, SETTINGS of notebook 07; seeds {a['seeds']}; "
                         f"budget {a['settings'].get('max_iterations')} iterations)\n" +
                         table(rows, ["model", "solved", "s to solve", "CPU s (whole run)", "iters to solve", "median s", "final MSE",
                                      "peak MB", "errors"]))
    sz = results.get("sizing")
    if sz:
        parts.append(render_sizing(sz))
    cs = results.get("checks") or []
    if cs:
        miss = [c for c in cs if c["ok"] is False]
        parts.append(f"\nTargets: {sum(c['ok'] is True for c in cs)} PASS, {len(miss)} MISS")
        for c in miss:
            v = c["value"]
            parts.append(f"  MISS {c['check']}: {_fmt(v, '.2f') if isinstance(v, float) else v} "
                         f"(target {c['target']}{' ' + c['unit'] if c['target'] is not None else ''})")
    return "\n".join(parts)


def render_sizing(sz: dict) -> str:
    """The sizing section: a row per notebook, the JupyterLab server, and the Markdown rows for INSTRUCTORS.md."""
    from .sizing import markdown_rows
    rows = []
    for stem, r in sz["notebooks"].items():
        v = r.get("voila") or {}
        errors = "; ".join(r["errors"] + v.get("errors", []))
        rows.append([stem, _fmt(r["kernel_peak_mb"], ".0f"), _fmt(r["kernel_cpu_seconds"]), _fmt(r["run_all_seconds"]),
                     _fmt(v.get("kernel_peak_mb"), ".0f"), _fmt(v.get("kernels_held"), ".0f"),
                     _fmt(v.get("kernels_rss_mb"), ".0f"), _fmt(v.get("server_rss_mb"), ".0f"),
                     _fmt(v.get("page_seconds")), ("FAILED: " + errors)[:80] if errors else "ok"])
    peaks = [r["kernel_peak_mb"] for r in sz["notebooks"].values() if r["kernel_peak_mb"] is not None]
    out = [f"\nSizing one student's server (medians of {sz['repeats']} run(s); MB = 2**20 bytes). Kernel: a fresh "
           "kernel through Run All (scripts/execute_notebooks.py): its own peak (VmHWM on Linux) and its CPU seconds, "
           "start-up included. Voilà: `voila <notebook>` with jupyter-config/, the page requested once over HTTP "
           "(no browser); the page's kernel's peak, then every kernel the server holds (a pre-heated pool adds "
           "some) and their RSS, and the Voilà server's own RSS.",
           table(rows, ["notebook", "kernel peak MB", "CPU s", "wall s", "Voilà kernel peak MB", "kernels held",
                        "their RSS MB", "Voilà server MB", "page s", "status"])]
    if peaks:
        out.append(f"Largest kernel after Run All: {max(peaks):.0f} MB")
    lab = sz.get("jupyterlab")
    if lab:
        out.append("JupyterLab server, idle after serving /lab, its settings and a listing (no kernel): "
                   + (f"{lab['rss_mb']:.0f} MB resident (peak {lab['peak_mb']:.0f} MB)" if lab["ok"] else "FAILED"))
    if sz.get("note"):
        out.append(f"note: {sz['note']}")
    out.append("\nMarkdown for INSTRUCTORS.md (\"Serving the course from a JupyterHub\"):\n" + markdown_rows(sz))
    return "\n".join(out)
