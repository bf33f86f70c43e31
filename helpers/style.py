"""Figure style for the series: readable from the back of a room, colour-blind safe.

Call ``use_style()`` once in each notebook's setup cell. Colours have fixed
meanings across the series (``COLORS``), drawn from the Okabe-Ito palette,
which stays distinguishable under the common forms of colour blindness.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import matplotlib as mpl
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.text import Text
from matplotlib.ticker import FixedLocator, NullLocator
from matplotlib.figure import Figure

from .rendering import animated_artists
from .validation import check_float

__all__ = ["COLORS", "use_style", "figure", "log_axis", "reference_line",
           "plot_magnitudes", "nonfinite_note", "figure_text_sizes"]

#: One meaning per colour, the same in every notebook.
COLORS = {
    "rnn": "#0072B2",          # vanilla (tanh) RNN; also "tanh"
    "tanh": "#0072B2",
    "lstm": "#009E73",         # LSTM
    "feedforward": "#E69F00",  # feedforward net / "different factor per layer"
    "sigmoid": "#CC79A7",
    "relu": "#D55E00",         # ReLU; also "exploding" and "unclipped"
    "exploding": "#D55E00",
    "unclipped": "#D55E00",
    "clipped": "#56B4E9",
    "linear": "#000000",
    "bound": "#000000",        # analytic bounds: black, dotted
    "reference": "#888888",    # the line at 1, baselines: grey, dashed
}

#: Okabe-Ito order for anything without a fixed meaning.
CYCLE = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#000000", "#F0E442"]

#: Default size of one panel, in inches (at 100 dpi: 560 x 340 CSS pixels).
PANEL = (5.6, 3.4)


def use_style(retina: bool = True) -> None:
    """Set matplotlib defaults for the series (fonts large enough to project, thick lines).

    The smallest default text is 12 pt (legends; tick labels 13 pt): in the lecture view a two-panel
    demo (11.2 in wide) fills a 1280 px projector's width, where 12 pt is about 18.6 px, the least the
    back row reads (tests/test_browser.py measures every demo). A notebook that passes a smaller
    ``fontsize`` to a wide figure's text makes it too small there.

    With ``retina=True`` and inside IPython, inline figures are sent at twice
    the resolution so they stay sharp on high-density screens and projectors.
    """
    mpl.rcParams.update({
        "figure.figsize": PANEL,
        "figure.dpi": 100,
        "savefig.dpi": 100,
        "font.size": 13,
        "axes.titlesize": 14,
        # Titles at the top of the axes, where matplotlib's automatic placement puts them in every
        # figure of the series (nothing is drawn above an axes): without this, every draw measures
        # every tick label to place each title: up to a third of a frame when a slider changes the axis range.
        "axes.titley": 1.0,
        "axes.labelsize": 14,
        "xtick.labelsize": 13,
        "ytick.labelsize": 13,
        "legend.fontsize": 12,
        "legend.frameon": False,
        "lines.linewidth": 2.2,
        "lines.markersize": 6,
        "axes.grid": True,
        "grid.alpha": 0.3,
        "axes.spines.top": False,
        "axes.spines.right": False,
        "axes.prop_cycle": mpl.cycler(color=CYCLE),
        "figure.constrained_layout.use": True,
        "image.cmap": "viridis",
    })
    if retina:
        try:
            from IPython import get_ipython
            if get_ipython() is not None:
                from matplotlib_inline.backend_inline import set_matplotlib_formats
                set_matplotlib_formats("retina")
        except ImportError:  # plain Python: nothing to configure
            pass


def figure(nrows: int = 1, ncols: int = 1, figsize=None, **subplot_kw):
    """A figure *not* managed by pyplot, for interactive demos, and its axes.

    Pyplot's inline backend shows every figure it manages at the end of a
    cell; a demo figure is shown by its widget instead, so it must not be
    managed by pyplot (or it would appear twice). Returns ``(fig, axes)``
    like ``plt.subplots``.
    """
    if figsize is None:
        figsize = (PANEL[0] * ncols if ncols > 1 else PANEL[0], PANEL[1] * nrows)
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def log_axis(ax, *, axis: str = "y", label: str | None = None, limits=None):
    """Make ``ax``'s ``axis`` ("x" or "y") logarithmic (base 10) for gradient sizes; return ``ax``.

    ``limits`` = (low, high) fixes the range, which keeps a slider demo's axes
    still while the curve moves. Called again with what the axis already has (a demo's
    ``update`` calling it every frame), it changes nothing: a :class:`helpers.Demo` then
    redraws only the curves, not the axis.
    """
    if axis not in ("x", "y"):
        raise ValueError(f"axis must be 'x' or 'y', got {axis!r}")
    if limits is not None:
        low, high = (check_float("limits", v, minimum=0.0, exclusive_minimum=True) for v in limits)
        if not high > low:
            raise ValueError(f"limits must be (low, high) with 0 < low < high, got {limits!r}")
    scaled = getattr(ax, f"{axis}axis")
    with warnings.catch_warnings():  # "no positive values" before the first data arrive
        warnings.simplefilter("ignore", UserWarning)
        if limits is None:
            getattr(ax, f"set_{axis}scale")("log")
        else:
            # Major ticks on round decades (every 1, 2, 5, 10, ... decades), at most ~7 of them; no minor
            # ticks when a tick skips decades.
            lo, hi = math.floor(math.log10(low)), math.ceil(math.log10(high))
            step = next(s for s in (1, 2, 5, 10, 20, 50, 100, 200, 500) if (hi - lo) / s <= 7)
            first = math.ceil(lo / step) * step
            ticks = [10.0 ** e for e in range(first, hi + 1, step)]
            major, minor = scaled.get_major_locator(), scaled.get_minor_locator()
            same = (scaled.get_scale() == "log" and isinstance(major, FixedLocator) and list(major.locs) == ticks
                    and isinstance(minor, NullLocator) == (step > 1))
            if not same:             # (setting the scale again also brings back its default minor ticks)
                getattr(ax, f"set_{axis}scale")("log")
                scaled.set_major_locator(FixedLocator(ticks))
                if step > 1:
                    scaled.set_minor_locator(NullLocator())
            getattr(ax, f"set_{axis}lim")(low, high)
    if label is not None:
        getattr(ax, f"set_{axis}label")(label)
    return ax


def reference_line(ax, y: float = 1.0, *, label: str | None = None):
    """Grey dashed horizontal line (by default at 1, where a product neither grows nor shrinks); return ``ax``."""
    y = check_float("y", y)
    ax.axhline(y, color=COLORS["reference"], linestyle="--", linewidth=1.5, label=label, zorder=1, gid="reference")
    return ax


def plot_magnitudes(x, values, ax=None, *, label=None, color=None, floor: float = 1e-300, **plot_kw):
    """Plot ``|values|`` against ``x`` on a log y-axis, showing inf and NaN instead of hiding them.

    Parameters
    ----------
    x : array, shape (n,)
    values : array, shape (n,); may contain 0, inf or NaN.
    ax : matplotlib Axes or None (a new figure is made).
    floor : magnitudes below this (e.g. exact zeros) are drawn at ``floor``.

    Finite points are drawn as a line. Points that are inf or NaN are drawn as
    red 'x' markers along the top edge of the axes, so an overflow is visible.
    Returns the axes.
    """
    if ax is None:
        _, ax = figure()
    x = np.asarray(x, dtype=float)
    mags = np.abs(np.asarray(values, dtype=float))
    if x.shape != mags.shape:
        raise ValueError(f"x and values must have the same shape, got {x.shape} and {mags.shape}")
    finite = np.isfinite(mags)
    shown = np.where(finite, np.maximum(mags, floor), np.nan)
    ax.set_yscale("log")
    ax.plot(x, shown, label=label, color=color, **plot_kw)
    if not finite.all():
        (marks,) = ax.plot(x[~finite], np.full((~finite).sum(), 1.0), "x", color=COLORS["exploding"],
                           transform=ax.get_xaxis_transform(), clip_on=False, markersize=8,
                           label="inf / NaN" if label is None else f"{label}: inf / NaN")
        marks.set_in_layout(False)  # unclipped markers must not make constrained layout shrink the axes
    return ax


def nonfinite_note(values, what: str = "values") -> str:
    """A sentence explaining inf/NaN in ``values``, or '' when all are finite.

    For a demo's readout: ``note = nonfinite_note(grads, "gradient sizes")``.
    """
    arr = np.asarray(values, dtype=float)
    n_inf = int(np.isinf(arr).sum())
    n_nan = int(np.isnan(arr).sum())
    if not (n_inf or n_nan):
        return ""
    parts = []
    if n_inf:
        parts.append(f"{n_inf} of the {what} overflowed to inf: they exceed the largest float64, "
                     f"about {np.finfo(np.float64).max:.1e}")
    if n_nan:
        parts.append(f"{n_nan} are NaN (not a number): arithmetic such as inf - inf or 0 * inf "
                     "has no defined result, and NaN then spreads to everything it touches")
    return "; ".join(parts) + ". They are marked with red x's at the top of the plot."


class _TextRecorder(RendererAgg):
    """An Agg renderer that records the size of every text drawn and rasterises nothing."""

    def __init__(self, width, height, dpi):
        super().__init__(width, height, dpi)
        self.texts: list[tuple[float, str]] = []

    def draw_text(self, gc, x, y, s, prop, angle, ismath=False, mtext=None):
        if s.strip():
            self.texts.append((float(prop.get_size_in_points()), s))

    def draw_tex(self, gc, x, y, s, prop, angle, *, mtext=None):
        self.draw_text(gc, x, y, s, prop, angle)

    def draw_path(self, *args, **kwargs):   # lines, patches, markers, images: not needed to size text
        pass

    draw_markers = draw_path_collection = draw_quad_mesh = draw_gouraud_triangles = draw_image = draw_path


def figure_text_sizes(fig) -> dict:
    """The texts ``fig`` draws, with their sizes: what to check for legibility on a projector.

    Draws the figure once on a renderer that records every text it draws (tick labels,
    axis labels, titles, legend entries, annotations, colorbar labels, animated texts
    included; hidden, empty and off-tick texts are not drawn, so not counted) and rasterises
    nothing. The layout is not re-run: call it after the figure has been drawn once.

    Returns ``{"min_pt", "smallest", "sizes_pt", "dpi", "width_px", "height_px"}``: the
    smallest text size in points and that text, the distinct sizes drawn (ascending), and
    the dpi and pixel size of the figure's PNG. A text of ``s`` points is
    ``s * dpi / 72`` pixels of that PNG; on a page that shows the PNG ``c`` CSS pixels
    wide it is ``s * dpi / 72 * c / width_px`` CSS pixels.
    """
    dpi = float(fig.dpi)
    width_px, height_px = (int(round(v)) for v in fig.get_size_inches() * dpi)
    recorder = _TextRecorder(width_px, height_px, dpi)
    # What Figure.draw draws, without its layout engine and its draw_event: the static artists,
    # then the animated ones (which Axes.draw and Figure.draw leave out).
    for artist in sorted(fig.get_children(), key=lambda a: a.get_zorder()):
        if not artist.get_animated():
            artist.draw(recorder)
    for _, artist in animated_artists(fig):
        artist.draw(recorder)
    # Texts with path effects are drawn as paths, not through draw_text: count those the pass reached.
    for text in fig.findobj(lambda a: isinstance(a, Text) and bool(a.get_path_effects())):
        if getattr(text, "_renderer", None) is recorder and text.get_visible() and text.get_text().strip():
            recorder.texts.append((float(text.get_fontsize()), text.get_text()))
    if not recorder.texts:
        return {"min_pt": None, "smallest": None, "sizes_pt": [], "dpi": dpi,
                "width_px": width_px, "height_px": height_px}
    size, text = min(recorder.texts, key=lambda t: t[0])
    return {"min_pt": size, "smallest": text, "sizes_pt": sorted({t[0] for t in recorder.texts}),
            "dpi": dpi, "width_px": width_px, "height_px": height_px}
