"""Drawing a demo's figure to PNG, fast enough for a slider.

A demo keeps one figure and sends a PNG per frame. What keeps a frame cheap
(``make bench`` measures it):

* the Agg canvas is drawn directly, with the layout frozen after the first
  frame, instead of going through ``savefig`` (which re-runs the layout);
* only what moves is drawn: the artists a frame changed (matplotlib marks them stale)
  are drawn over a kept background of everything else (:class:`Blitter`), with the
  pixels of a full draw;
* the PNG is encoded straight from the canvas's RGBA buffer with one fixed row filter
  and fast zlib (:func:`encode_png`), where Pillow tries five filters on every row and
  needs the pixels copied out first: a fraction of the time, about the same size;
* matplotlib keeps more parsed ``$...$`` labels (:func:`keep_more_mathtext`): a
  slider that brings back a tick label or a diagram's ``$h_{12}$`` does not parse it again.

Every frame is a complete picture, whichever way it was made.
"""
from __future__ import annotations

import functools
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor
import struct
import zlib

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.axis import Axis
from matplotlib.collections import Collection
from matplotlib.image import AxesImage, _ImageBase
from matplotlib.legend import Legend
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.spines import Spine
from matplotlib.text import Text
from matplotlib.mathtext import MathTextParser

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


def _axes_draw_order(ax) -> list:
    """The children ``Axes.draw`` draws, in its order (stable by zorder), animated ones included."""
    children = [a for a in ax.get_children() if a is not ax.patch]
    if not (ax.axison and ax.get_frame_on()):
        children = [a for a in children if a not in ax.spines.values()]
    if not ax.axison:
        children = [a for a in children if a not in (ax.xaxis, ax.yaxis, *getattr(ax, "_axis_map", {}).values())]
    return sorted(children, key=lambda a: a.get_zorder())


def _figure_draw_order(fig) -> list:
    """The children ``Figure.draw`` draws (axes included), in its order."""
    return sorted((a for a in fig.get_children() if a is not fig.patch), key=lambda a: a.get_zorder())


def _top_layer(fig, dynamic) -> list | None:
    """``[(owner, artist), ...]``: what must be drawn, in full-draw order, over a background without it.

    In each axes holding a ``dynamic`` artist: that artist and everything the axes draws
    after it (a spine over a curve, a legend, a text). A later axes overlapping such an axes
    is drawn whole, and so are the figure's own artists (a suptitle) after it. Drawn over a
    background made without them, this gives the pixels of a full draw.
    None when that cannot be done exactly: an image would be redrawn (matplotlib 3.7 draws
    animated images anyway), or the figure has subfigures.
    """
    if getattr(fig, "subfigs", None):
        return None
    layer, dynamic_boxes = [], []
    for item in _figure_draw_order(fig):
        if hasattr(item, "get_children") and item in fig.axes:
            if not item.get_visible():
                continue
            box = item.get_position()
            if any(box.overlaps(b) for b in dynamic_boxes):
                layer.append((fig, item))            # over a moving part: drawn whole, after it
                dynamic_boxes.append(box)
                continue
            order = _axes_draw_order(item)
            first = next((k for k, a in enumerate(order) if a in dynamic), None)
            if first is not None:
                layer += [(item, a) for a in order[first:]]
                dynamic_boxes.append(box)
        elif item in dynamic or dynamic_boxes:
            layer.append((fig, item))
    if any(isinstance(a, AxesImage) for _, a in layer):
        return None
    return layer


