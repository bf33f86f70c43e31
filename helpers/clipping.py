"""Gradient clipping by norm: kept here for notebooks 06-07.

Written out and explained in ``notebooks/05_gradient_clipping.ipynb``
(Pascanu, Mikolov & Bengio 2013, Algorithm 1)::

    g = all gradients, taken together as one vector
    if ||g|| > theta:  g = theta * g / ||g||

It rescales every gradient by the same factor, so the update keeps its
direction and only its length is capped at ``theta``.
"""
from __future__ import annotations

import numpy as np

from .validation import check_float

__all__ = ["global_norm", "clip_by_norm"]


def global_norm(grads) -> float:
    """Euclidean norm of all gradients together: sqrt(sum over arrays of sum(g**2)).

    ``grads`` is an array or a dict of arrays (any shapes). inf or NaN in any
    gradient gives an inf or NaN norm. Computed as ``m * sqrt(sum((g/m)**2))``
    with ``m`` the largest |entry|, so that a finite gradient with entries
    above ~1e154 (whose squares overflow) still has a finite norm.
    """
    arrays = [np.asarray(g, dtype=np.float64) for g in (grads.values() if isinstance(grads, dict) else [grads])]
    with np.errstate(over="ignore", invalid="ignore"):
        if any(np.isnan(a).any() for a in arrays):
            return float("nan")
        m = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
        if m == 0.0 or not np.isfinite(m):
            return m
        return m * float(np.sqrt(sum(float(np.sum(np.square(a / m))) for a in arrays)))


def clip_by_norm(grads, theta: float):
    """Rescale ``grads`` so that their joint norm is at most ``theta``; return (clipped, norm before).

    ``grads``: an array or a dict of arrays; the result has the same form (new
    arrays; the input is not modified). When the norm is not finite the
    gradients are returned unchanged (their inf/NaN is the symptom to show;
    rescaling by inf would only turn it into zeros and hide it).
    """
    theta = check_float("theta", theta, minimum=0.0, exclusive_minimum=True)
    norm = global_norm(grads)
    scale = theta / norm if (np.isfinite(norm) and norm > theta) else 1.0
    if isinstance(grads, dict):
        return {k: np.asarray(g) * scale for k, g in grads.items()}, norm
    return np.asarray(grads) * scale, norm
