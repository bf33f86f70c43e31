"""Tests of the shared helpers: gradients, validation, style, sliders and demos."""
from __future__ import annotations

import math

import numpy as np
import pytest
import ipywidgets as widgets

import helpers
from helpers import demo_testing, rendering


# -- numerical gradients ------------------------------------------------------------------

def test_numerical_gradient_matches_known_derivatives():
    x = np.array([0.3, -1.2, 2.0])
    # f = sum(sin(x) * x^2): df/dx = cos(x) x^2 + 2 x sin(x)
    f = lambda: float(np.sum(np.sin(x) * x**2))
    num = helpers.numerical_gradient(f, x)
    exact = np.cos(x) * x**2 + 2 * x * np.sin(x)
    assert helpers.relative_error(exact, num) < 1e-9


def test_numerical_gradient_of_matrix_function_and_restores_input():
    rng = helpers.make_rng(0)
    W = rng.normal(size=(3, 4))
    v = rng.normal(size=4)
    W0 = W.copy()
    f = lambda: float(np.sum(np.tanh(W @ v)))          # d/dW = (1 - tanh^2(Wv)) v^T
    num = helpers.numerical_gradient(f, W)
    exact = np.outer(1 - np.tanh(W @ v) ** 2, v)
    assert helpers.relative_error(exact, num) < 1e-9
    assert np.array_equal(W, W0), "numerical_gradient must restore the array it perturbs"


def test_relative_error_detects_wrong_gradient():
    a = np.array([1.0, 2.0, 3.0])
    assert helpers.relative_error(a, a) == 0.0
    assert helpers.relative_error(a, a.T[::-1]) > 0.1
    assert helpers.relative_error(np.zeros(3), np.zeros(3)) == 0.0


def test_check_gradients_reports_each_parameter():
    rng = helpers.make_rng(1)
    params = {"a": rng.normal(size=3), "b": rng.normal(size=(2, 2))}
    loss = lambda: float(np.sum(params["a"] ** 3) + np.sum(params["b"] ** 2))
    grads = {"a": 3 * params["a"] ** 2, "b": 2 * params["b"]}
    errs = helpers.check_gradients(loss, params, grads)
    assert set(errs) == {"a", "b"} and max(errs.values()) < 1e-9
    wrong = {"a": grads["a"], "b": grads["b"].T + 1}
    assert helpers.check_gradients(loss, params, wrong)["b"] > 1e-3


def test_numerical_gradient_refuses_float32_and_bad_eps():
    x32 = np.ones(3, dtype=np.float32)
    with pytest.raises(ValueError, match="x must be a float64"):
        helpers.numerical_gradient(lambda: 0.0, x32)
    with pytest.raises(ValueError, match="eps must be"):
        helpers.numerical_gradient(lambda: 0.0, np.ones(3), eps=0.0)


# -- validation -----------------------------------------------------------------------------

@pytest.mark.parametrize("value", [-3, 0, 2.5, "7", True, float("nan")])
def test_check_int_names_argument(value):
    with pytest.raises(ValueError, match=r"^T must be an integer >= 1, got"):
        helpers.check_int("T", value, minimum=1)


def test_check_int_accepts_whole_numbers():
    assert helpers.check_int("T", np.int64(5), minimum=1) == 5
    assert helpers.check_int("T", 5.0, minimum=1) == 5


@pytest.mark.parametrize("value", [float("inf"), float("nan"), "1", None])
def test_check_float_rejects_nonfinite(value):
    with pytest.raises(ValueError, match=r"^w must be a finite number"):
        helpers.check_float("w", value)


def test_check_float_range_message():
    with pytest.raises(ValueError, match=r"lr must be a finite number > 0 and <= 10, got 0.0"):
        helpers.check_float("lr", 0.0, minimum=0.0, exclusive_minimum=True, maximum=10)


def test_check_choice_lists_options():
    with pytest.raises(ValueError, match=r"activation must be one of 'tanh', 'relu', got 'elu'"):
        helpers.check_choice("activation", "elu", ("tanh", "relu"))