def _draw_without(canvas, layer) -> None:
    """``canvas.draw()`` leaving out the artists of ``layer`` (drawn after it by :func:`_draw_layer`)."""
    hidden = [a for _, a in layer if not a.get_animated()]
    for artist in hidden:
        artist.set_animated(True)
    try:
        canvas.draw()
    finally:
        for artist in hidden:
            artist.set_animated(False)


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def encode_png(pixels: np.ndarray) -> bytes:
    """PNG of an RGB or RGBA image, shape (height, width, 3 or 4), uint8: every row with the "Up" filter, zlib level 1.

    The "Up" filter stores each row as its difference from the row above, which is zero
    almost everywhere in a plot (white space, vertical lines), so zlib's fastest level
    compresses it about as well as Pillow's adaptive filter does, in about half the time.
    A canvas is encoded as RGBA, straight from its buffer: dropping the alpha channel
    first would cost a copy of every pixel, more than the opaque alpha costs zlib.
    """
    if pixels.ndim != 3 or pixels.shape[2] not in (3, 4) or pixels.dtype != np.uint8:
        raise ValueError("pixels must be a uint8 array of shape (height, width, 3) (RGB) or (height, width, 4) "
                         f"(RGBA), got {pixels.dtype} {pixels.shape}")
    height, width, channels = pixels.shape
    flat = np.ascontiguousarray(pixels).reshape(height, channels * width)
    rows = np.empty((height, 1 + channels * width), np.uint8)     # each row: filter byte, then the pixels' bytes
    rows[0, 1:] = flat[0]                                          # the first row has no row above: stored as is
    np.subtract(flat[1:], flat[:-1], out=rows[1:, 1:])             # "Up": minus the row above (mod 256)
    rows[:, 0] = 2                                                 # filter type 2 = Up
    rows[0, 0] = 0
    colour_type = 2 if channels == 3 else 6                        # 8-bit RGB or RGBA, no interlace
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header)
            + _png_chunk(b"IDAT", zlib.compress(rows, 1)) + _png_chunk(b"IEND", b""))


def _encode_png(canvas) -> bytes:
    """PNG of the canvas, RGBA as the canvas holds it."""
    return encode_png(np.asarray(canvas.buffer_rgba()))


