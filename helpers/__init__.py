"""Shared plumbing for the notebooks of the series "Why RNNs are hard to train".

Only plumbing lives here: the concepts themselves (the tanh step, the BPTT
loop, the vanishing product, clip-by-norm, the LSTM gates) are written out in
the notebooks that teach them. Models that a notebook has already written out
are kept here for later notebooks, each marked with where it was taught.

Modules
-------
validation  ValueError checks that name the argument and what it accepts
seeding     ``make_rng``: the series' seeded random generator
gradcheck   central-difference gradients and relative error (float64)
style       ``use_style``, ``COLORS``, ``figure``, log-axis helpers
widgets     ``slider``, ``choice``, ``Demo`` and ``exercise`` (tests at slider extremes)
"""
from .validation import check_array, check_choice, check_float, check_int
from .seeding import SEED, make_rng
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .style import COLORS, figure, log_axis, nonfinite_note, plot_magnitudes, reference_line, use_style
from .widgets import Demo, choice, exercise, exercise_all, progress_bar, slider

__all__ = [
    "check_array", "check_choice", "check_float", "check_int",
    "SEED", "make_rng",
    "check_gradients", "numerical_gradient", "relative_error",
    "COLORS", "figure", "log_axis", "nonfinite_note", "plot_magnitudes", "reference_line", "use_style",
    "Demo", "choice", "exercise", "exercise_all", "progress_bar", "slider",
]
