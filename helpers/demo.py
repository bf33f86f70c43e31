"""``Demo``: an interactive figure (controls, one persistent figure, a readout line, an error line).

Why not ``ipywidgets.interact``?

* ``interact`` builds a new figure on every move, and making and laying out a
  figure costs more than a slider frame may take. A :class:`Demo` keeps one
  figure; the notebook's ``update`` function moves its artists.
* ipywidgets swallows exceptions raised inside callbacks, so a broken slider
  still passes nbval. A :class:`Demo` shows the error in red under the figure,
  and registers itself in :data:`REGISTRY` so that the tests can call it at
  every slider corner (:mod:`helpers.demo_testing`).

Typical use in a notebook::

    fig, ax = helpers.figure()
    line, = ax.plot([], [])
    def show_product(w, d):
        ...                       # compute
        line.set_data(x, y)       # move artists captured above; axes limits stay fixed
        return ""                 # or a sentence shown under the plot
    helpers.Demo(show_product, fig,
                 w=helpers.slider("w", 0.1, 5.0, 0.1, value=1.5),
                 d=helpers.slider("d", 1, 100, value=30))

``update`` must draw only into artists it captured when the demo was made,
never through a global (``ax``) that a later cell may rebind: the lecture view
runs every cell before anyone moves a slider.
"""
from __future__ import annotations

import asyncio
import base64
import html
import json
import math
import statistics
import threading
import time
import traceback
from collections import OrderedDict
from typing import Callable

import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg

from .rendering import Blitter, render_png
from .style import figure_text_sizes
from .validation import check_float

__all__ = ["Demo", "REGISTRY"]

#: Every Demo made in this Python process, by name (a re-run cell replaces its entry).
REGISTRY: dict[str, "Demo"] = {}


