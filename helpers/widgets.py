"""Sliders, interactive demos, and the machinery that tests demos at their slider extremes.

Why not ``ipywidgets.interact``? Two reasons, both measured in this series:

* ``interact`` builds a new matplotlib figure on every move; creating and
  laying out a figure costs more than the 50 ms a slider may take. A
  :class:`Demo` keeps one figure, lets the notebook's ``update`` function move
  its artists, and sends only the new PNG.
* ipywidgets swallows exceptions raised inside callbacks, so a broken slider
  still passes nbval. A :class:`Demo` shows the error in red under the figure,
  and registers itself so that the tests can call it at every slider corner
  (:func:`exercise`).

Typical use in a notebook::

    fig, ax = helpers.figure()
    line, = ax.plot([], [])
    def show_product(w, d):
        ...                       # compute
        line.set_data(x, y)       # move artists; axes limits stay fixed
        return ""                 # or a sentence shown under the plot
    helpers.Demo(show_product, fig,
                 w=helpers.slider("w", 0.1, 5.0, 0.1, value=1.5),
                 d=helpers.slider("d", 1, 100, value=30))
"""
from __future__ import annotations

import base64
import html
import io
import itertools
import math
import time
import traceback
from typing import Callable

import numpy as np
import ipywidgets as widgets
from matplotlib.backends.backend_agg import FigureCanvasAgg
from PIL import Image as PILImage

from .validation import check_float, check_int

__all__ = ["slider", "choice", "Demo", "REGISTRY", "control_extremes", "exercise",
           "exercise_all", "render_png", "full_redraw", "progress_bar"]

#: Every Demo made in this Python process, by name (a re-run cell replaces its entry).
REGISTRY: dict[str, "Demo"] = {}

_LABEL_WIDTH = "10em"   # wide enough for "η (learning rate)"
_SLIDER_WIDTH = "36em"


def slider(symbol: str, minimum, maximum, step=None, value=None, *, log: bool = False,
           continuous_update: bool = True, readout_format: str | None = None,
           description: str | None = None):
    """A slider whose label is the symbol it sets, with a readout of its value.

    Parameters
    ----------
    symbol : the series' symbol for the quantity, e.g. ``"w"``, ``"T"``, ``"theta"``.
    minimum, maximum : the range. Integers (and an integer or omitted ``step``)
        give an ``IntSlider``; otherwise a ``FloatSlider``.
    step : increment; for ``log=True`` the step of the base-10 exponent.
    value : starting value (default: the middle of the range). Start where
        the effect shows.
    log : a ``FloatLogSlider``, for ranges that span decades (learning rates).
    continuous_update : ``False`` for demos that retrain: they run on release.
    description : the label, if it should say more than the symbol,
        e.g. ``"w (weight)"``.
    """
    if not isinstance(symbol, str) or not symbol:
        raise ValueError(f"symbol must be a non-empty string such as 'w', got {symbol!r}")
    integer = (not log and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                               for v in (minimum, maximum, 1 if step is None else step)))
    if integer:
        minimum = check_int("minimum", minimum)
        maximum = check_int("maximum", maximum)
        step = 1 if step is None else check_int("step", step, minimum=1)
    else:
        minimum = check_float("minimum", minimum, minimum=0.0, exclusive_minimum=True) if log \
            else check_float("minimum", minimum)
        maximum = check_float("maximum", maximum)
    if not maximum > minimum:
        raise ValueError(f"maximum must be greater than minimum, got minimum={minimum}, maximum={maximum}")
    if value is None:
        value = math.sqrt(minimum * maximum) if log else (minimum + maximum) / 2
        if integer:
            value = int(round(value))
    value = (check_int if integer else check_float)("value", value, minimum=minimum, maximum=maximum)
    common = dict(description=description or symbol, continuous_update=continuous_update,
                  readout=True, style={"description_width": _LABEL_WIDTH},
                  layout=widgets.Layout(width=_SLIDER_WIDTH))
    if integer:
        return widgets.IntSlider(min=minimum, max=maximum, step=step, value=value, **common)
    if log:
        lo, hi = math.log10(minimum), math.log10(maximum)
        step = (hi - lo) / 100 if step is None else check_float("step", step, minimum=0.0, exclusive_minimum=True)
        # The browser snaps the start value onto the grid lo + k*step: adjust the step so that
        # the start value is on it (else a slider meant to start at 1.0 shows 0.979).
        n = round((math.log10(value) - lo) / step)
        if n > 0:
            step = (math.log10(value) - lo) / n
        return widgets.FloatLogSlider(base=10, min=lo, max=hi, step=step, value=value,
                                      readout_format=readout_format or ".2g", **common)
    step = (maximum - minimum) / 100 if step is None else check_float("step", step, minimum=0.0, exclusive_minimum=True)
    return widgets.FloatSlider(min=minimum, max=maximum, step=step, value=value,
                               readout_format=readout_format or ".2f", **common)