def test_check_array_shape_and_finite():
    assert helpers.check_array("x", np.zeros((4, 3)), shape=(None, 3)).shape == (4, 3)
    with pytest.raises(ValueError, match=r"x must have shape \(any, 3\), got shape \(4, 2\)"):
        helpers.check_array("x", np.zeros((4, 2)), shape=(None, 3))
    with pytest.raises(ValueError, match="x must contain only finite values"):
        helpers.check_array("x", [1.0, np.inf])
    with pytest.raises(ValueError, match="x must be a numeric array"):
        helpers.check_array("x", ["a", "b"])


def test_make_rng_is_seeded_and_validates():
    assert helpers.make_rng(5).normal() == helpers.make_rng(5).normal()
    with pytest.raises(ValueError, match="seed must be an integer >= 0"):
        helpers.make_rng(-1)


# -- style and plotting under Agg -------------------------------------------------------------

def test_style_and_plotting_helpers_under_agg(tmp_path):
    import matplotlib
    assert matplotlib.get_backend().lower() == "agg"
    helpers.use_style()
    fig, ax = helpers.figure()
    d = np.arange(10)
    returned = helpers.plot_magnitudes(d, 0.5 ** d, ax=ax, label="tanh", color=helpers.COLORS["tanh"])
    assert returned is ax and ax.get_yscale() == "log"
    helpers.reference_line(ax)
    helpers.log_axis(ax, label="|grad|", limits=(1e-6, 1e2))
    assert ax.get_ylim() == pytest.approx((1e-6, 1e2))
    fig.savefig(tmp_path / "f.png")
    assert (tmp_path / "f.png").stat().st_size > 1000


def test_style_text_is_large_enough_for_the_lecture_view():
    # The lecture view shows a two-panel demo (11.2 in wide) across 1280 px: 12 pt is then about 18.6 px
    # (tests/test_browser.py checks every demo on screen); the style's smallest default is 12 pt.
    import matplotlib as mpl
    helpers.use_style()
    from matplotlib.font_manager import FontProperties
    sizes = {k: FontProperties(size=mpl.rcParams[k]).get_size_in_points()
             for k in ("font.size", "axes.titlesize", "axes.labelsize", "xtick.labelsize", "ytick.labelsize",
                       "legend.fontsize")}
    assert min(sizes.values()) >= 12, sizes


def test_figure_text_sizes_measures_the_texts_drawn():
    from helpers.style import figure_text_sizes
    helpers.use_style()
    fig, ax = helpers.figure()
    ax.plot([0, 1], [0, 1], label="line")
    ax.legend(fontsize=9)
    ax.set_title("title", fontsize=15)
    ax.text(0.5, 0.5, "hidden", fontsize=5, visible=False)      # not drawn: not counted
    ax.text(0.5, 0.5, "   ", fontsize=6)                         # blank: not counted
    moving = ax.text(0.2, 0.2, "moving", fontsize=10)
    moving.set_animated(True)                                    # drawn by the Demo per frame: counted
    fig.canvas.draw()
    sizes = figure_text_sizes(fig)
    assert sizes["min_pt"] == 9 and sizes["smallest"] == "line"
    assert {9, 10, 15, 13} <= set(sizes["sizes_pt"]) and 5 not in sizes["sizes_pt"] and 6 not in sizes["sizes_pt"]
    assert (sizes["width_px"], sizes["height_px"]) == fig.canvas.get_width_height()
    assert sizes["dpi"] == fig.dpi
    moving.set_animated(False)
    moving.set_fontsize(7)
    assert figure_text_sizes(fig)["min_pt"] == 7


def test_plot_magnitudes_marks_inf_and_nan():
    fig, ax = helpers.figure()
    vals = np.array([1.0, 10.0, np.inf, np.nan])
    helpers.plot_magnitudes(np.arange(4), vals, ax=ax, label="g")
    labels = [ln.get_label() for ln in ax.get_lines()]
    assert "g: inf / NaN" in labels
    assert "overflowed to inf" in helpers.nonfinite_note(vals) and "NaN" in helpers.nonfinite_note(vals)
    assert helpers.nonfinite_note([1.0, 2.0]) == ""


