"""Check functions for the exercises of ``notebooks/05_gradient_clipping.ipynb``.

Every expected answer comes from a closed form (the norm and the angle of
plain vectors, steps * lr * theta); nothing is hard-coded. The rule for what
is accepted is :func:`helpers.exercises.check_number`.
"""
from __future__ import annotations

import math

import numpy as np

from . import check_number
from ..validation import check_array, check_float, check_int

__all__ = ["clipped_by_norm", "value_clip_angle", "max_distance",
           "check_clip_by_norm", "check_value_clip_angle", "check_max_distance"]

#: Exercise 1 asks for each entry of the clipped vector to 3 decimal places.
CLIP_DECIMALS = 3
#: Exercise 2 asks for the angle in degrees, to the nearest degree.
ANGLE_DECIMALS = 0
#: Exercise 3 asks for the distance to 2 decimal places.
DISTANCE_DECIMALS = 2


def clipped_by_norm(g=(3.0, 4.0), theta: float = 1.0) -> np.ndarray:
    """``g`` rescaled to norm ``theta`` if its norm is larger, else ``g`` itself."""
    g = check_array("g", g, ndim=1, kinds="iuf", nonempty=True).astype(float)
    theta = check_float("theta", theta, minimum=0.0, exclusive_minimum=True)
    norm = float(np.sqrt(np.sum(g * g)))
    return g * (theta / norm) if norm > theta else g


def _angle(a: np.ndarray, b: np.ndarray) -> float:
    cos = float(a @ b / (np.linalg.norm(a) * np.linalg.norm(b)))
    return float(np.degrees(np.arccos(min(1.0, max(-1.0, cos)))))


def value_clip_angle(g=(3.0, 0.5), c: float = 1.0) -> float:
    """Angle in degrees between ``g`` and ``g`` with every entry clipped to [-c, c]."""
    g = check_array("g", g, ndim=1, kinds="iuf", nonempty=True).astype(float)
    c = check_float("c", c, minimum=0.0, exclusive_minimum=True)
    if not np.any(g):
        raise ValueError("g must not be all zeros (the angle of a zero vector is undefined)")
    return _angle(g, np.clip(g, -c, c))


def max_distance(lr: float = 0.1, theta: float = 0.5, steps: int = 20) -> float:
    """Farthest the weights can move in ``steps`` clipped updates: each step is at most lr * theta long."""
    lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
    theta = check_float("theta", theta, minimum=0.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    return steps * lr * theta


def check_clip_by_norm(answer, g=(3.0, 4.0), theta: float = 1.0) -> bool:
    """Exercise 1: ``g`` clipped by norm with threshold ``theta``, each entry to 3 decimal places."""
    expected = clipped_by_norm(g, theta)
    g = np.asarray(g, dtype=float)
    norm = float(np.linalg.norm(g))
    wrong = [(g, f"The norm of g is {norm:.3g}, more than theta = {theta:g}: g must be rescaled to norm theta."),
             (g * theta / norm ** 2, "You divided by the squared norm ||g||^2; divide by the norm ||g|| itself."),
             (np.clip(g, -theta, theta), "That clips each entry to [-theta, theta] (clipping by value), which turns "
                                         "the direction. Rescale the whole vector by theta / ||g|| instead.")]
    return check_number(answer, expected, decimals=CLIP_DECIMALS, what="the clipped g",
                        wrong_answers=[(w, h) for w, h in wrong if not np.allclose(w, expected, atol=1e-3)],
                        hint="Divide g by its norm sqrt(g1^2 + g2^2), then multiply by theta "
                             "(only if the norm is larger than theta).",
                        success=f"Correct: the clipped g has norm {min(norm, theta):g} and the direction of g.")


def check_value_clip_angle(answer, g=(3.0, 0.5), c: float = 1.0) -> bool:
    """Exercise 2: the angle by which clipping each entry to [-c, c] turns ``g``, in degrees, to the nearest degree."""
    expected = value_clip_angle(g, c)
    g = np.asarray(g, dtype=float)
    clipped = np.clip(g, -c, c)
    wrong = []
    if len(g) == 2:
        axis = np.array([1.0, 0.0])
        wrong = [(_angle(clipped, axis), f"That is the angle between the clipped vector {tuple(clipped.tolist())} "
                                         "and the horizontal axis; subtract the angle of g itself."),
                 (_angle(g, axis), "That is the angle between g and the horizontal axis; compare g with the clipped "
                                   "vector instead."),
                 (0.0, f"Clipping each entry does turn g: compare the directions of g and {tuple(clipped.tolist())}.")]
    return check_number(answer, expected, decimals=ANGLE_DECIMALS, unit="degrees", what="the angle",
                        other_units={"radians": math.pi / 180},
                        wrong_answers=[(w, h) for w, h in wrong if abs(w - expected) > 1.0],
                        hint="Clip each entry, then compare the directions: the angle of (a, b) is arctan(b / a).",
                        success=f"Correct: value clipping turned g by {expected:.1f} degrees.")


def check_max_distance(answer, lr: float = 0.1, theta: float = 0.5, steps: int = 20) -> bool:
    """Exercise 3: the farthest ``steps`` clipped updates can move the weights, to 2 decimal places."""
    expected = max_distance(lr, theta, steps)
    wrong = [(lr * theta, f"That is the longest single step, eta * theta; there are {steps} of them."),
             (steps * theta, "theta bounds the gradient's norm; the update is eta * g, so each step is at most "
                             "eta * theta long."),
             (steps * lr, "The gradient's norm is at most theta, so each update eta * g is at most eta * theta long."),
             (math.sqrt(steps) * lr * theta, "That is how far random directions would add up; the farthest is when "
                                             "every step points the same way.")]
    return check_number(answer, expected, decimals=DISTANCE_DECIMALS, what="a distance",
                        wrong_answers=[(w, h) for w, h in wrong if abs(w - expected) > 0.01],
                        hint="How long can one clipped update eta * g be at most? The steps add up at most in a "
                             "straight line.",
                        success=f"Correct: at most {steps} x {lr:g} x {theta:g} = {expected:g}.")
