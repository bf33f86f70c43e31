"""Slider and toggle-button factories: every control labelled with its symbol, with a readout.

Labels are wide enough for "η (learning rate)"; a slider for a quantity that spans
decades (a learning rate) is logarithmic; a demo that retrains runs on release.
"""
from __future__ import annotations

import math

import ipywidgets as widgets
import numpy as np

from .validation import check_float, check_int

__all__ = ["slider", "choice"]

_LABEL_WIDTH = "10em"   # wide enough for "η (learning rate)"
_SLIDER_WIDTH = "36em"


def slider(symbol: str, minimum, maximum, step=None, value=None, *, log: bool = False,
           continuous_update: bool = True, readout_format: str | None = None,
           description: str | None = None):
    """A slider whose label is the symbol it sets, with a readout of its value.

    Parameters
    ----------
    symbol : the series' symbol for the quantity, e.g. ``"w"``, ``"T"``, ``"theta"``.
    minimum, maximum : the range. Integers (and an integer or omitted ``step``)
        give an ``IntSlider``; otherwise a ``FloatSlider``.
    step : increment; for ``log=True`` the step of the base-10 exponent.
    value : starting value (default: the middle of the range). Start where
        the effect shows.
    log : a ``FloatLogSlider``, for ranges that span decades (learning rates).
    continuous_update : ``False`` for demos that retrain: they run on release.
    description : the label, if it should say more than the symbol,
        e.g. ``"w (weight)"``.
    """
    if not isinstance(symbol, str) or not symbol:
        raise ValueError(f"symbol must be a non-empty string such as 'w', got {symbol!r}")
    integer = (not log and all(isinstance(v, (int, np.integer)) and not isinstance(v, bool)
                               for v in (minimum, maximum, 1 if step is None else step)))
    if integer:
        minimum = check_int("minimum", minimum)
        maximum = check_int("maximum", maximum)
        step = 1 if step is None else check_int("step", step, minimum=1)
    else:
        minimum = check_float("minimum", minimum, minimum=0.0, exclusive_minimum=True) if log \
            else check_float("minimum", minimum)
        maximum = check_float("maximum", maximum)
    if not maximum > minimum:
        raise ValueError(f"maximum must be greater than minimum, got minimum={minimum}, maximum={maximum}")
    if value is None:
        value = math.sqrt(minimum * maximum) if log else (minimum + maximum) / 2
        if integer:
            value = int(round(value))
    value = (check_int if integer else check_float)("value", value, minimum=minimum, maximum=maximum)
    common = dict(description=description or symbol, continuous_update=continuous_update,
                  readout=True, style={"description_width": _LABEL_WIDTH},
                  layout=widgets.Layout(width=_SLIDER_WIDTH))
    if integer:
        return widgets.IntSlider(min=minimum, max=maximum, step=step, value=value, **common)
    if log:
        lo, hi = math.log10(minimum), math.log10(maximum)
        step = (hi - lo) / 100 if step is None else check_float("step", step, minimum=0.0, exclusive_minimum=True)
        # The browser snaps the start value onto the grid lo + k*step: adjust the step so that
        # the start value is on it (else a slider meant to start at 1.0 shows 0.979).
        n = round((math.log10(value) - lo) / step)
        if n > 0:
            step = (math.log10(value) - lo) / n
        return widgets.FloatLogSlider(base=10, min=lo, max=hi, step=step, value=value,
                                      readout_format=readout_format or ".2g", **common)
    step = (maximum - minimum) / 100 if step is None else check_float("step", step, minimum=0.0, exclusive_minimum=True)
    return widgets.FloatSlider(min=minimum, max=maximum, step=step, value=value,
                               readout_format=readout_format or ".2f", **common)


def choice(symbol: str, options, value=None, *, description: str | None = None):
    """Toggle buttons for a small set of options (activation, remedy, ...)."""
    options = list(options)
    if len(options) < 2:
        raise ValueError(f"options must list at least two choices, got {options!r}")
    if value is None:
        value = options[0]
    if value not in options:
        raise ValueError(f"value must be one of {options!r}, got {value!r}")
    buttons = widgets.ToggleButtons(options=options, value=value, description=description or symbol,
                                    style={"description_width": _LABEL_WIDTH, "button_width": "7em"})
    # ipywidgets 8 lays ToggleButtons out as a block, its label alone on a line above the buttons; the
    # sliders' class puts the label beside them, right-aligned in the same column as the sliders' labels.
    buttons.add_class("widget-inline-hbox")
    return buttons
