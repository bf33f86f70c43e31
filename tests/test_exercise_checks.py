"""Every exercise check of the notebooks against the one rule of ``helpers.exercises.check_number``.

The table ``ROWS`` has one row per check: the notebook and exercise, the
precision the question states (and the words it uses), the expected value
computed *here*, independently of the check (a loop, matrix products,
helpers.rnn, the analytic cliff gradient), the values the folded answer
prints, and the classic wrong answers with a piece of the hint each must get.
The tests run every row through the same cases:

* right answers: the exact value, the value rounded to the stated precision,
  values just inside both edges of the tolerance, and the folded answer's own
  numbers, in every accepted form (int, float, numpy scalars, 0-d arrays);
* answers just outside both edges: rejected;
* each classic wrong answer: rejected with its own hint;
* bad kinds: None, strings (also numeric ones), bools, NaN, inf, complex,
  wrong shapes, 9.6 for a whole number: a one-line message saying what is wanted;
* the question in the notebook states the precision the check applies.

Every call prints exactly one line (``Correct...`` or ``Not yet. ...``) and
returns True or False; :func:`_call` asserts both, for every call.
"""
from __future__ import annotations

import contextlib
import io
import json
import math
import re
import warnings
from collections import deque
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable

import numpy as np
import pytest

import helpers
from helpers import cliff, lstm, rnn
from helpers.exercises import (check_number, format_number, nb01, nb02, nb03, nb04, nb05, nb06, nb07, precision_text,
                               read_answer, tolerance)

from conftest import NOTEBOOKS_DIR


def _call(check: Callable, *args, **kwargs) -> tuple[bool, str]:
    """Run a check; assert it prints exactly one verdict line and returns True or False. Returns (result, line)."""
    out = io.StringIO()
    with warnings.catch_warnings(), contextlib.redirect_stdout(out):
        warnings.simplefilter("error")                # no RuntimeWarning from inf/NaN answers either
        result = check(*args, **kwargs)
    printed = out.getvalue()
    assert result is True or result is False, (args, result)
    assert printed.count("\n") == 1 and printed.endswith("\n"), (args, printed)
    line = printed.strip()
    assert line.startswith("Correct" if result else "Not yet."), (args, line)
    return result, line


# -- expected values, computed independently of helpers.exercises --------------------------------------

def _break_even_by_counting(D=8, H=100, O=1) -> int:
    n = 1
    while H * n * D + H + O * H + O <= H * D + H * H + H + O * H + O:
        n += 1
    return n


def _lag_by_loop(factor=0.8, threshold=1e-6) -> int:
    d, bound = 0, 1.0
    while not bound < threshold:
        d, bound = d + 1, bound * factor
    return d


def _peak_by_matrix_products(c=0.92, b=10.0, k_max=1000) -> int:
    W, power, norms = np.array([[c, b], [0.0, c]]), np.eye(2), [1.0]
    for _ in range(k_max):
        power = W @ power
        norms.append(np.linalg.norm(power, 2))
    return int(np.argmax(norms))


def _overflow_by_multiplying(w=1.5) -> int:
    d, value = 0, 1.0
    with np.errstate(over="ignore"):
        while np.isfinite(value):
            value, d = float(np.float64(value) * np.float64(w)), d + 1
    return d


def _irnn_scale_by_bisection(d=500, limit=1e6) -> float:
    low, high = 1.0, 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if mid ** d <= limit else (low, mid)
    return low


def _shortest_path_by_search(d=37, k=10) -> int:
    steps, queue = {0: 0}, deque([0])
    while queue:
        position = queue.popleft()
        for jump in (1, k):
            if position + jump <= d and position + jump not in steps:
                steps[position + jump] = steps[position] + 1
                queue.append(position + jump)
    return steps[d]


def _skip_count_from_arrays(H=64, D=10, O=5, n_skips=2) -> int:
    params = rnn.init_params(D, H, O, rng=helpers.make_rng(0))
    return sum(v.size for v in params.values()) + n_skips * H * H


def _zero_lags_by_loop(T=200, K=20) -> int:
    return sum(1 for d in range(1, T + 1) if d > K)


W2, A_T = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([0.0, 1.0])
F_PRIME = 1.0 - np.tanh(A_T) ** 2
JACOBIAN = F_PRIME[:, None] * W2                          # row i scaled by f'(a_t[i]); checked numerically below

# Notebook 2's kind of problem for exercise 2: D = 3, H = 5, O = 2, T = 8.
_rng = helpers.make_rng(7)
NB2 = dict(params=rnn.init_params(3, 5, 2, rng=_rng))
NB2.update(x=_rng.normal(size=(8, 3)), target=_rng.normal(size=(8, 2)), h0=_rng.normal(0, 0.5, size=5))