def test_plot_magnitudes_without_axes_makes_figure():
    ax = helpers.plot_magnitudes([0, 1], [1.0, 0.0])
    assert ax.get_yscale() == "log"


def test_log_axis_validates():
    _, ax = helpers.figure()
    with pytest.raises(ValueError, match="axis must be 'x' or 'y'"):
        helpers.log_axis(ax, axis="z")
    with pytest.raises(ValueError, match="limits must be"):
        helpers.log_axis(ax, limits=(1.0, 0.5))


def test_log_axis_called_again_with_the_same_axis_changes_nothing():
    """A demo's update may call log_axis every frame: with the same ticks it keeps the axis (a demo then
    draws only its curve over the kept background); new ticks, or decades that no longer skip, set the
    axis as a first call would (minor ticks back)."""
    fig, ax = helpers.figure()
    helpers.log_axis(ax, limits=(1e-200, 1e100))
    major = ax.yaxis.get_major_locator()
    helpers.log_axis(ax, limits=(1e-200, 1e100))
    assert ax.yaxis.get_major_locator() is major and ax.get_ylim() == (1e-200, 1e100)
    helpers.log_axis(ax, limits=(1e-3, 1e2))             # one decade a tick: minor ticks, as on a fresh axis
    _, fresh = helpers.figure()
    helpers.log_axis(fresh, limits=(1e-3, 1e2))
    assert type(ax.yaxis.get_minor_locator()) is type(fresh.yaxis.get_minor_locator())
    assert list(ax.get_yticks()) == list(fresh.get_yticks())

    (line,) = ax.plot([], [])

    def show(k):
        line.set_data([0, 1], [1e-2, 10.0 ** (k - 3)])
        helpers.log_axis(ax, limits=(1e-3, 1e2))
        return ""

    demo = helpers.Demo(show, fig, k=helpers.slider("k", 0, 4, 1, value=2))
    b = demo._blitter
    full = b.full_draws
    demo.controls["k"].value = 3
    assert b.full_draws == full                           # the curve over the kept background


def test_colors_are_fixed_meanings():
    assert helpers.COLORS["rnn"] != helpers.COLORS["lstm"]
    assert helpers.COLORS["rnn"] == helpers.COLORS["tanh"]


# -- sliders --------------------------------------------------------------------------------

def test_slider_kinds_labels_and_readout():
    s = helpers.slider("T", 1, 200, value=50)
    assert isinstance(s, widgets.IntSlider) and s.description == "T" and s.readout and s.value == 50
    f = helpers.slider("w", 0.1, 5.0, 0.1, value=1.5)
    assert isinstance(f, widgets.FloatSlider) and f.step == 0.1
    lg = helpers.slider("lr", 1e-4, 1.0, log=True, continuous_update=False)
    assert isinstance(lg, widgets.FloatLogSlider) and not lg.continuous_update
    assert demo_testing.control_extremes(lg) == pytest.approx([1e-4, 1.0])
    assert demo_testing.control_extremes(s) == [1, 200]


@pytest.mark.parametrize("args, message", [
    (("w", 2.0, 1.0), "maximum must be greater than minimum"),
    (("w", 0.0, 1.0, None, 5.0), "value must be a finite number >= 0 and <= 1"),
    (("", 0.0, 1.0), "symbol must be a non-empty string"),
])
def test_slider_validation(args, message):
    with pytest.raises(ValueError, match=message):
        helpers.slider(*args)


def test_choice_validation():
    c = helpers.choice("f", ["tanh", "sigmoid"])
    assert "widget-inline-hbox" in c._dom_classes     # its label beside the buttons, as a slider's
    assert demo_testing.control_extremes(c) == ["tanh", "sigmoid"]
    with pytest.raises(ValueError, match="value must be one of"):
        helpers.choice("f", ["tanh", "sigmoid"], value="relu")


# -- demos ----------------------------------------------------------------------------------

