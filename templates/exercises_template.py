"""Check functions for the exercises of ``notebooks/NN_slug.ipynb`` (made from templates/).

Every expected answer is computed here from first principles or a closed form
(nothing hard-coded); the rule for what is accepted is
:func:`helpers.exercises.check_number`: the precision the question states is
the tolerance, classic wrong answers get their own hint, and no answer crashes.
"""
from __future__ import annotations

import math

from . import check_number
from ..validation import check_float

__all__ = ["lag_below", "check_lag_below"]


def lag_below(w: float = 0.9, threshold: float = 0.01) -> int:
    """Smallest whole d >= 0 with w**d < threshold (0 < w < 1): the closed form, ceil-adjusted."""
    w = check_float("w", w, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    threshold = check_float("threshold", threshold, minimum=0.0, maximum=1.0, exclusive_minimum=True)
    if w == 1.0:
        raise ValueError("w must be below 1 (1**d never falls below a threshold < 1)")
    d = max(0, math.floor(math.log(threshold) / math.log(w)))
    while not w ** d < threshold:          # the logarithm may land one short: step to the first d that is below
        d += 1
    return d


def check_lag_below(answer, w: float = 0.9, threshold: float = 0.01) -> bool:
    """Exercise 1: the smallest d (a whole number) with w**d < threshold."""
    expected = lag_below(w, threshold)
    return check_number(answer, expected, whole=True, what="the lag d",
                        wrong_answers={expected - 1: f"{w}^{expected - 1} = {w ** (expected - 1):.4f} is not yet below {threshold}",
                                       expected + 1: "that d works, but a smaller one does too: find the smallest"},
                        hint=f"find the smallest d with {w}^d < {threshold}: take logarithms, then check d - 1 and d")
