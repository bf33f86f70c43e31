"""Calling every demo at the corners of its controls (what the tests and the benchmark use).

ipywidgets swallows exceptions raised inside callbacks, so a broken slider passes
nbval: the tests execute each notebook and call every registered :class:`~helpers.demo.Demo`
at its slider extremes with :func:`exercise_all`.
"""
from __future__ import annotations

import itertools
import time

import ipywidgets as widgets
import numpy as np

from .demo import REGISTRY, Demo

__all__ = ["control_extremes", "exercise", "exercise_all", "frames_match_full_draws"]


def control_extremes(widget) -> list:
    """The values a test should try for one control: both ends of a slider, every option of a choice."""
    if isinstance(widget, widgets.FloatLogSlider):
        return [widget.base ** widget.min, widget.base ** widget.max]
    if isinstance(widget, (widgets.IntSlider, widgets.FloatSlider)):
        return [widget.min, widget.max]
    if isinstance(widget, widgets.Checkbox):
        return [False, True]
    options = getattr(widget, "options", None)
    if options is not None:
        return [o[1] if isinstance(o, tuple) else o for o in options]
    raise ValueError(f"widget must be a slider, a checkbox or a choice, got {type(widget).__name__}")


def _has_visible_data(fig) -> bool:
    """True when some data line (not a reference line) has a finite point, or no lines are used."""
    data_lines = [ln for ax in fig.axes for ln in ax.get_lines() if ln.get_gid() != "reference"]
    if not data_lines:
        return True  # images, bars, meshes: not judged here
    for ln in data_lines:
        y = np.asarray(ln.get_ydata(), dtype=float)
        if y.size and np.isfinite(y).any():
            return True
    return False


def exercise(demo: Demo, max_combinations: int = 64) -> list[dict]:
    """Call ``demo`` at every corner of its controls; raise AssertionError on the first failure.

    Corners: both ends of every slider combined with every option of every
    choice. If there are more than ``max_combinations`` corners, each control
    is taken to its extremes in turn (the others at their defaults) plus the
    all-minimum and all-maximum corners. A call fails when it raises, or when
    every data line of the figure is blank (no finite point) and ``update``
    returned no sentence saying why. Afterwards the controls' values are
    restored. Returns ``[{"values": ..., "note": ..., "ms": ...}, ...]``.
    """
    names = list(demo.controls)
    options = [control_extremes(demo.controls[n]) for n in names]
    combos = list(itertools.product(*options))
    if len(combos) > max_combinations:
        defaults = demo.values()
        combos = [tuple(o[0] for o in options), tuple(o[-1] for o in options)]
        for i, n in enumerate(names):
            for v in options[i]:
                combos.append(tuple(v if j == i else defaults[m] for j, m in enumerate(names)))
    results = []
    for combo in combos:
        values = dict(zip(names, combo))
        start = time.perf_counter()
        try:
            note, png = demo.call(**values)
        except Exception as exc:
            raise AssertionError(f"demo {demo.name!r} failed at {values}: {type(exc).__name__}: {exc}") from exc
        ms = 1000 * (time.perf_counter() - start)
        if not png:
            raise AssertionError(f"demo {demo.name!r} drew nothing at {values}")
        if not note and not _has_visible_data(demo.fig):
            raise AssertionError(f"demo {demo.name!r} shows a blank plot at {values} and no sentence saying why")
        results.append({"values": values, "note": note, "ms": ms})
    demo.call()  # back to the controls' own values
    return results


def exercise_all(max_combinations: int = 64) -> dict[str, list[dict]]:
    """:func:`exercise` every registered demo; ``{name: results}``."""
    if not REGISTRY:
        raise AssertionError("no demos are registered: was the notebook executed?")
    return {name: exercise(d, max_combinations) for name, d in REGISTRY.items()}


def frames_match_full_draws(demo: Demo) -> dict:
    """Move each control one step either way and back, as arrow keys do; compare every frame with a full draw.

    A Demo draws most frames over a kept background (:class:`helpers.rendering.Blitter`);
    each must have the pixels of a full draw of the same state. Returns
    ``{"frames": n, "blits": n, "panels": n, "mismatches": [{"values", "pixels", "png", "reference"}, ...]}``
    (``panels``: frames that redrew only the panels whose range changed)
    (PNG bytes of both pictures for each mismatch). Afterwards the controls' values are restored.
    """
    import io

    from PIL import Image

    own = demo.values()
    sequence = [values for step in demo._neighbours() for values in (step, own)]
    blits_before, panels_before = demo._blitter.blits, demo._blitter.partial_draws
    mismatches = []
    for values in sequence:
        _, png = demo.call(**values)
        frame = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        reference = demo._blitter.reference_pixels()[:, :, :3]
        if frame.shape != reference.shape or (frame != reference).any():
            buf = io.BytesIO()
            Image.fromarray(reference).save(buf, format="png")
            differ = None if frame.shape != reference.shape else int((frame != reference).any(axis=-1).sum())
            mismatches.append({"values": values, "pixels": differ, "png": png, "reference": buf.getvalue()})
    blits = demo._blitter.blits - blits_before
    panels = demo._blitter.partial_draws - panels_before
    demo.call()
    return {"frames": len(sequence), "blits": blits, "panels": panels, "mismatches": mismatches}
