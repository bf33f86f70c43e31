"""Check functions for the exercises of notebook 2 (unrolling and backpropagation through time).

The Jacobian of exercise 1 has a closed form, diag(1 - tanh(a_t)^2) W_hh,
and the check uses it (the tests compare it with central differences). The
truncated-BPTT gradient of exercise 2 has none short of BPTT itself, so
that check computes it by central differences in float64, never with the
backward pass the exercise asks for. The rule for what is accepted is
:func:`helpers.exercises.check_number`.
"""
from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient, relative_error
from ..rnn import check_params
from ..validation import check_array, check_int
from . import check_number

__all__ = ["jacobian", "check_jacobian", "check_truncated_bptt", "truncated_gradient_W_hh", "full_gradient_W_hh"]

#: Exercise 1 asks for each entry of the Jacobian to 3 decimal places.
JACOBIAN_DECIMALS = 3
#: Exercise 2's answer comes from code: the check compares every entry to 6 decimal places.
TRUNCATED_DECIMALS = 6


def _check_step(W_hh, a_t) -> tuple[np.ndarray, np.ndarray]:
    W_hh = check_array("W_hh", W_hh, ndim=2, kinds="iuf", nonempty=True, dtype=float)
    H = W_hh.shape[0]
    if W_hh.shape != (H, H):
        raise ValueError(f"W_hh must be square, got shape {W_hh.shape}")
    a_t = check_array("a_t", a_t, shape=(H,), kinds="iuf", dtype=float)
    return W_hh, a_t


def jacobian(W_hh, a_t) -> np.ndarray:
    """dh_t/dh_{t-1} = diag(f'(a_t)) W_hh of a tanh RNN step, with f'(a) = 1 - tanh(a)^2. Shape: (H, H).

    Row i is d h_t[i] / d h_{t-1}: row i of W_hh scaled by unit i's slope.
    """
    W_hh, a_t = _check_step(W_hh, a_t)
    return (1.0 - np.tanh(a_t) ** 2)[:, None] * W_hh


def check_jacobian(answer, W_hh, a_t) -> bool:
    """Exercise 1: is ``answer`` the Jacobian dh_t/dh_{t-1} of a tanh RNN step with pre-activation ``a_t``,
    each entry to 3 decimal places?"""
    W_hh, a_t = _check_step(W_hh, a_t)
    expected = jacobian(W_hh, a_t)
    f_prime = 1.0 - np.tanh(a_t) ** 2
    transposed = ("W_hh enters as it is, not transposed: a_t = W_hh h_(t-1) + ..., so row i of the Jacobian holds "
                  "the derivatives of h_t[i] (W_hh^T belongs to the backward step, delta_(t-1) = W_hh^T(...)).")
    wrong = [
        (W_hh * f_prime[None, :], "Close: you scaled the columns of W_hh. The slope f'(a_t[i]) belongs to unit i "
                                  "of h_t, so it scales row i: diag(f'(a_t)) W_hh."),
        (f_prime[:, None] * W_hh.T, transposed),
        (W_hh.T * f_prime[None, :], "That is the transpose of the Jacobian: " + transposed),
        (W_hh, "That is W_hh alone: the tanh's slope f'(a_t) = 1 - tanh(a_t)^2 must scale each row."),
        (np.tanh(a_t)[:, None] * W_hh, "The slope of tanh is f'(a) = 1 - tanh(a)^2, not tanh(a)."),
        (f_prime[:, None] * np.eye(len(a_t)), "That is diag(f'(a_t)) alone: a_t depends on h_(t-1) through W_hh, "
                                              "so the chain rule multiplies it by W_hh."),
        ((1.0 - a_t ** 2)[:, None] * W_hh, "The slope is 1 - tanh(a)^2, with the tanh: 1 - a^2 leaves it out."),
    ]
    H = len(a_t)
    return check_number(answer, expected, decimals=JACOBIAN_DECIMALS, what="the Jacobian dh_t/dh_(t-1)",
                        wrong_answers=[(w, h) for w, h in wrong if not np.allclose(w, expected, atol=1e-3)],
                        hint="Use the chain rule: dh_t/dh_(t-1) = (dh_t/da_t)(da_t/dh_(t-1)), where dh_t/da_t "
                             f"is the diagonal {H} x {H} matrix of the slopes f'(a_t).",
                        success="Correct: row i of dh_t/dh_{t-1} is row i of W_hh times the slope f'(a_t[i]).")


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


def _restarted_gradient_W_hh(params: dict, x, target, h0, k: int) -> np.ndarray:
    """A classic mistake: every chunk's forward pass restarted from h0 (central differences)."""
    x, target, h0 = _check_problem(params, x, target, h0)
    params = {name: np.array(value, dtype=np.float64) for name, value in params.items()}
    starts = [h0] * len(range(0, len(x), k))
    return numerical_gradient(lambda: _truncated_loss(params, x, target, h0, k, starts), params["W_hh"])


def check_truncated_bptt(answer, params: dict, x, target, h0, k: int = 3) -> bool:
    """Exercise 2: is ``answer`` the truncated-BPTT gradient dL/dW_hh with chunks of ``k`` steps, each entry to
    6 decimal places?"""
    expected = truncated_gradient_W_hh(params, x, target, h0, k)
    full = full_gradient_W_hh(params, x, target, h0)
    gap = relative_error(expected, full)
    wrong = [(full, "That is the full BPTT gradient: in truncated BPTT no derivative crosses a chunk boundary. "
                    "Call backward on each chunk alone and add up the chunks' W_hh gradients."),
             (_restarted_gradient_W_hh(params, x, target, h0, k),
              "Each chunk's forward pass should start from the previous chunk's last state, not from h0: only the "
              "backward pass is cut at the boundaries.")]
    return check_number(answer, expected, decimals=TRUNCATED_DECIMALS, what="dL/dW_hh",
                        wrong_answers=[(w, h) for w, h in wrong if relative_error(w, expected) > 1e-3],
                        hint="Start each chunk's forward pass from the previous chunk's last state, call backward "
                             "on the chunk alone, and add up the chunks' W_hh gradients.",
                        success=f"Correct: this is truncated BPTT with chunks of {k} steps; its relative "
                                f"difference from the full BPTT gradient is {gap:.2f}.")
