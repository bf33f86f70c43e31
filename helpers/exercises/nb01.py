"""Check functions for the exercises of notebook 1 (feedforward vs recurrent networks).

Each check prints a one-line verdict and returns True or False; the rule
for what is accepted is :func:`helpers.exercises.check_number`.
"""
from __future__ import annotations

import numpy as np

from ..seeding import make_rng
from ..validation import check_int
from . import check_number, format_number, read_answer, verdict

__all__ = ["break_even", "check_break_even", "check_shift_register"]


def _window_count(n: int, D: int, H: int, O: int) -> int:
    """Parameters of a one-hidden-layer network over a window of n inputs of size D (exact, any size of n)."""
    return H * n * D + H + O * H + O


def _rnn_count(D: int, H: int, O: int) -> int:
    """Parameters of an Elman RNN: independent of the sequence length."""
    return H * D + H * H + H + O * H + O


def break_even(D: int = 8, H: int = 100, O: int = 1) -> int:
    """The smallest window length n whose window network has more parameters than the RNN.

    The counts differ only in H n D against H D + H^2, so the window network
    has more when n D > D + H: the smallest such whole n is (D + H) // D + 1.
    """
    D = check_int("D", D, minimum=1)
    H = check_int("H", H, minimum=1)
    check_int("O", O, minimum=1)
    return (D + H) // D + 1


def check_break_even(answer, D: int = 8, H: int = 100, O: int = 1) -> bool:
    """Exercise 1: is ``answer`` (a whole number) the smallest window length n with more parameters than the RNN?"""
    n = break_even(D, H, O)
    O = check_int("O", O, minimum=1)

    def hint(m: int) -> str:
        if m < 1:
            return f"n is a window length: 1, 2, 3, ... (you gave {format_number(m)})."
        window, rnn = _window_count(m, D, H, O), _rnn_count(D, H, O)
        if window <= rnn:
            return (f"At n = {format_number(m)} the window network has {format_number(window)} parameters, "
                    f"not more than the RNN's {format_number(rnn)}: n must be larger.")
        return (f"At n = {format_number(m)} the window network has {format_number(window)} parameters, more than "
                f"the RNN's {format_number(rnn)}, but so does a smaller window: find the smallest n.")

    return check_number(answer, n, whole=True, what="the window length n", hint=hint,
                        success=f"Correct: at n = {n} the window network has {_window_count(n, D, H, O):,} "
                                f"parameters, more than the RNN's {_rnn_count(D, H, O):,} "
                                f"(at n = {n - 1} it has {_window_count(n - 1, D, H, O):,}).")


def check_shift_register(W_xh, W_hh, k: int = 8, n_sequences: int = 5, T: int = 20) -> bool:
    """Exercise 2: does the linear RNN h_t = W_xh x_t + W_hh h_{t-1} (h_0 = 0) put x_{t-j} in unit j?

    Runs the RNN on ``n_sequences`` random scalar sequences of length ``T`` and
    checks that unit j of h_t equals x_{t-j}, to a relative 1e-9 (rounding
    error), for every j <= k and every t > j. The arrays are read by
    :func:`helpers.exercises.read_answer`: numbers (no bools or strings) of
    shapes (k+1, 1) and (k+1, k+1).
    """
    k = check_int("k", k, minimum=0)
    n_sequences = check_int("n_sequences", n_sequences, minimum=1)
    T = check_int("T", T, minimum=k + 2)
    if W_xh is None or W_hh is None:
        return verdict(False, "Replace None with your two arrays.")
    arrays = {}
    for name, answer, shape in (("W_xh", W_xh, (k + 1, 1)), ("W_hh", W_hh, (k + 1, k + 1))):
        arrays[name], why = read_answer(answer, shape)
        if why:
            return verdict(False, f"{name} is an array of numbers of shape {shape}, {why}.")
    W_xh, W_hh = arrays["W_xh"], arrays["W_hh"]
    upward = np.eye(k + 1, k=1)
    if k > 0 and np.array_equal(W_hh, upward):
        return verdict(False, "That W_hh moves each value *up* one unit (unit j takes unit j+1). Unit j should "
                              "take unit j-1 of the previous state: the ones go just *below* the diagonal.")
    if k > 0 and np.array_equal(W_hh, np.eye(k + 1)):
        return verdict(False, "With W_hh = I every unit keeps its own value; unit j should copy unit j-1 of the "
                              "previous state instead.")
    with np.errstate(all="ignore"):    # inf/NaN in an answer make the check fail, not warn
        return _run_shift_register(W_xh, W_hh, k, n_sequences, T)


def _run_shift_register(W_xh: np.ndarray, W_hh: np.ndarray, k: int, n_sequences: int, T: int) -> bool:
    """The loop of :func:`check_shift_register` on checked arrays: W_xh (k+1, 1), W_hh (k+1, k+1)."""
    rng = make_rng(0)
    for _ in range(n_sequences):
        x = rng.normal(size=T)
        h = np.zeros(k + 1)
        for t in range(T):                     # here t is 0-based: x[t] is the (t+1)-th input
            h = W_xh[:, 0] * x[t] + W_hh @ h
            for j in range(min(k, t) + 1):
                if not np.isclose(h[j], x[t - j], rtol=1e-9, atol=1e-12):
                    return verdict(False, f"After {t + 1} inputs, unit {j} holds {h[j]:.4g} but should hold "
                                          f"the input {j} steps back, {x[t - j]:.4g}. Unit 0 should take the "
                                          "new input; unit j should copy unit j-1 of the previous state.")
    return verdict(True, success=f"Correct: unit {k} of h_T is exactly x_(T-{k}); nothing fades.")