def _line_demo(fail_at=None, blank=False, note_when_blank=True):
    fig, ax = helpers.figure()
    (line,) = ax.plot([0, 1], [1, 1])

    def show(w, f):
        if fail_at is not None and w == fail_at:
            raise ZeroDivisionError("boom")
        y = np.array([1.0, w]) if not blank else np.array([np.nan, np.nan])
        line.set_ydata(y)
        return "all values are NaN because ..." if (blank and note_when_blank) else ""

    return helpers.Demo(show, fig, w=helpers.slider("w", 0.0, 2.0, 0.1, value=1.0),
                        f=helpers.choice("f", ["tanh", "sigmoid", "linear"]))


def test_demo_renders_and_updates_on_slider_change():
    demo = _line_demo()
    first = demo.image.value
    assert first[:4] == b"\x89PNG"
    demo.controls["w"].value = 2.0
    assert demo.image.value != first and demo.error.value == ""
    assert len(demo.timings_ms) == 2
    bundle = demo._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle and "image/png" in bundle


def test_demo_exposes_its_figure_text_sizes():
    import html
    import json
    import re
    demo = _line_demo()
    sizes = demo.text_sizes
    assert sizes["min_pt"] > 0 and sizes["dpi"] == 100 * demo.scale
    assert (sizes["width_px"], sizes["height_px"]) == demo.fig.canvas.get_width_height()
    # for the browser tests: a hidden element of the demo holds them
    assert demo.text_probe in demo.widget.children and demo.text_probe.layout.display == "none"
    attribute = re.search(r"data-text-sizes='([^']*)'", demo.text_probe.value).group(1)
    assert json.loads(html.unescape(attribute)) == sizes
    first = demo.image.value
    demo.controls["w"].value = 2.0
    assert demo.image.value != first and demo.error.value == ""   # measuring left the frames alone


def test_exercise_covers_every_corner():
    results = helpers.exercise(_line_demo())
    seen = {(r["values"]["w"], r["values"]["f"]) for r in results}
    assert seen == {(w, f) for w in (0.0, 2.0) for f in ("tanh", "sigmoid", "linear")}


def test_exercise_reports_exception_with_values():
    demo = _line_demo(fail_at=2.0)
    with pytest.raises(AssertionError, match=r"failed at \{'w': 2.0"):
        helpers.exercise(demo)


def test_demo_shows_error_instead_of_swallowing_it():
    demo = _line_demo(fail_at=2.0)
    demo.controls["w"].value = 2.0
    assert "This demo failed" in demo.error.value and "ZeroDivisionError" in demo.error.value


def test_exercise_rejects_silent_blank_plot():
    helpers.exercise(_line_demo(blank=True, note_when_blank=True))  # explained: fine
    with pytest.raises(AssertionError, match="blank plot"):
        helpers.exercise(_line_demo(blank=True, note_when_blank=False))


def test_exercise_many_controls_limits_combinations():
    fig, ax = helpers.figure()
    ax.plot([0, 1], [0, 1])
    controls = {f"p{i}": helpers.slider(f"p{i}", 0, 3, value=1) for i in range(8)}
    demo = helpers.Demo(lambda **kw: None, fig, name="many", **controls)
    results = helpers.exercise(demo, max_combinations=64)
    assert 2 < len(results) <= 2 + 2 * 8


def test_demo_validates_arguments():
    fig, _ = helpers.figure()
    with pytest.raises(ValueError, match="controls must name at least one widget"):
        helpers.Demo(lambda: None, fig)
    with pytest.raises(ValueError, match="update must be a function"):
        helpers.Demo(None, fig, w=helpers.slider("w", 0.0, 1.0))


def test_progress_bar_counts_to_total():
    bar = helpers.progress_bar(10, "training", display_now=False)
    for i in range(1, 11):
        bar.update(i)
    bar.close()
    assert bar.widget.value == 10
    with pytest.raises(ValueError, match="total must be an integer >= 1"):
        helpers.progress_bar(0, display_now=False)


def test_log_slider_start_value_lies_on_its_step_grid():
    s = helpers.slider("eta", 0.03, 10.0, log=True, value=1.0)
    k = (math.log10(1.0) - s.min) / s.step
    assert abs(k - round(k)) < 1e-9, "the browser would snap the start value to a neighbouring grid point"
    assert s.value == pytest.approx(1.0)


