"""Check functions for the exercises of ``notebooks/04_exploding_gradients.ipynb``.

Every expected answer is computed here from first principles (repeated
multiplication in float64, central differences of the cliff loss); nothing
is hard-coded. Each check prints a one-line verdict and returns True or
False; ``None`` (the placeholder in the notebook) prints "Not yet".
"""
from __future__ import annotations

import numpy as np

from . import close_enough, verdict, wrong_kind
from ..cliff import cliff_loss
from ..gradcheck import numerical_gradient
from ..validation import check_float, describe

__all__ = ["overflow_lag", "cliff_gradient_numeric", "check_overflow_lag", "check_cliff_gradient"]


def overflow_lag(w: float = 1.5) -> int:
    """Smallest d with w**d == inf in float64, found by multiplying (no logarithm, no rounding question)."""
    w = check_float("w", w, minimum=1.0, exclusive_minimum=True)
    d, value = 0, 1.0
    with np.errstate(over="ignore"):
        while np.isfinite(value):
            value = float(np.float64(value) * np.float64(w))
            d += 1
    return d


def cliff_gradient_numeric(w: float = 2.0, b: float = -1.0) -> np.ndarray:
    """(dL/dw, dL/db) of the cliff loss of notebook 4 by central differences in float64. Shape: (2,)."""
    point = np.array([check_float("w", w), check_float("b", b)])
    return numerical_gradient(lambda: float(cliff_loss(point[0], point[1])), point)


def check_overflow_lag(answer, w: float = 1.5) -> bool:
    """Exercise 1: the lag at which w**d overflows to inf."""
    if answer is None:
        return verdict(False, "Replace None with an integer: the smallest d for which w**d is inf.")
    expected = overflow_lag(w)
    ok = close_enough(answer, expected, rtol=0.0, atol=0.0)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a whole number (the lag d)", whole=True))
                   or f"Solve w**d > 1.797e308 for d (take logarithms), then round up. You gave {describe(answer)}.")


def check_cliff_gradient(answer, w: float = 2.0, b: float = -1.0) -> bool:
    """Exercise 2: the gradient (dL/dw, dL/db) of the cliff loss at (w, b)."""
    if answer is None:
        return verdict(False, "Replace None with a pair (dL/dw, dL/db).")
    expected = cliff_gradient_numeric(w, b)
    ok = close_enough(answer, expected, rtol=1e-5, atol=1e-10)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a pair of numbers (dL/dw, dL/db)", shape=(2,)))
                   or "Check the backward recursion e_{t-1} = e_t * w * sigma'(x_{t-1}) and that both sums run over "
                       "all 50 steps (w and b are shared by every step).")
