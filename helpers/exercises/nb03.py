"""Check functions for the exercises of ``notebooks/03_vanishing_gradients.ipynb``.

Every expected answer comes from a closed form: gamma = sigma'(0) = 1/4,
the smallest d with factor**d < threshold from logarithms (confirmed with
the powers on either side), and ||W^k||_2 from the closed form of the powers
of an upper-triangular 2 x 2 matrix. The tests derive them independently
(a grid, a loop, matrix products). The rule for what is accepted is
:func:`helpers.exercises.check_number`.
"""
from __future__ import annotations

import math

import numpy as np

from . import check_number, format_number
from ..validation import check_float, check_int

__all__ = ["max_sigmoid_derivative", "max_sigmoid_weight", "lag_below_threshold", "power_norms", "peak_power",
           "check_max_sigmoid_weight", "check_lag_below_threshold", "check_peak_power"]

#: Exercise 1 asks for |w| to 3 significant digits.
MAX_WEIGHT_DIGITS = 3


def max_sigmoid_derivative() -> float:
    """gamma for the sigmoid: max sigma'(a) = sigma'(0) = 1/4.

    sigma'(a) = sigma(a) (1 - sigma(a)) is a product of two numbers that add
    up to 1, largest when both are 1/2, that is at a = 0.
    """
    s = 1.0 / (1.0 + math.exp(-0.0))
    return s * (1.0 - s)


def max_sigmoid_weight() -> float:
    """The |w| below which every factor |w sigma'(a_t)| <= |w| gamma is < 1, whatever the inputs: 1 / gamma = 4."""
    return 1.0 / max_sigmoid_derivative()


def lag_below_threshold(factor: float = 0.8, threshold: float = 1e-6) -> int:
    """Smallest lag d >= 0 with factor**d < threshold (the bound (|w| gamma)^d with |w| gamma = factor).

    d > log(threshold) / log(factor), so d = floor(that) + 1; the powers on
    either side then settle a ratio that lands within rounding of a whole number.
    """
    factor = check_float("factor", factor, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    threshold = check_float("threshold", threshold, minimum=0.0, exclusive_minimum=True)
    if factor == 1.0:
        raise ValueError("factor must be below 1 (a bound of 1^d never falls below anything < 1)")
    d = max(0, math.floor(math.log(threshold) / math.log(factor)) + 1)
    while d > 0 and factor ** (d - 1) < threshold:       # the logarithms overshot by one
        d -= 1
    while not factor ** d < threshold:                   # or undershot
        d += 1
    return d


def power_norms(diagonal: float = 0.92, off_diagonal: float = 10.0, k_max: int = 1000) -> np.ndarray:
    """||W^k||_2 for k = 0..k_max, W = [[c, b], [0, c]], from W^k = [[c^k, k b c^(k-1)], [0, c^k]]. Shape: (k_max + 1,).

    The 2-norm of [[p, q], [0, p]] is (|q| + sqrt(q^2 + 4 p^2)) / 2.
    """
    c = check_float("diagonal", diagonal, minimum=-1.0, maximum=1.0)
    b = check_float("off_diagonal", off_diagonal)
    k_max = check_int("k_max", k_max, minimum=1)
    k = np.arange(k_max + 1, dtype=float)
    p = c ** k
    q = np.where(k == 0, 0.0, k * b * c ** np.maximum(k - 1, 0))
    return (np.abs(q) + np.sqrt(q * q + 4 * p * p)) / 2


def peak_power(diagonal: float = 0.92, off_diagonal: float = 10.0, k_max: int = 1000) -> int:
    """The k in 0..k_max at which ||W^k||_2 is largest, for W = [[diagonal, off_diagonal], [0, diagonal]]."""
    return int(np.argmax(power_norms(diagonal, off_diagonal, k_max)))


def check_max_sigmoid_weight(answer) -> bool:
    """Exercise 1: the value of |w| below which a scalar sigmoid RNN's product must shrink (any inputs), to 3
    significant digits."""
    expected = max_sigmoid_weight()
    gamma = max_sigmoid_derivative()
    return check_number(
        answer, expected, digits=MAX_WEIGHT_DIGITS, what="the bound on |w|",
        wrong_answers=[(1.0, "That is the bound for tanh, whose slope is at most 1. The sigmoid's slope "
                             "sigma'(a) = sigma(a)(1 - sigma(a)) is at most gamma = 1/4."),
                       (gamma, "That is gamma = max sigma'(a) itself. Each factor is at most |w| gamma: for which "
                               "|w| is |w| gamma < 1?"),
                       (2.0, "That uses sigma(0) = 1/2. The factor holds the slope, "
                             "sigma'(0) = sigma(0)(1 - sigma(0))."),
                       (-expected, "The question asks for |w|, a size: give a positive number.")],
        hint="Each factor is w * sigma'(a_t), and sigma'(a_t) is at most gamma = max sigma'. "
             "For which |w| is |w| * gamma < 1?",
        success=f"Correct: |w| < 1/gamma = {expected:g}.")


def check_lag_below_threshold(answer, factor: float = 0.8, threshold: float = 1e-6) -> bool:
    """Exercise 2: the first lag d (a whole number) at which the bound factor**d is below threshold."""
    expected = lag_below_threshold(factor, threshold)

    def hint(d: int) -> str:
        if d < 0:
            return "d is a lag: 0, 1, 2, ..."
        if d < expected:
            bound = factor ** d
            return (f"{factor:g}^{format_number(d)} = {format_number(bound, 2)} is not yet below {threshold:g}: "
                    f"solve d > log({threshold:g}) / log({factor:g}), then round up.")
        return (f"{factor:g}^{format_number(d)} is below {threshold:g}, but so is a smaller power: "
                "find the smallest d.")

    sigmoid_lag = lag_below_threshold(factor / 4, threshold)       # with gamma = 1/4 by mistake
    wrong = {sigmoid_lag: "That uses gamma = 1/4, the sigmoid's. For tanh gamma = 1, so the bound is "
                          f"{factor:g}^d itself."} if sigmoid_lag != expected else {}
    return check_number(
        answer, expected, whole=True, what="the lag d", wrong_answers=wrong, hint=hint,
        success=f"Correct: {factor:g}^{expected} = {factor ** expected:.3g} < {threshold:g}, "
                f"while {factor:g}^{expected - 1} = {factor ** (expected - 1):.3g}.")


def check_peak_power(answer, diagonal: float = 0.92, off_diagonal: float = 10.0) -> bool:
    """Exercise 3: the power k (a whole number) at which ||W^k||_2 peaks for an upper-triangular W like the one
    of section 7."""
    norms = power_norms(diagonal, off_diagonal)
    expected = int(np.argmax(norms))

    def hint(k: int) -> str:
        if k < 0:
            return "k is a power: 0, 1, 2, ..."
        if k < expected:
            return (f"At k = {format_number(k)} the norm is still growing (||W^{k + 1}|| > ||W^{k}||): look further. "
                    f"The top-right entry k * {off_diagonal:g} * {diagonal:g}^(k-1) dominates it.")
        return (f"At k = {format_number(k)} the norm is already falling: look earlier. Where does "
                f"k * {diagonal:g}^(k-1) stop growing? Compare it at k and k + 1.")

    return check_number(
        answer, expected, whole=True, what="the power k",
        wrong_answers=[(0, f"That is what the eigenvalues ({diagonal:g}, below 1) suggest, but the top-right "
                           f"entry k * {off_diagonal:g} * {diagonal:g}^(k-1) grows first.")] if expected != 0 else (),
        hint=hint, success=f"Correct: ||W^k|| peaks at k = {expected}.")