def _chunked_with_helpers_rnn(k: int, *, carry_state: bool = True) -> np.ndarray:
    """Truncated BPTT with helpers.rnn, chunk by chunk; carry_state=False restarts every chunk from h0 (a mistake)."""
    p, x, target, h0 = NB2["params"], NB2["x"], NB2["target"], NB2["h0"]
    total, h_start = np.zeros_like(p["W_hh"]), h0[None, :]
    for start in range(0, len(x), k):
        y, cache = rnn.forward(p, x[start:start + k, None, :], h_start)
        total += rnn.backward(p, rnn.squared_error(y, target[start:start + k, None, :])[1], cache)["W_hh"]
        h_start = cache["h"][-1] if carry_state else h0[None, :]
    return total


TRUNCATED = _chunked_with_helpers_rnn(3)
CLIFF_GRADIENT = np.array(cliff.cliff_loss_and_grad(2.0, -1.0)[1:])          # the analytic backward pass
ANGLE = math.degrees(math.atan(0.5) - math.atan(0.5 / 3.0))                   # (1, 0.5) against (3, 0.5)


# -- notebook 7: expected values, computed independently of helpers.exercises --------------------------------------

def _cell_path_by_matrix_products(f=0.95, d=100, H=3) -> float:
    """d Jacobians dc_t/dc_{t-1} = diag(f_t) multiplied out, for H cells whose gates all stay at f."""
    jacobian = np.eye(H)
    for _ in range(d):
        jacobian = np.diag(np.full(H, f)) @ jacobian
    assert np.allclose(jacobian, jacobian[0, 0] * np.eye(H), rtol=1e-12)
    return float(jacobian[0, 0])


def _forget_bias_by_bisection(target_f=0.99) -> float:
    low, high = -50.0, 50.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        low, high = (mid, high) if 1.0 / (1.0 + math.exp(-mid)) < target_f else (low, mid)
    return 0.5 * (low + high)


def _count_from_arrays(D=10, H=100, O=5) -> int:
    """Entries of the LSTM's own arrays (helpers.lstm.init_params: W_xh, W_hh, b_h, W_hy, b_y)."""
    params = lstm.init_params(D, H, O, rng=helpers.make_rng(0))
    return int(sum(v.size for v in params.values()))


def _moment(k: int, a: Fraction, b: Fraction) -> Fraction:
    """E[X^k] for X uniform on [a, b]: the integral of x^k / (b - a) from a to b, exactly."""
    return (b ** (k + 1) - a ** (k + 1)) / ((k + 1) * (b - a))


def _variances_by_integration(a=Fraction(-1), b=Fraction(1), scale=Fraction(1, 4)) -> tuple[Fraction, Fraction]:
    """Var(X) and Var(0.5 + scale (X1 + X2)) from the moments of independent uniform X1, X2, in exact fractions."""
    m1, m2 = _moment(1, a, b), _moment(2, a, b)
    var_x = m2 - m1 ** 2
    mean_t = Fraction(1, 2) + scale * 2 * m1
    # E[(1/2 + s (X1 + X2))^2] = 1/4 + s E[X1 + X2] + s^2 (E[X1^2] + 2 E[X1] E[X2] + E[X2^2])
    second_t = Fraction(1, 4) + scale * 2 * m1 + scale ** 2 * (2 * m2 + 2 * m1 * m1)
    return var_x, second_t - mean_t ** 2


VAR_X, BASELINE = (float(v) for v in _variances_by_integration())
CELL = _cell_path_by_matrix_products()
BIAS = _forget_bias_by_bisection()


# -- the table ----------------------------------------------------------------------------------------

@dataclass
class Row:
    id: str                               # "<notebook>-<exercise>"
    check: Callable[[object], bool]       # the check with the notebook's settings: check(answer)
    expected: object                      # computed above, not by the check
    precision: dict                       # digits=n | decimals=m | whole=True, as check_number takes it
    states: str                           # the words of the question
    folded: list                          # the numbers the folded answer prints
    wrong: list                           # (classic wrong answer, a piece of its hint)
    unit: str = ""
    satisfies: Callable | None = None     # "find a value such that ...": the condition
    extra_right: list = field(default_factory=list)

    @property
    def notebook(self) -> str:
        return self.id.split("-")[0]

    @property
    def exercise(self) -> int:
        return int(self.id.split("-")[1])

    @property
    def whole(self) -> bool:
        return bool(self.precision.get("whole"))

    @property
    def tol(self):
        return tolerance(self.expected, **self.precision)


