"""One seeded random generator for the whole series, so every run prints the same numbers."""
from __future__ import annotations

import numpy as np

from .validation import check_int

__all__ = ["SEED", "make_rng"]

#: The series' default seed. Every notebook draws from ``make_rng()`` (or ``make_rng(SEED + k)``).
SEED = 2013


def make_rng(seed: int = SEED) -> np.random.Generator:
    """Return a fresh ``numpy.random.Generator`` (PCG64) seeded with ``seed``.

    Use one generator per experiment; two generators made with the same seed
    give the same draws, which is what makes a notebook repeatable.
    """
    seed = check_int("seed", seed, minimum=0)
    return np.random.default_rng(seed)
