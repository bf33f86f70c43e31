"""Slider timing that runs INSIDE a notebook's kernel (its source is sent there and executed).

For every registered :class:`helpers.Demo` and every one of its controls, the
control's ``.value`` is changed ``n_changes`` times across its range (a
choice cycles through its options). Setting ``.value`` in the kernel runs the
Demo's update synchronously: compute, draw, PNG, and the assignment of
``Demo.image.value``, which sends the new frame to the front end over the
kernel's IOPub socket. The wall time of each assignment is therefore "value
changed -> updated figure sent". Afterwards every control gets its own value
back. Kept free of imports from ``benchmarks`` so that it runs in any kernel.
"""
from __future__ import annotations


def _sweep_values(widget, n_changes):
    """``n_changes`` values across the control's range, each different from the one before."""
    import math
    import numpy as np
    import ipywidgets as widgets

    current = widget.value
    if isinstance(widget, widgets.FloatLogSlider):
        exps = np.linspace(widget.min, widget.max, n_changes + 1)
        grid = [float(widget.base ** (widget.min + round((e - widget.min) / widget.step) * widget.step)) for e in exps]
    elif isinstance(widget, (widgets.IntSlider, widgets.FloatSlider)):
        raw = np.linspace(widget.min, widget.max, n_changes + 1)
        step = widget.step or 1
        grid = [widget.min + round((v - widget.min) / step) * step for v in raw]
        grid = [min(max(v, widget.min), widget.max) for v in grid]
        grid = [int(v) for v in grid] if isinstance(widget, widgets.IntSlider) else [float(v) for v in grid]
    elif isinstance(widget, widgets.Checkbox):
        grid = [not current, current]
    else:
        options = [o[1] if isinstance(o, tuple) else o for o in getattr(widget, "options", ())]
        if not options:
            return []
        start = options.index(current) + 1 if current in options else 0
        grid = [options[(start + k) % len(options)] for k in range(len(options))]
    # Distinct values, in order; then ping-pong through them until n_changes changes are made.
    distinct = []
    for v in grid:
        if not distinct or not (v == distinct[-1] or (isinstance(v, float) and math.isclose(v, distinct[-1]))):
            if v not in distinct:
                distinct.append(v)
    if len(distinct) < 2:
        distinct = distinct + ([current] if current not in distinct else [])
    if len(distinct) < 2:
        return []
    cycle = not isinstance(widget, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider))
    seq, prev, i, direction = [], current, 0, 1
    order = distinct
    while len(seq) < n_changes:
        v = order[i]
        if v != prev:
            seq.append(v)
            prev = v
        if cycle:
            i = (i + 1) % len(order)
        else:
            if not 0 <= i + direction < len(order):
                direction = -direction
            i += direction
    return seq


def _panels(fig):
    """Visible axes of ``fig`` (an axes drawn with its frame off, e.g. a diagram, counts too);
    colorbars and twin axes sharing a panel's place do not count as panels."""
    positions = set()
    for ax in fig.axes:
        if not ax.get_visible() or getattr(ax, "_colorbar", None) is not None:
            continue
        positions.add(tuple(round(v, 3) for v in ax.get_position().bounds))
    return max(1, len(positions))


def _breakdown(demo, values_list):
    """Median ms of the three parts of a frame: ``update`` (compute + move artists), drawing (the
    moving part over the kept background, or a full draw), PNG encoding."""
    import statistics
    import time
    from helpers import rendering

    parts = {"update_ms": [], "draw_ms": [], "png_ms": []}
    for values in values_list:
        t0 = time.perf_counter()
        demo.update(**values)
        t1 = time.perf_counter()
        demo._render()                                   # draw + encode, as a frame is made
        t2 = time.perf_counter()
        rendering._encode_png(demo.fig.canvas)           # the encoding alone, again
        t3 = time.perf_counter()
        for k, seconds in zip(parts, (t1 - t0, (t2 - t1) - (t3 - t2), t3 - t2)):
            parts[k].append(1000 * seconds)
    out = {k: statistics.median(v) for k, v in parts.items() if v}
    out["pixels"] = "x".join(str(n) for n in demo.fig.canvas.get_width_height())
    return out


def probe(n_changes=10, single_ms=50.0, multi_ms=150.0, retrain_ms=1000.0):
    """Time every control of every registered Demo; return a JSON-able list of dicts."""
    import statistics
    import time
    import traceback
    from helpers import demo as hw

    rows = []
    for name, demo in list(hw.REGISTRY.items()):
        panels = _panels(demo.fig)
        visible_axes = sum(ax.get_visible() for ax in demo.fig.axes)   # the plain count, colorbars included
        retrains = any(getattr(w, "continuous_update", True) is False for w in demo.controls.values())
        target = retrain_ms if retrains else (single_ms if panels == 1 else multi_ms)
        own_values = demo.values()
        kept, demo.max_cached_frames = demo.max_cached_frames, 0     # time drawn frames, not revisits
        demo._frames.clear()
        for arg, widget in demo.controls.items():
            row = {"demo": name, "argument": arg, "label": getattr(widget, "description", "") or arg,
                   "widget": type(widget).__name__, "panels": panels, "visible_axes": visible_axes,
                   "retrains": retrains,
                   "continuous_update": getattr(widget, "continuous_update", None), "target_ms": target}
            try:
                values = _sweep_values(widget, n_changes)
                before = len(demo.timings_ms)
                wall, errors = [], 0
                for v in values:
                    start = time.perf_counter()
                    widget.value = v
                    wall.append(1000 * (time.perf_counter() - start))
                    errors += demo.last_error is not None
                inside = demo.timings_ms[before:]        # all drawn: the frame cache is off here
                row.update(changes=len(values), median_ms=statistics.median(wall) if wall else None,
                           max_ms=max(wall) if wall else None,
                           update_median_ms=statistics.median(inside) if inside else None,
                           errors=errors, values=[v if isinstance(v, (int, float, str, bool)) else str(v) for v in values])
                if errors:
                    row["error"] = repr(demo.last_error)
            except Exception:
                row["error"] = traceback.format_exc(limit=3)
            finally:
                try:
                    widget.value = own_values[arg]
                except Exception:
                    pass
            rows.append(row)
        # Where a frame's time goes, from three plain calls at values the sweep used.
        try:
            sweep = [dict(own_values, **{r["argument"]: r["values"][i]})
                     for r in rows if r["demo"] == name and r.get("values")
                     for i in (0, len(r["values"]) // 2, -1)][:3]
            parts = _breakdown(demo, sweep or [own_values])
            for r in rows:
                if r["demo"] == name:
                    r.update(parts)
        except Exception:
            pass
        finally:
            demo.refresh()
            demo.max_cached_frames = kept
    return rows
