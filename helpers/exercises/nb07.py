"""Check functions for the exercises of notebook 7 (LSTM).

Every expected answer comes from a closed form (``f ** d``, the logit, a
formula for the count, the variance of a uniform value); the tests derive
them independently (matrix products, bisection, real arrays, integration).
Each check prints a verdict and returns True or False; the rule for what is
accepted is :func:`helpers.exercises.check_number`::

    from helpers.exercises import nb07
    nb07.check_cell_path_factor(0.006)
"""
from __future__ import annotations

import math

import numpy as np

from . import check_number, format_number
from ..validation import check_float, check_int

__all__ = ["cell_path_factor", "forget_bias_for", "lstm_param_count", "hochreiter_variances",
           "check_cell_path_factor", "check_forget_bias", "check_lstm_param_count", "check_hochreiter_baseline"]

#: Exercise 1 asks for the factor to 1 significant digit (0.95**100 = 0.0059...: 0.006).
CELL_PATH_DIGITS = 1
#: Exercise 2 asks for b_f to 2 significant digits (ln 99 = 4.595...: 4.6).
FORGET_BIAS_DIGITS = 2
#: Exercise 4 asks for Var(X) and the baseline MSE, each to 4 decimal places.
BASELINE_DECIMALS = 4


def cell_path_factor(f: float = 0.95, d: int = 100) -> float:
    """dc_d / dc_0 along the cell path when the forget gate stays at ``f``: d factors diag(f), so f ** d."""
    f = check_float("f", f, minimum=0.0, maximum=1.0)           # a gate's value: sigmoid, in [0, 1]
    d = check_int("d", d, minimum=0)
    return f ** d


def forget_bias_for(target_f: float = 0.99) -> float:
    """The bias b with sigmoid(b) = target_f (the rest of the pre-activation 0): the logit, ln(f / (1 - f))."""
    # a gate's value strictly inside (0, 1): at 0 or 1 the bias would be -inf or +inf
    target_f = check_float("target_f", target_f, minimum=0.0, maximum=1.0, exclusive_minimum=True,
                           exclusive_maximum=True)
    return math.log(target_f / (1.0 - target_f))


def lstm_param_count(n_in: int = 10, n_hidden: int = 100, n_out: int = 5) -> int:
    """An LSTM layer and a linear read-out: 4H(D + H + 1) + O(H + 1) (W_xh, W_hh, b_h; W_hy, b_y)."""
    D = check_int("n_in", n_in, minimum=1)
    H = check_int("n_hidden", n_hidden, minimum=1)
    O = check_int("n_out", n_out, minimum=1)
    return 4 * H * (D + H + 1) + O * (H + 1)


def hochreiter_variances(low: float = -1.0, high: float = 1.0, scale: float = 0.25) -> np.ndarray:
    """``[Var(X), Var(target)]`` for X uniform on [low, high] and target = 0.5 + scale (X1 + X2).

    Var(U[a, b]) = (b - a)^2 / 12; Var(scale (X1 + X2)) = 2 scale^2 Var(X) for independent X1, X2.
    The best constant prediction is the mean of the target, and its MSE is Var(target).
    """
    low = check_float("low", low)
    high = check_float("high", high, minimum=low, exclusive_minimum=True)
    scale = check_float("scale", scale)
    var_x = (high - low) ** 2 / 12.0
    return np.array([var_x, 2.0 * scale ** 2 * var_x])


# -- the checks ---------------------------------------------------------------------------------------

def check_cell_path_factor(answer, f: float = 0.95, d: int = 100) -> bool:
    """Exercise 1: the factor f ** d along the cell path, to 1 significant digit (0.006 for f = 0.95, d = 100)."""
    expected = cell_path_factor(f, d)
    if expected == 0.0:
        raise ValueError(f"f ** d must be above 0 to be asked to significant digits, got f = {f!r}, d = {d!r}")
    wrong = [(f * d, f"That is f x d. The factors multiply: {f:g} x {f:g} x ... ({d} factors)."),
             (1.0 - (1.0 - f) * d, f"That takes away {1 - f:g} of the *original* at every step. Each step keeps "
                                   f"{f:g} of what is left, so the factors multiply: {f:g} ** {d}."),
             ((1.0 - f) ** d, f"That is (1 - f) ** d. f is the part the gate keeps: multiply {d} factors of {f:g}."),
             (math.exp(-(1.0 - f) * d), f"That is exp(-(1 - f) d), an approximation of f ** d that is "
                                        f"{format_number(math.exp(-(1 - f) * d) / expected, 3)} times too large "
                                        f"here. Compute {f:g} ** {d} itself."),
             (f, f"One step multiplies the error by f = {f:g} (the 1997 carousel by exactly 1). Over {d} steps "
                 f"it is multiplied by f {d} times.")]
    return check_number(answer, expected, digits=CELL_PATH_DIGITS, what="the factor",
                        wrong_answers=[(w, h) for w, h in wrong if w != 0 and abs(w - expected) > 1e-3 * expected],
                        hint=f"Along the cell path each step multiplies the error by diag(f_t) (section 5). "
                             f"What do {d} such factors of {f:g} give together?",
                        success=f"Correct: {f:g} ** {d} = {expected:.2g}; the error shrinks by a factor of "
                                f"about {float(f'{1 / expected:.2g}'):g}.")


