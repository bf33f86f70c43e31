"""Check functions for the exercises of notebook 6 (remedies for vanishing gradients).

Every expected answer comes from a closed form (the d-th root, a count of
array entries, floor(d/k) + d mod k, T - K); the tests derive them
independently (bisection, real arrays, a breadth-first search, a loop).
Each check prints a verdict and returns True or False; the rule for what is
accepted is :func:`helpers.exercises.check_number`::

    from helpers.exercises import nb06
    nb06.check_max_irnn_scale(1.028)
"""
from __future__ import annotations

import math

from . import check_number, format_number
from ..validation import check_float, check_int

__all__ = ["max_irnn_scale", "skip_param_count", "shortest_path", "zero_lags",
           "check_max_irnn_scale", "check_skip_param_count", "check_shortest_path", "check_zero_lags"]

#: Exercise 1 asks for s to 4 significant digits, meeting the condition s**d <= limit.
IRNN_SCALE_DIGITS = 4
#: Relative slack for float rounding in the condition: (10 ** (6 / 500)) ** 500 is 1e6 * (1 + 2e-14).
_ROUNDING = 1e-9


def max_irnn_scale(d: int = 500, limit: float = 1e6) -> float:
    """Largest s with s**d <= limit: the IRNN with every unit active multiplies the error by s per step.

    The closed form: s = limit ** (1 / d).
    """
    d = check_int("d", d, minimum=1)
    limit = check_float("limit", limit, minimum=1.0)
    return limit ** (1.0 / d)


def skip_param_count(n_hidden: int = 64, n_in: int = 10, n_out: int = 5, n_skips: int = 2) -> int:
    """Parameters of an Elman RNN with ``n_skips`` skip matrices: H D + H^2 + H + O H + O + n_skips H^2.

    (W_xh, W_hh, b_h, W_hy, b_y and one H x H matrix per skip.)
    """
    H = check_int("n_hidden", n_hidden, minimum=1)
    D = check_int("n_in", n_in, minimum=1)
    O = check_int("n_out", n_out, minimum=1)
    n_skips = check_int("n_skips", n_skips, minimum=0)
    return H * D + H * H + H + O * H + O + n_skips * H * H


def shortest_path(d: int = 37, k: int = 10) -> int:
    """Fewest Jacobian factors on a path from h_{T-d} to h_T made of 1-steps and k-steps: d // k + d % k."""
    d = check_int("d", d, minimum=0)
    k = check_int("k", k, minimum=1)
    return d // k + d % k


def zero_lags(T: int = 200, K: int = 20) -> int:
    """How many lags d = 1..T get exactly zero error under BPTT truncated to the last K steps: every d > K."""
    T = check_int("T", T, minimum=1)
    K = check_int("K", K, minimum=1)
    return max(T - K, 0)


def check_max_irnn_scale(answer, d: int = 500, limit: float = 1e6) -> bool:
    """Exercise 1: the largest s with s**d <= limit, to 4 significant digits, meeting the condition itself.

    Accepted: every s that meets s**d <= limit and lies within one unit in
    the 4th significant digit below the largest such s (for d = 500 and
    limit = 1e6: 1.0271 ... 1.02801). 1.0281 is rejected, however close:
    1.0281**500 is above 1e6.
    """
    expected = max_irnn_scale(d, limit)

    def meets(s: float) -> bool:
        return s > 0 and d * math.log(s) <= math.log(limit) + _ROUNDING

    def growth(s: float) -> str:
        log10 = d * math.log10(s)
        return format_number(10.0 ** log10, 4) if log10 < 300 else f"10^{log10:.0f}"

    def hint(s: float) -> str:
        if s <= 0:
            return "s is a factor above 0 (the IRNN's scale s > 0)."
        if not meets(s):
            return (f"{format_number(s)}^{d} = {growth(s)}, more than {limit:g}: this s breaks the condition. "
                    "Take a smaller s (round down, not up).")
        return (f"{format_number(s)}^{d} = {growth(s)} meets the condition, but a larger s does too: solve "
                f"s^{d} = {limit:g} for s (take logarithms, or the {d}-th root), and round down to 4 "
                "significant digits.")

    linear = 1 + math.log10(limit) / d                          # e^(6/500) and 1 + 6/500 both give 1.012
    return check_number(
        answer, expected, digits=IRNN_SCALE_DIGITS, what="the largest s", satisfies=meets,
        wrong_answers=[(linear, f"{linear:.4g}^{d} is only about {format_number(linear ** d, 3)}, far below "
                                f"{limit:g}: {limit:g} = e^{math.log(limit):.1f}, not e^{math.log10(limit):g}."),
                       (limit / d, f"The error is multiplied by s at each of the {d} steps: s^{d}, not {d} s.")],
        hint=hint,
        success=f"Correct: s^{d} <= {limit:g} for every s up to {expected:.6g}.")