# -- blitting (artists marked animated) -------------------------------------------------

def _blit_demo(animate=True):
    """A log-axis panel like the series' demos: a curve from the left spine, a static text it crosses,
    a title and a legend; ``animate`` marks what update changes (and what must stay on top) animated."""
    fig, ax = helpers.figure()
    helpers.log_axis(ax, label="size", limits=(1e-3, 1e3))
    ax.set_xlim(0, 10)
    ax.set_xlabel("lag $d$")
    helpers.reference_line(ax)
    static_text = ax.text(0.5, 1e2, "a static label the curve crosses", fontsize=11)
    (curve,) = ax.plot([], [], color=helpers.COLORS["rnn"], label="curve")
    (marks,) = ax.plot([], [], "x", color=helpers.COLORS["exploding"], label="marks")
    legend = ax.legend(loc="lower right")
    title = ax.set_title(" ")
    if animate:
        for artist in (curve, marks, static_text, legend, title):
            artist.set_animated(True)
    d = np.arange(11)

    def show(w, label):
        curve.set_data(d, w ** d.astype(float))
        marks.set_data(d[::3], np.full(4, 1e-2 * w))
        title.set_text(f"w = {w:.2f}")
        if label != static_text.get_text():
            static_text.set_text(label)
        return ""

    demo = helpers.Demo(show, fig, w=helpers.slider("w", 0.5, 2.0, 0.05, value=1.2),
                        label=helpers.choice("label", ["a static label the curve crosses", "another label"]))
    return demo


def _decoded(png):
    import io
    from PIL import Image
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


def _full_redraw_pixels(demo):
    """The same state drawn the ordinary way: nothing animated, one canvas.draw."""
    animated = [a for _, a in rendering.animated_artists(demo.fig)]
    for a in animated:
        a.set_animated(False)
    demo.fig.canvas.draw()
    pixels = np.asarray(demo.fig.canvas.buffer_rgba()).copy()
    for a in animated:
        a.set_animated(True)
    assert demo._blitter.background is None   # the reference draw made the Demo drop its background
    return pixels


@pytest.mark.parametrize("values", [dict(w=0.5), dict(w=1.35), dict(w=2.0), dict(w=1.1, label="another label")])
def test_blitted_frame_equals_full_redraw(values):
    demo = _blit_demo()
    demo.call(w=0.8)                                  # a frame with a background to restore
    blits = demo._blitter.blits
    _, png = demo.call(**values)
    if "label" not in values:
        assert demo._blitter.blits == blits + 1, "this frame should have been blitted"
    assert np.array_equal(_decoded(png), _full_redraw_pixels(demo))


def test_blitting_is_used_and_static_changes_redraw_the_background():
    demo = _blit_demo()
    b = demo._blitter
    demo.call(w=0.6)
    full, blits = b.full_draws, b.blits
    demo.call(w=0.7)
    demo.call(w=0.9)
    assert (b.full_draws, b.blits) == (full, blits + 2)
    demo.fig.axes[0].set_xlim(0, 12)                  # a static part changed: the figure is stale
    _, png = demo.call(w=1.0)
    assert b.full_draws == full + 1
    assert np.array_equal(_decoded(png), _full_redraw_pixels(demo))
    demo.call(w=1.1)
    rendering.full_redraw(demo.fig)                          # asked for explicitly
    demo.call(w=1.2)
    assert b.full_draws == full + 3                   # +1 after the reference draw, +1 requested


def test_full_redraw_request_shows_changes_matplotlib_did_not_see():
    demo = _blit_demo()
    ax = demo.fig.axes[0]
    # not animated and under the curve (zorder 1): in the background
    static_text = ax.text(3.5, 1.3e-3, "before", fontsize=11, va="bottom", zorder=1)
    demo.call(w=0.7)
    demo.call(w=0.8)
    static_text.set_text("after")
    static_text.stale = demo.fig.stale = False      # as after an in-place edit that matplotlib cannot see
    _, stale_png = demo.call(w=0.9)
    assert demo._blitter.blits and not np.array_equal(_decoded(stale_png), _full_redraw_pixels(demo))
    demo.call(w=0.8)                  # a fresh background (the reference draw reset it), then again unseen:
    static_text.set_text("after again")
    static_text.stale = demo.fig.stale = False
    rendering.full_redraw(demo.fig)          # what update calls in that case
    full = demo._blitter.full_draws
    _, png = demo.call(w=0.9)
    assert demo._blitter.full_draws == full + 1
    assert np.array_equal(_decoded(png), _full_redraw_pixels(demo))


