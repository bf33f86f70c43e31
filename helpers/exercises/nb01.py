"""Check functions for the exercises of notebook 1 (feedforward vs recurrent networks)."""
from __future__ import annotations

import numpy as np

from ..seeding import make_rng
from ..validation import check_int
from . import as_answer_array, verdict, wrong_kind

__all__ = ["check_break_even", "check_shift_register"]


def _window_count(n: int, D: int, H: int, O: int) -> int:
    """Parameters of a one-hidden-layer network over a window of n inputs of size D."""
    return H * n * D + H + O * H + O


def _rnn_count(D: int, H: int, O: int) -> int:
    """Parameters of an Elman RNN: independent of the sequence length."""
    return H * D + H * H + H + O * H + O


def check_break_even(answer, D: int = 8, H: int = 100, O: int = 1) -> bool:
    """Is ``answer`` the smallest window length n with more parameters than the RNN?

    Counts both networks' parameters for n = 1, 2, ... until the window network's
    count exceeds the RNN's (no closed formula used).
    """
    D = check_int("D", D, minimum=1)
    H = check_int("H", H, minimum=1)
    O = check_int("O", O, minimum=1)
    n = 1
    while _window_count(n, D, H, O) <= _rnn_count(D, H, O):
        n += 1
    if answer is None:
        return verdict(False, "Replace None with a whole number.")
    try:
        ok = float(answer) == n
    except Exception:                  # not a number at all (a list, a dict, 10**400, ...): wrong, not a crash
        ok = False
    hint = "" if ok else wrong_kind(answer, "a whole number (the window length n)", whole=True)
    if not ok and not hint:
        hint = (f"With n = {answer} the window network has {_window_count(int(answer), D, H, O)} parameters "
                f"and the RNN {_rnn_count(D, H, O)}." if int(answer) >= 1 else "Compare H n D with H D + H^2.")
    return verdict(ok, hint, success=f"Correct: at n = {n} the window network has {_window_count(n, D, H, O):,} "
                                     f"parameters, more than the RNN's {_rnn_count(D, H, O):,} "
                                     f"(at n = {n - 1} it has {_window_count(n - 1, D, H, O):,}).")


def check_shift_register(W_xh, W_hh, k: int = 8, n_sequences: int = 5, T: int = 20) -> bool:
    """Does the linear RNN h_t = W_xh x_t + W_hh h_{t-1} (h_0 = 0) put x_{t-j} in unit j?

    Runs the RNN on ``n_sequences`` random scalar sequences of length ``T`` and
    checks that unit j of h_t equals x_{t-j} for every j <= k and every t > j.
    """
    k = check_int("k", k, minimum=0)
    n_sequences = check_int("n_sequences", n_sequences, minimum=1)
    T = check_int("T", T, minimum=k + 2)
    if W_xh is None or W_hh is None:
        return verdict(False, "Replace None with your two arrays.")
    for name, answer, shape in (("W_xh", W_xh, (k + 1, 1)), ("W_hh", W_hh, (k + 1, k + 1))):
        arr, problem = as_answer_array(answer, shape, name)
        if arr is None and "has shape" not in problem:     # not an array of numbers at all
            return verdict(False, problem)
    W_xh = np.asarray(W_xh, dtype=float)
    W_hh = np.asarray(W_hh, dtype=float)
    if W_xh.shape != (k + 1, 1) or W_hh.shape != (k + 1, k + 1):
        return verdict(False, f"W_xh must have shape {(k + 1, 1)} and W_hh {(k + 1, k + 1)}; "
                              f"got {W_xh.shape} and {W_hh.shape}.")
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
