"""Input checks shared by every helper.

Each check raises ``ValueError`` whose message names the argument and says
what it accepts, so a student who passes ``T=-3`` reads
``T must be an integer >= 1, got -3`` rather than a numpy traceback.

The checks look at structure only (type, rank, shape, dtype, keys) unless
asked for more: inf and NaN inside data and weights are the symptoms this
series shows, so they pass through; settings (a step count, a learning
rate, a threshold) are checked to be finite and in range. The checks are
cheap enough for ``helpers.rnn.forward`` on every slider move: no copies and
no scans of large arrays unless ``finite=True``.
"""
from __future__ import annotations

import math
import numbers
from collections.abc import Mapping

import numpy as np

__all__ = ["FLOAT_DTYPES", "check_int", "check_float", "check_choice", "check_callable", "check_array",
           "check_float_dtype", "check_array_dict", "describe"]

#: The float precisions the models compute in (float16 is too coarse for BPTT; longdouble is not portable).
FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))

# What check_array says it accepts, by the dtype kinds allowed (b bool, i/u integers, f floats).
_KIND_TEXT = {
    frozenset("biuf"): "a numeric array",
    frozenset("iuf"): "a numeric array (integers or floats, not bool)",
    frozenset("f"): "an array of floats",
}


def describe(value, limit: int = 40) -> str:
    """``repr(value)`` on one line, cut to about ``limit`` characters (for messages about any input)."""
    if isinstance(value, np.ndarray) and value.size > 6:
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    try:
        text = " ".join(repr(value).split())
    except Exception:                  # a broken __repr__ must not hide the real message
        text = f"a {type(value).__name__}"
    return text if len(text) <= limit else text[:limit - 3] + "..."


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` as an int, or raise ValueError naming ``name``.

    Accepts Python and numpy integers (and floats that are whole numbers,
    which sliders sometimes produce); ``bool`` is rejected.
    """
    accepts = _range_text("an integer", minimum, maximum)
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {accepts}, got {describe(value)}")
    if not isinstance(value, numbers.Integral):
        if not math.isfinite(value) or value != int(value):
            raise ValueError(f"{name} must be {accepts}, got {value!r}")
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    return value


def check_float(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
                exclusive_minimum: bool = False, exclusive_maximum: bool = False, finite: bool = True) -> float:
    """Return ``value`` as a float in the given range, or raise ValueError.

    ``finite=False`` lets inf and NaN through (for a point of a model that
    may diverge, not for a setting); ``bool`` is rejected either way.
    """
    low = None if minimum is None else (("> " if exclusive_minimum else ">= ") + f"{minimum:g}")
    high = None if maximum is None else (("< " if exclusive_maximum else "<= ") + f"{maximum:g}")
    parts = ["a finite number" if finite else "a real number"] + [p for p in (low, high) if p]
    accepts = parts[0] + (" " + " and ".join(parts[1:]) if len(parts) > 1 else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValueError(f"{name} must be {accepts}, got {describe(value)}")
    try:
        value = float(value)
    except OverflowError:              # an int beyond float range: not a usable setting
        raise ValueError(f"{name} must be {accepts}, got {describe(value)}") from None
    if finite and not math.isfinite(value):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    if minimum is not None and (value < minimum or (exclusive_minimum and value == minimum)):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    if maximum is not None and (value > maximum or (exclusive_maximum and value == maximum)):
        raise ValueError(f"{name} must be {accepts}, got {value!r}")
    return value


def check_choice(name: str, value, choices):
    """Return ``value`` if it is one of ``choices``, or raise ValueError listing them."""
    choices = tuple(choices)
    try:
        hash(value)                    # lists and arrays are never a choice (and `in` would compare elementwise)
        found = value in choices
    except (TypeError, ValueError):
        found = False
    if not found:
        listed = ", ".join(repr(c) for c in choices)
        raise ValueError(f"{name} must be one of {listed}, got {describe(value)}")
    return value


def check_callable(name: str, value, what: str, *, optional: bool = False):
    """Return ``value`` if it can be called (or is None when ``optional``), else raise ValueError.

    ``what`` says what the function should do, e.g. ``"a function grads -> clipped grads"``.
    """
    if (value is None and optional) or callable(value):
        return value
    raise ValueError(f"{name} must be {what}{' or None' if optional else ''}, got {describe(value)}")


def check_array(name: str, value, *, ndim: int | None = None, shape: tuple | None = None,
                finite: bool = True, dtype=None, kinds: str = "biuf", nonempty: bool = False) -> np.ndarray:
    """Return ``value`` as a numpy array after checking its dtype, rank, shape and values.

    ``shape`` may contain ``None`` for "any size" along that axis,
    e.g. ``shape=(None, 3)`` accepts arrays of shape (n, 3). ``kinds`` lists
    the accepted numpy dtype kinds (``b`` bool, ``i``/``u`` integers, ``f``
    floats); strings, objects and complex numbers are never accepted. The
    kind is checked before any conversion to ``dtype``, so ``"1.5"`` is not a
    number. ``nonempty`` rejects arrays with no entries. ``finite`` scans
    every entry: use it for settings, not for large data.
    """
    if value is None:
        raise ValueError(f"{name} must be {_accepts(kinds)}, got None")
    try:
        arr = np.asarray(value)
    except (TypeError, ValueError, OverflowError) as exc:
        if isinstance(value, (list, tuple)):
            raise ValueError(f"{name} must be {_accepts(kinds)}, got a ragged {type(value).__name__} "
                             "(its rows have different lengths)") from exc
        raise ValueError(f"{name} must be {_accepts(kinds)}, got {type(value).__name__}") from exc
    if arr.dtype.kind not in kinds or arr.dtype.kind not in "biuf":
        got = describe(value) if arr.dtype.kind in "OUSV" and arr.ndim == 0 else f"dtype {arr.dtype}"
        raise ValueError(f"{name} must be {_accepts(kinds)}, got {got}")
    if dtype is not None:
        arr = arr.astype(dtype, copy=False)
    if shape is not None:
        ndim = len(shape)
    if ndim is not None and arr.ndim != ndim:
        want = f"shape {_shape_text(shape)}" if shape is not None else f"{ndim} dimension(s)"
        raise ValueError(f"{name} must have {want}, got shape {arr.shape}")
    if shape is not None and any(s is not None and s != a for s, a in zip(shape, arr.shape)):
        raise ValueError(f"{name} must have shape {_shape_text(shape)}, got shape {arr.shape}")
    if nonempty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if finite and arr.size and not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must contain only finite values (no inf or NaN)")
    return arr


def check_float_dtype(name: str, dtype) -> np.dtype:
    """Return ``np.dtype(dtype)`` if it is float32 or float64, else raise ValueError.

    Integer weights would be truncated at initialisation and by every update.
    """
    accepts = "float32 or float64 (np.float32, np.float64, 'float32', 'float64' or float)"
    if dtype is None:                  # np.dtype(None) would quietly mean float64
        raise ValueError(f"{name} must be {accepts}, got None")
    try:
        dt = np.dtype(dtype)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be {accepts}, got {describe(dtype)}") from None
    if dt not in FLOAT_DTYPES:
        raise ValueError(f"{name} must be {accepts}, got {dt}")
    return dt


def check_array_dict(name: str, arrays, ranks: Mapping[str, int] | None = None, *,
                     optional: Mapping[str, int] | None = None, what: str = "a dict of numpy arrays") -> np.dtype:
    """Check a dict of parameter arrays and return their one float dtype; raise ValueError otherwise.

    With ``ranks`` (``{key: number of dimensions}``) the dict must have
    exactly those keys, plus any of ``optional``; without it any keys go.
    Every value must be a numpy array (not a list: the training loops update
    them in place) of float32 or float64, all of the same dtype, else the
    gradients come out in mixed precision. Nothing is copied or scanned.
    ``what`` describes the dict in the message, e.g. ``"a dict of arrays from init_params"``.
    """
    if not isinstance(arrays, Mapping):
        raise ValueError(f"{name} must be {what}, got {describe(arrays)}")
    if ranks is not None:
        missing = [k for k in ranks if k not in arrays]
        if missing:
            raise ValueError(f"{name} must have the keys {tuple(ranks)}; missing {missing}")
        if len(arrays) != len(ranks):
            unknown = sorted(str(k) for k in arrays if k not in ranks and k not in (optional or {}))
            if unknown:
                raise ValueError(f"{name} has unknown keys {unknown}; its keys are {tuple(ranks)}")
    elif not arrays:
        raise ValueError(f"{name} must hold at least one array, got an empty {type(arrays).__name__}")
    dtype = first = None
    for key, arr in arrays.items():
        # dtype.char 'f' is float32 and 'd' float64: a cheaper test than comparing dtype objects
        if not isinstance(arr, np.ndarray) or arr.dtype.char not in "fd":
            got = f"dtype {arr.dtype}" if isinstance(arr, np.ndarray) else describe(arr)
            raise ValueError(f"{name}[{key!r}] must be a numpy array of float32 or float64, got {got}")
        if arr.dtype is not dtype:
            if dtype is None:
                dtype, first = arr.dtype, key
            elif arr.dtype != dtype:
                raise ValueError(f"{name} must hold arrays of one float dtype, got {name}[{first!r}] {dtype} "
                                 f"and {name}[{key!r}] {arr.dtype}")
        if ranks is not None:
            rank = ranks.get(key) if key in ranks else optional.get(key)
            if arr.ndim != rank:
                raise ValueError(f"{name}[{key!r}] must have {rank} dimension(s), got shape {arr.shape}")
    return dtype


def _accepts(kinds: str) -> str:
    """What check_array says it accepts (built only when it raises: check_array is on the hot path)."""
    return _KIND_TEXT.get(frozenset(kinds), "a numeric array")


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