class Demo:
    """An interactive figure: controls, one persistent figure, a readout line, an error line.

    Parameters
    ----------
    update : plain function ``update(**values) -> str | None``. It receives one
        keyword per control, updates the artists of ``fig`` (it must not make a
        new figure), and may return a sentence shown under the plot, e.g. to
        explain inf or NaN. Keep it callable without widgets: the tests call it
        directly at the slider extremes.
    fig : the figure ``update`` draws into, made with :func:`helpers.figure`.
    scale : pixels per CSS pixel of the PNG (2 = sharp on retina screens and projectors).
    freeze_layout : after the first frame, keep the axes where the layout put
        them instead of re-running the layout on every frame (the layout is a
        large part of a frame's cost). Set ``False`` if ``update`` changes
        labels' sizes a lot.
    **controls : ``name=widget`` for each argument of ``update``.

    Only what moves is redrawn: after ``update`` has run, the Demo asks matplotlib which
    artists it changed (``set_data``, ``set_text``... mark them stale), keeps everything else
    as a background drawn once, and draws each frame as that background plus the changed
    artists and whatever a full draw puts over them (:class:`helpers.rendering.Blitter`).
    A change to axis limits, ticks, an axis label, or an artist added or removed makes that
    frame a full draw. Nothing is declared in the notebook, and every frame has the pixels
    of a full draw (the tests compare them). A change matplotlib cannot see (an array
    edited in place) needs ``helpers.rendering.full_redraw(fig)`` in ``update``.

    Keeping up with the room: a frame already drawn for the same control values is
    sent again from a small cache (moving a slider back, or to and fro, costs
    nothing), which is exact because ``update`` draws only from its arguments.
    In a kernel, the cell that builds the demo draws into that cache the frame of each other
    option of its choices and of each other value of a slider with at most
    :attr:`DRAW_SLIDER_AT_MOST` values (06's T has 4), and whenever the controls have rested for
    :attr:`DRAW_AHEAD_AFTER_S` after a move, the values one step away (each slider one step
    either way, each other option of a choice) are drawn too, one frame per turn of the
    kernel's event loop, so that the next arrow-key press or click usually finds its frame
    ready (not for demos that retrain). A slider moved by one step (an arrow key) has the
    frame one more step the same way drawn at once, so that presses in a row find their
    frames ready or nearly so; a press the other way may wait for that one frame. Nothing
    else is drawn ahead while presses come. A demo with at most :attr:`DRAW_ALL_AT_MOST`
    settings in all (02's T has 8) draws every one of them ahead in its cell, nearest first:
    every press then finds its frame.
    One frame is drawn at a time: JupyterLab (4.5 and later) runs widget callbacks on a kernel
    subshell's thread, beside the cells and the frames drawn ahead on the main thread, and
    two threads drawing into one figure would mix two frames' artists.
    Sliders send their values while they are dragged only as long as this demo's
    frames take at most :attr:`FOLLOW_DRAG_MS` on this machine (median of the last
    five drawn); slower demos update on release, so that the figure for the
    released value is the next one drawn rather than the one after it.

    Legibility: after the first frame the Demo measures the texts of its figure
    (:meth:`measure_text`, kept in ``text_sizes``) and puts them in a hidden element
    of its box, where the browser tests turn points into pixels on the page.
    """

    #: Frames kept for revisits (a frame is 50-200 kB of PNG). 0 turns the cache off (the benchmarks do).
    max_cached_frames = 32
    #: Slowest median frame (ms) for which sliders follow a drag: two frames then fit in 300 ms after a
    #: release (ipywidgets sends the released value once the frame in flight is done).
    FOLLOW_DRAG_MS = 120.0
    #: Seconds the controls must rest after a move before the frames one step away are drawn ahead.
    DRAW_AHEAD_AFTER_S = 0.3
    #: A demo with at most this many settings in all draws all of them ahead (kept in the frame cache).
    DRAW_ALL_AT_MOST = 24
    #: A slider with at most this many values has every value drawn ahead when its demo is built
    #: (06's T: 4 values, each a new axis range, the slowest kind of frame).
    DRAW_SLIDER_AT_MOST = 8

    def __init__(self, update: Callable[..., str | None], fig, *, name: str | None = None,
                 scale: float = 2.0, freeze_layout: bool = True, **controls):
        if not callable(update):
            raise ValueError(f"update must be a function, got {type(update).__name__}")
        if not controls:
            raise ValueError("controls must name at least one widget, e.g. w=helpers.slider('w', 0.1, 5)")
        self.update, self.fig, self.controls, self.scale = update, fig, controls, scale
        self.name = name or update.__name__
        scale = check_float("scale", scale, minimum=0.5, maximum=4.0)
        width_px = int(round(fig.get_figwidth() * 100))
        fig.set_dpi(100 * scale)
        FigureCanvasAgg(fig)  # attaches itself as fig.canvas
        self.image = widgets.Image(format="png", layout=widgets.Layout(width=f"{width_px}px", height="auto"))
        self.note = widgets.HTML(layout=widgets.Layout(width=f"{max(width_px, 400)}px"))
        self.error = widgets.HTML()
        # The figure's text sizes, for the browser tests (hidden): they turn points into pixels on the page.
        self.text_sizes: dict = {}
        self.text_probe = widgets.HTML(layout=widgets.Layout(display="none"))
        self.text_probe.add_class("rnn-figure-text")
        self.timings_ms: list[float] = []      # every refresh, cached or drawn
        self.drawn_ms: list[float] = []        # refreshes that drew a new frame
        self._frames: OrderedDict = OrderedDict()   # control values -> (note, png), most recent last
        self._draggable = [w for w in controls.values() if getattr(w, "continuous_update", False)]
        # demos that retrain (a control updating on release) are not drawn ahead: a frame costs a training run
        self._prefetch = all(getattr(w, "continuous_update", True) for w in controls.values())
        self.last_error: BaseException | None = None
        # Held while the figure or the frame cache is used: the widget callbacks may run on another thread
        # than the cells and the frames drawn ahead (JupyterLab sends widget messages to a kernel subshell).
        self._lock = threading.RLock()
        self._blitter = Blitter(fig)
        self._layout_frozen = False
        for w in controls.values():
            w.observe(self._on_change, names="value")
        self.controls_box = widgets.VBox(list(controls.values()))
        self.controls_box.add_class("rnn-demo-controls")
        self.widget = widgets.VBox([self.controls_box, self.image, self.note, self.error, self.text_probe])
        self.widget.add_class("rnn-demo")
        REGISTRY[self.name] = self
        self.refresh()
        if freeze_layout:
            fig.set_layout_engine("none")
            self._layout_frozen = True
        self.measure_text()
        if freeze_layout and self.last_error is None:
            self._learn_what_moves()
        self._draw_first_frames_ahead()

    # -- plain calls (tests, benchmarks) -------------------------------------------------
    def values(self) -> dict:
        """Current value of every control, ``{name: value}``."""
        return {k: w.value for k, w in self.controls.items()}

    def call(self, **values) -> tuple[str, bytes]:
        """Run ``update`` with the current values overridden by ``values``; return (note, png).

        Exceptions propagate (this is what the tests use).
        """
        unknown = set(values) - set(self.controls)
        if unknown:
            raise ValueError(f"values must name controls of {self.name} ({sorted(self.controls)}), got {sorted(unknown)}")
        with self._lock:
            args = {**self.values(), **values}
            note = self.update(**args) or ""
            if not isinstance(note, str):
                raise TypeError(f"{self.name} must return a sentence (str) or None, got {type(note).__name__}")
            return note, self._render()

    def _render(self) -> bytes:
        """The frame's PNG: the moving part over a kept background once the layout is frozen, else a full draw."""
        if self._layout_frozen:
            return self._blitter.render()
        return render_png(self.fig)

    def _learn_what_moves(self) -> None:
        """Find the artists ``update`` changes before anyone moves a control, so that the first
        move of each control is drawn over a kept background rather than as a full draw.

        ``update`` runs at the values one step away (each slider a step either way, each other
        option of a choice) and back at the controls' own values, and the figure is drawn once:
        the artists matplotlib marked as changed meanwhile form the moving part. Not done for
        demos that retrain (a call costs a training run); an error here is left for the moves
        that reach it, where it is shown.
        """
        self._blitter.drawn()
        if not self._prefetch:
            return
        own = self.values()
        try:
            for values in self._neighbours():
                self.update(**values)
        except Exception:
            pass
        finally:
            self.update(**own)
            self._blitter.render()

    # -- widget side -------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw for the controls' current values, showing any error in red.

        One refresh or frame drawn ahead at a time (:attr:`_lock`): the values are read once the
        figure is free, so the last refresh to run shows the controls' latest values.
        """
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        start = time.perf_counter()
        values = self.values()
        key = self._frame_key(values)
        try:
            cached = self._frames.get(key) if key is not None else None
            if cached is not None:
                self._frames.move_to_end(key)
                note, png = cached
            else:
                note, png = self.call(**values)
        except Exception as exc:  # shown, never swallowed
            self.last_error = exc
            self.error.value = ("<pre style='color:#b00020;white-space:pre-wrap'>This demo failed: "
                                + html.escape("".join(traceback.format_exception_only(type(exc), exc)))
                                + "</pre>")
            return
        self.last_error = None
        self.image.value = png
        self.note.value = f"<div style='font-size:1.1em'>{html.escape(note)}</div>" if note else ""
        self.error.value = ""
        elapsed = 1000 * (time.perf_counter() - start)
        self.timings_ms.append(elapsed)
        if cached is None:
            self.drawn_ms.append(elapsed)
            self._keep(key, note, png)
            self._follow_drags()

    def _frame_key(self, values: dict | None = None):
        """The controls' values as a hashable key, or None (then frames are not kept).

        Floats are keyed to 9 significant digits: the browser's arithmetic for "one step
        to the right" can differ from Python's in the last bits, and no demo shows a value
        to more than a few digits.
        """
        values = self.values() if values is None else values
        key = tuple(sorted((k, float(f"{v:.9g}") if isinstance(v, float) else v) for k, v in values.items()))
        try:
            hash(key)
        except TypeError:
            return None
        return key

    def _neighbours(self) -> list[dict]:
        """Control values one step from the current ones: each slider a step either way, each other option."""
        now = self.values()
        found = []
        for name, w in self.controls.items():
            if isinstance(w, widgets.FloatLogSlider):
                exponent = math.log10(w.value)
                candidates = [w.base ** e for e in (exponent - w.step, exponent + w.step)
                              if w.min - 1e-9 <= e <= w.max + 1e-9]
            elif isinstance(w, (widgets.IntSlider, widgets.FloatSlider)):
                k = round((w.value - w.min) / w.step)
                candidates = [w.min + j * w.step for j in (k - 1, k + 1) if 0 <= j * w.step <= w.max - w.min + 1e-9]
                candidates = [int(c) for c in candidates] if isinstance(w, widgets.IntSlider) else candidates
            else:
                candidates = [o[1] if isinstance(o, tuple) else o for o in getattr(w, "options", ())]
            found += [dict(now, **{name: c}) for c in candidates if c != w.value]
        return found

    def _grid(self, w) -> tuple[list, int] | None:
        """Every value of control ``w`` and the index of its current one; None if a slider has more than
        :attr:`DRAW_ALL_AT_MOST` values, or ``w`` is neither a slider nor a choice."""
        if isinstance(w, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)):
            n = int(round((w.max - w.min) / w.step)) + 1
            if n > self.DRAW_ALL_AT_MOST:
                return None
            grid = [w.min + j * w.step for j in range(n)]
            grid = ([w.base ** e for e in grid] if isinstance(w, widgets.FloatLogSlider)
                    else [int(v) for v in grid] if isinstance(w, widgets.IntSlider) else grid)
            return grid, min(range(n), key=lambda j: abs(grid[j] - w.value))
        if getattr(w, "options", None):
            grid = [o[1] if isinstance(o, tuple) else o for o in w.options]
            return grid, grid.index(w.value) if w.value in grid else 0
        return None

    def _every_setting(self) -> list[dict] | None:
        """Every combination of the controls' values, nearest to the current ones first; None if more
        than :attr:`DRAW_ALL_AT_MOST` (or a control is neither a slider nor a choice)."""
        grids, now = {}, self.values()
        for name, w in self.controls.items():
            found = self._grid(w)
            if found is None:
                return None
            grid, here = found
            grids[name] = [(abs(j - here), v) for j, v in enumerate(grid)]
        if math.prod(len(g) for g in grids.values()) > self.DRAW_ALL_AT_MOST:
            return None
        settings = [((), dict(now))]
        for name, grid in grids.items():
            settings = [(steps + (d,), dict(values, **{name: v})) for steps, values in settings for d, v in grid]
        return [values for _, values in sorted(settings, key=lambda s: sum(s[0]))]

    def _draw_first_frames_ahead(self) -> None:
        """In a kernel, before the demo is shown: draw the frame of each other option of its choices and
        of each other value of a slider with at most :attr:`DRAW_SLIDER_AT_MOST` values (06's T), the
        other controls at their own values (a small demo: every setting), so that a first click or
        press finds its frame.

        The first press of a slider with more values is drawn when it comes (the presses after it are
        drawn ahead, see :meth:`_draw_next_step`): drawing its neighbours here too would add seconds to
        Run All.
        Done in the cell that builds the demo, so that nothing is left running after the cell: the
        lecture view's pre-heated kernels are ready when `make present` says so, and the frames do
        not depend on how fast cells follow. Outside a kernel (tests, scripts) nothing is drawn ahead.
        """
        try:
            asyncio.get_running_loop()
        except RuntimeError:
            return
        if not (self._prefetch and self.max_cached_frames > 0):
            return
        sliders = (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider)
        own, ahead = self.values(), self._ahead()
        if self._every_setting() is None:       # not a small demo: the other options of its choices only,
            ahead = [v for v in ahead if any(v[k] != own[k] for k, w in self.controls.items()
                                             if not isinstance(w, sliders))]
            for name, w in self.controls.items():   # and every value of a slider with few values, nearest first
                found = self._grid(w) if isinstance(w, sliders) else None
                if found and len(found[0]) <= self.DRAW_SLIDER_AT_MOST:
                    grid, here = found
                    nearest_first = sorted(range(len(grid)), key=lambda j: abs(j - here))
                    ahead += [dict(own, **{name: grid[j]}) for j in nearest_first if j != here]
        with self._lock:
            for values in ahead:
                self._draw_into_cache(values)
            self.update(**own)                  # the figure as shown: the controls' own values

    def _draw_into_cache(self, values: dict) -> None:
        """Draw the frame for ``values`` into the frame cache, unless it is there already."""
        key = self._frame_key(values)
        with self._lock:
            if key in self._frames:
                return
            try:
                self._keep(key, *self.call(**values))
            except Exception:                   # shown when (if) someone moves there, not here
                pass

    def _ahead(self) -> list[dict]:
        """The frames worth drawing ahead and not in the cache: one step away, or every setting of a small demo."""
        if not (self._prefetch and self.max_cached_frames > 0):
            return []
        every = self._every_setting()
        pending = [v for v in (every or self._neighbours()) if self._frame_key(v) not in self._frames]
        return pending[: max(self.max_cached_frames - 1 if every else self.max_cached_frames // 2, 0)]

    def _draw_ahead(self) -> None:
        """After a move, schedule the frames of :meth:`_ahead` on the kernel's event loop, one per turn,
        once the controls have rested (none without a loop)."""
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:       # plain Python (tests, scripts): nothing runs in the background
            return
        pending = self._ahead()
        if pending:
            loop.call_later(self.DRAW_AHEAD_AFTER_S, self._draw_one_ahead, pending, self._frame_key())

    def _draw_one_ahead(self, pending: list[dict], shown) -> None:
        if self._frame_key() != shown or self.max_cached_frames <= 0:   # the controls moved on: their own
            return                                                       # frames ahead come next
        self._draw_into_cache(pending.pop(0))
        if pending:
            asyncio.get_running_loop().call_later(0.01, self._draw_one_ahead, pending, shown)

    def _keep(self, key, note, png) -> None:
        if key is None or self.max_cached_frames <= 0:
            return
        self._frames[key] = (note, png)
        while len(self._frames) > self.max_cached_frames:
            self._frames.popitem(last=False)

    def _follow_drags(self) -> None:
        """Sliders follow a drag while the median of the last five drawn frames is within FOLLOW_DRAG_MS.

        The first frame (which also lays the figure out) does not count; until a second one is
        drawn, the sliders do as the notebook made them.
        """
        if len(self.drawn_ms) < 2:
            return
        follow = statistics.median(self.drawn_ms[1:][-5:]) <= self.FOLLOW_DRAG_MS
        for widget in self._draggable:
            if widget.continuous_update != follow:
                widget.continuous_update = follow

    def measure_text(self) -> dict:
        """Measure the figure's texts as drawn now (:func:`helpers.style.figure_text_sizes`); keep and return them.

        Done once, after the first frame: a frame changes what the texts say, not their sizes.
        The result also goes into a hidden element of the demo (``.rnn-figure-text``,
        attribute ``data-text-sizes``, JSON), where the browser tests read it: a text of
        ``min_pt`` points is ``min_pt * dpi / 72`` pixels of the PNG.
        """
        self.text_sizes = figure_text_sizes(self.fig)
        self.text_probe.value = f"<span data-text-sizes='{html.escape(json.dumps(self.text_sizes), quote=True)}'></span>"
        return self.text_sizes

    def _on_change(self, change) -> None:
        self.refresh()
        self._draw_next_step(change)
        self._draw_ahead()

    def _draw_next_step(self, change) -> None:
        """A slider moved by one step (an arrow key): draw the frame one more step the same way, at once.

        Presses of an arrow key usually go on in the same direction (T walked up to show the
        curve grow), so the next press finds its frame drawn or being drawn. A press the other
        way waits for that frame first (at most one frame's time).
        """
        w = change["owner"]
        if not (self._prefetch and self.max_cached_frames > 0
                and isinstance(w, (widgets.IntSlider, widgets.FloatSlider, widgets.FloatLogSlider))):
            return
        log = isinstance(w, widgets.FloatLogSlider)
        old, new = (math.log(v, w.base) if log else v for v in (change["old"], change["new"]))
        if not math.isclose(abs(new - old), w.step, rel_tol=1e-6):
            return                                   # a drag or a click on the track, not one step
        following = new + (new - old)
        if not w.min - 1e-9 * w.step <= following <= w.max + 1e-9 * w.step:
            return
        following = w.base ** following if log else int(round(following)) if isinstance(w, widgets.IntSlider) else following
        name = next(k for k, c in self.controls.items() if c is w)
        values = dict(self.values(), **{name: following})
        if self._frame_key(values) in self._frames:
            return
        try:
            asyncio.get_running_loop().call_soon(self._draw_one_ahead, [values], self._frame_key())
        except RuntimeError:       # plain Python: nothing runs in the background
            pass

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        # Static fallback (rendered copies, nbconvert to Markdown): the first frame as a picture.
        if self.image.value:
            data["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        data["text/plain"] = f"Interactive demo '{self.name}': run the notebook to move its sliders."
        return data