def _reference_pixels(demo):
    """A full draw of the same state (nothing left out), without resetting the Demo's background."""
    return demo._blitter.reference_pixels()


def test_without_animated_artists_what_changes_is_learnt_and_blitted():
    demo = _blit_demo(animate=False)
    b = demo._blitter
    demo.call(w=0.6)
    demo.call(w=0.7)                                  # learnt: the curve, the marks, the title
    full, blits = b.full_draws, b.blits
    for w in (0.8, 0.9, 1.5):
        _, png = demo.call(w=w)
        assert np.array_equal(_decoded(png), _reference_pixels(demo))
    assert (b.full_draws, b.blits) == (full, blits + 3)
    ax = demo.fig.axes[0]
    curve, marks = ax.get_lines()[-2:]
    assert all(any(a is m for m in b.moving) for a in (curve, marks, ax.title))


def _learnt_demo():
    """A plain demo (nothing marked animated) whose update moves a curve, sets the same limits
    again, makes a new legend each frame, and writes a suptitle."""
    fig, (ax, other) = helpers.figure(ncols=2)
    ax.set_xlim(0, 10)
    ax.set_ylim(-2, 2)
    other.plot([0, 1], [0, 1], color="grey")
    (curve,) = ax.plot([], [], color=helpers.COLORS["rnn"], linewidth=3)
    title = fig.suptitle(" ")
    x = np.linspace(0, 10, 200)

    def show(w, limit):
        curve.set_data(x, np.sin(w * x))
        curve.set_label(f"sin({w:.1f} x)")
        ax.set_xlim(0, 10)                            # the same limits again: the axis is stale, not changed
        ax.set_ylim(-limit, limit)
        ax.legend(loc="upper right")                  # a new legend each frame
        title.set_text(f"w = {w:.1f}")
        return ""

    return helpers.Demo(show, fig, w=helpers.slider("w", 0.5, 3.0, 0.1, value=1.0),
                        limit=helpers.slider("limit", 1.0, 3.0, 1.0, value=2.0))


def test_a_new_legend_each_frame_and_the_same_limits_again_are_still_blitted():
    demo = _learnt_demo()
    b = demo._blitter
    for w in (1.1, 1.2):                              # learning: the curve, the title, then the new legend
        demo.call(w=w)
    full, blits = b.full_draws, b.blits
    for w in (1.3, 1.4, 2.5):
        _, png = demo.call(w=w)
        assert np.array_equal(_decoded(png), _reference_pixels(demo))
    assert (b.full_draws, b.blits) == (full, blits + 3)
    _, png = demo.call(limit=3.0)                     # other limits: ticks and grid change, a full draw
    assert b.full_draws == full + 1
    assert np.array_equal(_decoded(png), _reference_pixels(demo))


def test_a_background_is_kept_for_axis_limits_a_slider_comes_back_to():
    demo = _learnt_demo()
    b = demo._blitter
    for w in (1.1, 1.2):
        demo.call(w=w)
    demo.call(limit=3.0)                              # other limits: a full draw; the one for 2.0 is kept
    demo.call(limit=1.0)
    full, blits = b.full_draws, b.blits
    for values in (dict(limit=2.0, w=1.6), dict(limit=3.0, w=1.7), dict(limit=3.0, w=1.8)):
        _, png = demo.call(**values)                  # back to limits drawn before: over their kept background
        assert np.array_equal(_decoded(png), _reference_pixels(demo)), values
    assert (b.full_draws, b.blits) == (full, blits + 3)
    demo.fig.axes[1].set_facecolor("0.9")             # a static change: no kept background shows it
    _, png = demo.call(limit=1.0)
    assert b.full_draws == full + 1 and not b._kept
    assert np.array_equal(_decoded(png), _reference_pixels(demo))


