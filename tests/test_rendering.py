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


@pytest.mark.parametrize("shape", [(1, 1, 3), (2, 3, 3), (37, 53, 3), (200, 320, 3), (1, 1, 4), (37, 53, 4)])
def test_encode_png_is_lossless(shape):
    """Pillow (an independent decoder) reads back every pixel, for noise (worst case for the filter) and flat areas."""
    rng = np.random.default_rng(0)
    noise = rng.integers(0, 256, size=shape, dtype=np.uint8)
    flat = np.full(shape, 255, np.uint8)
    flat[shape[0] // 2:, : shape[1] // 2] = (0, 114, 178, 128)[: shape[2]]
    for rgb in (noise, flat):
        png = rendering.encode_png(rgb)
        assert png.startswith(b"\x89PNG\r\n\x1a\n")
        np.testing.assert_array_equal(_decoded(png), rgb)


@pytest.mark.parametrize("bad", [np.zeros((4, 4), np.uint8), np.zeros((4, 4, 2), np.uint8),
                                 np.zeros((4, 4, 3), np.float64)])
def test_encode_png_rejects_what_is_not_rgb_bytes(bad):
    with pytest.raises(ValueError, match=r"^pixels must be a uint8 array of shape \(height, width, 3\) \(RGB\) or"):
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
    np.testing.assert_array_equal(_decoded(png), canvas)
    pillow = io.BytesIO()
    Image.fromarray(canvas[:, :, :3]).save(pillow, format="png", compress_level=1)
    assert len(png) < 1.25 * len(pillow.getvalue())        # even against Pillow's RGB, without the alpha channel


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


# -- helpers.Demo: revisits from the frame cache, and drags followed only while frames are quick -------------

def _counting_demo(**slider_kwargs):
    fig, ax = helpers.figure()
    (line,) = ax.plot([], [])
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    calls = []

    def show(w):
        calls.append(w)
        line.set_data([0, 10], [0, w])
        return f"w = {w}"

    demo = helpers.Demo(show, fig, w=helpers.slider("w", 1, 9, 1, value=5, **slider_kwargs))
    calls.clear()          # the calls made while the Demo was built (its first frame, learning what moves)
    return demo, calls


def test_a_revisited_value_is_the_frame_drawn_for_it():
    demo, calls = _counting_demo()
    slider = demo.controls["w"]
    first = demo.image.value
    slider.value = 6
    six = demo.image.value
    slider.value = 5
    assert demo.image.value == first and calls == [6]           # from the cache: update not called again
    slider.value = 6
    assert demo.image.value == six and calls == [6]
    demo.max_cached_frames = 0
    demo._frames.clear()
    slider.value = 5
    slider.value = 6
    assert demo.image.value == six and calls == [6, 5, 6]       # drawn again: the same bytes


def test_the_frame_cache_is_bounded():
    demo, _ = _counting_demo()
    demo.max_cached_frames = 3
    for w in (1, 2, 3, 4, 6, 7):
        demo.controls["w"].value = w
    assert len(demo._frames) == 3 and [k[0][1] for k in demo._frames] == [4, 6, 7]


def test_sliders_follow_a_drag_only_while_frames_are_quick():
    """The rule, not this machine's speed: budgets far above and below any frame's time decide it."""
    quick, _ = _counting_demo()
    quick.FOLLOW_DRAG_MS = 1e9
    slow, _ = _counting_demo()
    slow.FOLLOW_DRAG_MS = 0.0
    on_release, _ = _counting_demo(continuous_update=False)
    on_release.FOLLOW_DRAG_MS = 1e9
    for demo in (quick, slow, on_release):
        for w in (6, 7, 8):
            demo.controls["w"].value = w
    assert quick.controls["w"].continuous_update is True
    assert slow.controls["w"].continuous_update is False
    assert on_release.controls["w"].continuous_update is False   # a retraining demo stays on release


def test_after_a_move_the_next_steps_are_drawn_ahead_on_the_event_loop():
    """In a kernel (an event loop running), a move draws the frames one step either way while idle."""
    import asyncio

    demo, calls = _counting_demo()
    slider = demo.controls["w"]

    async def lecture():
        slider.value = 6                        # someone moves the slider
        for _ in range(100):                    # the kernel idles: the neighbours are drawn one per turn
            await asyncio.sleep(0.01)
            if 7 in calls:
                break
        drawn_ahead = list(calls)
        slider.value = 7                        # the next arrow-key press
        return drawn_ahead

    drawn_ahead = asyncio.run(lecture())
    assert drawn_ahead == [6, 7]                # 5, the value it came from, is in the cache already
    assert calls.count(7) == 1                  # the press found its frame ready
    cold = _counting_demo()[0]
    cold.max_cached_frames = 0
    cold.controls["w"].value = 7
    assert demo.image.value == cold.image.value # and it is the frame drawn for 7


def test_one_step_of_a_slider_draws_the_next_step_the_same_way_at_once():
    """An arrow key moves a slider one step: the frame one more step that way is drawn straight after
    (not after the rest that frames one step either way wait for); a jump of several steps is not followed."""
    import asyncio

    demo, calls = _counting_demo()                          # w = 1..9, value 5
    slider = demo.controls["w"]

    async def presses():
        seen = []
        for value in (6, 7, 9):
            slider.value = value
            await asyncio.sleep(0.05)                       # well before DRAW_AHEAD_AFTER_S (0.3 s)
            seen.append(list(calls))
        return seen

    assert demo.DRAW_AHEAD_AFTER_S >= 0.2
    seen = asyncio.run(presses())
    assert seen[0] == [6, 7]                                # 6 pressed, 7 drawn ahead at once
    assert seen[1] == [6, 7, 8]                             # 7 found ready; 8 drawn ahead
    assert seen[2] == [6, 7, 8, 9]                          # a jump to 9 (two steps): nothing followed


def test_nothing_is_drawn_ahead_without_an_event_loop_or_for_a_demo_that_retrains():
    import asyncio

    idle, idle_calls = _counting_demo()                 # built in plain Python: nothing runs in the background
    retrains, retrain_calls = _counting_demo(continuous_update=False)

    async def wait():
        await asyncio.sleep(0.2)
        retrains.controls["w"].value = 6
        await asyncio.sleep(0.3)

    asyncio.run(wait())
    assert idle_calls == [] and retrain_calls == [6]


def test_a_demo_built_in_a_kernel_draws_its_first_frames_ahead(monkeypatch):
    """Built with an event loop running (a kernel), a small demo (at most DRAW_ALL_AT_MOST settings, as
    02's T) draws every setting in its own cell, nearest first, and every press then finds its frame; a
    larger one draws only the other options of its choices and every value of a slider with at most
    DRAW_SLIDER_AT_MOST values (06's T). A demo that retrains draws nothing ahead."""
    import asyncio

    async def build(**slider_kwargs):
        demo, _ = _counting_demo(**slider_kwargs)          # w = 1..9, value 5: 9 settings
        return demo

    def cached(demo):
        return [dict(key)["w"] for key in demo._frames]      # in the order they were drawn

    demo = asyncio.run(build())
    assert cached(demo)[0] == 5 and sorted(cached(demo)) == list(range(1, 10))   # every setting, from the cell
    assert [abs(w - 5) for w in cached(demo)] == sorted(abs(w - 5) for w in cached(demo))   # nearest first
    calls = []
    original = demo.update
    demo.update = lambda **values: (calls.append(values["w"]), original(**values))[1]
    for w in (9, 1, 4):
        demo.controls["w"].value = w
    assert calls == []                                       # every press found its frame
    cold = _counting_demo()[0]
    cold.max_cached_frames = 0
    cold.controls["w"].value = 4
    assert demo.image.value == cold.image.value              # and it is the frame drawn for that value

    monkeypatch.setattr(helpers.Demo, "DRAW_ALL_AT_MOST", 8)
    assert cached(asyncio.run(build())) == [5]               # 9 settings > 8: a slider's first press is drawn then
    assert cached(asyncio.run(build(continuous_update=False))) == [5]   # a demo that retrains: none
    assert cached(_counting_demo()[0]) == [5]                # no event loop (tests, scripts): none

    async def build_with_choice():
        fig, ax = helpers.figure()
        (line,) = ax.plot([], [])

        def show(w, kind):
            line.set_data([0, 1], [0, w if kind == "up" else -w])
            return ""

        return helpers.Demo(show, fig, w=helpers.slider("w", 1, 9, 1, value=5),
                            kind=helpers.choice("kind", ["up", "down", "flat"]))

    with_choice = asyncio.run(build_with_choice())
    assert sorted(dict(key)["kind"] for key in with_choice._frames) == ["down", "flat", "up"]   # each option
    assert {dict(key)["w"] for key in with_choice._frames} == {5}                                # no slider steps

    async def build_with_a_short_slider():
        fig, ax = helpers.figure()
        (line,) = ax.plot([], [])

        def show(w, T):
            line.set_data([0, T], [0, w])
            return ""

        return helpers.Demo(show, fig, w=helpers.slider("w", 1, 9, 1, value=5),                  # 9 values
                            T=helpers.slider("T", 100, 800, np.log10(2), value=200, log=True))   # 4 values

    short = asyncio.run(build_with_a_short_slider())
    drawn = [(dict(key)["w"], round(dict(key)["T"])) for key in short._frames]
    assert drawn == [(5, 200), (5, 100), (5, 400), (5, 800)]   # every value of the short slider, nearest first


def test_the_first_move_of_a_control_is_already_drawn_over_a_kept_background():
    """Building a Demo finds what update moves (one step either way and back), so the first move blits."""
    demo, calls = _counting_demo()
    b = demo._blitter
    full, blits = b.full_draws, b.blits
    demo.controls["w"].value = 7
    assert (b.full_draws, b.blits) == (full, blits + 1) and calls == [7]
    frame = np.asarray(Image.open(io.BytesIO(demo.image.value)).convert("RGBA"))
    assert np.array_equal(frame, b.reference_pixels())
    retrains, retrain_calls = _counting_demo(continuous_update=False)
    assert retrain_calls == []                  # a demo that retrains is not called ahead, even to learn


def test_frames_drawn_from_two_threads_at_once_are_each_the_frame_of_their_own_values():
    """JupyterLab (4.5 and later) sends widget messages to a kernel subshell: a slider's callback runs on
    another thread than the cells and than the frames drawn ahead on the main thread's event loop. The two
    must never draw into the one figure at the same time: every frame shown, and every frame kept for a
    revisit, is the frame of its own values."""
    import sys
    import threading

    def build():
        fig, ax = helpers.figure()
        (line,) = ax.plot([], [])
        title = ax.set_title(" ")
        ax.set_xlim(0, 10)

        def show(w):
            line.set_data(np.linspace(0, 10, 200), np.sin(np.linspace(0, w, 200)))   # a curve of its own per w
            title.set_text(f"w = {w}")
            return f"w = {w}"

        return helpers.Demo(show, fig, w=helpers.slider("w", 1, 40, 1, value=20))

    demo = build()
    demo.max_cached_frames = 100
    slider = demo.controls["w"]
    shown, errors = {}, []
    switch = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)             # switch threads as often as possible: the worst case
    try:
        ahead = threading.Thread(target=lambda: [demo._draw_into_cache({"w": w}) for w in range(21, 41)])
        ahead.start()
        for w in range(19, 0, -1):          # meanwhile, presses on this thread
            slider.value = w
            shown[w] = demo.image.value
            errors += [demo.last_error] if demo.last_error else []
        ahead.join()
    finally:
        sys.setswitchinterval(switch)
    assert not errors
    cold = build()                          # the same demo, drawing one frame at a time, no cache
    cold.max_cached_frames = 0
    kept = {dict(key)["w"]: png for key, (_, png) in demo._frames.items()}
    wrong = []
    for w in sorted(set(shown) | set(kept)):
        cold.controls["w"].value = w
        expected = _decoded(cold.image.value)
        wrong += [f"shown w={w}"] if w in shown and not np.array_equal(_decoded(shown[w]), expected) else []
        wrong += [f"kept w={w}"] if w in kept and not np.array_equal(_decoded(kept[w]), expected) else []
    assert not wrong, f"frames with another value's picture: {wrong}"
