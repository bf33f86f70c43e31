"""Notebook 6 (remedies for vanishing): the skip-connection RNN written out in the notebook, and the exercise checks.

The skip RNN's forward and backward passes live in the notebook (the concept is taught there); this
test takes that cell from the notebook and checks its gradients against central differences in
float64, at sizes and skip lengths the notebook does not use. The last test reruns section 5's
tanh RNN with its inputs perturbed in their last bits (as another machine's rounding would) and
checks that the notebook's bounds hold for every run, including at s = 3, where it is chaotic.
"""
from __future__ import annotations


import numpy as np
import pytest

import helpers
from helpers import rnn
from helpers.exercises import nb06
from conftest import NOTEBOOKS_DIR, code_cell

NOTEBOOK = NOTEBOOKS_DIR / "06_remedies_for_vanishing.ipynb"


@pytest.fixture(scope="module")
def skip_rnn():
    """Namespace with activate, slope, forward_skip, backward_skip, executed from the notebook's cell."""
    namespace = {"np": np}
    exec(compile(code_cell(NOTEBOOK, "def forward_skip("), NOTEBOOK.name, "exec"), namespace)
    return namespace


def _problem(seed, T, B, D, H, O):
    rng = helpers.make_rng(seed)
    params = {
        "W_xh": rng.normal(0, 0.8, size=(H, D)), "W_hh": rng.normal(0, 0.6, size=(H, H)),
        "W_skip": rng.normal(0, 0.6, size=(H, H)), "b_h": rng.normal(0, 0.1, size=H),
        "W_hy": rng.normal(0, 0.5, size=(O, H)), "b_y": rng.normal(0, 0.1, size=O),
    }
    return params, rng.normal(size=(T, B, D)), rng.normal(size=(T, B, O))


@pytest.mark.parametrize("activation", ["tanh", "relu"])
@pytest.mark.parametrize("T, k", [(7, 1), (8, 2), (11, 5), (6, 6)])
def test_skip_rnn_gradients_match_central_differences(skip_rnn, activation, T, k):
    params, x, target = _problem(seed=10 + T + k, T=T, B=2, D=3, H=5, O=2)
    forward, backward = skip_rnn["forward_skip"], skip_rnn["backward_skip"]

    def loss():
        return rnn.squared_error(forward(params, x, activation, k)[0], target)[0]

    y, cache = forward(params, x, activation, k)
    grads = backward(params, rnn.squared_error(y, target)[1], cache)
    errors = helpers.check_gradients(loss, params, grads)
    assert max(errors.values()) < 1e-7, errors


def test_skip_rnn_delta_is_dL_dh(skip_rnn):
    """delta[t] returned by backward_skip is dL/dh_t: check dL/dh_0 by perturbing an initial state."""
    params, x, target = _problem(seed=3, T=9, B=2, D=2, H=4, O=1)
    forward, backward = skip_rnn["forward_skip"], skip_rnn["backward_skip"]
    k = 3
    y, cache = forward(params, x, "tanh", k)
    delta = backward(params, rnn.squared_error(y, target)[1], cache)["delta"]
    # The loss as a function of the hidden state at step 4: rerun the forward pass from h with h_4 replaced.
    h_fixed = cache["h"].copy()
    h4 = h_fixed[4].copy()

    def loss_from_h4():
        T = x.shape[0]
        h = h_fixed.copy()
        h[4] = h4
        a = x @ params["W_xh"].T + params["b_h"]
        for t in range(5, T + 1):
            a_t = a[t - 1] + h[t - 1] @ params["W_hh"].T + (h[t - k] @ params["W_skip"].T if t >= k else 0.0)
            h[t] = np.tanh(a_t)
        out = h[1:] @ params["W_hy"].T + params["b_y"]
        return rnn.squared_error(out, target)[0]

    numeric = helpers.numerical_gradient(loss_from_h4, h4)
    assert helpers.relative_error(delta[4], numeric) < 1e-7


def test_skip_rnn_without_skip_is_the_elman_rnn(skip_rnn):
    params, x, target = _problem(seed=4, T=10, B=3, D=2, H=4, O=2)
    params["W_skip"] = np.zeros_like(params["W_skip"])
    y_ref, cache_ref = rnn.forward(params, x, activation="relu")
    y, cache = skip_rnn["forward_skip"](params, x, "relu", 4)
    np.testing.assert_allclose(y, y_ref, rtol=1e-12, atol=1e-14)
    dy = rnn.squared_error(y_ref, target)[1]
    g_ref = rnn.backward(params, dy, cache_ref)
    g = skip_rnn["backward_skip"](params, dy, cache)
    for name in rnn.PARAM_NAMES:
        np.testing.assert_allclose(g[name], g_ref[name], rtol=1e-10, atol=1e-14)


