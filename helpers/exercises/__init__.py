"""Check functions for the notebooks' exercises, one module per notebook (``nb03`` for notebook 3),
and the one rule they all follow.

A student calls ``check_...(my_answer)`` as often as they like; the check
prints one line, ``Correct...`` or ``Not yet. <hint>``, and returns True or
False::

    from helpers.exercises import nb03
    nb03.check_max_sigmoid_weight(4.0)

The rule
--------
**The question states its precision, and the precision is the tolerance.**
Every question with a number (or an array of numbers) for an answer says how
precisely to give it, in one of these words, and its check calls
:func:`check_number` with the matching argument:

=============================  ==================  ===================================================
the question says              ``check_number``    accepts ``answer`` when
=============================  ==================  ===================================================
"to n significant digits"      ``digits=n``        ``|answer - expected| <= half a unit in the n-th
                                                   significant digit of expected``, that is
                                                   ``0.5 * 10**(floor(log10|expected|) - n + 1)``
"to m decimal places"          ``decimals=m``      ``|answer - expected| <= 0.5 * 10**-m``
("to the nearest degree")      (``decimals=0``)
"a whole number"               ``whole=True``      answer has no fractional part and equals expected
=============================  ==================  ===================================================

So the exact value, the value rounded to the stated precision (rounded, not
cut off), and every answer closer than that are accepted, and nothing
further off. The bound is "half a unit of the stated last digit *of the
expected value*"; a relative slack of 1e-9 absorbs the float rounding of a
typed decimal such as 0.13 for 0.125 at 2 decimals. For an array, every
entry must be within the tolerance (use ``decimals`` for arrays: entries of
very different sizes, or zeros, have no common significant digits).

*"Find a value such that ..."*: pass ``satisfies``, the condition itself
(a function of the answer returning True or False). The answer must then
meet the condition and lie within one unit of the stated last digit of the
extreme value ``expected`` (e.g. ``digits=4`` and the largest s with
s**500 <= 1e6: any s in (1.027016, 1.028016] passes, 1.0281 does not, however
close, because it breaks the condition). Allow for float rounding inside the
condition (``s ** d <= limit * (1 + 1e-9)``), else the exact answer typed as
``10 ** (6 / 500)`` fails it.

Kinds of answer
---------------
A check never raises because of the *answer*. An answer is a number when it
is an int, a float, a numpy integer or float, or a 0-d array of one of those
(``np.array(62)`` is the number 62); an array answer is a list, tuple or
array of such numbers of the shape asked for. Everything else gets a one-line
"Not yet." that says what kind of answer is wanted, and False: None (the
notebooks' placeholder), strings (also ``"4"``), bools (``True`` is not 1
here), NaN and inf, complex numbers, arrays of the wrong shape, and, for a
whole-number question, 9.6 (22.0 and ``np.int64(22)`` are whole numbers).
:func:`read_answer` applies this rule on its own, for checks that test what
an answer *does* (the shift register of notebook 1) rather than what it is.

Hints
-----
After the kind and the precision, :func:`check_number` looks for a classic
wrong answer: ``wrong_answers`` pairs a value (or an array) with the hint for
it, and ``other_units`` names a unit the answer may have been given in
(radians for degrees). Each is matched at the question's own precision. Then
an answer just outside the tolerance hears that it is close, and any other
answer gets the check's general ``hint`` (a string, or a function of the
answer's value, for hints that show what the answer gives). Numbers in hints
go through :func:`format_number`, so 1e308 prints as ``1e+308``.

Writing a check (notebook 7 and any later one)::

    def check_forget_bias(answer, target_f=0.99):
        expected = math.log(target_f / (1 - target_f))          # the closed form: the logit
        return check_number(answer, expected, digits=2, what="the bias b_f",
                            wrong_answers={target_f: "That is f itself: invert the sigmoid."},
                            hint="Solve 1 / (1 + exp(-b_f)) = 0.99 for b_f.",
                            success=f"Correct: b_f = {expected:.3g}.")

and put the same words in the question: "Give b_f to 2 significant digits."
:func:`precision_text` returns those words. Compute ``expected`` from a
closed form where one exists (the logit, ``f ** d``, a formula for a count),
from first principles (a loop, central differences) only where none does.
"""
from __future__ import annotations

import math
import numbers
from decimal import Decimal

import numpy as np

from ..validation import check_array, check_float, check_int, describe

__all__ = ["check_number", "read_answer", "precision_text", "tolerance", "format_number", "verdict"]

#: Relative slack on every tolerance: the float rounding of a typed decimal (0.13 is not exactly 0.13).
_SLACK = 1e-9
#: An answer within this many tolerances (right to one digit less than asked, but not more) hears "Close".
_CLOSE = 10.0


# -- the precision ---------------------------------------------------------------------------------------