def _curve_and_legend(loc):
    """A figure with a curve for ``update`` to move and its legend at ``loc``: (fig, curve, legend)."""
    fig, ax = helpers.figure()
    ax.set_xlim(0, 10)
    ax.set_ylim(-3, 3)
    (curve,) = ax.plot([], [], color=helpers.COLORS["rnn"], label="a curve")
    return fig, curve, ax.legend(loc=loc)


def _count_draws(artist) -> list:
    """Make ``artist.draw`` record each call in the list returned."""
    calls = []
    draw = artist.draw
    artist.draw = lambda renderer: (calls.append(1), draw(renderer))[1]
    return calls


def test_a_legend_that_does_not_change_is_put_back_from_its_pixels():
    """A still legend above a moving curve: copied from the pixels of the first frame that drew it while
    nothing moving lies under it, and drawn again when the curve passes under it."""
    fig, curve, legend = _curve_and_legend("upper left")
    x = np.linspace(0, 10, 200)

    def show(w, shift):
        curve.set_data(x, np.sin(w * x) + shift)
        return ""

    demo = helpers.Demo(show, fig, w=helpers.slider("w", 0.5, 3.0, 0.1, value=1.0),
                        shift=helpers.slider("shift", -1.0, 2.0, 1.0, value=-1.0))
    calls = _count_draws(legend)

    def frame(**values):
        calls.clear()
        _, png = demo.call(**values)
        drawn = len(calls)
        assert np.array_equal(_decoded(png), _reference_pixels(demo)), values
        return drawn

    blits = demo._blitter.blits
    frame(w=1.1)                                   # the first frame that draws it keeps its pixels
    assert [frame(w=w) for w in (1.2, 1.3, 2.0)] == [0, 0, 0]        # below the legend: put back, not drawn
    assert frame(w=1.5, shift=2.0) == 1            # the curve passes under the legend: drawn over it
    assert frame(w=1.6) == 0                       # clear of it again
    assert demo._blitter.blits == blits + 6        # every one of these frames was drawn over the background


def test_a_legend_placed_best_is_drawn_every_frame():
    """loc="best" (matplotlib's default) places a legend by the curves of each draw: never copied back."""
    fig, curve, legend = _curve_and_legend("best")
    x = np.linspace(0, 10, 50)

    def show(shift):
        curve.set_data(x, 0 * x + shift)
        return ""

    demo = helpers.Demo(show, fig, shift=helpers.slider("shift", -2.0, 2.0, 1.0, value=-2.0))
    calls = _count_draws(legend)
    for shift in (2.0, -2.0, 2.0):                 # the legend moves away from the line each time
        calls.clear()
        _, png = demo.call(shift=shift)
        assert calls == [1]
        assert np.array_equal(_decoded(png), _reference_pixels(demo)), shift


def _two_panel_demo():
    """Left panel still, with a legend; the right panel's curve moves and ``T`` sets its x range (03's T)."""
    fig, (left, right) = helpers.figure(ncols=2)
    left.plot([0, 1], [0, 1], color="grey", label="still")
    left.legend(loc="upper left")
    (dots,) = left.plot([], [], "o", color=helpers.COLORS["tanh"])
    (curve,) = right.plot([], [], color=helpers.COLORS["rnn"])
    right.set_yscale("log")
    right.set_ylim(1e-20, 1e2)

    def show(s, T, width):
        dots.set_data([0.2, 0.5], [s / 4, s / 3])
        d = np.arange(T + 1)
        curve.set_data(d, s ** -d.astype(float))
        right.set_xlim(0, T)
        left.set_xlim(0, width)                       # the left range changes only with width
        return ""

    return helpers.Demo(show, fig, s=helpers.slider("s", 1.0, 3.0, 0.5, value=2.0),
                        T=helpers.slider("T", 10, 40, 10, value=20), width=helpers.slider("width", 1, 2, 1, value=1))


