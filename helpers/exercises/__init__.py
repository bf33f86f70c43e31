"""Check functions for the notebooks' exercises, one module per notebook (``nb03`` for notebook 3).

Each check computes the right answer from first principles (nothing is
hard-coded) and prints a short verdict with a hint, returning True or False,
so a student can call ``check_...(my_answer)`` as often as they like::

    from helpers.exercises import nb03
    nb03.check_max_sigmoid_weight(4.0)

A check never raises because of the *answer*: whatever a student passes (a
string, NaN, None, a list of the wrong shape, a bool, 10**400) prints "Not
yet." with what kind of answer is wanted, and returns False. The checks'
other parameters (the exercise's settings) raise ValueError when invalid.
"""
from __future__ import annotations

import math

import numpy as np

from ..validation import check_array, check_float, check_int, describe

__all__ = ["verdict", "close_enough", "same_whole_number", "as_answer_array", "wrong_kind"]


def close_enough(answer, expected, *, rtol: float = 1e-3, atol: float = 0.0) -> bool:
    """True when ``answer`` has the shape of ``expected`` and matches it to ``rtol``/``atol``; never raises for ``answer``."""
    rtol = check_float("rtol", rtol, minimum=0.0)
    atol = check_float("atol", atol, minimum=0.0)
    try:
        a = np.asarray(answer, dtype=float)
    except Exception:                  # whatever the answer is (a dict, 10**400, a broken object): not close
        return False
    e = check_array("expected", expected, finite=False, kinds="iuf", dtype=float)
    with np.errstate(all="ignore"):
        return a.shape == e.shape and bool(np.allclose(a, e, rtol=rtol, atol=atol))


def same_whole_number(answer, expected: int) -> bool:
    """True when ``answer`` is a finite number (not a bool) equal to the whole number ``expected``."""
    expected = check_int("expected", expected)
    if isinstance(answer, bool) or not isinstance(answer, (int, np.integer, float, np.floating)):
        return False
    # math.isfinite, not np.isfinite: it also takes Python ints beyond float range (and says they are finite)
    return (isinstance(answer, (int, np.integer)) or math.isfinite(answer)) and bool(answer == expected)


def as_answer_array(answer, shape: tuple, what: str):
    """``(array, "")`` when ``answer`` is a numeric array of ``shape``, else ``(None, hint)``; never raises for ``answer``.

    ``what`` names the quantity in the hint, e.g. ``"The Jacobian"``.
    """
    if not isinstance(shape, tuple) or not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"shape must be a tuple of whole numbers >= 0, got {describe(shape)}")
    if not isinstance(what, str):
        raise ValueError(f"what must be a string naming the quantity, got {describe(what)}")
    if answer is None:
        return None, "Replace None with your array."
    try:
        arr = np.asarray(answer, dtype=float)
    except Exception:                  # strings, ragged lists, dicts, 10**400, ...
        return None, f"{what} is an array of numbers of shape {tuple(shape)}, got {describe(answer)}."
    if arr.shape != tuple(shape):
        return None, f"{what} has shape {tuple(shape)}, got {arr.shape}."
    return arr, ""


def wrong_kind(answer, wanted: str, *, shape: tuple = (), whole: bool = False) -> str:
    """``""`` when ``answer`` is the kind of answer asked for, else a one-line hint saying what is wanted.

    The kind: finite numbers (not bools, not strings) in an array of ``shape``
    (``()`` for one number), with no fractional part when ``whole``. ``wanted``
    names it in the hint, e.g. ``"a whole number"`` or ``"an array of shape (2, 2)"``.
    Call it once an answer has failed, so that it never changes what is accepted.
    """
    if answer is None:
        return f"Replace None with {wanted}."
    try:
        arr = np.asarray(answer)
        ok = (arr.dtype.kind in "iuf" and arr.shape == tuple(shape)      # bool, str, object, complex: not numbers
              and bool(np.all(np.isfinite(arr))) and (not whole or bool(np.all(arr == np.round(arr)))))
    except Exception:
        ok = False
    return "" if ok else f"The answer is {wanted}, got {describe(answer)}."


def verdict(ok: bool, hint: str = "", *, success: str = "Correct.") -> bool:
    """Print a one-line verdict (with ``hint`` when wrong) and return ``ok``."""
    if not isinstance(ok, (bool, np.bool_)):
        raise ValueError(f"ok must be True or False, got {describe(ok)}")
    if not isinstance(hint, str) or not isinstance(success, str):
        raise ValueError(f"hint and success must be strings, got {describe(hint)} and {describe(success)}")
    print(success if ok else f"Not yet. {hint}".rstrip())
    return bool(ok)