def choice(symbol: str, options, value=None, *, description: str | None = None):
    """Toggle buttons for a small set of options (activation, remedy, ...)."""
    options = list(options)
    if len(options) < 2:
        raise ValueError(f"options must list at least two choices, got {options!r}")
    if value is None:
        value = options[0]
    if value not in options:
        raise ValueError(f"value must be one of {options!r}, got {value!r}")
    return widgets.ToggleButtons(options=options, value=value, description=description or symbol,
                                 style={"description_width": _LABEL_WIDTH, "button_width": "7em"})


def _animated_artists(fig) -> list:
    """``[(owner, artist), ...]``: the artists marked ``set_animated(True)``, in drawing order.

    ``owner`` is the axes (or the figure, for figure-level texts) whose ``draw_artist``
    draws them. Only direct children count (an axes' lines, texts, title, legend, ...).
    """
    found = []
    for ax in sorted(fig.axes, key=lambda a: a.get_zorder()):
        if not ax.get_visible():
            continue
        children = [a for a in ax.get_children() if a.get_animated()]
        found += [(ax, a) for a in sorted(children, key=lambda a: a.get_zorder())]
    top = [a for a in fig.get_children() if a.get_animated() and a not in fig.axes]
    found += [(fig, a) for a in sorted(top, key=lambda a: a.get_zorder())]
    return found


def _covering_spines(animated) -> list:
    """The spines that a full draw puts on top of some animated artist (spines: zorder 2.5, lines: 2).

    They are left out of the background and drawn with the animated artists, in zorder
    order, so that a curve starting on the axis lies under the axis line as in a full draw.
    """
    lowest = {}
    for owner, artist in animated:
        if owner is not artist.figure:
            lowest[owner] = min(lowest.get(owner, math.inf), artist.get_zorder())
    return [(ax, spine) for ax, z in lowest.items() if ax.axison for spine in ax.spines.values()
            if spine.get_visible() and not spine.get_animated() and spine.get_zorder() > z]


def _frame_artists(fig):
    """(animated artists and covering spines, each axes' in zorder order as a full draw has them; those spines)."""
    animated = _animated_artists(fig)
    spines = _covering_spines(animated)
    if not spines:
        return animated, spines
    merged = []
    for ax in sorted(fig.axes, key=lambda a: a.get_zorder()):
        position = {id(a): k for k, a in enumerate(ax.get_children())}
        mine = [(o, a) for o, a in animated + spines if o is ax]
        merged += sorted(mine, key=lambda oa: (oa[1].get_zorder(), position.get(id(oa[1]), 0)))
    merged += [(o, a) for o, a in animated if o is fig]
    return merged, spines


def _full_draw(canvas, fig, spines) -> None:
    """``canvas.draw()`` without the animated artists and without ``spines`` (drawn with them later)."""
    for _, spine in spines:
        spine.set_animated(True)
    try:
        canvas.draw()
    finally:
        for _, spine in spines:
            spine.set_animated(False)


def _encode_png(canvas) -> bytes:
    """PNG of the canvas. An opaque figure is sent as RGB: measured ~15% faster to encode and ~11% smaller."""
    buf = io.BytesIO()
    image = PILImage.fromarray(np.asarray(canvas.buffer_rgba()))
    patch = canvas.figure.patch
    if patch.get_visible() and patch.get_facecolor()[3] == 1.0:   # the figure's background covers every pixel
        image = image.convert("RGB")
    image.save(buf, format="png", compress_level=1)
    return buf.getvalue()


def _draw_animated(artists) -> None:
    for owner, artist in artists:
        owner.draw_artist(artist)


def full_redraw(fig) -> None:
    """Tell the :class:`Demo` drawing ``fig`` that static parts changed: redraw everything this frame.

    Only matters for demos that blit (some artists marked ``set_animated(True)``).
    A change made through matplotlib's setters to a non-animated artist (``set_xlim``,
    ``set_text`` on a plain text, a new non-animated legend) is noticed without
    this call, because it marks the figure stale. Call it from ``update`` when a
    static part changed in a way matplotlib cannot see, e.g. an array edited in place.
    """
    fig._rnn_full_redraw = True


