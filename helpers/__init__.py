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
style       ``use_style``, ``COLORS``, ``figure``, log-axis helpers, ``figure_text_sizes``
controls    ``slider`` and ``choice``: controls labelled with their symbol
demo        ``Demo``: an interactive figure that shows its errors and registers itself
rendering   a demo's frame as PNG (frozen layout, opt-in blitting)
demo_testing  ``exercise_all``: every demo at the corners of its controls (tests, benchmark)
progress    ``progress_bar`` for loops longer than a second
clipping    ``clip_by_norm`` (written out in notebook 05)
rnn         the Elman RNN, forward and BPTT, batched (written out in notebook 02)
lstm        the LSTM, forward and BPTT, batched (written out in notebook 07)
lag_profiles  the error by lag of notebook 06's remedies for many settings at once (its demo's fast path)
cliff       the single-unit cliff of Pascanu et al. and the runs notebooks 04-05 share
adding      the adding problem and the training loop of notebook 07
blas        ``one_blas_thread``: small matrix products on one BLAS thread (threadpoolctl)
exercises   check functions for each notebook's exercises (``exercises.nb03`` ...)
"""
from .validation import check_array, check_choice, check_float, check_int
from .seeding import SEED, make_rng
from .gradcheck import check_gradients, numerical_gradient, relative_error
from .style import COLORS, figure, log_axis, nonfinite_note, plot_magnitudes, reference_line, use_style
from .controls import choice, slider
from .demo import Demo
from .demo_testing import exercise, exercise_all
from .progress import progress_bar

__all__ = [
    "check_array", "check_choice", "check_float", "check_int",
    "SEED", "make_rng",
    "check_gradients", "numerical_gradient", "relative_error",
    "COLORS", "figure", "log_axis", "nonfinite_note", "plot_magnitudes", "reference_line", "use_style",
    "Demo", "choice", "exercise", "exercise_all", "progress_bar", "slider",
]
