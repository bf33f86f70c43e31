"""Gradient clipping by norm, written out in notebook 05: kept here for notebooks 06-07.

Written out and explained in ``notebooks/05_gradient_clipping.ipynb``
(Pascanu, Mikolov & Bengio 2013, Algorithm 1)::

    g = all gradients, taken together as one vector
    if ||g|| > theta:  g = theta * g / ||g||

It rescales every gradient by the same factor, so the update keeps its
direction and only its length is capped at ``theta``.
"""
from __future__ import annotations

import numpy as np

from .validation import check_array, check_float, describe

__all__ = ["global_norm", "clip_by_norm"]


def _gradient_arrays(grads) -> list[np.ndarray]:
    """The arrays of ``grads`` (an array or a non-empty dict of arrays), checked; ValueError naming the bad one.

    Only structure is checked: inf and NaN are the symptom clipping is about, so they pass.
    """
    if isinstance(grads, dict):
        if not grads:
            raise ValueError("grads must be an array or a dict of arrays, got an empty dict")
        return [check_array(f"grads[{k!r}]", g, finite=False, kinds="iuf") for k, g in grads.items()]
    if grads is None or isinstance(grads, (str, bytes)):
        raise ValueError(f"grads must be an array or a dict of arrays, got {describe(grads)}")
    return [check_array("grads", grads, finite=False, kinds="iuf")]


def global_norm(grads) -> float:
    """Euclidean norm of all gradients together: sqrt(sum over arrays of sum(g**2)).

    ``grads`` is an array or a dict of arrays (any shapes). inf or NaN in any
    gradient gives an inf or NaN norm. Computed as ``m * sqrt(sum((g/m)**2))``
    with ``m`` the largest |entry|, so that a finite gradient with entries
    above ~1e154 (whose squares overflow) still has a finite norm.
    """
    arrays = [a.astype(np.float64, copy=False) for a in _gradient_arrays(grads)]
    with np.errstate(over="ignore", invalid="ignore"):
        if any(np.isnan(a).any() for a in arrays):
            return float("nan")
        m = max((float(np.max(np.abs(a))) for a in arrays if a.size), default=0.0)
        if m == 0.0 or not np.isfinite(m):
            return m
        return m * float(np.sqrt(sum(float(np.sum(np.square(a / m))) for a in arrays)))


def clip_by_norm(grads, theta: float):
    """Rescale ``grads`` so that their joint norm is at most ``theta``; return the clipped gradients.

    Written out in notebook 05 (section 1), with the same signature; the notebook asserts that the
    two agree. ``grads``: an array or a dict of arrays; the result has the same form (new arrays; the
    input is not modified; the dtype is kept, so float32 gradients stay float32). When the norm is
    not finite the gradients are returned unchanged (their inf/NaN is the symptom to show; rescaling
    by inf would only turn it into zeros and hide it). The norm before clipping is ``global_norm(grads)``.
    """
    theta = check_float("theta", theta, minimum=0.0, exclusive_minimum=True)
    norm = global_norm(grads)                   # also checks grads
    scale = theta / norm if (np.isfinite(norm) and norm > theta) else 1.0
    clipped = ({k: np.asarray(g) * scale for k, g in grads.items()} if isinstance(grads, dict)
               else np.asarray(grads) * scale)
    return clipped
