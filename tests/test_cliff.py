"""helpers.cliff (the examples written out in notebook 04) and the exercise checks of notebooks 04 and 05."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

import helpers
from helpers import cliff
from helpers.clipping import clip_by_norm
from helpers.exercises import nb04, nb05

POINTS = [(3.0, -1.0), (6.0, -2.0), (-1.0, 0.5), (4.3, -3.0), (0.5, 0.2), (8.0, -6.0)]


@pytest.mark.parametrize("w, b", POINTS)
def test_cliff_gradient_matches_central_differences(w, b):
    point = np.array([w, b])
    numeric = helpers.numerical_gradient(lambda: float(cliff.cliff_loss(point[0], point[1])), point)
    _, gw, gb = cliff.cliff_loss_and_grad(w, b)
    assert helpers.relative_error([gw, gb], numeric) < 1e-7
    _, gw_s, gb_s = cliff._cliff_gradient(w, b, cliff.T_CLIFF)   # descend's float loop
    assert helpers.relative_error([gw_s, gb_s], numeric) < 1e-7


def test_scalar_and_vectorised_versions_agree_on_a_grid_across_the_wall():
    rng = helpers.make_rng(0)
    w = rng.uniform(1, 9, size=200)
    b = rng.uniform(-6.5, 1.5, size=200)
    L, gw, gb = cliff.cliff_loss_and_grad(w, b)
    for i in range(200):
        Ls, gws, gbs = cliff._cliff_gradient(w[i], b[i], cliff.T_CLIFF)
        assert Ls == pytest.approx(L[i], rel=1e-9, abs=1e-15)
        assert gws == pytest.approx(gw[i], rel=1e-7, abs=1e-12)
        assert gbs == pytest.approx(gb[i], rel=1e-7, abs=1e-12)


def test_loss_has_a_wall_with_a_huge_gradient():
    b = np.linspace(-3.0, -2.0, 100_001)
    L, gw, gb = cliff.cliff_loss_and_grad(4.7, b)
    G = np.hypot(gw, gb)
    k = int(np.argmax(G))
    assert L[k - 2000] - L[k + 2000] > 0.25
    assert G.max() > 1000 * np.median(G)


def test_sigmoid_never_overflows():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        s = cliff.sigmoid(np.array([-1e4, 0.0, 1e4]))
    assert np.array_equal(s, [0.0, 0.5, 1.0])


def test_descent_is_thrown_off_the_cliff_and_clipping_caps_every_step():
    plain = cliff.descend(5.5, -4.75, 1.0, steps=200)
    assert plain["step"].max() > 100
    assert plain["loss"][-1] == pytest.approx(0.09, abs=1e-3)
    theta = 0.3
    clipped = cliff.descend(5.5, -4.75, 1.0, steps=200, clip=lambda g: clip_by_norm(g, theta))
    assert clipped["step"].max() <= theta * (1 + 1e-12)
    assert clipped["loss"][-1] < 0.01
    assert clipped["path"].shape == (201, 2) and clipped["grad_norm"].shape == (200,)


@pytest.mark.parametrize("kwargs, match", [
    (dict(lr=0.0), "lr must be a finite number > 0"),
    (dict(lr=-1.0), "lr must be"),
    (dict(lr=1.0, steps=0), "steps must be an integer >= 1"),
    (dict(lr=1.0, T=0), "T must be an integer >= 1"),
])
def test_descend_rejects_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        cliff.descend(5.0, -3.0, **kwargs)


def test_sum_task():
    x, target, mask = cliff.make_sum_task(T=7, batch=5, seed=3)
    assert x.shape == (7, 5, 1) and target.shape == (7, 5, 1) and mask.shape == (7, 5)
    assert np.all(np.abs(x) <= 1)
    np.testing.assert_allclose(target[-1], x.sum(axis=0) / math.sqrt(7))
    assert not target[:-1].any() and mask[-1].all() and not mask[:-1].any()
    x2, _, _ = cliff.make_sum_task(T=7, batch=5, seed=3)
    assert np.array_equal(x, x2)
    with pytest.raises(ValueError, match="batch must be an integer >= 1"):
        cliff.make_sum_task(batch=0)


def test_training_blows_up_without_clipping_and_learns_with_it():
    plain = cliff.train_sum_task(0.1)
    loss = plain["loss"]
    first_bad = int(np.argmax(~np.isfinite(loss)))
    assert first_bad > 80 and np.min(loss[:first_bad]) < 0.05 * loss[0]
    assert np.isnan(loss[-1]) and np.isnan(plain["params"]["W_hh"]).all()
    clipped = cliff.train_sum_task(0.1, clip=lambda g: clip_by_norm(g, 0.1))
    assert np.isfinite(clipped["loss"]).all()
    assert clipped["loss"][-1] < 0.05 * clipped["loss"][0]


def test_larger_learning_rate_blows_up_sooner():
    firsts = [int(np.argmax(~np.isfinite(cliff.train_sum_task(lr)["loss"]))) for lr in (0.1, 0.3, 1.0)]
    assert firsts[0] > firsts[1] > firsts[2] > 0
    assert np.isfinite(cliff.train_sum_task(0.03)["loss"]).all()


def test_train_rejects_bad_learning_rate():
    with pytest.raises(ValueError, match="lr must be a finite number > 0"):
        cliff.train_sum_task(float("nan"))


# -- exercise checks ---------------------------------------------------------------------------

def test_nb04_checks(capsys):
    expected = math.ceil(math.log(np.finfo(np.float64).max) / math.log(1.5))
    assert nb04.overflow_lag(1.5) == expected == 1751
    assert nb04.check_overflow_lag(1751) is True
    assert nb04.check_overflow_lag(1750) is False
    assert nb04.check_overflow_lag(None) is False
    assert "Not yet" in capsys.readouterr().out
    assert nb04.check_cliff_gradient(cliff.cliff_loss_and_grad(2.0, -1.0)[1:]) is True
    assert nb04.check_cliff_gradient((0.0, 0.0)) is False
    with pytest.raises(ValueError, match="w must be"):
        nb04.overflow_lag(0.5)


def test_nb05_checks():
    np.testing.assert_allclose(nb05.clipped_by_norm((3.0, 4.0), 1.0), [0.6, 0.8])
    np.testing.assert_allclose(nb05.clipped_by_norm((0.3, 0.4), 1.0), [0.3, 0.4])
    expected = math.degrees(math.atan(0.5) - math.atan(0.5 / 3))
    assert nb05.value_clip_angle((3.0, 0.5), 1.0) == pytest.approx(expected, rel=1e-9)
    assert nb05.check_clip_by_norm([0.6, 0.8]) is True
    assert nb05.check_clip_by_norm([3.0, 4.0]) is False
    assert nb05.check_value_clip_angle(17.1) is True
    assert nb05.check_value_clip_angle(math.radians(17.1)) is False
    assert nb05.check_max_distance(1.0) is True
    assert nb05.check_max_distance(None) is False
    with pytest.raises(ValueError, match="g must not be all zeros"):
        nb05.value_clip_angle((0.0, 0.0))


def test_notebook04_exercise4_answer():
    """The folded answer of exercise 4 in notebook 04 states these outcomes."""
    slow = cliff.descend(5.5, -4.75, 0.3, steps=200)
    assert slow["step"].max() < 0.1 and slow["loss"][-1] > 0.3          # creeps, never reaches the wall
    thrown = cliff.descend(4.75, -3.25, 0.3, steps=200)
    assert thrown["step"].max() > 100                                  # thrown off even with eta = 0.3


def test_exercise_2_answer_of_notebook_04_is_round():
    """At (w, b) = (2, -1) the state settles at the fixed point x = 0 (2 sigma(0) - 1 = 0), so the gradient is (-0.1, -0.2)."""
    _, gw, gb = cliff.cliff_loss_and_grad(2.0, -1.0)
    assert np.allclose([gw, gb], [-0.1, -0.2], atol=1e-9)
    assert np.allclose(nb04.cliff_gradient_numeric(2.0, -1.0), [-0.1, -0.2], atol=1e-7)
