"""helpers.lstm (the LSTM written out in notebook 07): gradients against central differences in float64."""
from __future__ import annotations

import warnings

import numpy as np
import pytest

import helpers
from helpers import lstm


def _setup(T=6, B=3, D=2, H=4, O=2, seed=0, forget_bias=1.0):
    rng = helpers.make_rng(seed)
    params = lstm.init_params(D, H, O, rng=rng, forget_bias=forget_bias)
    for k in params:                                   # random biases too: every term is exercised
        params[k] = params[k] + rng.normal(0, 0.3, size=params[k].shape)
    x = rng.normal(size=(T, B, D))
    target = rng.normal(size=(T, B, O))
    h0 = rng.normal(0, 0.5, size=(B, H))
    c0 = rng.normal(0, 0.5, size=(B, H))
    return params, x, target, h0, c0


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _reference_forward(params, x, h0, c0):
    """Independent, unvectorised reference: one sequence, one gate at a time, exp-based sigmoid."""
    T, B, _ = x.shape
    H = params["W_hh"].shape[1]
    ys = np.zeros((T, B, params["W_hy"].shape[0]))
    for b in range(B):
        h, c = h0[b].copy(), c0[b].copy()
        for t in range(T):
            a = params["W_xh"] @ x[t, b] + params["W_hh"] @ h + params["b_h"]
            i, f, g, o = _sigmoid(a[:H]), _sigmoid(a[H:2 * H]), np.tanh(a[2 * H:3 * H]), _sigmoid(a[3 * H:])
            c = f * c + i * g
            h = o * np.tanh(c)
            ys[t, b] = params["W_hy"] @ h + params["b_y"]
    return ys


@pytest.mark.parametrize("seed, forget_bias", [(0, 1.0), (1, -2.0), (2, 4.0)])
def test_bptt_matches_central_differences(seed, forget_bias):
    params, x, target, h0, c0 = _setup(seed=seed, forget_bias=forget_bias)

    def loss():
        y, _ = lstm.forward(params, x, h0, c0)
        return 0.5 * float(np.sum((y - target) ** 2))

    y, cache = lstm.forward(params, x, h0, c0)
    grads = lstm.backward(params, y - target, cache)
    errors = helpers.check_gradients(loss, params, grads)
    assert max(errors.values()) < 1e-7, errors
    assert helpers.relative_error(grads["h0"], helpers.numerical_gradient(loss, h0)) < 1e-7
    assert helpers.relative_error(grads["c0"], helpers.numerical_gradient(loss, c0)) < 1e-7


def test_forward_matches_independent_reference():
    params, x, _, h0, c0 = _setup(T=7, B=3)
    y, _ = lstm.forward(params, x, h0, c0)
    np.testing.assert_allclose(y, _reference_forward(params, x, h0, c0), rtol=1e-12, atol=1e-12)


def test_last_step_loss_gradient_and_da():
    """The adding problem's loss (last step only); da[t] @ W_xh is dL/dx_t."""
    params, x, target, h0, c0 = _setup(T=8)
    mask = np.zeros(x.shape[:2] + (1,)); mask[-1] = 1.0

    def loss():
        return 0.5 * float(np.sum(mask * (lstm.forward(params, x, h0, c0)[0] - target) ** 2))

    y, cache = lstm.forward(params, x, h0, c0)
    grads = lstm.backward(params, mask * (y - target), cache)
    assert max(helpers.check_gradients(loss, params, grads).values()) < 1e-7
    assert grads["da"].shape == (8, 3, 16)
    dx_num = helpers.numerical_gradient(loss, x)
    assert helpers.relative_error(grads["da"] @ params["W_xh"], dx_num) < 1e-7


def test_batch_equals_single_sequences_and_backward_leaves_inputs_alone():
    params, x, target, _, _ = _setup(B=4)
    y, cache = lstm.forward(params, x)
    for b in range(4):
        yb, _ = lstm.forward(params, x[:, b:b + 1])
        np.testing.assert_allclose(yb[:, 0], y[:, b], rtol=1e-12, atol=1e-12)
    dy = y - target
    dy_copy, params_copy = dy.copy(), {k: v.copy() for k, v in params.items()}
    g1 = lstm.backward(params, dy, cache)
    g2 = lstm.backward(params, dy, cache)                 # the cache can be reused
    assert np.array_equal(dy, dy_copy) and all(np.array_equal(params[k], params_copy[k]) for k in params)
    for k in params:
        np.testing.assert_array_equal(g1[k], g2[k])


