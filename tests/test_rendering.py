"""helpers.rendering: the PNG a demo sends is exactly the figure drawn, and the caches it relies on are in place."""
from __future__ import annotations

import io

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.mathtext import MathTextParser
from PIL import Image

import helpers
from helpers import rendering


def _decoded(png: bytes) -> np.ndarray:
    image = Image.open(io.BytesIO(png))
    image.load()
    return np.asarray(image)


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 3, 3), (37, 53, 3), (200, 320, 3)])
def test_encode_png_is_lossless(shape):
    """Pillow (an independent decoder) reads back every pixel, for noise (worst case for the filter) and flat areas."""
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=shape, dtype=np.uint8)
    flat = np.full(shape, 255, np.uint8)
    flat[shape[0] // 2:, : shape[1] // 2] = (0, 114, 178)
    for rgb in (noise, flat):
        png = rendering.encode_png(rgb)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        np.testing.assert_array_equal(_decoded(png), rgb)


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 4), np.uint8),
                                 np.zeros((4, 4, 3), np.float64)])
def test_encode_png_rejects_what_is_not_rgb_bytes(bad):
    with pytest.raises(ValueError, match=r"^rgb must be a uint8 array of shape \(height, width, 3\)"):
        rendering.encode_png(bad)


def test_a_frame_is_the_canvas_and_as_small_as_pillows():
    """render_png of an opaque figure decodes to the canvas's pixels; the fixed filter costs no size on a plot."""
    helpers.use_style(retina=False)
    fig, ax = plt.subplots(figsize=(5.6, 3.4), dpi=200)
    x = np.linspace(0, 10, 400)
    ax.plot(x, np.sin(x), label="sin")
    ax.semilogy(x, np.exp(-x) + 1e-3, label="decay")
    ax.set_title(r"$w^d$, $\|W_{hh}\|_2 = 1.5$")
    ax.legend()
    png = rendering.render_png(fig)
    canvas = np.asarray(fig.canvas.buffer_rgba())
    np.testing.assert_array_equal(_decoded(png), canvas[:, :, :3])
    pillow = io.BytesIO()
    Image.fromarray(canvas[:, :, :3]).save(pillow, format="png", compress_level=1)
    assert len(png) < 1.25 * len(pillow.getvalue())


def test_a_transparent_figure_keeps_its_alpha():
    fig = plt.figure(figsize=(2, 1), dpi=50)
    fig.patch.set_alpha(0.0)
    fig.text(0.5, 0.5, "x")
    image = Image.open(io.BytesIO(rendering.render_png(fig)))
    assert image.mode == "RGBA"


def test_matplotlib_keeps_more_mathtext():
    """On every matplotlib the requirements allow (the oldest is tested by the portability matrix), the cache grew."""
    assert rendering.keep_more_mathtext() is True
    assert MathTextParser._parse_cached.cache_info().maxsize >= rendering.MATHTEXT_CACHE
