"""Numerical gradients by central differences, for checking hand-written backprop.

    df/dx_i  ~=  ( f(x + eps e_i) - f(x - eps e_i) ) / (2 eps)

The error of this formula is O(eps^2) (truncation) plus O(u / eps) (rounding,
with u ~ 1e-16 in float64), so eps = 1e-6 gives about 1e-10 relative accuracy
for well-scaled functions. Always check in float64: in float32 (u ~ 1e-7) the
rounding term alone is about 0.1 and the check says nothing.
"""
from __future__ import annotations

import numbers
from typing import Callable, Mapping

import numpy as np

from .validation import check_array, check_callable, check_float, describe

__all__ = ["numerical_gradient", "relative_error", "check_gradients"]


def numerical_gradient(f: Callable[[], float], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Central-difference gradient of the scalar ``f()`` with respect to the array ``x``.

    ``f`` takes no arguments and reads ``x`` (for example a weight matrix of a
    model); ``x`` is perturbed in place one entry at a time and restored.

    Parameters
    ----------
    f : callable returning a float (the loss).
    x : float64 array of any shape, modified in place during the call.
    eps : step size, > 0.

    Returns
    -------
    grad : float64 array with the shape of ``x``.
    """
    eps = check_float("eps", eps, minimum=0.0, exclusive_minimum=True)
    check_callable("f", f, "a function of no arguments returning the loss")
    _check_float64("x", x)
    grad = np.zeros_like(x)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        f_plus = _loss_value(f)
        x[i] = old - eps
        f_minus = _loss_value(f)
        x[i] = old
        grad[i] = (f_plus - f_minus) / (2.0 * eps)
    return grad


def _check_float64(name: str, x) -> None:
    """``x`` must be a writable float64 numpy array: it is perturbed in place, and float32 is too coarse."""
    if not isinstance(x, np.ndarray) or x.dtype != np.float64:
        raise ValueError(f"{name} must be a float64 numpy array (check gradients in float64), "
                         f"got {type(x).__name__} with dtype {getattr(x, 'dtype', None)}")
    if not x.flags.writeable:
        raise ValueError(f"{name} must be writable (it is perturbed in place), got a read-only array")


def _loss_value(f) -> float:
    """float(f()), or ValueError when f returns something that is not one number."""
    value = f()
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.reshape(())[()]              # a 1-element array (e.g. shape (1,)) is one number
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"f must return the loss as one number, got {describe(value)}")
    return float(value)


def relative_error(analytic, numeric) -> float:
    """Relative error ``||a - n|| / max(||a|| + ||n||, 1e-300)`` (Frobenius norms).

    About 1e-10 or smaller means the analytic gradient is right; 1e-7 is the
    series' pass threshold; above 1e-4 something is wrong. Measured on whole
    arrays rather than entry by entry, so entries that are tiny in both do not
    inflate it.
    """
    a = check_array("analytic", analytic, finite=False, kinds="iuf", dtype=np.float64)
    n = check_array("numeric", numeric, finite=False, kinds="iuf", dtype=np.float64)
    if a.shape != n.shape:
        raise ValueError(f"analytic and numeric must have the same shape, got {a.shape} and {n.shape}")
    denom = max(np.linalg.norm(a) + np.linalg.norm(n), 1e-300)
    return float(np.linalg.norm(a - n) / denom)


def check_gradients(loss: Callable[[], float], params: Mapping[str, np.ndarray],
                    grads: Mapping[str, np.ndarray], eps: float = 1e-6) -> dict[str, float]:
    """Relative error of every analytic gradient ``grads[name]`` against central differences.

    ``loss()`` must compute the loss from the arrays in ``params`` (which are
    perturbed in place: float64 arrays). Returns ``{name: relative error}``.
    """
    check_callable("loss", loss, "a function of no arguments returning the loss")
    eps = check_float("eps", eps, minimum=0.0, exclusive_minimum=True)
    if not isinstance(params, Mapping) or not params:
        raise ValueError(f"params must be a non-empty dict of float64 arrays, got {describe(params)}")
    if not isinstance(grads, Mapping):
        raise ValueError(f"grads must be a dict of arrays (one per key of params), got {describe(grads)}")
    missing = set(params) - set(grads)
    if missing:
        raise ValueError(f"grads must have an entry for every parameter; missing {sorted(missing)}")
    for name, x in params.items():
        _check_float64(f"params[{name!r}]", x)
        check_array(f"grads[{name!r}]", grads[name], shape=x.shape, finite=False, kinds="iuf")
    return {name: relative_error(grads[name], numerical_gradient(loss, params[name], eps))
            for name in params}