def _draw_layer(layer) -> None:
    for owner, artist in layer:
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
    are drawn too, in the order a full draw has them: the picture is always complete.
    """
    canvas = fig.canvas if isinstance(fig.canvas, FigureCanvasAgg) else FigureCanvasAgg(fig)
    animated = {a for _, a in animated_artists(fig)}
    layer = _top_layer(fig, animated) if animated else []
    if layer is None:   # cannot split exactly: everything drawn as one picture
        _draw_without(canvas, [])
        for owner, artist in animated_artists(fig):
            owner.draw_artist(artist)
    else:
        _draw_without(canvas, layer)
        _draw_layer(layer)
    return _encode_png(canvas)


#: Artists a frame may change and still be blitted. The axes' own patch, spines and axes
#: (ticks, tick labels, axis labels) are static parts: a change to them redraws the background.
_MOVING_KINDS = (Line2D, Text, Collection, Patch, Legend)


class Blitter:
    """Frames for a demo's figure: a kept background of what does not change, and the rest drawn on it.

    Which artists change is learnt, not declared: after ``update`` has run, the artists it
    changed are marked stale by matplotlib (``set_data``, ``set_text``, ``set_offsets``...).
    Those (lines, texts, collections, patches, legends, and the artists marked animated)
    are the moving part; the background is everything else, drawn once; a frame restores it
    and draws the moving part and whatever a full draw puts over it (:func:`_top_layer`),
    so every frame has the pixels of a full draw.

    A frame is a full draw instead, and the background is made again, when there is none
    yet, when the canvas changed size, when :func:`full_redraw` was called, when a draw was
    made elsewhere, or when something other than the moving part changed: an artist added or
    removed, axis limits, an axes moved, ticks, axis labels, a spine, a face colour, an artist
    that was static until now. A part that matplotlib cannot see change (an array edited in
    place) needs :func:`full_redraw`.

    Axis limits that a slider changes and later brings back (T out and back, then another
    control) find their background again: earlier backgrounds are kept, compressed, per
    axis limits (:attr:`KEPT_BACKGROUNDS`), until something static changes. New limits in
    the last panel only (03's T moves the right panel's range, not the left's) redraw that
    panel over the rest of the figure, kept from the first time (:meth:`_draw_moved_axes`).
    """

    #: Earlier backgrounds kept (compressed, 0.1-0.3 MB each) for axis limits a slider may come back to.
    KEPT_BACKGROUNDS = 16
    #: Compresses the backgrounds to keep while the next frame is drawn (zlib lets go of Python's
    #: lock while it works): the frame that changes the axis limits does not wait for it.
    _packer: ThreadPoolExecutor | None = None

    def __init__(self, fig):
        self.fig = fig
        self.background = None
        self.size = None
        self.full_draws = 0
        self.blits = 0
        self.moving: list = []           # the artists found changing, in no particular order
        self._layer = None               # what is drawn over the background each frame
        self._children: dict = {}
        self._axis_looks: dict = {}
        self._background_limits = None   # the axis limits the background was drawn with
        self._background_packed = None   # the background compressed, when it came from _kept
        self._kept: OrderedDict = OrderedDict()   # axis limits -> an earlier background, zlib-compressed
        self._base = None                # the figure without the axes a slider moves, and what it was drawn with
        self._base_key = None
        self._legend_pixels: dict = {}   # id(static legend) -> where it is drawn, the pixels under it, and drawn
        self.partial_draws = 0
        self._drawing = False
        # A draw made elsewhere (fig.savefig, render_png, a benchmark's canvas.draw) may follow
        # static changes and clear the stale flags: the kept background is then out of date.
        fig.canvas.mpl_connect("draw_event", self._on_draw)

    def _on_draw(self, event) -> None:
        if not self._drawing:
            self._forget_backgrounds()

    def _containers(self) -> list:
        return [self.fig] + [ax for ax in self.fig.axes if ax.get_visible()]

    def _limits_now(self) -> tuple:
        """Where each axes is and what it shows: a change moves ticks, grid and everything drawn."""
        return tuple((ax.get_visible(), tuple(ax.get_position().bounds), tuple(ax.viewLim.bounds))
                     for ax in self.fig.axes)

    @staticmethod
    def _axis_look(axis) -> tuple:
        """What an axis draws besides its limits: scale, tick locators and formatters, label."""
        label = axis.label
        return (axis.get_scale(), id(axis.get_major_locator()), id(axis.get_minor_locator()),
                id(axis.get_major_formatter()), id(axis.get_minor_formatter()),
                label.get_text(), label.get_fontsize(), str(label.get_color()), label.get_visible())

    def _changed(self, moving: list) -> tuple[list, dict] | None:
        """The artists ``update`` changed since the last frame, or None when a static part changed.

        ``moving`` (the artists seen changing before) may have been replaced by new artists of
        the same kind in the same place among their axes' children (``ax.legend(...)`` each
        frame): ``replaced`` maps each such old artist's id to its successor. An axis made
        stale without a change to its limits, scale, ticks or label (``set_xlim`` to the same
        limits) has not changed. Returns ``(changed, replaced)``.
        """
        moving_ids = {id(a) for a in moving}
        changed, replaced = [], {}
        for container in self._containers():
            before = self._children.get(id(container))
            now = container.get_children()
            if before is None or len(before) != len(now):
                return None
            for old, child in zip(before, now):
                if child is container.patch and child is old and child.stale:
                    return None                # a new face colour: the background changed
                if child is container.patch or child in self.fig.axes:
                    continue
                if child is not old:
                    if type(child) is not type(old) or not isinstance(child, _MOVING_KINDS):
                        return None
                    if id(old) in moving_ids:
                        replaced[id(old)] = child
                    else:                  # replaced for the first time: it joins the moving part
                        changed.append(child)
                    continue
                stale = child.stale or (isinstance(child, Legend)
                                        and any(a.stale for a in child.findobj(include_self=False)))
                if not stale:
                    continue
                if child.get_animated() or (isinstance(child, _MOVING_KINDS) and not isinstance(child, Spine)):
                    changed.append(child)
                elif isinstance(child, Axis) and self._axis_looks.get(id(child)) == self._axis_look(child):
                    continue
                else:
                    return None
        return changed, replaced

    def _remember(self) -> None:
        """Keep what the next frame is compared with: children, limits, how each axis looks."""
        self._children = {id(c): c.get_children() for c in self._containers()}
        self._axis_looks = {id(axis): self._axis_look(axis) for ax in self.fig.axes
                            for axis in (ax.xaxis, ax.yaxis)}

    def reference_pixels(self) -> np.ndarray:
        """RGBA pixels of a full draw of the figure as it is now, every artist included (for tests).

        The kept background and what the next frame is compared with are left as they were.
        """
        animated = [a for _, a in animated_artists(self.fig)]
        for artist in animated:
            artist.set_animated(False)
        self._drawing = True
        try:
            self.fig.canvas.draw()
        finally:
            self._drawing = False
            for artist in animated:
                artist.set_animated(True)
        pixels = np.asarray(self.fig.canvas.buffer_rgba()).copy()
        self._settle()    # a full draw leaves matplotlib's empty side titles stale: not a change of the demo's
        return pixels

    def drawn(self) -> None:
        """The figure was just drawn whole elsewhere (the first frame, with its layout): compare from here."""
        self.size = self.fig.canvas.get_width_height()
        self._remember()
        self._settle()

    def _settle(self) -> None:
        """Everything on the canvas is up to date: only changes from now on should count."""
        for container in self._containers():
            for child in container.get_children():
                child.stale = False
                if isinstance(child, Legend):       # drawing a legend marks its parts stale (it places them)
                    for part in child.findobj(include_self=False):
                        part.stale = False
            container.stale = False

    def render(self) -> bytes:
        fig = self.fig
        canvas = fig.canvas
        requested = getattr(fig, "_rnn_full_redraw", False)
        fig._rnn_full_redraw = False
        size = canvas.get_width_height()
        limits = self._limits_now()
        found = None
        if self._children and size == self.size and not requested:
            found = self._changed(self.moving)
        if found is None:                      # a static part changed: no background drawn so far shows it
            self._forget_backgrounds()
        else:
            changed, replaced = found
            if replaced:                       # successors take their predecessors' places in the moving part
                self.moving = [replaced.get(id(a), a) for a in self.moving]
            known = {id(a) for a in self.moving}
            new = [a for a in dict.fromkeys(changed + [a for _, a in animated_artists(fig)]) if id(a) not in known]
            if new:                            # every background drawn so far shows them: none can serve
                self.moving += new
                self._forget_backgrounds()
            elif self._layer is not None:
                if replaced:
                    self._layer = _top_layer(fig, set(self.moving))
                if self._layer is not None and self._restore_background(limits):
                    self._draw_layer(self._layer)
                    self.blits += 1
                    self._remember()
                    self._settle()
                    return _encode_png(canvas)
        self._full_draw(limits)
        self.size = size
        self._remember()
        self._settle()
        return _encode_png(canvas)

    def _forget_backgrounds(self) -> None:
        self.background = None
        self._kept.clear()
        self._base = self._base_key = None
        self._legend_pixels.clear()

    def _draw_layer(self, layer) -> None:
        """Draw ``layer`` in order; a legend that does not change is put back from its pixels when possible.

        A legend drawn above a moving curve is part of the layer, although it never changes
        (03's two legends: a third of a frame). Its pixels are kept from the first frame that
        drew it: where it lies, the pixels it was drawn over, and the pixels after. When the
        canvas holds the same pixels there again, drawing it would give the same result, so
        the kept pixels are copied instead; otherwise (a curve passes under it) it is drawn.
        """
        pixels = np.asarray(self.fig.canvas.buffer_rgba())
        moving = {id(a) for a in self.moving}
        for owner, artist in layer:
            # (loc="best", the default, places the legend by the curves of each draw: always drawn)
            if isinstance(artist, Legend) and id(artist) not in moving and getattr(artist, "_loc", 0) != 0:
                kept = self._legend_pixels.get(id(artist))
                if kept is not None and kept[0] is artist:
                    _, region, under, drawn = kept
                    if np.array_equal(pixels[region], under):
                        pixels[region] = drawn
                        continue
                elif id(artist) not in self._legend_pixels:
                    self._keep_legend(owner, artist, pixels)
                    continue
            owner.draw_artist(artist)

    def _keep_legend(self, owner, legend, pixels) -> None:
        """Draw ``legend`` and keep its pixels, if every pixel it changed lies in its padded extent."""
        before = pixels.copy()
        owner.draw_artist(legend)
        height, width = pixels.shape[:2]
        box = legend.get_window_extent(self.fig.canvas.get_renderer())
        pad = 3
        rows = slice(max(int(height - box.y1) - pad, 0), min(int(np.ceil(height - box.y0)) + pad, height))
        cols = slice(max(int(box.x0) - pad, 0), min(int(np.ceil(box.x1)) + pad, width))
        changed = (pixels != before).any(axis=-1)
        inside = changed[rows, cols].sum()
        if inside == 0 or inside != changed.sum():      # drew nothing, or outside its extent: always drawn
            self._legend_pixels[id(legend)] = None
            return
        region = (rows, cols)
        self._legend_pixels[id(legend)] = (legend, region, before[region].copy(), pixels[region].copy())

    def _restore_background(self, limits) -> bool:
        """Put the background for these axis limits on the canvas: the current one, or one kept from before."""
        pixels = np.asarray(self.fig.canvas.buffer_rgba())
        if self.background is not None and limits == self._background_limits:
            np.copyto(pixels, self.background)
            return True
        packed = self._kept.pop(limits, None)
        if packed is None:
            return False
        if isinstance(packed, Future):       # still being compressed, or just done
            packed = packed.result()
        self._keep_current()
        self.background = np.frombuffer(zlib.decompress(packed), np.uint8).reshape(pixels.shape)
        self._background_limits, self._background_packed = limits, packed
        np.copyto(pixels, self.background)
        return True

    def _keep_current(self) -> None:
        """Keep the current background, compressed, for when the axis limits come back to it.

        The compression runs on a worker thread (the array is never written to again: a new
        background is a new array), so the frame that changed the limits is not delayed by it.
        """
        if self.background is None:
            return
        packed = self._background_packed
        if packed is None:
            if Blitter._packer is None:
                Blitter._packer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="rnn-background")
            packed = Blitter._packer.submit(zlib.compress, self.background, 1)
        self._kept[self._background_limits] = packed
        self._kept.move_to_end(self._background_limits)
        while len(self._kept) > self.KEPT_BACKGROUNDS:
            self._kept.popitem(last=False)

    def _full_draw(self, limits) -> None:
        """Draw everything; keep a background without the moving part when it can be split off exactly."""
        fig, canvas = self.fig, self.fig.canvas
        previous = self._background_limits if self.background is not None else None
        if self.background is not None and self._background_limits != limits:
            self._keep_current()
        present = {id(a) for c in self._containers() for a in c.get_children()}
        moving = [a for a in self.moving if id(a) in present]
        known = {id(a) for a in moving}
        moving += [a for _, a in animated_artists(fig) if id(a) not in known]
        self.moving = moving
        layer = _top_layer(fig, set(moving)) if moving else []
        self._drawing = True
        try:
            if layer is None or previous is None or not self._draw_moved_axes(layer, previous, limits):
                _draw_without(canvas, layer or [])
        finally:
            self._drawing = False
        if layer is None:                 # no exact split: this figure is drawn whole, every frame
            for owner, artist in animated_artists(fig):
                owner.draw_artist(artist)
            self._forget_backgrounds()
        else:
            self.background = np.asarray(canvas.buffer_rgba()).copy()
            self._background_limits, self._background_packed = limits, None
            self._draw_layer(layer)
        self._layer = layer
        self.full_draws += 1

    def _draw_moved_axes(self, layer, previous, limits) -> bool:
        """The background for new axis limits, redrawing only the axes whose limits changed; False if it cannot.

        A slider that changes one panel's range (03's T) leaves the other panels as they were.
        When the axes that changed come last in the figure's drawing order, the background is
        the figure drawn without them (kept, :attr:`_base`) with them drawn on it: the order of
        a full draw, so the same pixels. Anything else (a panel moved or shown, an earlier panel
        changed, a figure-level image) is left to a full draw.
        """
        fig, canvas = self.fig, self.fig.canvas
        if len(previous) != len(limits) or any(b[:2] != n[:2] for b, n in zip(previous, limits)):
            return False                                  # an axes was moved, shown or hidden
        changed = [ax for ax, b, n in zip(fig.axes, previous, limits) if b != n]
        order = _figure_draw_order(fig)
        if not changed or any(ax not in order for ax in changed):
            return False
        start = min(order.index(ax) for ax in changed)
        tail = order[start:]
        if not any(a in fig.axes for a in order[:start]) or any(isinstance(a, _ImageBase) for a in tail):
            return False                                  # nothing to keep, or an image to composite
        key = (start, tuple(n for ax, n in zip(fig.axes, limits) if ax not in tail))
        pixels = np.asarray(canvas.buffer_rgba())
        if self._base_key == key:
            np.copyto(pixels, self._base)
        else:                                             # the first time: the rest of the figure, kept
            _draw_without(canvas, list(layer) + [(fig, a) for a in tail])
            self._base, self._base_key = pixels.copy(), key
        renderer = canvas.get_renderer()
        hidden = [a for _, a in layer if not a.get_animated()]
        for artist in hidden:
            artist.set_animated(True)
        try:
            for item in tail:
                if not item.get_animated():               # an axes in the moving part is drawn with it
                    item.draw(renderer)
        finally:
            for artist in hidden:
                artist.set_animated(False)
        self.partial_draws += 1
        return True
