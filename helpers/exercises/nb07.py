"""Checks for the exercises of notebook 07 (LSTM). Each computes the right answer from first principles."""
from __future__ import annotations

import numpy as np

from . import close_enough, verdict, wrong_kind
from ..validation import check_float, check_int

__all__ = ["check_cell_path_factor", "check_forget_bias", "check_lstm_param_count", "check_hochreiter_baseline"]


def check_cell_path_factor(answer, f: float = 0.95, d: int = 100) -> bool:
    """Exercise 1: dc_d/dc_0 along the cell path with a constant forget gate f: the product of d diag(f)."""
    f = check_float("f", f, minimum=0.0, maximum=1.0)           # a gate's value: sigmoid, in [0, 1]
    d = check_int("d", d, minimum=0)
    jacobian = np.eye(1)
    for _ in range(d):                          # c_t = f c_{t-1} + ...  ->  dc_t/dc_{t-1} = f
        jacobian = np.diag([f]) @ jacobian
    expected = float(jacobian[0, 0])
    ok = close_enough(answer, expected, rtol=1e-2)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a number (2 significant digits are enough)"))
                   or "Along the cell path each step multiplies the error by diag(f_t) (section 5). "
                   "What do d = 100 such factors give together?")


def check_forget_bias(answer, target_f: float = 0.99) -> bool:
    """Exercise 2: the bias b with sigmoid(b) = target_f, found by bisection on the sigmoid."""
    # a gate's value strictly inside (0, 1): at 0 or 1 the bias would be -inf or +inf
    target_f = check_float("target_f", target_f, minimum=0.0, maximum=1.0, exclusive_minimum=True,
                           exclusive_maximum=True)
    lo, hi = -50.0, 50.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lo, hi = (mid, hi) if 1.0 / (1.0 + np.exp(-mid)) < target_f else (lo, mid)
    ok = close_enough(answer, 0.5 * (lo + hi), rtol=1e-2)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a number (2 significant digits are enough)"))
                   or "Invert the sigmoid: write sigma(b_f) = 1 / (1 + exp(-b_f)) = 0.99, "
                   "solve for exp(-b_f) first, then take a logarithm.")


def check_lstm_param_count(answer, n_in: int = 10, n_hidden: int = 100, n_out: int = 5) -> bool:
    """Exercise 3: count the entries of every array of an LSTM with a linear read-out."""
    n_in = check_int("n_in", n_in, minimum=1)
    n_hidden = check_int("n_hidden", n_hidden, minimum=1)
    n_out = check_int("n_out", n_out, minimum=1)
    shapes = {"W_xh": (4 * n_hidden, n_in), "W_hh": (4 * n_hidden, n_hidden), "b_h": (4 * n_hidden,),
              "W_hy": (n_out, n_hidden), "b_y": (n_out,)}
    expected = int(sum(np.prod(s) for s in shapes.values()))
    H, D, O = n_hidden, n_in, n_out
    ok = close_enough(answer, expected, rtol=0, atol=0.5)
    kind = "" if ok else wrong_kind(answer, "a whole number (a count of parameters)", whole=True)
    if kind:
        hint = kind
    elif answer is not None and close_enough(answer, 4 * H * (D + H + 1), rtol=0, atol=0.5):
        hint = "That is the LSTM layer alone: add the read-out, W_hy (O x H) and b_y (O)."
    elif answer is not None and any(close_enough(answer, n, rtol=0, atol=0.5)
                                    for n in (H * (D + H + 1), H * (D + H + 1) + O * (H + 1))):
        hint = ("That counts one gate. There are four (i, f, g, o), each with its own block of W_xh, W_hh and b_h.")
    elif answer is not None and any(close_enough(answer, n, rtol=0, atol=0.5)
                                    for n in (4 * H * (D + H) + O * H, 4 * H * (D + H))):
        hint = "Remember the biases: b_h has one entry per row of W_xh, and b_y one per output."
    else:
        hint = ("Count the four gates' W_xh blocks (H x D each), W_hh blocks (H x H each) and b_h blocks "
                "(H each), then the read-out W_hy (O x H) and b_y (O).")
    return verdict(ok, hint)


def check_hochreiter_baseline(answer) -> bool:
    """Exercise 4: variance of 0.5 + (X1 + X2)/4 with X uniform on [-1, 1], by exact integration."""
    var_uniform = (1.0 - (-1.0)) ** 2 / 12.0    # Var(U[a, b]) = (b - a)^2 / 12
    expected = 2 * var_uniform / 16.0           # Var((X1 + X2)/4) = 2 Var(X) / 4^2
    ok = close_enough(answer, expected, rtol=1e-2)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a number (2 significant digits are enough)"))
                   or "The best constant is the mean of the target; its MSE is the target's variance. "
                   "Var(U[a, b]) = (b - a)^2 / 12.")
