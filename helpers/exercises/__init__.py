"""Check functions for the notebooks' exercises, one module per notebook (``nb03`` for notebook 3).

Each check computes the right answer from first principles (nothing is
hard-coded) and prints a short verdict with a hint, returning True or False,
so a student can call ``check_...(my_answer)`` as often as they like::

    from helpers.exercises import nb03
    nb03.check_max_sigmoid_weight(4.0)
"""
from __future__ import annotations

import numpy as np

__all__ = ["verdict", "close_enough"]


def close_enough(answer, expected, *, rtol: float = 1e-3, atol: float = 0.0) -> bool:
    """True when ``answer`` has the shape of ``expected`` and matches it to ``rtol``/``atol``."""
    try:
        a = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        return False
    e = np.asarray(expected, dtype=float)
    return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))


def verdict(ok: bool, hint: str = "", *, success: str = "Correct.") -> bool:
    """Print a one-line verdict (with ``hint`` when wrong) and return ``ok``."""
    print(success if ok else f"Not yet. {hint}".rstrip())
    return ok
