"""Check functions for the exercises of notebook 2 (unrolling and backpropagation through time).

Each check computes the expected answer from first principles, by central
differences in float64, never from the formula the exercise asks for.
"""
from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..rnn import check_params
from ..validation import check_array, check_int
from . import as_answer_array, verdict, wrong_kind

__all__ = ["check_jacobian", "check_truncated_bptt", "truncated_gradient_W_hh", "full_gradient_W_hh"]


def check_jacobian(answer, W_hh, a_t) -> bool:
    """Is ``answer`` the Jacobian dh_t/dh_{t-1} of a tanh RNN step with pre-activation ``a_t``?

    Expected value: central differences of h_t = tanh(c + W_hh h_{t-1}) at the
    h_{t-1} where the pre-activation equals ``a_t`` (the Jacobian depends on
    h_{t-1} only through a_t). Row i of the Jacobian is d h_t[i] / d h_{t-1}.
    """
    W_hh = check_array("W_hh", W_hh, ndim=2, kinds="iuf", nonempty=True, dtype=float)
    H = W_hh.shape[0]
    if W_hh.shape != (H, H):
        raise ValueError(f"W_hh must be square, got shape {W_hh.shape}")
    a_t = check_array("a_t", a_t, shape=(H,), kinds="iuf", dtype=float)
    answer, problem = as_answer_array(answer, (H, H), "The Jacobian")
    if answer is None:
        return verdict(False, problem)
    if not np.all(np.isfinite(answer)):
        return verdict(False, wrong_kind(answer, f"an array of finite numbers of shape {(H, H)}", shape=(H, H)))
    h_prev = np.zeros(H)                       # at h_{t-1} = 0 the pre-activation is c = a_t
    expected = np.array([numerical_gradient(lambda i=i: float(np.tanh(a_t + W_hh @ h_prev)[i]), h_prev)
                         for i in range(H)])
    ok = relative_error(answer, expected) < 1e-6
    hint = ""
    if not ok:
        f_prime = 1.0 - np.tanh(a_t) ** 2
        if relative_error(answer, W_hh @ np.diag(f_prime)) < 1e-6 or relative_error(answer, np.diag(f_prime) @ W_hh.T) < 1e-6:
            hint = "Close: f'(a_t) should scale the rows of W_hh (unit i of h_t has slope f'(a_t[i]))."
        elif relative_error(answer, W_hh) < 1e-6:
            hint = "That is W_hh alone: the tanh's slope f'(a_t) = 1 - tanh(a_t)^2 is missing."
        else:
            hint = "Use the chain rule: dh_t/dh_{t-1} = (dh_t/da_t)(da_t/dh_{t-1})."
    return verdict(ok, hint, success="Correct: row i of dh_t/dh_{t-1} is row i of W_hh times the slope f'(a_t[i]).")


def _truncated_loss(params: dict, x: np.ndarray, target: np.ndarray, h0: np.ndarray, k: int,
                    starts_frozen: list[np.ndarray]) -> float:
    """Sum of squared errors, each chunk started from a fixed (frozen) state."""
    total = 0.0
    for c, start in enumerate(range(0, len(x), k)):
        h = starts_frozen[c]
        for t in range(start, min(start + k, len(x))):
            h = np.tanh(params["W_xh"] @ x[t] + params["W_hh"] @ h + params["b_h"])
            y = params["W_hy"] @ h + params["b_y"]
            total += 0.5 * float(np.sum((y - target[t]) ** 2))
    return total


def _check_problem(params: dict, x, target, h0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """x (T, D), target (T, O), h0 (H,) checked against the shapes of ``params`` (an RNN's, as in notebook 2)."""
    D, H, O = check_params(params)
    x = check_array("x", x, shape=(None, D), kinds="iuf", nonempty=True)
    target = check_array("target", target, shape=(len(x), O), kinds="iuf")
    h0 = check_array("h0", h0, shape=(H,), kinds="iuf").astype(np.float64)
    return x, target, h0


def full_gradient_W_hh(params: dict, x, target, h0) -> np.ndarray:
    """dL/dW_hh of the whole sequence (full BPTT), by central differences. Shapes as in notebook 2."""
    x, target, h0 = _check_problem(params, x, target, h0)
    params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    return numerical_gradient(lambda: _truncated_loss(params, x, target, h0, len(x), [h0]), params["W_hh"])


def truncated_gradient_W_hh(params: dict, x, target, h0, k: int) -> np.ndarray:
    """dL/dW_hh of truncated BPTT with chunks of k steps, by central differences.

    Truncation means: each chunk's starting state is a constant (computed once,
    with the current weights), so no derivative flows across a chunk boundary.
    Shapes as in notebook 2: x (T, D), target (T, O), h0 (H,).
    """
    k = check_int("k", k, minimum=1)
    x, target, h0 = _check_problem(params, x, target, h0)
    params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    starts, h = [], h0
    for t in range(len(x)):                       # forward straight through, recording chunk starts
        if t % k == 0:
            starts.append(h.copy())
        h = np.tanh(params["W_xh"] @ x[t] + params["W_hh"] @ h + params["b_h"])
    return numerical_gradient(lambda: _truncated_loss(params, x, target, h0, k, starts), params["W_hh"])


def check_truncated_bptt(answer, params: dict, x, target, h0, k: int = 3) -> bool:
    """Is ``answer`` the truncated-BPTT gradient dL/dW_hh with chunks of ``k`` steps?"""
    expected = truncated_gradient_W_hh(params, x, target, h0, k)
    answer, problem = as_answer_array(answer, expected.shape, "dL/dW_hh")
    if answer is None:
        return verdict(False, problem)
    if not np.all(np.isfinite(answer)):
        return verdict(False, wrong_kind(answer, f"an array of finite numbers of shape {expected.shape}",
                                         shape=expected.shape))
    ok = relative_error(answer, expected) < 1e-6
    gap = relative_error(expected, full_gradient_W_hh(params, x, target, h0)) if ok else float("nan")
    return verdict(ok, "Start each chunk's forward pass from the previous chunk's last state, call backward "
                       "on the chunk alone, and add up the chunks' W_hh gradients.",
                   success=f"Correct: this is truncated BPTT with chunks of {k} steps; its relative "
                           f"difference from the full BPTT gradient is {gap:.2f}.")