def test_a_new_range_in_the_last_panel_redraws_that_panel_only():
    demo = _two_panel_demo()
    b, left = demo._blitter, demo.fig.axes[0]
    calls = _count_draws(left)

    def frame(**values):
        calls.clear()
        partial, full = b.partial_draws, b.full_draws
        _, png = demo.call(**values)
        counts = len(calls), b.partial_draws - partial, b.full_draws - full
        assert np.array_equal(_decoded(png), _reference_pixels(demo)), values
        return counts

    assert frame(T=30) == (1, 1, 1)          # the first new range: the rest of the figure is drawn once, and kept
    for values in (dict(T=40, s=2.5), dict(T=10, s=3.0), dict(T=25)):
        assert frame(**values) == (0, 1, 1), values     # new ranges on the right: the left panel is not drawn
    assert frame(T=30, s=1.5) == (0, 0, 0)   # a range drawn before: over its kept background
    assert frame(width=2) == (1, 0, 1)       # the left panel's range: it is drawn first, so a full draw
    # (call() overrides the controls' values for one frame: width=2 is passed again)
    assert frame(T=35, width=2) == (1, 1, 1)   # the rest of the figure changed: drawn once more, and kept
    assert frame(T=15, width=2) == (0, 1, 1)


@pytest.mark.parametrize("change", ["new artist", "axis label", "spine", "static text"])
def test_a_change_to_a_static_part_is_a_full_draw(change):
    demo = _learnt_demo()
    ax = demo.fig.axes[0]
    note = ax.text(1, 1.5, "static note")
    for w in (1.1, 1.2, 1.3):
        demo.call(w=w)
    b = demo._blitter
    full = b.full_draws
    if change == "new artist":
        ax.axhline(0.5, color="black")
    elif change == "axis label":
        ax.set_xlabel("a new label")
    elif change == "spine":
        ax.spines["left"].set_linewidth(4)
    else:
        note.set_text("changed note")
    _, png = demo.call(w=1.4)
    assert b.full_draws == full + 1, change
    assert np.array_equal(_decoded(png), _reference_pixels(demo))


def test_a_moving_image_is_drawn_whole_every_frame():
    """matplotlib 3.7 draws an image even when it is marked animated: it cannot be left out of a background."""
    fig, ax = helpers.figure()
    image = ax.imshow(np.zeros((4, 4)), vmin=0, vmax=1)
    (curve,) = ax.plot([0, 3], [0, 3], color="white")

    def show(v):
        image.set_data(np.full((4, 4), v))
        curve.set_data([0, 3], [3 * v, 0])
        return ""

    demo = helpers.Demo(show, fig, v=helpers.slider("v", 0.0, 1.0, 0.25, value=0.5))
    for v in (0.25, 0.75, 1.0):
        _, png = demo.call(v=v)
        assert np.array_equal(_decoded(png), _reference_pixels(demo))
    assert demo._blitter.blits == 0


def test_render_png_and_static_fallback_include_animated_artists():
    demo = _blit_demo()
    demo.controls["w"].value = 1.9                    # through the widget, as a student moves it
    blitted = _decoded(demo.image.value)
    assert np.array_equal(blitted, _full_redraw_pixels(demo))
    assert np.array_equal(_decoded(rendering.render_png(demo.fig)), blitted)
    import base64
    bundle = demo._repr_mimebundle_()
    assert np.array_equal(_decoded(base64.b64decode(bundle["image/png"])), blitted)
    results = helpers.exercise(demo)                  # the tests' corners run through the blit path too
    assert len(results) == 4


def test_a_draw_made_elsewhere_renews_the_background():
    demo = _blit_demo()
    demo.call(w=0.7)
    demo.call(w=0.8)
    demo.fig.axes[0].set_xlim(0, 8)
    demo.fig.canvas.draw()            # e.g. a benchmark drawing the canvas itself: the figure is no longer stale
    full = demo._blitter.full_draws
    _, png = demo.call(w=0.9)
    assert demo._blitter.full_draws == full + 1
    assert np.array_equal(_decoded(png), _full_redraw_pixels(demo))