def _precision(digits, decimals, whole) -> tuple[str, int]:
    """The one precision given, as ``("digits" | "decimals" | "whole", n)``; ValueError unless exactly one."""
    given = [name for name, value in (("digits", digits), ("decimals", decimals)) if value is not None]
    if whole not in (True, False):
        raise ValueError(f"whole must be True or False, got {describe(whole)}")
    if whole:
        given.append("whole")
    if len(given) != 1:
        raise ValueError("give exactly one precision: digits=n (significant digits), decimals=m (decimal places) "
                         f"or whole=True; got {', '.join(given) or 'none'}")
    if given[0] == "digits":
        return "digits", check_int("digits", digits, minimum=1, maximum=15)
    if given[0] == "decimals":
        return "decimals", check_int("decimals", decimals, minimum=0, maximum=15)
    return "whole", 0


def precision_text(*, digits: int | None = None, decimals: int | None = None, whole: bool = False,
                   unit: str = "") -> str:
    """The words a question uses for a precision: ``"to 3 significant digits"``, ``"to 2 decimal places"``,
    ``"a whole number"``; with ``decimals=0`` and a ``unit`` (``"degrees"``), ``"to the nearest degree"``."""
    kind, n = _precision(digits, decimals, whole)
    if kind == "whole":
        return "a whole number"
    if kind == "digits":
        return f"to {n} significant digit{'s' * (n != 1)}"
    if n == 0:
        return f"to the nearest {unit[:-1] if unit.endswith('s') else unit}" if unit else "to the nearest whole number"
    return f"to {n} decimal place{'s' * (n != 1)}"


def tolerance(expected, *, digits: int | None = None, decimals: int | None = None, whole: bool = False):
    """Half a unit in the last digit the question asks for, for each entry of ``expected`` (0 for whole numbers).

    ``digits=n``: ``0.5 * 10**(floor(log10|expected|) - n + 1)``; ``decimals=m``:
    ``0.5 * 10**-m``. Returns a float, or an array shaped like ``expected``.
    """
    kind, n = _precision(digits, decimals, whole)
    e = check_array("expected", expected, kinds="iuf", dtype=float)
    if kind == "whole":
        tol = np.zeros_like(e)
    elif kind == "decimals":
        tol = np.full_like(e, 0.5 * 10.0 ** -n)
    else:
        if np.any(e == 0):
            raise ValueError("expected must not be 0 with digits=n (0 has no significant digits): use decimals=m")
        tol = 0.5 * 10.0 ** (np.floor(np.log10(np.abs(e))) - n + 1)
    return float(tol) if tol.ndim == 0 else tol


def _within(value, target, tol) -> bool:
    """|value - target| <= tol (with the float slack), entry by entry; never warns."""
    with np.errstate(all="ignore"):
        v, t = np.asarray(value, dtype=float), np.asarray(target, dtype=float)
        if v.shape != t.shape:
            return False
        bound = np.asarray(tol, dtype=float) * (1 + _SLACK) + 4 * np.spacing(np.maximum(np.abs(v), np.abs(t)))
        return bool(np.all(np.abs(v - t) <= bound))


# -- reading an answer -----------------------------------------------------------------------------------

def _got(answer) -> str:
    """How a hint names an answer of the wrong kind: short, one line."""
    if isinstance(answer, (str, np.str_)):
        try:
            float(answer)
        except ValueError:
            return f"got the string {describe(answer)}"
        return f"got the string {describe(answer)}: write the number without quotes"
    if isinstance(answer, (bool, np.bool_)):
        return f"got {answer}, a bool, not a number"
    if isinstance(answer, numbers.Number):
        return f"got {format_number(answer)}"
    return f"got {describe(answer)}"


