"""Check functions for the exercises of ``notebooks/03_vanishing_gradients.ipynb``.

Every expected answer is computed here from first principles (a dense grid of
f'(a), the bound (|w| gamma)^d, powers of a matrix); nothing is hard-coded.
Each check prints a one-line verdict and returns True or False; ``None`` (the
placeholder in the notebook) prints "Not yet".
"""
from __future__ import annotations


import numpy as np

from . import close_enough, same_whole_number, verdict, wrong_kind
from ..validation import check_float, check_int

__all__ = ["max_sigmoid_derivative", "max_sigmoid_weight", "lag_below_threshold", "peak_power",
           "check_max_sigmoid_weight", "check_lag_below_threshold", "check_peak_power"]


def max_sigmoid_derivative() -> float:
    """gamma for the sigmoid: the largest value of sigma'(a) = sigma(a) (1 - sigma(a)), on a dense grid that contains a = 0."""
    a = np.arange(-200_000, 200_001) / 10_000.0          # -20 .. 20 in steps of 1e-4, exactly 0 included
    s = 1.0 / (1.0 + np.exp(-a))
    return float(np.max(s * (1.0 - s)))


def max_sigmoid_weight() -> float:
    """The |w| below which every factor |w sigma'(a_t)| <= |w| gamma is < 1, whatever the inputs: 1 / gamma."""
    return 1.0 / max_sigmoid_derivative()


def lag_below_threshold(factor: float = 0.8, threshold: float = 1e-6) -> int:
    """Smallest lag d >= 0 with factor**d < threshold (the bound (|w| gamma)^d with |w| gamma = factor)."""
    factor = check_float("factor", factor, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    threshold = check_float("threshold", threshold, minimum=0.0, exclusive_minimum=True)
    if factor == 1.0:
        raise ValueError("factor must be below 1 (a bound of 1^d never falls below anything < 1)")
    d = 0
    bound = 1.0
    while not bound < threshold:        # walk the powers: no logarithm, no rounding question
        d += 1
        bound *= factor
    return d


def peak_power(diagonal: float = 0.92, off_diagonal: float = 10.0, k_max: int = 1000) -> int:
    """The k in 0..k_max at which ||W^k||_2 is largest, for W = [[diagonal, off_diagonal], [0, diagonal]]."""
    diagonal = check_float("diagonal", diagonal, minimum=-1.0, maximum=1.0)
    off_diagonal = check_float("off_diagonal", off_diagonal)
    k_max = check_int("k_max", k_max, minimum=1)
    W = np.array([[diagonal, off_diagonal], [0.0, diagonal]])
    power = np.eye(2)
    norms = [1.0]
    for _ in range(k_max):
        power = W @ power
        norms.append(float(np.linalg.norm(power, 2)))
    return int(np.argmax(norms))


def check_max_sigmoid_weight(answer) -> bool:
    """Exercise 1: the value of |w| below which a scalar sigmoid RNN's product must shrink (any inputs)."""
    if answer is None:
        return verdict(False, "Replace None with your number.")
    expected = max_sigmoid_weight()
    ok = close_enough(answer, expected, rtol=1e-3)
    return verdict(ok, "" if ok else wrong_kind(answer, "a number (3 significant digits are enough)")
                   or "Each factor is w * sigma'(a_t), and sigma'(a_t) is at most gamma = max sigma'. "
                      "For which |w| is |w| * gamma < 1?",
                   success=f"Correct: |w| < 1/gamma = {expected:g}.")


def check_lag_below_threshold(answer, factor: float = 0.8, threshold: float = 1e-6) -> bool:
    """Exercise 2: the first lag d at which the bound factor**d is below threshold."""
    if answer is None:
        return verdict(False, "Replace None with your whole number d.")
    expected = lag_below_threshold(factor, threshold)
    ok = same_whole_number(answer, expected)
    hint = ("" if ok else wrong_kind(answer, "a whole number (the lag d)", whole=True)) or (
        f"You need the smallest whole d with {factor:g}^d < {threshold:g}: solve d > log({threshold:g}) / log({factor:g}), "
        "then round up (and check the value one below).")
    return verdict(ok, hint, success=f"Correct: {factor:g}^{expected} = {factor ** expected:.3g} < {threshold:g}, "
                                     f"while {factor:g}^{expected - 1} = {factor ** (expected - 1):.3g}.")


def check_peak_power(answer, diagonal: float = 0.92, off_diagonal: float = 10.0) -> bool:
    """Exercise 3: the power k at which ||W^k||_2 peaks for an upper-triangular W like the one of section 7."""
    if answer is None:
        return verdict(False, "Replace None with your whole number k.")
    expected = peak_power(diagonal, off_diagonal)
    ok = same_whole_number(answer, expected)
    hint = ("" if ok else wrong_kind(answer, "a whole number (the power k)", whole=True)) or (
        f"The top-right entry of W^k is k * {off_diagonal:g} * {diagonal:g}^(k-1), and it dominates the norm. "
        "Where does k * c^(k-1) stop growing? Compare it at k and k + 1.")
    return verdict(ok, hint, success=f"Correct: ||W^k|| peaks at k = {expected}.")
