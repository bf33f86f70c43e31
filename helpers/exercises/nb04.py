"""Check functions for the exercises of ``notebooks/04_exploding_gradients.ipynb``.

The overflow lag comes from a closed form (logarithms, confirmed with the
float64 powers on either side); the cliff gradient has no closed form and
comes from central differences of the cliff loss in float64, never from the
backward pass the exercise asks for. The rule for what is accepted is
:func:`helpers.exercises.check_number`.
"""
from __future__ import annotations

import math

import numpy as np

from . import check_number, format_number
from ..cliff import T_CLIFF, TARGET, X0, cliff_loss, sigmoid
from ..gradcheck import numerical_gradient
from ..validation import check_float

__all__ = ["overflow_lag", "cliff_gradient_numeric", "check_overflow_lag", "check_cliff_gradient"]

#: Exercise 2 asks for each component of the gradient to 4 decimal places.
CLIFF_DECIMALS = 4
_FLOAT_MAX = float(np.finfo(np.float64).max)     # 1.797e308


def _power(w: float, d: int) -> float:
    """w**d in float64 (numpy's power), inf once it overflows; d may be any whole number."""
    if d > 10 ** 300:               # beyond float range as an exponent; any w > 1 has overflowed long before
        return math.inf
    with np.errstate(over="ignore"):
        return float(np.power(np.float64(w), np.float64(d)))


def overflow_lag(w: float = 1.5) -> int:
    """Smallest d with w**d == inf in float64: d > log(1.797e308) / log(w), confirmed with the powers either side."""
    w = check_float("w", w, minimum=1.0, exclusive_minimum=True)
    d = math.floor(math.log(_FLOAT_MAX) / math.log(w)) + 1
    while d > 1 and not math.isfinite(_power(w, d - 1)):      # the logarithms overshot by one
        d -= 1
    while math.isfinite(_power(w, d)):                        # or undershot
        d += 1
    return d


def cliff_gradient_numeric(w: float = 2.0, b: float = -1.0) -> np.ndarray:
    """(dL/dw, dL/db) of the cliff loss of notebook 4 by central differences in float64. Shape: (2,)."""
    point = np.array([check_float("w", w), check_float("b", b)])
    return numerical_gradient(lambda: float(cliff_loss(point[0], point[1])), point)


def check_overflow_lag(answer, w: float = 1.5) -> bool:
    """Exercise 1: the lag d (a whole number) at which w**d is first inf in float64."""
    expected = overflow_lag(w)

    def hint(d: int) -> str:
        if d < 1:
            return "d is a lag: 1, 2, 3, ..."
        if d < expected:
            return (f"{w:g}^{format_number(d)} = {format_number(_power(w, d), 4)} is still finite: the largest "
                    f"float64 is 1.797e308. Solve {w:g}^d > 1.797e308 for d (take logarithms), then round up.")
        return f"{w:g}^{format_number(d)} is inf, but so is a smaller power: find the first."

    return check_number(answer, expected, whole=True, what="the lag d", hint=hint,
                        success=f"Correct: {w:g}^{expected - 1} = {_power(w, expected - 1):.4g}, "
                                f"and {w:g}^{expected} is inf.")


def check_cliff_gradient(answer, w: float = 2.0, b: float = -1.0) -> bool:
    """Exercise 2: the gradient (dL/dw, dL/db) of the cliff loss at (w, b), each to 4 decimal places."""
    expected = cliff_gradient_numeric(w, b)
    x = [X0]
    for _ in range(T_CLIFF):
        x.append(w * float(sigmoid(x[-1])) + b)               # x_t = w sigma(x_{t-1}) + b
    s_T = float(sigmoid(x[-1]))
    e_T = 2.0 * (s_T - TARGET) * s_T * (1.0 - s_T)            # dL/dx_T
    last_step = np.array([e_T * float(sigmoid(x[-2])), e_T])
    half = "That is half the gradient: the factor 2 of d(s - 0.7)^2/ds is missing."
    last = "That is the last step's term alone: w and b are used at every one of the 50 steps, so sum over all of them."
    wrong = [(-expected, "Check the sign: that is minus the gradient (the direction gradient descent steps in)."),
             (expected[::-1], "The order is (dL/dw, dL/db): you have them swapped.")]
    if np.allclose(last_step, expected / 2, atol=1e-4):       # at (2, -1) the two mistakes give the same pair
        wrong.append((last_step, half[:-1] + ", or only the last step's term is counted (w and b are used at every "
                                              "one of the 50 steps, so sum over all of them)."))
    else:
        wrong += [(expected / 2, half), (last_step, last)]
    if s_T * (1.0 - s_T) > 1e-3:
        wrong.append((expected / (s_T * (1.0 - s_T)), "The error at the last step, dL/dx_50, includes the sigmoid's "
                                                      "slope: 2 (s - 0.7) sigma'(x_50)."))
    return check_number(answer, expected, decimals=CLIFF_DECIMALS, what="the pair (dL/dw, dL/db)",
                        wrong_answers=[(v, h) for v, h in wrong if not np.allclose(v, expected, atol=1e-3)],
                        hint="Check the backward recursion e_{t-1} = e_t * w * sigma'(x_{t-1}) and that both sums "
                             "run over all 50 steps (w and b are shared by every step).",
                        success=f"Correct: (dL/dw, dL/db) = ({expected[0]:.4f}, {expected[1]:.4f}).")