ROWS = [
    Row("01-1", nb01.check_break_even, _break_even_by_counting(), dict(whole=True), "Give a whole number",
        folded=[14],
        wrong=[(13, "not more than the RNN's 11,001"), (15, "find the smallest n"), (0, "window length: 1, 2, 3")]),
    Row("02-1", lambda a: nb02.check_jacobian(a, W2, A_T), JACOBIAN, dict(decimals=3),
        "Give each entry to 3 decimal places",
        folded=[[[0.5, -1.0], [0.840, 0.126]]],
        wrong=[(W2 * F_PRIME[None, :], "scaled the columns"),
               (F_PRIME[:, None] * W2.T, "not transposed"),
               (W2.T * F_PRIME[None, :], "transpose of the Jacobian"),
               (W2, "W_hh alone"),
               (np.tanh(A_T)[:, None] * W2, "not tanh(a)"),
               (np.diag(F_PRIME), "diag(f'(a_t)) alone"),
               ((1.0 - A_T ** 2)[:, None] * W2, "1 - a^2 leaves it out")]),
    Row("02-2", lambda a: nb02.check_truncated_bptt(a, NB2["params"], NB2["x"], NB2["target"], NB2["h0"], k=3),
        TRUNCATED, dict(decimals=6), "to 6 decimal places",
        folded=[],
        wrong=[(_chunked_with_helpers_rnn(len(NB2["x"])), "full BPTT gradient"),
               (_chunked_with_helpers_rnn(3, carry_state=False), "not from h0")]),
    Row("03-1", nb03.check_max_sigmoid_weight, 1.0 / 0.25, dict(digits=3), "Give it to 3 significant digits",
        folded=[4],
        wrong=[(1.0, "bound for tanh"), (0.25, "gamma = max sigma'(a) itself"), (2.0, "sigma(0) = 1/2"),
               (-4.0, "positive number")]),
    Row("03-2", nb03.check_lag_below_threshold, _lag_by_loop(), dict(whole=True), "a whole number",
        folded=[62],
        wrong=[(61, "not yet below 1e-06"), (63, "find the smallest d"), (9, "gamma = 1/4, the sigmoid's"),
               (-1, "d is a lag")]),
    Row("03-3", nb03.check_peak_power, _peak_by_matrix_products(), dict(whole=True), "Give a whole number",
        folded=[12],
        wrong=[(11, "still growing"), (13, "already falling"), (0, "eigenvalues"), (-2, "k is a power")]),
    Row("04-1", nb04.check_overflow_lag, _overflow_by_multiplying(), dict(whole=True), "Give a whole number",
        folded=[1751],
        wrong=[(1750, "still finite"), (1752, "find the first"), (0, "d is a lag")]),
    Row("04-2", nb04.check_cliff_gradient, CLIFF_GRADIENT, dict(decimals=4), "each to 4 decimal places",
        folded=[(-0.1, -0.2)],
        wrong=[((0.1, 0.2), "Check the sign"), ((-0.2, -0.1), "swapped"),
               ((-0.05, -0.1), "half the gradient"), ((-0.05, -0.1), "last step's term"),
               (CLIFF_GRADIENT / 0.25, "includes the sigmoid's slope")]),
    Row("05-1", nb05.check_clip_by_norm, np.array([3.0, 4.0]) / 5.0, dict(decimals=3),
        "Give each entry to 3 decimal places",
        folded=[(0.6, 0.8)],
        wrong=[((3.0, 4.0), "must be rescaled"), ((0.12, 0.16), "squared norm"), ((1.0, 1.0), "clipping by value")]),
    Row("05-2", nb05.check_value_clip_angle, ANGLE, dict(decimals=0), "in degrees, to the nearest degree",
        unit="degrees", folded=[17.1, 26.57 - 9.46, 17],
        wrong=[(math.radians(ANGLE), "radians"), (0.298, "radians"), (26.57, "subtract the angle of g"),
               (9.46, "compare g with the clipped vector"), (0, "does turn g")]),
    Row("05-3", nb05.check_max_distance, 20 * 0.1 * 0.5, dict(decimals=2), "Give it to 2 decimal places",
        folded=[1, 20 * 0.05],
        wrong=[(0.05, "longest single step"), (10.0, "theta bounds the gradient's norm"), (2.0, "at most eta * theta"),
               (math.sqrt(20) * 0.05, "random directions")]),
    Row("06-1", nb06.check_max_irnn_scale, _irnn_scale_by_bisection(), dict(digits=4),
        "Give $s$ to 4 significant digits, rounded down so that it still meets the condition",
        satisfies=lambda s: s ** 500 <= 1e6 * (1 + 1e-9),
        folded=[1.028016, 1.028], extra_right=[1.0279, 10 ** (6 / 500)],
        wrong=[(1.0281, "breaks the condition"), (1.029, "breaks the condition"), (1.02802, "breaks the condition"),
               (1.027, "a larger s does too"), (1.012, "not e^6"), (math.exp(6 / 500), "not e^6"),
               (2000, "not 500 s"), (0, "above 0")]),
    Row("06-2", nb06.check_skip_param_count, _skip_count_from_arrays(), dict(whole=True), "Give a whole number",
        folded=[13317],
        wrong=[(5125, "plain RNN"), (5125 + 64 * 64, "each with its own"), (13317 - 64 - 5, "biases"),
               (13317 - 2 * 64 * 64 + 2 * 64 * 10, "not H x D")]),
    Row("06-3", nb06.check_shortest_path, _shortest_path_by_search(), dict(whole=True), "Give a whole number",
        folded=[10],
        wrong=[(37, "single steps only"), (4, "cannot jump past"), (3, "remaining 7 need single steps"),
               (7, "skips are factors too")]),
    Row("06-4", nb06.check_zero_lags, _zero_lags_by_loop(), dict(whole=True), "Give a whole number",
        folded=[180],
        wrong=[(20, "does reach"), (181, "still inside the window"), (179, "Count d = 200 too")]),

    Row("07-1", nb07.check_cell_path_factor, CELL, dict(digits=1), "Give it to 1 significant digit",
        folded=[0.006, 0.0059], extra_right=[0.95 ** 99, 0.95 ** 101, 0.0055, 0.0064],
        wrong=[(95, "f x d"), (-4, "of the *original*"), (0.05 ** 100, "(1 - f) ** d"), (math.exp(-5), "approximation"),
               (0.007, "approximation"), (0.95, "One step multiplies"), (1, "One step multiplies")]),
    Row("07-2", nb07.check_forget_bias, BIAS, dict(digits=2), "Give $b_f$ to 2 significant digits",
        folded=[4.6, 4.60, math.log(99)],
        wrong=[(0.99, "f itself"), (-4.6, "Check the sign"), (2.0, "base 10"), (99, "Now take its logarithm"),
               (0.73, "not the sigmoid"), (1, "usual initial value")]),
    Row("07-3", nb07.check_lstm_param_count, _count_from_arrays(), dict(whole=True), "Give a whole number",
        folded=[44905],
        wrong=[(44400, "layer alone"), (11100, "one gate"), (11605, "one gate"), (44500, "Remember the biases"),
               (44000, "biases (b_h, b_y) and the read-out"), (44505, "biases b_h"), (44900, "b_y"),
               (14905, "own H x H block")]),
    Row("07-4", nb07.check_hochreiter_baseline, np.array([VAR_X, BASELINE]), dict(decimals=4),
        "each to 4 decimal places",
        folded=[(1 / 3, 1 / 24), (0.3333, 0.0417)],
        wrong=[((1 / 12, 1 / 24), "cancels the first"), ((0.0833, 0.0417), "cancels the first"),
               ((1 / 12, 1 / 96), "variance of U[0, 1]"), ((1 / 12, 1 / 24), "Var(X)/16, not Var(X)/4"),
               ((1 / 3, 1 / 6), "divides the variance by 16"), ((1 / 3, 1 / 48), "two values"),
               ((1 / 3, 0.25 + 1 / 24), "always answering 0"), ((1 / 24, 1 / 3), "order")]),
]
IDS = [row.id for row in ROWS]