def test_relu_slope_keeps_nan_visible(skip_rnn):
    a = np.array([-1.0, 0.0, 2.0, np.nan, np.inf])
    slope = skip_rnn["slope"]("relu", a, np.maximum(a, 0))
    np.testing.assert_array_equal(slope[:3], [0.0, 0.0, 1.0])
    assert np.isnan(slope[3]) and slope[4] == 1.0


# -- exercise checks -------------------------------------------------------------------------------

def test_max_irnn_scale_matches_the_root():
    for d, limit in [(500, 1e6), (100, 10.0), (1, 3.0)]:
        assert nb06.max_irnn_scale(d, limit) == pytest.approx(limit ** (1 / d), rel=1e-10)


def test_skip_param_count_matches_real_arrays():
    rng = helpers.make_rng(0)
    for H, D, O, n_skips in [(64, 10, 5, 2), (16, 1, 1, 1), (3, 2, 4, 0)]:
        params = rnn.init_params(D, H, O, rng=rng)
        count = sum(v.size for v in params.values()) + n_skips * H * H
        assert nb06.skip_param_count(H, D, O, n_skips) == count


def test_shortest_path_matches_the_formula():
    for k in range(1, 13):
        for d in range(0, 60):
            assert nb06.shortest_path(d, k) == (d if k == 1 else d // k + d % k)


def test_zero_lags():
    assert nb06.zero_lags(200, 20) == 180
    assert nb06.zero_lags(10, 20) == 0


def test_checks_accept_right_and_reject_wrong(capsys):
    assert nb06.check_max_irnn_scale(10 ** (6 / 500))
    assert not nb06.check_max_irnn_scale(1.05)
    assert not nb06.check_max_irnn_scale(None)
    assert nb06.check_skip_param_count(13317)
    assert not nb06.check_skip_param_count(5125)
    assert nb06.check_shortest_path(10)
    assert not nb06.check_shortest_path(37)
    assert nb06.check_zero_lags(180)
    assert not nb06.check_zero_lags(20)
    out = capsys.readouterr().out
    assert "Correct" in out and "Not yet." in out


@pytest.mark.parametrize("call, message", [
    (lambda: nb06.max_irnn_scale(0), "d must be an integer >= 1"),
    (lambda: nb06.shortest_path(5, 0), "k must be an integer >= 1"),
    (lambda: nb06.skip_param_count(n_hidden=0), "n_hidden must be an integer >= 1"),
])
def test_bad_input_names_the_argument(call, message):
    with pytest.raises(ValueError, match=message):
        call()


# -- section 5: what the last bits of the arithmetic change (another machine rounds differently) ------------

@pytest.fixture(scope="module")
def lag_profiles():
    """The notebook's own code (setup and section 1) in one namespace, for helpers.lag_profiles of section 5."""
    namespace = {}
    setup = "\n".join(line for line in code_cell(NOTEBOOK, "from helpers.exercises import nb06").splitlines()
                      if not line.lstrip().startswith("%"))
    for source in (setup, code_cell(NOTEBOOK, "def make_params(")):
        exec(compile(source, NOTEBOOK.name, "exec"), namespace)
    return namespace


def test_tanh_factors_of_section_5_whatever_the_last_bits(lag_profiles):
    """At s = 3 the tanh RNN is chaotic: the factor per step moves with the last bits, within the notebook's bounds.

    At s = 2.2 and 2.3 it is not, and the factor crosses 1 between them on every perturbed run.
    """
    ns = lag_profiles
    noise = np.random.default_rng(0)
    factors = []
    for _ in range(8):
        x = ns["x_all"] * (1 + 1e-15 * noise.normal(size=ns["x_all"].shape))
        sizes, _ = ns["lag_profiles"](ns["make_params"]("random", 1.0), "tanh", np.array([2.2, 2.3, 3.0]), np.array([800]), x)
        factors.append([ns["per_step_factor"](sizes[i, 0], 200, 600) for i in range(3)])
    at_22, at_23, at_3 = np.array(factors).T
    assert np.all(at_22 < 1.0) and np.all((1.0 < at_23) & (at_23 < 1.02))    # the crossing at s = 2.3, on every run
    assert np.all((1.05 < at_3) & (at_3 < 1.3))                               # the notebook's bounds at s = 3
    assert np.ptp(at_3) > 0.005                                               # ...which the last bits move (chaos)