def read_answer(answer, shape: tuple = (), *, whole: bool = False):
    """``(value, "")`` when ``answer`` is the kind of answer asked for, else ``(None, why)``.

    Never raises for ``answer`` (only for a bad ``shape``).

    ``shape=()`` asks for one number: ``value`` is then an ``int`` (``whole``)
    or a ``float``. Another shape asks for an array: ``value`` is a float
    array of that shape. ``why`` says what came instead, e.g. ``"got the
    string '4': write the number without quotes"``, ready for
    ``f"The answer is {wanted}, {why}."``. The kinds accepted are those of
    the module docstring.
    """
    if not isinstance(shape, tuple) or not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
        raise ValueError(f"shape must be a tuple of whole numbers >= 0, got {describe(shape)}")
    if answer is None:
        return None, "got None"
    if isinstance(answer, np.ndarray) and answer.ndim == 0:
        answer = answer[()]                                   # np.array(62) is the number 62
    if isinstance(answer, (str, bytes, np.str_, np.bytes_, bool, np.bool_)):
        return None, _got(answer)
    if shape == ():
        if isinstance(answer, numbers.Integral):
            value = int(answer)
            if not whole and not math.isfinite(_to_float(value)):
                return None, f"got {format_number(value)}, too large for a float"
            return value, ""
        if isinstance(answer, numbers.Real) and not isinstance(answer, (list, tuple, np.ndarray)):
            value = _to_float(answer)
            if not math.isfinite(value):
                return None, f"got {value}, not a finite number"
            if whole:
                return (int(value), "") if value.is_integer() else (None, f"got {format_number(value)}")
            return value, ""
        try:
            arr_shape = np.shape(answer)
        except Exception:              # ragged lists, broken objects
            arr_shape = None
        if isinstance(answer, (list, tuple, np.ndarray)) and arr_shape is not None:
            return None, f"got an array of shape {arr_shape}"
        return None, _got(answer)
    try:
        arr = np.asarray(answer)
    except Exception:                  # ragged lists, 10**400 inside a list, broken objects
        return None, f"got {describe(answer)}, not an array of numbers"
    if arr.dtype.kind == "b":
        return None, "got an array of bools, not numbers"
    if arr.dtype.kind in "USa":
        return None, "got an array of strings: write the numbers without quotes"
    if arr.dtype.kind not in "iuf":
        return None, f"got {describe(answer)}, not an array of numbers"
    if arr.ndim == 0:
        return None, f"got one number, {format_number(arr[()])}"
    if arr.shape != tuple(shape):
        return None, f"got shape {arr.shape}"
    arr = arr.astype(float)
    if not np.all(np.isfinite(arr)):
        return None, "got an entry that is inf or nan"
    if whole and not np.all(arr == np.round(arr)):
        return None, "got an entry that is not a whole number"
    return arr, ""


def _to_float(x) -> float:
    try:
        return float(x)
    except OverflowError:              # a Python int beyond float range
        return math.inf if x > 0 else -math.inf


def format_number(x, digits: int = 6) -> str:
    """A number for a hint: whole numbers in full up to 15 digits (``11,401``), else ``digits`` significant digits.

    Never prints 300 digits: 1e308 gives ``1e+308`` and ``10**400`` gives ``1e+400``.
    """
    if isinstance(x, (bool, np.bool_)):
        return str(bool(x))
    if isinstance(x, numbers.Integral):
        x = int(x)
        if abs(x) < 10 ** 15:
            return f"{x:,}" if abs(x) >= 10_000 else str(x)
        if abs(x) < 10 ** 308:
            return f"{float(x):.{digits}g}"
        mantissa, exponent = f"{Decimal(x):.{digits - 1}e}".split("e")   # beyond float range
        return f"{mantissa.rstrip('0').rstrip('.')}e{exponent}"
    if isinstance(x, np.ndarray) and x.ndim > 0:
        return "[" + ", ".join(format_number(v, digits) for v in x) + "]"
    try:
        f = float(x)
    except (TypeError, ValueError, OverflowError):
        return describe(x)
    if math.isfinite(f) and f.is_integer() and abs(f) < 1e15:
        return format_number(int(f), digits)
    return f"{f:.{digits}g}"


# -- the rule --------------------------------------------------------------------------------------------

def _wanted(shape, kind, unit, what, precision) -> str:
    if shape == ():
        if kind == "whole":
            thing = "a whole number"
        else:
            thing = "a number" + (f" in {unit}" if unit else "") + f", {precision}"
    else:
        thing = f"an array of shape {tuple(shape)}" + (f" in {unit}" if unit else "")
        thing += ", of whole numbers" if kind == "whole" else f", each entry {precision}"
    return f"{thing} ({what})" if what else thing


def _pairs(wrong_answers):
    """``wrong_answers`` as a list of (value, hint) pairs: a dict or a sequence of pairs."""
    items = wrong_answers.items() if isinstance(wrong_answers, dict) else wrong_answers
    pairs = []
    for item in items:
        if not (isinstance(item, tuple) and len(item) == 2 and isinstance(item[1], str)):
            raise ValueError(f"wrong_answers must pair each value with its hint (a string), got {describe(item)}")
        pairs.append(item)
    return pairs