def _row_params(rows=ROWS):
    return pytest.mark.parametrize("row", rows, ids=[r.id for r in rows])


def _shifted(row: Row, fraction: float, sign: float = 1.0):
    """expected + sign * fraction * tolerance (entry by entry, alternating signs for an array)."""
    e = np.asarray(row.expected, dtype=float)
    signs = sign * (-1.0) ** np.arange(e.size).reshape(e.shape)
    value = e + signs * fraction * np.asarray(row.tol)
    return float(value) if value.ndim == 0 else value


def _rounded(row: Row):
    """The expected value rounded to the stated precision (what a careful student types)."""
    e = np.asarray(row.expected, dtype=float)
    if "digits" in row.precision:
        n = row.precision["digits"]
        places = n - 1 - np.floor(np.log10(np.abs(e))).astype(int)
        value = np.vectorize(lambda v, p: round(float(v), int(p)))(e, places)
    else:
        value = np.round(e, row.precision.get("decimals", 0))
    return float(value) if value.ndim == 0 else value


# -- right answers ------------------------------------------------------------------------------------

@_row_params()
def test_exact_and_rounded_answers_pass(row):
    answers = [row.expected, _rounded(row)] + row.folded + row.extra_right
    if row.satisfies is not None:                             # round *down* so that the condition still holds
        n = row.precision["digits"]
        answers.append(math.floor(row.expected * 10 ** (n - 1)) / 10 ** (n - 1))
    for answer in answers:
        ok, line = _call(row.check, answer)
        assert ok, (row.id, answer, line)


@_row_params()
def test_every_accepted_form_of_a_right_answer(row):
    e = row.expected
    if np.ndim(e) == 0:
        forms = [float(e), np.float64(e), np.array(e), np.array(float(e))]
        if row.whole:
            forms += [int(e), np.int64(e), np.int32(e), np.array(int(e)), np.float32(e)]
    else:
        arr = np.asarray(e, dtype=float)
        forms = [arr, arr.tolist(), tuple(map(tuple, arr)) if arr.ndim == 2 else tuple(arr), arr.astype(np.float32)]
    for answer in forms:
        ok, line = _call(row.check, answer)
        assert ok, (row.id, repr(answer), line)


@_row_params([r for r in ROWS if not r.whole])
def test_tolerance_edges(row):
    """Just inside half a unit of the stated last digit passes; just outside fails ("find s such that": one side)."""
    if row.satisfies is None:
        margin = 0.02 if row.id in ("02-2", "04-2") else 0.001     # reference by another method: its rounding
        inside = [_shifted(row, 1 - margin, +1), _shifted(row, 1 - margin, -1)]
        outside = [_shifted(row, 1 + margin, +1), _shifted(row, 1 + margin, -1)]
    else:
        unit = 2 * row.tol                                   # one unit below the largest s, and the largest s itself
        inside = [row.expected - 0.99 * unit, row.expected * (1 - 1e-12), row.expected]
        outside = [row.expected - 1.01 * unit, row.expected + 1e-6, row.expected + 0.01 * unit]
        assert all(row.satisfies(s) for s in inside) and not row.satisfies(outside[1])
    for answer in inside:
        ok, line = _call(row.check, answer)
        assert ok, (row.id, answer, line)
    for answer in outside:
        ok, line = _call(row.check, answer)
        assert not ok, (row.id, answer, line)


