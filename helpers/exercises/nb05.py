"""Check functions for the exercises of ``notebooks/05_gradient_clipping.ipynb``.

Every expected answer is computed here from first principles (the norm and
the angle of plain vectors); nothing is hard-coded. Each check prints a
one-line verdict and returns True or False; ``None`` (the placeholder in the
notebook) prints "Not yet".
"""
from __future__ import annotations

import numpy as np

from . import close_enough, verdict, wrong_kind
from ..validation import check_array, check_float, check_int

__all__ = ["clipped_by_norm", "value_clip_angle", "max_distance",
           "check_clip_by_norm", "check_value_clip_angle", "check_max_distance"]


def clipped_by_norm(g=(3.0, 4.0), theta: float = 1.0) -> np.ndarray:
    """``g`` rescaled to norm ``theta`` if its norm is larger, else ``g`` itself."""
    g = check_array("g", g, ndim=1, kinds="iuf", nonempty=True).astype(float)
    theta = check_float("theta", theta, minimum=0.0, exclusive_minimum=True)
    norm = float(np.sqrt(np.sum(g * g)))
    return g * (theta / norm) if norm > theta else g


def value_clip_angle(g=(3.0, 0.5), c: float = 1.0) -> float:
    """Angle in degrees between ``g`` and ``g`` with every entry clipped to [-c, c]."""
    g = check_array("g", g, ndim=1, kinds="iuf", nonempty=True).astype(float)
    c = check_float("c", c, minimum=0.0, exclusive_minimum=True)
    if not np.any(g):
        raise ValueError("g must not be all zeros (the angle of a zero vector is undefined)")
    clipped = np.clip(g, -c, c)
    cos = float(g @ clipped / (np.linalg.norm(g) * np.linalg.norm(clipped)))
    return float(np.degrees(np.arccos(min(1.0, max(-1.0, cos)))))


def max_distance(lr: float = 0.1, theta: float = 0.5, steps: int = 20) -> float:
    """Farthest the weights can move in ``steps`` clipped updates: each step is at most lr * theta long."""
    lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
    theta = check_float("theta", theta, minimum=0.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    return steps * lr * theta


def check_clip_by_norm(answer, g=(3.0, 4.0), theta: float = 1.0) -> bool:
    """Exercise 1: clip ``g`` by norm with threshold ``theta``."""
    if answer is None:
        return verdict(False, "Replace None with the clipped vector, e.g. [0.1, 0.2].")
    expected = clipped_by_norm(g, theta)
    ok = close_enough(answer, expected, rtol=1e-6, atol=1e-12)
    return verdict(ok, ("" if ok else wrong_kind(answer, f"a vector of {expected.size} numbers, like g",
                                                 shape=expected.shape))
                   or "Divide g by its norm sqrt(g1^2 + g2^2), then multiply by theta "
                       "(only if the norm is larger than theta).")


def check_value_clip_angle(answer, g=(3.0, 0.5), c: float = 1.0) -> bool:
    """Exercise 2: the angle (degrees) by which clipping each entry to [-c, c] turns ``g``."""
    if answer is None:
        return verdict(False, "Replace None with an angle in degrees.")
    ok = close_enough(answer, value_clip_angle(g, c), rtol=1e-3, atol=0.05)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a number of degrees (3 significant digits are enough)"))
                   or "Clip each entry, then compare the directions: the angle of (a, b) is arctan(b / a). "
                       "Give degrees, not radians.")


def check_max_distance(answer, lr: float = 0.1, theta: float = 0.5, steps: int = 20) -> bool:
    """Exercise 3: the farthest ``steps`` clipped updates can move the weights."""
    if answer is None:
        return verdict(False, "Replace None with a distance (a number).")
    ok = close_enough(answer, max_distance(lr, theta, steps), rtol=1e-6)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a number (a distance)"))
                   or "How long can one clipped update eta * g be at most? The steps add up at most in a straight line.")
