"""helpers.clipping: clip-by-norm keeps the direction and caps the norm."""
import numpy as np
import pytest

import helpers
from helpers.clipping import clip_by_norm, global_norm


def test_clip_keeps_direction_and_caps_norm():
    rng = helpers.make_rng(0)
    g = {"a": rng.normal(size=(3, 4)) * 100, "b": rng.normal(size=5) * 100}
    clipped = clip_by_norm(g, 1.0)
    assert global_norm(g) == pytest.approx(np.sqrt(sum(np.sum(v**2) for v in g.values())))
    assert global_norm(clipped) == pytest.approx(1.0)
    flat = np.concatenate([g["a"].ravel(), g["b"]])
    flat_c = np.concatenate([clipped["a"].ravel(), clipped["b"]])
    cos = flat @ flat_c / (np.linalg.norm(flat) * np.linalg.norm(flat_c))
    assert cos == pytest.approx(1.0, abs=1e-12)


def test_small_gradient_untouched_and_input_not_modified():
    g = np.array([0.3, -0.4])
    clipped = clip_by_norm(g, 1.0)
    assert np.array_equal(clipped, g) and np.array_equal(g, [0.3, -0.4])


def test_nonfinite_passes_through_and_theta_validated():
    clipped = clip_by_norm(np.array([np.inf, 1.0]), 1.0)
    assert np.isinf(clipped[0]) and clipped[1] == 1.0
    with pytest.raises(ValueError, match="theta must be a finite number > 0"):
        clip_by_norm(np.ones(2), 0.0)


def test_norm_of_huge_but_finite_gradient_is_finite_and_clipped():
    g = {"a": np.array([1e160, 1.0]), "b": np.array([-1e160])}
    assert global_norm(g) == pytest.approx(np.sqrt(2) * 1e160)
    clipped = clip_by_norm(g, 5.0)
    assert global_norm(clipped) == pytest.approx(5.0)


def test_nan_norm():
    assert np.isnan(global_norm({"a": np.array([np.nan, 1.0])}))
    assert global_norm(np.zeros(3)) == 0.0


def test_float32_gradients_stay_float32():
    """helpers.adding trains in float32: clipping must not promote its gradients."""
    g = {"a": np.full(4, 10.0, dtype=np.float32)}
    assert clip_by_norm(g, 1.0)["a"].dtype == np.float32