@_row_params([r for r in ROWS if not r.whole and r.satisfies is None])
def test_a_near_miss_hears_that_it_is_close(row):
    ok, line = _call(row.check, _shifted(row, 3.0))
    assert not ok and "Close, but not" in line and precision_text(**row.precision, unit=row.unit) in line


@_row_params([r for r in ROWS if r.whole])
def test_whole_numbers_are_exact(row):
    for answer in (row.expected + 0.4, row.expected - 0.4, row.expected + 1e-9, np.float64(row.expected) + 0.5):
        ok, line = _call(row.check, answer)
        assert not ok and "a whole number" in line, (row.id, answer, line)
    ok, line = _call(row.check, float(row.expected) + 1.0)
    assert not ok and "a whole number" not in line        # a whole float is the right kind, just the wrong number


# -- classic wrong answers --------------------------------------------------------------------------------

@_row_params()
def test_classic_wrong_answers_get_their_own_hint(row):
    for answer, hint in row.wrong:
        ok, line = _call(row.check, answer)
        assert not ok and hint in line, (row.id, answer, line)


def test_classic_wrong_answers_match_at_the_stated_precision():
    """A wrong answer rounded as the question asks still gets its hint (not the general one)."""
    assert "scaled the columns" in _call(nb02.check_jacobian, np.round(W2 * F_PRIME[None, :], 3), W2, A_T)[1]
    assert "radians" in _call(nb05.check_value_clip_angle, 0.3)[1]
    assert "squared norm" in _call(nb05.check_clip_by_norm, [0.12, 0.16])[1]
    assert "gamma = max sigma'(a) itself" in _call(nb03.check_max_sigmoid_weight, 0.250)[1]


# -- bad kinds of answer ------------------------------------------------------------------------------

def _bad_kinds(row: Row) -> list:
    e = np.asarray(row.expected, dtype=float)
    bad = ["abc", str(row.expected if np.ndim(e) == 0 else e.tolist()), True, False, math.nan, math.inf, -math.inf,
           1j, {}, object(), [[1.0, 2.0], [3.0]], b"1", np.array(["1"])]
    if e.ndim == 0:
        bad += [[float(e)], np.array([float(e)]), np.full((2, 2), float(e)), np.array(True)]
    else:
        bad += [float(e.ravel()[0]), np.array(float(e.ravel()[0])), e.ravel()[:-1], np.append(e.ravel(), 0.0),
                e > 0, np.full(e.shape, np.nan), np.full(e.shape, np.inf), e.astype(str)]
    return bad


@_row_params()
def test_bad_kinds_get_a_one_line_message(row):
    wanted = "a whole number" if row.whole else precision_text(**row.precision, unit=row.unit)
    for answer in _bad_kinds(row):
        ok, line = _call(row.check, answer)
        assert not ok and line.startswith("Not yet. The answer is "), (row.id, repr(answer), line)
        assert wanted in line, (row.id, repr(answer), line)
    ok, line = _call(row.check, None)
    assert not ok and line.startswith("Not yet. Replace None with ") and wanted in line


@_row_params()
def test_numeric_strings_and_bools_say_why(row):
    e = row.expected
    text = str(e) if np.ndim(e) == 0 else None
    if text is not None:
        assert "without quotes" in _call(row.check, text)[1]
        assert "bool" in _call(row.check, True)[1]
    else:
        assert "without quotes" in _call(row.check, np.asarray(e).astype(str))[1]
        assert "bools" in _call(row.check, np.ones(np.shape(e), dtype=bool))[1]


@_row_params()
def test_huge_answers_give_short_hints(row):
    """1e308 and 10**400 in a hint print as 1e+308 and 1e+400, not as 300 digits."""
    shape = np.shape(row.expected)
    for big in (1e308, -1e308, 10 ** 400, 1e-308):
        answer = big if shape == () else np.full(shape, big if isinstance(big, float) else 1e308)
        ok, line = _call(row.check, answer)
        assert not ok and len(line) < 320 and not re.search(r"\d{20}", line), (row.id, big, line)


# -- the questions state the precision their checks apply ---------------------------------------------------

def _question(notebook: str, exercise: int) -> str:
    (path,) = NOTEBOOKS_DIR.glob(f"{notebook}_*.ipynb")
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    text = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    exercises = text[text.index("## Exercises"):]
    start = exercises.index(f"**{exercise}.")
    return exercises[start:exercises.index("<details>", start)]


