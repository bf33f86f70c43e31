"""Every exercise check of notebook 7 against the one rule of ``helpers.exercises.check_number``.

The same table and the same cases as ``tests/test_exercise_checks.py`` (notebooks 1-6), whose machinery
this file reuses: one row per check with the precision the question states, the expected value computed
*here*, independently of the check (matrix products, bisection, the arrays of ``helpers.lstm``, moments
by exact integration), the numbers the folded answer prints, and the classic wrong answers with a piece
of the hint each must get. Then what the cold readings of notebook 7 found:

* 07-1 accepts 0.006 (the question asks for 1 significant digit);
* 07-3 rejects a count that is not a whole number (44,905.3 is not a count);
* 07-4 asks for Var(X) *and* the MSE: the MSE alone, 1/24, is also what two cancelling slips give
  (Var(U[-1, 1]) taken as 1/12, and Var(X/4) as Var(X)/4), and that pair is rejected with its own hint.
"""
from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest

import helpers
from helpers import lstm
from helpers.exercises import nb07, precision_text, tolerance

from test_exercise_checks import Row, _bad_kinds, _call, _question, _rounded, _shifted


# -- expected values, computed independently of helpers.exercises --------------------------------------

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


ROWS = [
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


def _row_params(rows=ROWS):
    return pytest.mark.parametrize("row", rows, ids=[r.id for r in rows])


# -- right answers ------------------------------------------------------------------------------------

@_row_params()
def test_exact_and_rounded_answers_pass(row):
    for answer in [row.expected, _rounded(row)] + row.folded + row.extra_right:
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
        forms = [arr, arr.tolist(), tuple(arr), arr.astype(np.float32)]
    for answer in forms:
        ok, line = _call(row.check, answer)
        assert ok, (row.id, repr(answer), line)


@_row_params([r for r in ROWS if not r.whole])
def test_tolerance_edges(row):
    """Just inside half a unit of the stated last digit passes; just outside fails."""
    for answer in (_shifted(row, 0.999, +1), _shifted(row, 0.999, -1)):
        ok, line = _call(row.check, answer)
        assert ok, (row.id, answer, line)
    for answer in (_shifted(row, 1.001, +1), _shifted(row, 1.001, -1)):
        ok, line = _call(row.check, answer)
        assert not ok, (row.id, answer, line)


@_row_params([r for r in ROWS if not r.whole])
def test_a_near_miss_hears_that_it_is_close(row):
    ok, line = _call(row.check, _shifted(row, 3.0, -1))
    assert not ok and "Close, but not" in line and precision_text(**row.precision) in line, line


@_row_params([r for r in ROWS if r.whole])
def test_whole_numbers_are_exact(row):
    for answer in (row.expected + 0.3, row.expected - 0.4, row.expected + 1e-9, np.float64(row.expected) + 0.5):
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


def test_the_baseline_alone_is_not_enough():
    """07-4: 1/24 alone is what two cancelling slips also give, so the question asks for the pair."""
    ok, line = _call(nb07.check_hochreiter_baseline, 1 / 24)
    assert not ok and "array of shape (2,)" in line and "got one number" in line
    slip_var = Fraction(1, 12)                               # Var(U[0, 1]) for U[-1, 1], and Var(X/4) = Var(X)/4
    assert 2 * slip_var / 4 == Fraction(1, 24) == _variances_by_integration()[1]


# -- bad kinds of answer ------------------------------------------------------------------------------

@_row_params()
def test_bad_kinds_get_a_one_line_message(row):
    wanted = "a whole number" if row.whole else precision_text(**row.precision)
    for answer in _bad_kinds(row):
        ok, line = _call(row.check, answer)
        assert not ok and line.startswith("Not yet. The answer is "), (row.id, repr(answer), line)
        assert wanted in line, (row.id, repr(answer), line)
    ok, line = _call(row.check, None)
    assert not ok and line.startswith("Not yet. Replace None with ") and wanted in line


@_row_params()
def test_numeric_strings_and_bools_say_why(row):
    e = row.expected
    if np.ndim(e) == 0:
        assert "without quotes" in _call(row.check, str(e))[1]
        assert "bool" in _call(row.check, True)[1]
    else:
        assert "without quotes" in _call(row.check, np.asarray(e).astype(str))[1]
        assert "bools" in _call(row.check, np.ones(np.shape(e), dtype=bool))[1]


# -- the questions state the precision their checks apply ---------------------------------------------------

@_row_params()
def test_the_question_states_its_precision(row):
    question = _question(row.notebook, row.exercise)
    assert row.states in question, (row.id, question)
    words = "a whole number" if row.whole else precision_text(**row.precision)
    assert words in question, (row.id, words, question)
    assert words in _call(row.check, "abc")[1]


# -- the closed forms against first principles --------------------------------------------------------------

def test_the_closed_forms_agree_with_first_principles():
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


def test_the_tolerances_the_questions_imply():
    assert tolerance(CELL, digits=1) == pytest.approx(5e-4)          # 0.0059...: 0.006 is within it
    assert abs(0.006 - CELL) < tolerance(CELL, digits=1) < abs(math.exp(-5) - CELL)
    assert tolerance(BIAS, digits=2) == pytest.approx(0.05)