def check_forget_bias(answer, target_f: float = 0.99) -> bool:
    """Exercise 2: the bias b_f with sigma(b_f) = target_f, to 2 significant digits (4.6 for 0.99)."""
    expected = forget_bias_for(target_f)
    odds = target_f / (1.0 - target_f)
    wrong = [(target_f, "That is f itself. b_f is the pre-activation that gives it: invert the sigmoid."),
             (-expected, f"Check the sign: sigma({-expected:.2g}) = {1 - target_f:g}. A gate near 1 needs a "
                         "large positive pre-activation."),
             (math.log10(odds), "That uses the logarithm to base 10. The sigmoid is 1 / (1 + exp(-b_f)): "
                                "use the natural logarithm."),
             (odds, f"That is exp(b_f) = f / (1 - f) = {format_number(odds, 3)}. Now take its logarithm."),
             (1.0 / (1.0 + math.exp(-target_f)), f"That is sigma({target_f:g}): apply the inverse of the sigmoid, "
                                                  "not the sigmoid."),
             (1.0, f"b_f = +1 is the usual initial value; it gives f = sigma(1) = 0.73, not {target_f:g}.")]
    return check_number(answer, expected, digits=FORGET_BIAS_DIGITS, what="the bias b_f",
                        wrong_answers=[(w, h) for w, h in wrong if abs(w - expected) > 0.1],
                        hint="Invert the sigmoid: write sigma(b_f) = 1 / (1 + exp(-b_f)) = "
                             f"{target_f:g}, solve for exp(-b_f) first, then take a logarithm.",
                        success=f"Correct: b_f = ln({format_number(odds, 3)}) = {expected:.3g}.")


def check_lstm_param_count(answer, n_in: int = 10, n_hidden: int = 100, n_out: int = 5) -> bool:
    """Exercise 3: the trainable numbers of an LSTM layer with a linear read-out, a whole number."""
    expected = lstm_param_count(n_in, n_hidden, n_out)
    D, H, O = n_in, n_hidden, n_out
    layer, readout = 4 * H * (D + H + 1), O * (H + 1)
    one_gate = H * (D + H + 1)
    wrong = [(layer, "That is the LSTM layer alone: add the read-out, W_hy (O x H) and b_y (O)."),
             (one_gate, "That counts one gate. There are four (i, f, g, o), each with its own block of W_xh, "
                        "W_hh and b_h."),
             (one_gate + readout, "That counts one gate. There are four (i, f, g, o), each with its own block "
                                  "of W_xh, W_hh and b_h."),
             (4 * H * (D + H) + O * H, "Remember the biases: b_h has one entry per row of W_xh, and b_y one per "
                                       "output."),
             (4 * H * (D + H), "Remember the biases (b_h, b_y) and the read-out (W_hy)."),
             (4 * H * (D + H) + readout, "Remember the biases b_h: one per row of W_xh, 4H of them."),
             (layer + O * H, "Remember the read-out's bias b_y, one per output."),
             (4 * H * (D + 1) + H * H + readout, "Each gate has its own H x H block of W_hh: W_hh is 4H x H.")]
    return check_number(answer, expected, whole=True, what="a count of parameters",
                        wrong_answers=[(w, h) for w, h in wrong if w != expected],
                        hint="Count the four gates' W_xh blocks (H x D each), W_hh blocks (H x H each) and b_h "
                             "blocks (H each), then the read-out W_hy (O x H) and b_y (O).",
                        success=f"Correct: 4H(D + H + 1) + O(H + 1) = {format_number(layer)} + {readout} "
                                f"= {format_number(expected)}.")


def check_hochreiter_baseline(answer) -> bool:
    """Exercise 4: ``[Var(X), baseline MSE]`` for the 1997 variant, each to 4 decimal places ([0.3333, 0.0417]).

    Both numbers are asked for because the MSE alone, 1/24, is also what two slips give that cancel:
    Var(U[-1, 1]) taken as 1/12 (that is U[0, 1]'s) and Var(X/4) taken as Var(X)/4 (it is Var(X)/16).
    """
    var_x, mse = hochreiter_variances()
    slip_var = 1.0 / 12.0                           # Var(U[0, 1]), a classic slip for U[-1, 1]
    wrong = [((slip_var, mse), "1/12 is the variance of U[0, 1]; for U[-1, 1] it is (b - a)^2 / 12 = 4/12. Your "
                               "MSE is right only because a second slip cancels the first: Var(X/4) = Var(X)/16, "
                               "not Var(X)/4."),
             ((slip_var, 2 * slip_var / 16), "1/12 is the variance of U[0, 1]; for U[-1, 1] it is "
                                             "(b - a)^2 / 12 = 4/12."),
             ((slip_var, 2 * slip_var / 4), "1/12 is the variance of U[0, 1]; for U[-1, 1] it is (b - a)^2 / 12 "
                                            "= 4/12. And Var(X/4) = Var(X)/16: scaling by c scales the variance "
                                            "by c^2."),
             ((var_x, 2 * var_x / 4), "Var(cX) = c^2 Var(X): dividing by 4 divides the variance by 16. "
                                      "(1/6 is the baseline of Le et al.'s variant.)"),
             ((var_x, var_x / 16), "The target holds two values: Var(X1 + X2) = 2 Var(X) for independent values."),
             ((var_x, 0.25 + mse), "That is the MSE of always answering 0. The best constant is the mean of the "
                                   "target, 0.5, and its MSE is the target's variance."),
             ((mse, var_x), "The order is [Var(X), baseline MSE]: the variance of one value first.")]
    return check_number(answer, np.array([var_x, mse]), decimals=BASELINE_DECIMALS,
                        what="[Var(X), baseline MSE]: two numbers",
                        wrong_answers=wrong,
                        hint="The best constant is the mean of the target; its MSE is the target's variance. "
                             "Var(U[a, b]) = (b - a)^2 / 12, and Var(cX) = c^2 Var(X).",
                        success=f"Correct: Var(X) = 1/3 and the baseline is 2 (1/3) / 16 = 1/24 = {mse:.4f}.")