def test_float32_runs_in_float32_and_is_close_to_float64():
    params, x, target, _, _ = _setup(T=20, B=5)
    p32 = {k: v.astype(np.float32) for k, v in params.items()}
    y64, c64 = lstm.forward(params, x)
    y32, c32 = lstm.forward(p32, x)
    g64 = lstm.backward(params, y64 - target, c64)
    g32 = lstm.backward(p32, (y32 - target).astype(np.float32), c32)
    assert y32.dtype == np.float32 and g32["W_hh"].dtype == np.float32
    assert helpers.relative_error(y32, y64) < 1e-5
    assert helpers.relative_error(g32["W_hh"], g64["W_hh"]) < 1e-4


def test_init_forget_bias_and_shapes():
    p = lstm.init_params(3, 5, 2, rng=helpers.make_rng(0), forget_bias=1.0)
    assert p["W_xh"].shape == (20, 3) and p["W_hh"].shape == (20, 5) and p["b_h"].shape == (20,)
    assert p["W_hy"].shape == (2, 5) and p["b_y"].shape == (2,)
    np.testing.assert_array_equal(p["b_h"][5:10], 1.0)
    assert np.all(p["b_h"][:5] == 0) and np.all(p["b_h"][10:] == 0)
    assert sum(v.size for v in p.values()) == lstm.n_params(3, 5, 2)
    assert lstm.GATES == ("i", "f", "g", "o")


def test_cell_path_jacobian_is_diag_f():
    """dc_t/dc_{t-1} along the cell path is diag(f_t): with W_hh = 0 the cell path is the only path."""
    params, x, _, h0, c0 = _setup(T=1, B=1, H=3)
    params["W_hh"][:] = 0.0
    _, cache = lstm.forward(params, x, h0, c0)
    f = cache["gates"][0, 0, 1]

    def c1(j):
        return lambda: float(lstm.forward(params, x, h0, c0)[1]["c"][1, 0, j])
    jac = np.array([helpers.numerical_gradient(c1(j), c0)[0] for j in range(3)])
    np.testing.assert_allclose(jac, np.diag(f), atol=1e-8)


def test_overflow_gives_inf_or_nan_not_crash():
    """Huge errors: the gradients overflow to inf/NaN, without an exception or a warning."""
    p = lstm.init_params(1, 3, 1, rng=helpers.make_rng(0))
    p["W_hh"] *= 1e200                                    # saturates every gate
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y, cache = lstm.forward(p, np.ones((30, 1, 1)))
        grads = lstm.backward(p, np.full_like(y, 1e307), cache)
    assert not np.all(np.isfinite(grads["b_y"])) and not np.all(np.isfinite(grads["h0"]))


@pytest.mark.parametrize("call, message", [
    (lambda p: lstm.forward(p, np.zeros((3, 2))), "x must have 3 dimension"),
    (lambda p: lstm.forward(p, np.zeros((3, 2, 5))), r"x must have shape \(T, B, 2\)"),
    (lambda p: lstm.forward({k: v for k, v in p.items() if k != "W_hh"}, np.zeros((3, 2, 2))), "params must have the keys"),
    (lambda p: lstm.forward(p, np.zeros((3, 2, 2)), h0=np.zeros((2, 7))), "h0 must have shape"),
    (lambda p: lstm.backward(p, np.zeros((4, 2, 1)), lstm.forward(p, np.zeros((3, 2, 2)))[1]), "dy must have shape"),
])
def test_validation(call, message):
    p = lstm.init_params(2, 3, 1, rng=helpers.make_rng(0))
    with pytest.raises(ValueError, match=message):
        call(p)


def test_init_validation():
    with pytest.raises(ValueError, match="n_hidden must be an integer >= 1"):
        lstm.init_params(1, 0, 1, rng=helpers.make_rng())
    with pytest.raises(ValueError, match="rng must be a numpy Generator"):
        lstm.init_params(1, 2, 1, rng=0)
    with pytest.raises(ValueError, match="forget_bias must be a finite number"):
        lstm.init_params(1, 2, 1, rng=helpers.make_rng(), forget_bias=float("nan"))