@_row_params()
def test_the_question_states_its_precision(row):
    question = _question(row.notebook, row.exercise)
    assert row.states in question, (row.id, question)
    words = "a whole number" if row.whole else precision_text(**row.precision, unit=row.unit)
    assert words in question, (row.id, words, question)          # the words check_number uses for this precision
    assert words in _call(row.check, "abc")[1]                      # ... and the check says them too


def test_the_shift_register_question_states_its_tolerance():
    assert "a relative $10^{-9}$" in _question("01", 2)


# -- the shift register of notebook 1 (a check of what the answer does) -----------------------------------

K = 8
W_XH = np.eye(K + 1, 1)
SHIFT = np.eye(K + 1, k=-1)


def test_shift_register_right_answers():
    for W_xh, W_hh in [(W_XH, SHIFT), (W_XH.tolist(), SHIFT.tolist()), (W_XH.astype(np.float32), SHIFT.astype(int)),
                       (W_XH, SHIFT + 1e-13)]:
        ok, line = _call(nb01.check_shift_register, W_xh, W_hh, k=K)
        assert ok and line == f"Correct: unit {K} of h_T is exactly x_(T-{K}); nothing fades."


def test_shift_register_classic_wrong_answers():
    for W_hh, hint in [(np.eye(K + 1, k=1), "below* the diagonal"), (np.eye(K + 1), "keeps its own value"),
                       (0.9 * SHIFT, "should copy unit j-1")]:
        ok, line = _call(nb01.check_shift_register, W_XH, W_hh, k=K)
        assert not ok and hint in line, line
    ok, line = _call(nb01.check_shift_register, np.ones((K + 1, 1)), SHIFT, k=K)
    assert not ok and "Unit 0 should take the new input" in line


def test_shift_register_bad_kinds():
    for W_xh, W_hh, piece in [(W_XH, SHIFT > 0, "bools"), (W_XH, np.eye(K), "got shape (8, 8)"),
                              ("W", SHIFT, "string"), (W_XH, SHIFT.astype(str), "strings"),
                              (W_XH, [[1, 2], [3]], "W_hh"), (True, SHIFT, "bool"),
                              (W_XH, np.array(1.0), "one number")]:
        ok, line = _call(nb01.check_shift_register, W_xh, W_hh, k=K)
        assert not ok and piece in line, (piece, line)
    assert "Replace None" in _call(nb01.check_shift_register, None, SHIFT, k=K)[1]
    assert not _call(nb01.check_shift_register, W_XH, np.full((K + 1, K + 1), np.nan), k=K)[0]


# -- what the folded answers say ------------------------------------------------------------------------

def test_numbers_in_the_folded_answers():
    assert 1.028 ** 500 <= 1e6 < 1.029 ** 500 and round(1.029 ** 500 / 1e6, 1) == 1.6      # 06-1
    assert abs(10 ** 0.012 - 1.028016) < 5e-7
    assert abs(1.5 ** 1750) < np.finfo(np.float64).max and _overflow_by_multiplying() == 1751   # 04-1
    assert np.allclose(JACOBIAN, [[0.5, -1.0], [0.840, 0.126]], atol=5e-4)                     # 02-1


def test_the_closed_forms_agree_with_first_principles():
    """The checks use closed forms; the independent references above (and central differences) agree."""
    assert nb01.break_even() == _break_even_by_counting() == 14
    for D, H in [(1, 1), (3, 7), (8, 100), (10, 10)]:
        assert nb01.break_even(D, H) == _break_even_by_counting(D, H)
    assert nb02.jacobian(W2, A_T) == pytest.approx(JACOBIAN)
    h_prev = np.zeros(2)                                    # at h_(t-1) = 0 the pre-activation is a_t
    numeric = np.array([helpers.numerical_gradient(lambda i=i: float(np.tanh(A_T + W2 @ h_prev)[i]), h_prev)
                        for i in range(2)])
    assert np.allclose(nb02.jacobian(W2, A_T), numeric, atol=1e-8)
    assert nb03.max_sigmoid_weight() == 4.0
    for factor, threshold in [(0.8, 1e-6), (0.1, 1e-6), (0.5, 0.25), (0.99, 1e-3), (0.5, 2.0)]:
        assert nb03.lag_below_threshold(factor, threshold) == _lag_by_loop(factor, threshold), (factor, threshold)
    for c, b in [(0.92, 10.0), (0.5, 1.0), (0.99, 0.1), (-0.9, 3.0)]:
        assert nb03.peak_power(c, b) == _peak_by_matrix_products(c, b), (c, b)
        W, power = np.array([[c, b], [0.0, c]]), np.eye(2)
        for k in range(30):
            assert nb03.power_norms(c, b, 30)[k] == pytest.approx(np.linalg.norm(power, 2), rel=1e-12)
            power = W @ power
    for w in (1.5, 2.0, 1.01, 10.0, 1e10):
        assert nb04.overflow_lag(w) == _overflow_by_multiplying(w), w
    assert np.allclose(nb04.cliff_gradient_numeric(2.0, -1.0), CLIFF_GRADIENT, atol=1e-8)
    assert nb06.max_irnn_scale() == pytest.approx(_irnn_scale_by_bisection(), rel=1e-12)
    assert nb06.skip_param_count() == _skip_count_from_arrays() == 13317
    for d in range(60):
        for k in range(1, 13):
            assert nb06.shortest_path(d, k) == _shortest_path_by_search(d, k)
    for T, K in [(200, 20), (10, 20), (20, 20), (1, 1)]:
        assert nb06.zero_lags(T, K) == _zero_lags_by_loop(T, K)
    assert np.allclose(nb02.truncated_gradient_W_hh(NB2["params"], NB2["x"], NB2["target"], NB2["h0"], 3),
                       TRUNCATED, atol=1e-8)


