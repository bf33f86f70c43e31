"""helpers.rnn (the RNN written out in notebook 02): gradients against central differences in float64."""
from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers import rnn


def _setup(activation, T=6, B=3, D=2, H=4, O=2, seed=0, recurrent="random", scale=1.0):
    rng = helpers.make_rng(seed)
    params = rnn.init_params(D, H, O, rng=rng, recurrent=recurrent, scale=scale)
    for k in ("b_h", "b_y"):
        params[k] = rng.normal(0, 0.1, size=params[k].shape)
    x = rng.normal(size=(T, B, D))
    target = rng.normal(size=(T, B, O))
    h0 = rng.normal(0, 0.5, size=(B, H))
    return params, x, target, h0


@pytest.mark.parametrize("activation", rnn.ACTIVATIONS)
def test_bptt_matches_central_differences(activation):
    params, x, target, h0 = _setup(activation)

    def loss():
        y, _ = rnn.forward(params, x, h0, activation)
        return rnn.squared_error(y, target)[0]

    y, cache = rnn.forward(params, x, h0, activation)
    _, dy = rnn.squared_error(y, target)
    grads = rnn.backward(params, dy, cache)
    errors = helpers.check_gradients(loss, params, grads)
    assert max(errors.values()) < 1e-7, errors
    h0_num = helpers.numerical_gradient(loss, h0)
    assert helpers.relative_error(grads["h0"], h0_num) < 1e-7


def test_masked_loss_gradient():
    params, x, target, h0 = _setup("tanh")
    mask = np.zeros(x.shape[:2]); mask[-1] = 1.0

    def loss():
        return rnn.squared_error(rnn.forward(params, x, h0)[0], target, mask)[0]

    y, cache = rnn.forward(params, x, h0)
    grads = rnn.backward(params, rnn.squared_error(y, target, mask)[1], cache)
    assert max(helpers.check_gradients(loss, params, grads).values()) < 1e-7


def test_batch_equals_single_sequences():
    params, x, target, _ = _setup("tanh", B=4)
    y, _ = rnn.forward(params, x)
    for b in range(4):
        yb, _ = rnn.forward(params, x[:, b:b + 1])
        np.testing.assert_allclose(yb[:, 0], y[:, b], rtol=1e-12, atol=1e-12)


def test_float32_runs_in_float32():
    rng = helpers.make_rng(0)
    params = rnn.init_params(2, 8, 1, rng=rng, dtype=np.float32)
    y, cache = rnn.forward(params, rng.normal(size=(5, 3, 2)))
    grads = rnn.backward(params, np.ones_like(y), cache)
    assert y.dtype == np.float32 and grads["W_hh"].dtype == np.float32


def test_init_recurrent_kinds():
    rng = helpers.make_rng(0)
    W = rnn.init_params(1, 16, 1, rng=rng, recurrent="orthogonal", scale=0.5)["W_hh"]
    np.testing.assert_allclose(np.linalg.svd(W, compute_uv=False), 0.5, rtol=1e-10)
    assert np.array_equal(rnn.init_params(1, 3, 1, rng=rng, recurrent="identity")["W_hh"], np.eye(3))


def test_overflow_gives_inf_or_nan_not_crash():
    rng = helpers.make_rng(0)
    params = rnn.init_params(1, 4, 1, rng=rng, recurrent="identity", scale=1e3)
    y, cache = rnn.forward(params, np.ones((200, 1, 1)), activation="linear")
    assert not np.all(np.isfinite(y))
    grads = rnn.backward(params, np.ones_like(y), cache)
    assert not np.all(np.isfinite(grads["W_hh"]))


@pytest.mark.parametrize("kwargs, message", [
    (dict(activation="elu"), "activation must be one of"),
    (dict(x=np.zeros((3, 2))), r"x must have 3 dimension"),
    (dict(x=np.zeros((3, 2, 5))), r"x must have shape \(T, B, 2\)"),
])
def test_forward_validation(kwargs, message):
    params, x, _, _ = _setup("tanh")
    args = dict(x=x, activation="tanh") | kwargs
    with pytest.raises(ValueError, match=message):
        rnn.forward(params, args["x"], activation=args["activation"])


def test_init_validation():
    with pytest.raises(ValueError, match="n_hidden must be an integer >= 1"):
        rnn.init_params(1, 0, 1, rng=helpers.make_rng())
    with pytest.raises(ValueError, match="rng must be a numpy Generator"):
        rnn.init_params(1, 2, 1, rng=0)
    with pytest.raises(ValueError, match="recurrent must be one of"):
        rnn.init_params(1, 2, 1, rng=helpers.make_rng(), recurrent="eye")


def test_relu_backward_keeps_nan_visible():
    """A NaN pre-activation must give a NaN gradient, not an exactly-zero one (a > 0 is False for NaN)."""
    rng = helpers.make_rng(0)
    params = rnn.init_params(1, 3, 1, rng=rng)
    params["W_xh"][0, 0] = np.nan
    y, cache = rnn.forward(params, np.ones((4, 1, 1)), activation="relu")
    grads = rnn.backward(params, np.ones_like(y), cache)
    assert np.isnan(grads["W_hh"]).any()
