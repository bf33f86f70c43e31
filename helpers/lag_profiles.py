"""The error at every lag for many weight scales and sequence lengths at once: the demo of notebook 6.

Notebook 6 (``notebooks/06_remedies_for_vanishing.ipynb``) writes out, for one model at a time, the
error signal at lag ``d``, the RMS over the batch of ``||dE_T/dh_{T-d}||`` with ``E_T = y_T``
(``error_by_lag`` for the plain RNN, ``skip_error_by_lag`` for the RNN with a skip connection,
``forward_skip`` / ``backward_skip``). Its demo moves a scale ``s`` and a length ``T``; computing
every setting with those functions takes tens of seconds, so :func:`lag_profiles` computes the
same numbers for every ``s`` and ``T`` in one pass (the notebook asserts that they agree):

- every scale uses the ``s = 1`` matrices times ``s``, so all scales run side by side as one batch;
- the RNN of length ``T`` is the first ``T`` steps of the longest one, so one backward pass carries
  the error of every ``T``: the error of length ``T_j`` enters at step ``T_j`` (the copies never mix).
"""
from __future__ import annotations

import numpy as np

from .validation import check_array, check_int

__all__ = ["lag_profiles"]

_ACTIVATIONS = ("tanh", "relu")


def _times(v: np.ndarray, W: np.ndarray) -> np.ndarray:
    """``v @ W`` for a stack of row vectors ``v``, shape (..., H), as one 2-D matrix product (faster)."""
    return (v.reshape(-1, W.shape[0]) @ W).reshape(v.shape[:-1] + (W.shape[1],))


def _rms_size(delta: np.ndarray) -> np.ndarray:
    """RMS over the batch of ``||delta_b||`` for ``delta`` of shape (..., B, H); safe above 1e154, inf/NaN give NaN."""
    largest = np.max(np.abs(delta), axis=(-2, -1), keepdims=True)
    unit = delta / np.where(largest > 0, largest, 1.0)
    return largest[..., 0, 0] * np.sqrt(np.einsum("...bh,...bh->...", unit, unit) / delta.shape[-2])


def lag_profiles(params: dict, activation: str, scales, T_values, x, skip_k: int | None = None):
    """Error by lag of an RNN (with an optional skip of ``skip_k`` steps) for every scale and length at once.

    Parameters
    ----------
    params : the weights at scale 1: ``W_xh`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,), ``W_hy`` (1, H),
        and ``W_skip`` (H, H) when ``skip_k`` is given. At scale ``s`` the recurrent matrices
        (``W_hh``, ``W_skip``) are multiplied by ``s``.
    activation : "tanh" or "relu".
    scales : the scales ``s``, shape (S,).
    T_values : the sequence lengths, increasing whole numbers >= 1, shape (n_T,).
    x : inputs, shape (T_max, B, D) with T_max >= max(T_values); the RNN of length T reads x[:T].
    skip_k : the skip length k >= 1 (``a_t`` also gets ``W_skip h_{t-k}`` for t >= k), or None.

    Returns
    -------
    sizes : shape (S, n_T, max(T_values) + 1); entry [i, j, d] is the RMS over the batch of
        ``||dE_T/dh_{T-d}||`` at s = scales[i], T = T_values[j] (NaN where d > T).
    overflow_step : shape (S,), the first step whose forward state h_t is inf or NaN (0: none).
    """
    if activation not in _ACTIVATIONS:
        raise ValueError(f"activation must be one of {_ACTIVATIONS}, got {activation!r}")
    scales = check_array("scales", scales, ndim=1, kinds="iuf", dtype=float)
    T_values = check_array("T_values", T_values, ndim=1, kinds="iu")
    if T_values.size == 0 or T_values.min() < 1 or np.any(np.diff(T_values) <= 0):
        raise ValueError(f"T_values must be increasing whole numbers >= 1, got {T_values.tolist()}")
    x = check_array("x", x, ndim=3, kinds="iuf", dtype=float)
    t_max = int(T_values[-1])
    if x.shape[0] < t_max:
        raise ValueError(f"x must have at least max(T_values) = {t_max} steps, got {x.shape[0]}")
    if skip_k is not None:
        skip_k = check_int("skip_k", skip_k, minimum=1)
    p = params
    n_s, n_T, B, H = len(scales), len(T_values), x.shape[1], p["W_hh"].shape[0]
    s3 = scales[:, None, None]                               # Shape: (S, 1, 1)
    s4 = s3[..., None]                                       # Shape: (S, 1, 1, 1)
    h = np.zeros((t_max + 1, n_s, B, H))                     # h_t at every scale
    f_prime = np.empty((t_max, n_s, B, H))                   # f'(a_t)
    x_in = x[:t_max] @ p["W_xh"].T + p["b_h"]                # W_xh x_t + b_h, Shape: (t_max, B, H)
    sizes = np.full((n_s, n_T, t_max + 1), np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        for t in range(1, t_max + 1):                        # forward
            a = x_in[t - 1] + s3 * _times(h[t - 1], p["W_hh"].T)      # + s W_hh h_{t-1}
            if skip_k is not None and t >= skip_k:
                a += s3 * _times(h[t - skip_k], p["W_skip"].T)        # + s W_skip h_{t-k}
            if activation == "tanh":
                h[t] = np.tanh(a)
                f_prime[t - 1] = 1.0 - h[t] * h[t]
            else:
                h[t] = np.maximum(a, 0.0)
                f_prime[t - 1] = np.heaviside(a, 0.0)
        paths = [(1, p["W_hh"])] + ([(skip_k, p["W_skip"])] if skip_k is not None else [])
        da_later = {}                                        # da_t of later steps, kept while still needed
        for t in range(t_max, -1, -1):                       # backward
            j0 = int(np.searchsorted(T_values, t))           # lengths T_j >= t have started: rows j0, j0+1, ...
            delta = np.zeros((n_s, n_T - j0, B, H))          # dE_{T_j}/dh_t for those rows
            delta[:, T_values[j0:] == t] = p["W_hy"][0]      # the error of length T_j starts at step T_j
            for step, W in paths:                            # + s W_hh^T da_{t+1}  (+ s W_skip^T da_{t+k})
                if t + step in da_later:
                    later = da_later[t + step]               # its rows are the last rows of delta
                    delta[:, n_T - j0 - later.shape[1]:] += s4 * _times(later, W)
            sizes[:, np.arange(j0, n_T), T_values[j0:] - t] = _rms_size(delta)   # at lag T_j - t
            if t >= 1:
                da_later[t] = f_prime[t - 1][:, None] * delta    # da_t = f'(a_t) * delta_t
            da_later.pop(t + paths[-1][0], None)             # no earlier step needs this one any more
        bad = ~np.all(np.isfinite(h), axis=(2, 3))           # Shape: (t_max + 1, S)
    overflow_step = np.where(bad.any(axis=0), bad.argmax(axis=0), 0)
    return sizes, overflow_step