def render_png(fig) -> bytes:
    """Draw ``fig`` on its Agg canvas and return it as PNG bytes at the figure's own dpi.

    Measured here for a one-panel log-axis figure at 200 dpi: ~94 ms through
    ``fig.savefig`` (which re-runs the layout and switches dpi), ~35 ms by
    drawing the Agg canvas directly with the layout frozen, as :class:`Demo`
    does. Low zlib compression: a frame is sent once and thrown away.
    Animated artists (``set_animated(True)``), which ``canvas.draw`` leaves out,
    are drawn on top, so the picture is always complete.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    artists, spines = _frame_artists(fig)
    _full_draw(canvas, fig, spines)
    _draw_animated(artists)
    return _encode_png(canvas)


class _Blitter:
    """Frames for a figure with animated artists: static background once, animated artists per frame.

    A frame redraws the background (a full draw) when it has none yet, when the
    canvas changed size, when :func:`full_redraw` was called, or when the figure
    is stale: matplotlib marks it stale when a non-animated artist changes
    (animated artists do not propagate staleness), so a change to axis limits,
    tick labels, a plain text or a legend is redrawn, not left stale in the background.
    """

    def __init__(self, fig):
        self.fig = fig
        self.background = None
        self.size = None
        self.full_draws = 0
        self.blits = 0
        self._drawing = False
        # A draw made elsewhere (fig.savefig, render_png, a benchmark's canvas.draw) may follow
        # static changes and clear the stale flag: the kept background is then out of date.
        fig.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event) -> None:
        if not self._drawing:
            self.background = None

    def render(self) -> bytes:
        fig = self.fig
        canvas = fig.canvas
        artists, spines = _frame_artists(fig)
        requested = getattr(fig, "_rnn_full_redraw", False)
        fig._rnn_full_redraw = False
        size = canvas.get_width_height()
        if self.background is None or requested or fig.stale or size != self.size:
            self._drawing = True
            try:
                _full_draw(canvas, fig, spines)             # everything but the animated artists
            finally:
                self._drawing = False
            self.background = canvas.copy_from_bbox(fig.bbox)
            self.size = size
            self.full_draws += 1
        else:
            canvas.restore_region(self.background)
            self.blits += 1
        _draw_animated(artists)
        # Drawing some animated artists (a legend's boxes and packers) marks their axes and the figure
        # stale; what is on the canvas now is up to date, so only later changes should count.
        fig.stale = False
        return _encode_png(canvas)


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
        them instead of re-running the layout on every frame (saves ~15 ms a
        frame). Set ``False`` if ``update`` changes labels' sizes a lot.
    **controls : ``name=widget`` for each argument of ``update``.

    Blitting (opt-in, for speed): mark the artists that ``update`` changes with
    ``artist.set_animated(True)`` once, when the figure is made (lines, texts,
    ``ax.title``, a legend whose entries change). With the layout frozen, the
    Demo then draws the static rest (axes, ticks, grid, images, static texts)
    once, keeps it as a background, and each frame restores it and draws only
    the animated artists on top: a frame costs a fraction of a full draw.
    Animated artists are drawn after all static ones (by zorder among
    themselves), so also mark a static text or marker that a moving artist
    may cross and that must stay on top of it (the axis lines are handled here).
    A change to a non-animated artist (axis limits, a plain text, a new legend)
    marks the figure stale and makes that frame a full redraw automatically;
    ``update`` may also call :func:`full_redraw` (``helpers.widgets.full_redraw(fig)``)
    to force one. Every frame is a complete picture.
    """

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
        self.timings_ms: list[float] = []
        self.last_error: BaseException | None = None
        self._blitter = _Blitter(fig)
        self._layout_frozen = False
        for w in controls.values():
            w.observe(self._on_change, names="value")
        self.widget = widgets.VBox([widgets.VBox(list(controls.values())), self.image, self.note, self.error])
        self.widget.add_class("rnn-demo")
        REGISTRY[self.name] = self
        self.refresh()
        if freeze_layout:
            fig.set_layout_engine("none")
            self._layout_frozen = True

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
        args = {**self.values(), **values}
        note = self.update(**args) or ""
        if not isinstance(note, str):
            raise TypeError(f"{self.name} must return a sentence (str) or None, got {type(note).__name__}")
        return note, self._render()

    def _render(self) -> bytes:
        """The frame's PNG: a full draw, or a blit when some artists are animated and the layout is frozen."""
        if self._blitter is not None and self._layout_frozen and _animated_artists(self.fig):
            return self._blitter.render()
        return render_png(self.fig)

    # -- widget side -------------------------------------------------------------------
    def refresh(self) -> None:
        """Redraw for the controls' current values, showing any error in red."""
        start = time.perf_counter()
        try:
            note, png = self.call()
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
        self.timings_ms.append(1000 * (time.perf_counter() - start))

    def _on_change(self, change) -> None:
        self.refresh()

    def _repr_mimebundle_(self, include=None, exclude=None):
        bundle = self.widget._repr_mimebundle_(include=include, exclude=exclude)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        data = dict(data or {})
        # Static fallback (rendered copies, nbconvert to Markdown): the first frame as a picture.
        if self.image.value:
            data["image/png"] = base64.b64encode(self.image.value).decode("ascii")
        data["text/plain"] = f"Interactive demo '{self.name}': run the notebook to move its sliders."
        return data


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


class progress_bar:
    """A progress bar for loops that take more than a second (instead of a wall of prints).

    ``bar = progress_bar(total, "training"); bar.update(i); bar.close()`` or as
    a context manager. Updates the widget at most ``redraws`` times in all.
    """

    def __init__(self, total: int, description: str = "", redraws: int = 50, display_now: bool = True):
        self.total = check_int("total", total, minimum=1)
        self._every = max(1, self.total // max(1, redraws))
        self.widget = widgets.IntProgress(min=0, max=self.total, value=0, description=description,
                                          style={"description_width": "initial"})
        if display_now:
            from IPython.display import display
            display(self.widget)

    def update(self, i: int) -> None:
        if i % self._every == 0 or i >= self.total:
            self.widget.value = min(int(i), self.total)

    def close(self) -> None:
        self.widget.value = self.total
        self.widget.bar_style = "success"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
        return False