def check_number(answer, expected, *, digits: int | None = None, decimals: int | None = None,
                 whole: bool = False, what: str = "", unit: str = "", other_units: dict | None = None,
                 wrong_answers=(), satisfies=None, hint="", success: str = "Correct.") -> bool:
    """Judge ``answer`` against ``expected`` at the precision the question states; print one line, return True/False.

    Exactly one of ``digits`` (significant digits), ``decimals`` (decimal
    places) or ``whole=True`` (a whole number) gives the precision; see the
    module docstring for what each accepts. ``expected`` is a number or an
    array (the answer must then have its shape). ``what`` names the quantity
    in hints ("the lag d"); ``unit`` is the unit the question asks for
    ("degrees").

    The hints, in order: the wrong kind of answer (:func:`read_answer`); an
    answer in one of ``other_units`` (``{"radians": math.pi / 180}``: the
    value in the other unit is ``factor`` times the value in ``unit``); one of
    ``wrong_answers`` (a dict ``{value: hint}``, or a sequence of
    ``(value_or_array, hint)`` pairs), each matched at the same precision;
    "close" for an answer within a few tolerances; else ``hint``, a string or
    a function of the answer's value returning one.

    ``satisfies``: for "find a value such that ..." questions, a function of
    the answer's value that tests the condition itself. The answer passes when
    it meets the condition and lies within one unit of the stated last digit
    of ``expected``, the extreme value that meets it.
    """
    kind, n = _precision(digits, decimals, whole)
    if not isinstance(what, str) or not isinstance(unit, str) or not isinstance(success, str):
        raise ValueError(f"what, unit and success must be strings, got {describe(what)}, {describe(unit)} "
                         f"and {describe(success)}")
    if not (isinstance(hint, str) or callable(hint)):
        raise ValueError(f"hint must be a string or a function of the answer, got {describe(hint)}")
    if satisfies is not None and not callable(satisfies):
        raise ValueError("satisfies must be a function of the answer returning True or False, "
                         f"got {describe(satisfies)}")
    e = check_array("expected", expected, kinds="iuf", finite=True)
    shape = e.shape
    if kind == "whole" and not np.all(e == np.round(e)):
        raise ValueError(f"expected must be a whole number with whole=True, got {describe(expected)}")
    precision = precision_text(digits=digits, decimals=decimals, whole=whole, unit=unit)
    tol = tolerance(e, digits=digits, decimals=decimals, whole=whole)
    pairs = _pairs(wrong_answers)
    units = dict(other_units or {})
    for name, factor in units.items():
        check_float(f"other_units[{name!r}]", factor, minimum=0.0, exclusive_minimum=True)

    value, why = read_answer(answer, shape, whole=(kind == "whole"))
    if why:
        wanted = _wanted(shape, kind, unit, what, precision)
        if answer is None:
            return verdict(False, f"Replace None with {wanted}.")
        return verdict(False, f"The answer is {wanted}, {why}.")

    if kind == "whole" and shape == ():
        ok = value == int(e)                                  # exact, also for ints beyond float range
    elif satisfies is not None:
        ok = _within(value, e, 2 * tol) and _meets(satisfies, value)
    else:
        ok = _within(value, e, tol)
    if ok:
        return verdict(True, success=success)

    with np.errstate(all="ignore"):
        for name, factor in units.items():
            if _within(np.asarray(value, dtype=float) / factor, e, tol):
                shown = format_number(value, 3)
                return verdict(False, f"That looks like the answer in {name} ({shown} {name} is "
                                      f"{format_number(np.asarray(value, dtype=float) / factor, 3)} {unit}); "
                                      f"the question asks for {unit}.")
    for wrong, wrong_hint in pairs:
        w = check_array("a value of wrong_answers", wrong, kinds="iuf", dtype=float)
        if w.shape != shape:
            raise ValueError(f"wrong_answers must have the shape of expected, {shape}, got {w.shape}")
        w_tol = tol if kind != "digits" or np.any(w == 0) else tolerance(w, digits=n)
        if kind == "whole" and shape == ():
            matched = value == int(w)                         # value may be an int beyond float range
        else:
            matched = _within(value, w, w_tol)
        if matched:
            return verdict(False, wrong_hint)
    if kind != "whole" and satisfies is None and _within(value, e, _CLOSE * tol):
        every = "" if shape == () else "every entry "
        return verdict(False, f"Close, but not {every}{precision}: keep every digit in the intermediate steps and "
                              "round only at the end (round, do not cut off).")
    text = hint(value) if callable(hint) else hint
    if not isinstance(text, str):
        raise ValueError(f"hint must return a string, got {describe(text)}")
    return verdict(False, text)


def _meets(satisfies, value) -> bool:
    """``satisfies(value)``, False where the condition cannot even be computed (an overflow, a log of 0)."""
    try:
        with np.errstate(all="ignore"):
            return bool(satisfies(value))
    except (ArithmeticError, ValueError):
        return False


def verdict(ok: bool, hint: str = "", *, success: str = "Correct.") -> bool:
    """Print a one-line verdict (with ``hint`` when wrong) and return ``ok``."""
    if not isinstance(ok, (bool, np.bool_)):
        raise ValueError(f"ok must be True or False, got {describe(ok)}")
    if not isinstance(hint, str) or not isinstance(success, str):
        raise ValueError(f"hint and success must be strings, got {describe(hint)} and {describe(success)}")
    print(" ".join((success if ok else f"Not yet. {hint}").split()))      # one line, whatever the hint holds
    return bool(ok)
