"""Drawing a demo's figure to PNG, fast enough for a slider.

A demo keeps one figure and sends a PNG per frame. What keeps a frame cheap
(``make bench`` measures it):

* the Agg canvas is drawn directly, with the layout frozen after the first
  frame, instead of going through ``savefig`` (which re-runs the layout);
* blitting, opt-in: artists marked ``set_animated(True)`` are drawn over a kept
  background of everything static (:class:`Blitter`);
* the PNG is encoded with one fixed row filter and fast zlib (:func:`encode_png`),
  where Pillow tries five filters on every row: half the time, the same size;
* matplotlib keeps more parsed ``$...$`` labels (:func:`keep_more_mathtext`): a
  slider that brings back a tick label or a diagram's ``$h_{12}$`` does not parse it again.

Every frame is a complete picture, whichever way it was made.
"""
from __future__ import annotations

import functools
import io
import math
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.mathtext import MathTextParser
from PIL import Image as PILImage

__all__ = ["render_png", "encode_png", "full_redraw", "Blitter", "animated_artists", "keep_more_mathtext"]

#: Parsed ``$...$`` strings matplotlib keeps (its own default is 50; a diagram or two panels of
#: log ticks can hold more, and a miss costs a parse of 5-40 ms).
MATHTEXT_CACHE = 1024


def keep_more_mathtext(size: int = MATHTEXT_CACHE) -> bool:
    """Let matplotlib keep ``size`` parsed mathtext strings instead of 50; True if it took effect.

    matplotlib caches ``MathTextParser._parse_cached`` with ``functools.lru_cache(50)``
    (3.7 to 3.11). Where that private detail differs, nothing is changed and False is
    returned: frames are then slower, never different.
    """
    cached = getattr(MathTextParser, "_parse_cached", None)
    info = getattr(cached, "cache_info", None)
    original = getattr(cached, "__wrapped__", None)
    if info is None or original is None:
        return False
    if info().maxsize is not None and info().maxsize < size:
        MathTextParser._parse_cached = functools.lru_cache(size)(original)
    return True


keep_more_mathtext()

def animated_artists(fig) -> list:
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
    animated = animated_artists(fig)
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


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(rgb: np.ndarray) -> bytes:
    """PNG of an RGB image, shape (height, width, 3), uint8: every row with the "Up" filter, zlib level 1.

    The "Up" filter stores each row as its difference from the row above, which is zero
    almost everywhere in a plot (white space, vertical lines), so zlib's fastest level
    compresses it as well as Pillow's adaptive filter does, in about half the time.
    """
    if rgb.ndim != 3 or rgb.shape[2] != 3 or rgb.dtype != np.uint8:
        raise ValueError(f"rgb must be a uint8 array of shape (height, width, 3), got {rgb.dtype} {rgb.shape}")
    height, width, _ = rgb.shape
    rows = np.empty((height, 1 + 3 * width), np.uint8)   # each row: filter byte, then R, G, B, R, ...
    rows[:, 1:].reshape(height, width, 3)[...] = rgb
    rows[1:, 1:] -= rows[:-1, 1:].copy()                  # "Up": minus the row above (mod 256)
    rows[:, 0] = 2                                        # filter type 2 = Up
    rows[0, 0] = 0                                        # the first row has no row above: stored as is
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB, no interlace
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, 1)) + _png_chunk(b"IEND", b""))


def _encode_png(canvas) -> bytes:
    """PNG of the canvas: RGB when the figure's background covers every pixel, else RGBA through Pillow."""
    rgba = np.asarray(canvas.buffer_rgba())
    patch = canvas.figure.patch
    if patch.get_visible() and patch.get_facecolor()[3] == 1.0:
        return encode_png(rgba[:, :, :3])
    buf = io.BytesIO()
    PILImage.fromarray(rgba).save(buf, format="png", compress_level=1)
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

    The Agg canvas is drawn directly, not through ``fig.savefig`` (which re-runs
    the layout and switches dpi: several times slower). Low zlib compression: a
    frame is sent once and thrown away.
    Animated artists (``set_animated(True)``), which ``canvas.draw`` leaves out,
    are drawn on top, so the picture is always complete.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    artists, spines = _frame_artists(fig)
    _full_draw(canvas, fig, spines)
    _draw_animated(artists)
    return _encode_png(canvas)


class Blitter:
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
