"""Notebook 5 (gradient clipping): its claims about runs hold whatever the last bits of the arithmetic.

Another machine (another BLAS, libm or SIMD path) rounds differently, and a training run or a descent
on the cliff can amplify that. Here every run the notebook asserts on is repeated with a perturbation
far larger than float64's rounding (the cliff's start moved by 1e-12, relative; every gradient entry
of the training runs multiplied by 1 + 1e-13 * noise at every step), and the notebook's claims must
still hold, with the margins its asserts use.
"""
from __future__ import annotations

import numpy as np
import pytest

from helpers import cliff
from helpers.clipping import clip_by_norm

START, LR, STEPS = (5.5, -4.75), 1.0, 200
W_LIM, B_LIM = (1.0, 9.0), (-6.5, 1.5)


def _moved_start(seed, relative=1e-12):
    noise = np.random.default_rng(seed)
    return tuple(v * (1 + relative * noise.normal()) for v in START)


def _clipped_descent(theta, start):
    return cliff.descend(*start, LR, STEPS, clip=lambda g: clip_by_norm(g, theta))


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_the_cliff_runs_of_section_3(seed):
    start = _moved_start(seed)
    plain = cliff.descend(*start, LR, STEPS)
    k = int(np.argmax(plain["step"]))
    assert plain["step"][k] > 100 and plain["step"][k] > 1000 * np.median(plain["step"][:k])   # thrown off
    assert 0.02 < np.median(plain["grad_norm"][:k]) < 0.04                                      # typical ||g|| ~ 0.03
    assert _clipped_descent(0.3, start)["loss"][-1] < 0.01 < plain["loss"][-1]                  # theta = 0.3: the valley
    assert _clipped_descent(0.01, start)["loss"][-1] > 0.2                                     # tiny theta: too slow
    assert abs(_clipped_descent(3.0, start)["loss"][-1] - 0.089) < 0.001                       # theta = 3: the plateau
    far = _clipped_descent(10.0, start)
    assert far["step"].max() > 5 and far["loss"][-1] > 0.05 and far["path"][-1, 1] > B_LIM[1]  # theta = 10: off the map


def _noisy(seed, relative=1e-13):
    noise = np.random.default_rng(seed)
    return lambda grads: {k: g * (1 + relative * noise.normal(size=g.shape)) for k, g in grads.items()}


def _clipped(theta, seed):
    noisy = _noisy(seed)
    return lambda grads: clip_by_norm(noisy(grads), theta)


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2])
def test_the_training_runs_of_section_4(seed):
    plain = cliff.train_sum_task(0.1, clip=_noisy(seed))
    blow_up = int(np.argmax(~np.isfinite(plain["loss"])))
    assert 80 < blow_up < 110
    typical = np.median(plain["grad_norm"][:50])

    # the sweep over theta: 0.5x to 300x trains, 0.5x beats the 1-10x band by a margin, 1000x blows up
    multiples = np.array([0.25, 0.5, 2, 10, 300, 1000])
    final = np.array([np.median(cliff.train_sum_task(0.1, clip=_clipped(m * typical, seed))["loss"][-50:])
                      for m in multiples])
    start = plain["loss"][0]
    works = (multiples >= 0.5) & (multiples <= 300)
    assert np.all(final[works] < 0.25 * start) and 0.25 * start < final[0] < start and not final[-1] < start
    assert final[multiples == 0.5][0] < 0.7 * final[(multiples >= 1) & (multiples <= 10)].min()

    # theta = 0.1: every early step clipped, about 80% of all, slower until the plain run blows up, then it learns
    clipped = cliff.train_sum_task(0.1, clip=_clipped(0.1, seed))
    was_clipped = clipped["grad_norm"] > 0.1
    first_unclipped = int(np.argmax(~was_clipped))
    assert 20 <= first_unclipped <= 30 and 0.75 < was_clipped.mean() < 0.85
    assert np.all(clipped["loss"][5:blow_up - 2] > plain["loss"][5:blow_up - 2])
    assert np.isfinite(clipped["loss"]).all() and clipped["loss"][-1] < 0.05 * clipped["loss"][0]

    # eta = 1 trains with theta = 0.02; eta * theta too large fails
    fast = cliff.train_sum_task(1.0, clip=_clipped(0.02, seed))["loss"]
    assert np.isfinite(fast).all() and fast[-1] < 0.05 * fast[0]
    for eta in (0.3, 1.0):
        failed = cliff.train_sum_task(eta, clip=_clipped(10.0, seed))["loss"]
        assert np.nanmax(failed) > 1e6 * failed[0]
    assert failed[-1] > failed[0]                                     # eta = 1 never comes back down