# -- the shared rule itself -----------------------------------------------------------------------------

@pytest.mark.parametrize("precision, expected, tol", [
    (dict(digits=3), 4.0, 0.005), (dict(digits=3), 17.1, 0.05), (dict(digits=3), 0.000123, 5e-7),
    (dict(digits=1), -250.0, 50.0), (dict(digits=4), 1.028016, 0.0005),
    (dict(decimals=2), 1.0, 0.005), (dict(decimals=0), 17.1, 0.5), (dict(decimals=3), 1234.5, 0.0005),
    (dict(whole=True), 62, 0.0),
])
def test_tolerance_is_half_a_unit_of_the_stated_last_digit(precision, expected, tol):
    assert tolerance(expected, **precision) == pytest.approx(tol, rel=1e-12)


def test_precision_text():
    assert precision_text(digits=3) == "to 3 significant digits"
    assert precision_text(digits=1) == "to 1 significant digit"
    assert precision_text(decimals=2) == "to 2 decimal places"
    assert precision_text(decimals=1) == "to 1 decimal place"
    assert precision_text(decimals=0, unit="degrees") == "to the nearest degree"
    assert precision_text(decimals=0) == "to the nearest whole number"
    assert precision_text(whole=True) == "a whole number"


def test_rounded_values_on_the_edge_pass():
    """A value rounded to the stated precision is within half a unit even where the float rounding is not exact."""
    for expected, answer, precision in [(0.125, 0.13, dict(decimals=2)), (0.125, 0.12, dict(decimals=2)),
                                        (2.675, 2.68, dict(decimals=2)), (1.0005, 1.0, dict(digits=4)),
                                        (9.9995, 10.0, dict(digits=4)), (0.9996, 1.0, dict(digits=3))]:
        assert _call(check_number, answer, expected, **precision)[0], (expected, answer)


def test_check_number_options():
    assert _call(check_number, 3, 3, whole=True, success="Correct: three.")[1] == "Correct: three."
    assert _call(check_number, 2 ** 53 + 1, 2 ** 53 + 1, whole=True)[0]       # whole numbers compare exactly
    assert not _call(check_number, 2 ** 53 + 1, 2 ** 53, whole=True)[0]         # (as floats they would be equal)
    ok, line = _call(check_number, 7, 3, whole=True, hint=lambda v: f"{v} is not three.")
    assert not ok and line == "Not yet. 7 is not three."
    ok, line = _call(check_number, 2.0, 3.0, digits=2, wrong_answers={2.0: "Off by one."})
    assert line == "Not yet. Off by one."
    ok, line = _call(check_number, [2.0, 1.0], [1.0, 2.0], decimals=1, wrong_answers=[((2.0, 1.0), "Swapped.")])
    assert line == "Not yet. Swapped."
    ok, line = _call(check_number, 0.052, 3.0, decimals=1, unit="degrees", other_units={"radians": math.pi / 180})
    assert line == ("Not yet. That looks like the answer in radians (0.052 radians is 2.98 degrees); "
                    "the question asks for degrees.")
    ok, line = _call(check_number, 1.2, 1.0, decimals=1, satisfies=lambda v: v <= 1.0, hint="Too big.")
    assert line == "Not yet. Too big."
    assert _call(check_number, 0.95, 1.0, decimals=1, satisfies=lambda v: v <= 1.0)[0]
    ok, line = _call(check_number, 9.6, 10, whole=True, what="the lag d")
    assert line == "Not yet. The answer is a whole number (the lag d), got 9.6."
    ok, line = _call(check_number, "4", 4.0, digits=3)
    assert line == ("Not yet. The answer is a number, to 3 significant digits, got the string '4': "
                    "write the number without quotes.")


