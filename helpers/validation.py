"""Input checks shared by every helper.

Each check raises ``ValueError`` whose message names the argument and says
what it accepts, so a student who passes ``T=-3`` reads
``T must be an integer >= 1, got -3`` rather than a numpy traceback.
"""
from __future__ import annotations

import math
import numbers

import numpy as np

__all__ = ["check_int", "check_float", "check_choice", "check_array"]


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise ValueError naming ``name``.

    Accepts Python and numpy integers (and floats that are whole numbers,
    which sliders sometimes produce); ``bool`` is rejected.
    """
    accepts = _range_text("an integer", minimum, maximum)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    if not isinstance(value, numbers.Integral):
        if not math.isfinite(value) or value != int(value):
            raise ValueError(f"{name} must be {accepts}, got {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    return value


def check_float(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
                exclusive_minimum: bool = False) -> float:
    """Return ``value`` as a finite float in the given range, or raise ValueError."""
    low = None if minimum is None else (("> " if exclusive_minimum else ">= ") + f"{minimum:g}")
    parts = ["a finite number"] + [p for p in (low, None if maximum is None else f"<= {maximum:g}") if p]
    accepts = parts[0] + (" " + " and ".join(parts[1:]) if len(parts) > 1 else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    if minimum is not None and (value < minimum or (exclusive_minimum and value == minimum)):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    if maximum is not None and value > maximum:
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    return value


def check_choice(name: str, value, choices):
    """Return ``value`` if it is one of ``choices``, or raise ValueError listing them."""
    choices = tuple(choices)
    if value not in choices:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {value!r}")
    return value


def check_array(name: str, value, *, ndim: int | None = None, shape: tuple | None = None,
                finite: bool = True, dtype=None) -> np.ndarray:
    """Return ``value`` as a numpy array after checking its rank, shape and values.

    ``shape`` may contain ``None`` for "any size" along that axis,
    e.g. ``shape=(None, 3)`` accepts arrays of shape (n, 3).
    """
    try:
        arr = np.asarray(value, dtype=dtype)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{name} must be a numeric array, got {type(value).__name__}") from exc
    if arr.dtype.kind not in "biuf":
        raise ValueError(f"{name} must be a numeric array, got dtype {arr.dtype}")
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and arr.ndim != ndim:
        want = f"shape {_shape_text(shape)}" if shape is not None else f"{ndim} dimension(s)"
        raise ValueError(f"{name} must have {want}, got shape {arr.shape}")
    if shape is not None and any(s is not None and s != a for s, a in zip(shape, arr.shape)):
        raise ValueError(f"{name} must have shape {_shape_text(shape)}, got shape {arr.shape}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no inf or NaN)")
    return arr


def _range_text(kind: str, minimum, maximum) -> str:
    if minimum is not None and maximum is not None:
        return f"{kind} from {minimum} to {maximum}"
    if minimum is not None:
        return f"{kind} >= {minimum}"
    if maximum is not None:
        return f"{kind} <= {maximum}"
    return kind


def _shape_text(shape) -> str:
    return "(" + ", ".join("any" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
