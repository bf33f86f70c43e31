"""Check functions for the notebooks' exercises, one module per notebook (``nb03`` for notebook 3).

Each check computes the right answer from first principles (nothing is
hard-coded) and prints a short verdict with a hint, returning True or False,
so a student can call ``check_...(my_answer)`` as often as they like::

    from helpers.exercises import nb03
    nb03.check_max_sigmoid_weight(4.0)
"""
from __future__ import annotations

import numpy as np

__all__ = ["verdict", "close_enough", "same_whole_number", "as_answer_array"]


def close_enough(answer, expected, *, rtol: float = 1e-3, atol: float = 0.0) -> bool:
    """True when ``answer`` has the shape of ``expected`` and matches it to ``rtol``/``atol``."""
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=float)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))


def same_whole_number(answer, expected: int) -> bool:
    """True when ``answer`` is a finite number (not a bool) equal to the whole number ``expected``."""
    return (not isinstance(answer, bool) and isinstance(answer, (int, np.integer, float, np.floating))
            and bool(np.isfinite(answer)) and answer == expected)


def as_answer_array(answer, shape: tuple, what: str):
    """``(array, "")`` when ``answer`` is a numeric array of ``shape``, else ``(None, hint)``.

    ``what`` names the quantity in the hint, e.g. ``"The Jacobian"``.
    """
    if answer is None:
        return None, "Replace None with your array."
    try:
        arr = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return None, f"{what} is an array of numbers of shape {tuple(shape)}."
    if arr.shape != tuple(shape):
        return None, f"{what} has shape {tuple(shape)}, got {arr.shape}."
    return arr, ""


def verdict(ok: bool, hint: str = "", *, success: str = "Correct.") -> bool:
    """Print a one-line verdict (with ``hint`` when wrong) and return ``ok``."""
    print(success if ok else f"Not yet. {hint}".rstrip())
    return ok