@pytest.mark.parametrize("call, message", [
    (lambda: check_number(1.0, 1.0), "give exactly one precision"),
    (lambda: check_number(1.0, 1.0, digits=3, decimals=2), "give exactly one precision"),
    (lambda: check_number(1.0, 1.0, digits=0), "digits must be an integer from 1 to 15"),
    (lambda: check_number(1.0, 0.0, digits=3), "expected must not be 0 with digits=n"),
    (lambda: check_number(1.0, 1.5, whole=True), "expected must be a whole number"),
    (lambda: check_number(1.0, "1", digits=3), "expected must be a numeric array"),
    (lambda: check_number(1.0, math.nan, digits=3), "expected must contain only finite values"),
    (lambda: check_number(1.0, 1.0, digits=3, hint=3), "hint must be a string or a function"),
    (lambda: check_number(2.0, 1.0, digits=3, wrong_answers=[2.0]), "wrong_answers must pair each value"),
    (lambda: check_number(2.0, 1.0, digits=3, wrong_answers=[((2.0, 1.0), "x")]), "wrong_answers must have the shape"),
    (lambda: check_number(2.0, 1.0, digits=3, other_units={"rad": 0.0}),
     "other_units['rad'] must be a finite number > 0"),
    (lambda: read_answer(1.0, [1]), "shape must be a tuple of whole numbers"),
])
def test_the_rule_rejects_bad_settings(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        with contextlib.redirect_stdout(io.StringIO()):
            call()


def test_read_answer_kinds():
    assert read_answer(np.array(62), (), whole=True) == (62, "")
    assert read_answer(22.0, (), whole=True) == (22, "")
    assert read_answer(np.int64(5), ()) == (5, "")
    assert read_answer(np.float32(0.5), ()) == (0.5, "")
    for bad in ("4", True, np.bool_(False), None, math.nan, math.inf, 1j, [4.0], np.array([4.0]), b"4"):
        value, why = read_answer(bad, ())
        assert value is None and why.startswith("got"), (bad, why)
    assert read_answer(9.6, (), whole=True)[1] == "got 9.6"
    assert read_answer(10 ** 400, ())[1] == "got 1e+400, too large for a float"
    assert read_answer(10 ** 400, (), whole=True) == (10 ** 400, "")
    value, why = read_answer([[1, 2], [3, 4]], (2, 2))
    assert why == "" and value.dtype == float and value.shape == (2, 2)
    assert read_answer([1.0, 2.0], (2, 2))[1] == "got shape (2,)"


def test_format_number():
    assert [format_number(x) for x in (14, 11401, 22.0, 1e308, 10 ** 400, -10 ** 400, 17.10272896, 0.298, math.nan,
                                       True)] == ["14", "11,401", "22", "1e+308", "1e+400", "-1e+400", "17.1027",
                                                  "0.298", "nan", "True"]
    assert format_number(np.array([0.5, -1.0])) == "[0.5, -1]"
    assert format_number(np.int64(123456789012345678)) == "1.23457e+17"


# -- notebook 7 -------------------------------------------------------------------------------------------

def test_the_baseline_alone_is_not_enough():
    """07-4: 1/24 alone is what two cancelling slips also give, so the question asks for the pair."""
    ok, line = _call(nb07.check_hochreiter_baseline, 1 / 24)
    assert not ok and "array of shape (2,)" in line and "got one number" in line
    slip_var = Fraction(1, 12)                               # Var(U[0, 1]) for U[-1, 1], and Var(X/4) = Var(X)/4
    assert 2 * slip_var / 4 == Fraction(1, 24) == _variances_by_integration()[1]


def test_the_closed_forms_of_notebook_7_agree_with_first_principles():
    for f, d in [(0.95, 100), (0.5, 10), (0.999, 1000), (1.0, 7), (0.3, 0)]:
        assert nb07.cell_path_factor(f, d) == pytest.approx(_cell_path_by_matrix_products(f, d), rel=1e-12)
    for target in (0.99, 0.5, 0.1, 0.731, 0.999999):
        assert nb07.forget_bias_for(target) == pytest.approx(_forget_bias_by_bisection(target), abs=1e-9)
    for D, H, O in [(10, 100, 5), (2, 32, 1), (1, 1, 1)]:
        assert nb07.lstm_param_count(D, H, O) == _count_from_arrays(D, H, O)
    assert nb07.lstm_param_count() == 44905
    for a, b, s in [(-1, 1, Fraction(1, 4)), (0, 1, Fraction(1)), (-2, 3, Fraction(1, 3))]:
        exact = _variances_by_integration(Fraction(a), Fraction(b), s)
        np.testing.assert_allclose(nb07.hochreiter_variances(a, b, float(s)), [float(v) for v in exact], rtol=1e-12)
    assert _variances_by_integration(Fraction(0), Fraction(1), Fraction(1))[1] == Fraction(1, 6)   # Le et al.: 1/6


def test_the_1997_baseline_on_a_large_seeded_sample():
    """The best constant (the mean, 0.5) on a million seeded draws: MSE within 1e-3 of 1/24."""
    rng = helpers.make_rng(0)
    x = rng.uniform(-1.0, 1.0, size=(2, 1_000_000))
    target = 0.5 + (x[0] + x[1]) / 4
    assert abs(np.mean((target - 0.5) ** 2) - 1 / 24) < 1e-3
    assert abs(np.var(x[0]) - 1 / 3) < 2e-3


def test_the_tolerances_notebook_7_questions_imply():
    assert tolerance(CELL, digits=1) == pytest.approx(5e-4)          # 0.0059...: 0.006 is within it
    assert abs(0.006 - CELL) < tolerance(CELL, digits=1) < abs(math.exp(-5) - CELL)
    assert tolerance(BIAS, digits=2) == pytest.approx(0.05)