def check_skip_param_count(answer, n_hidden: int = 64, n_in: int = 10, n_out: int = 5, n_skips: int = 2) -> bool:
    """Exercise 2: the number of parameters (a whole number) of an RNN with ``n_skips`` skip matrices."""
    expected = skip_param_count(n_hidden, n_in, n_out, n_skips)
    H, D, O = n_hidden, n_in, n_out
    plain = skip_param_count(H, D, O, 0)
    wrong = {plain: f"That is the plain RNN: add one H x H matrix for each of the {n_skips} skips.",
             expected - H - O: "Remember the biases: b_h (H entries) and b_y (O entries).",
             expected - n_skips * H * H + n_skips * H * D: "Each skip matrix connects hidden state to hidden state: "
                                                           "it is H x H, not H x D."}
    if n_skips > 1:
        wrong[skip_param_count(H, D, O, 1)] = f"There are {n_skips} skips, each with its own H x H matrix."
    return check_number(answer, expected, whole=True, what="a count of parameters",
                        wrong_answers={v: h for v, h in wrong.items() if v != expected},
                        hint="Add up the sizes of W_xh (H x D), W_hh (H x H), b_h (H), W_hy (O x H), b_y (O) "
                             "and one H x H matrix per skip.",
                        success=f"Correct: {format_number(plain)} for the plain RNN and {n_skips} x {H}^2 for the "
                                f"skips, {format_number(expected)} in all.")


def check_shortest_path(answer, d: int = 37, k: int = 10) -> bool:
    """Exercise 3: the fewest factors (a whole number) on a path of 1-steps and k-steps covering d steps."""
    expected = shortest_path(d, k)
    wrong = {d: f"That is the path of single steps only; the skip lets the error jump {k} steps at once.",
             -(-d // k): f"A skip cannot jump past h_(T-{d}): use {d // k} skips, then single steps for the rest.",
             d // k: f"{d // k} skips cover {d // k * k} steps; the remaining {d % k} need single steps, "
                     "one factor each.",
             d % k: f"Those are the single steps; the {d // k} skips are factors too."}
    return check_number(answer, expected, whole=True, what="a count of factors",
                        wrong_answers={v: h for v, h in wrong.items() if v != expected},
                        hint=f"Use as many {k}-steps as fit into {d}, then single steps for the rest.",
                        success=f"Correct: {d // k} skips and {d % k} single steps, {expected} factors instead of {d}.")


def check_zero_lags(answer, T: int = 200, K: int = 20) -> bool:
    """Exercise 4: how many of the lags 1..T (a whole number) carry exactly zero error under truncation to K steps."""
    expected = zero_lags(T, K)
    wrong = {min(K, T): f"That is how many lags the truncated backward pass does reach (d = 1 ... {K}); "
                        "the question asks for the others.",
             expected + 1: f"Lag d = {K} is still inside the window of the last {K} steps: the first zero is "
                           f"at d = {K + 1}.",
             expected - 1: f"Count d = {T} too: lags d = {K + 1}, ..., {T} all get zero."}
    return check_number(answer, expected, whole=True, what="a count of lags",
                        wrong_answers={v: h for v, h in wrong.items() if v != expected and v >= 0},
                        hint=f"Which lags d does a backward pass over the last {K} steps never reach?",
                        success=f"Correct: every lag d > {K}, that is d = {K + 1}, ..., {T}: {expected} of them.")
