"""Exercise checks of notebook 3 (vanishing gradients): right answers pass, wrong ones and None do not.

The expected values are derived here from closed forms; ``tests/test_exercise_checks.py``
compares the checks' own closed forms with a loop and with matrix products.
"""
from __future__ import annotations

import math

import numpy as np
import pytest

from helpers.exercises import nb03


def test_sigmoid_gamma_is_a_quarter_and_the_weight_limit_is_four():
    # sigma'(a) = sigma(a)(1 - sigma(a)) <= 1/4, with equality at a = 0 (AM-GM on sigma and 1 - sigma).
    assert nb03.max_sigmoid_derivative() == 0.25
    assert nb03.max_sigmoid_weight() == 4.0


def test_check_max_sigmoid_weight(capsys):
    assert nb03.check_max_sigmoid_weight(4.0) is True
    assert nb03.check_max_sigmoid_weight(4) is True
    assert nb03.check_max_sigmoid_weight(1.0) is False      # the tanh answer
    assert nb03.check_max_sigmoid_weight(0.25) is False     # gamma itself, not 1/gamma
    assert nb03.check_max_sigmoid_weight("four") is False
    assert nb03.check_max_sigmoid_weight(None) is False
    assert "Not yet" in capsys.readouterr().out


@pytest.mark.parametrize("factor, threshold", [(0.8, 1e-6), (0.9, 1e-3), (0.5, 1e-10), (0.99, 1e-2)])
def test_lag_below_threshold_matches_the_logarithm(factor, threshold):
    d = nb03.lag_below_threshold(factor, threshold)
    assert factor ** d < threshold <= factor ** (d - 1)
    assert d == math.floor(math.log(threshold) / math.log(factor)) + 1 or factor ** (d - 1) == threshold


def test_check_lag_below_threshold():
    assert nb03.check_lag_below_threshold(62) is True
    assert nb03.check_lag_below_threshold(61) is False      # 0.8^61 is still 1.2e-6
    assert nb03.check_lag_below_threshold(61.9) is False    # not rounded up
    assert nb03.check_lag_below_threshold(True) is False
    assert nb03.check_lag_below_threshold(None) is False
    assert nb03.check_lag_below_threshold(7, factor=0.1, threshold=1e-6) is True   # 0.1^7 < 1e-6 = 0.1^6


def test_peak_power_matches_the_closed_form():
    # ||W^k|| is dominated by the entry k c^(k-1) off, which grows while (k + 1)/k * c > 1, i.e. k < c / (1 - c).
    assert nb03.peak_power(0.92, 10.0) == math.ceil(0.92 / 0.08) == 12
    W = np.array([[0.92, 10.0], [0.0, 0.92]])
    norms = [np.linalg.norm(np.linalg.matrix_power(W, k), 2) for k in range(60)]
    assert int(np.argmax(norms)) == 12


def test_check_peak_power():
    assert nb03.check_peak_power(12) is True
    assert nb03.check_peak_power(11) is False
    assert nb03.check_peak_power(0) is False                # what the eigenvalues (0.92 < 1) would suggest
    assert nb03.check_peak_power(None) is False


@pytest.mark.parametrize("kwargs, match", [
    ({"factor": 1.0}, "factor must be below 1"),
    ({"factor": 1.5}, "factor must be"),
    ({"factor": 0.0}, "factor must be"),
    ({"threshold": 0.0}, "threshold must be"),
])
def test_lag_below_threshold_rejects_bad_input(kwargs, match):
    with pytest.raises(ValueError, match=match):
        nb03.lag_below_threshold(**kwargs)


# -- the gradients written out in the notebook, checked again at other settings --------------

import json                                   # noqa: E402  (kept with the tests that use it)

import helpers                                # noqa: E402
from conftest import NOTEBOOKS_DIR            # noqa: E402

NOTEBOOK = NOTEBOOKS_DIR / "03_vanishing_gradients.ipynb"


@pytest.fixture(scope="module")
def notebook_code():
    """The notebook's cells that define the product functions, run in a fresh namespace."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in cells if c["cell_type"] == "code"]
    namespace = {"np": np, "helpers": helpers, "math": math}
    from helpers import rnn
    namespace["rnn"] = rnn
    wanted = [s for s in sources if "def scalar_rnn" in s or "def jacobian_products" in s]
    assert len(wanted) == 2, "the notebook must define scalar_rnn and jacobian_products"
    for src in wanted:
        exec(src, namespace)
    return namespace


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "linear"])
@pytest.mark.parametrize("w", [-1.3, 0.9, 2.5])
def test_scalar_product_matches_central_differences(notebook_code, activation, w):
    ns = notebook_code
    x = 0.3 * helpers.make_rng(5).normal(size=4)
    h0 = np.array([0.1])
    a, _ = ns["scalar_rnn"](w, x, h0[0], activation)
    analytic = ns["backward_product"](w, a, activation)
    assert analytic[0] == 1.0 and analytic.shape == (5,)
    for d in range(1, 5):
        # Few steps keep the product large (above ~1e-3 here): central differences take the difference of two
        # nearly equal outputs, whose rounding error does not shrink with the derivative, so a tiny derivative
        # cannot be checked to a relative 1e-7 (the aside at the end of the notebook's section 9 shows this over 10 and 15 steps).
        numeric = helpers.numerical_gradient(lambda: ns["scalar_rnn"](w, x[:d], h0[0], activation)[1][-1], h0)[0]
        assert helpers.relative_error(analytic[d], numeric) < 1e-7, (activation, w, d)


@pytest.mark.parametrize("activation, s", [("tanh", 0.7), ("tanh", 1.5), ("sigmoid", 2.0), ("linear", 0.5)])
def test_jacobian_product_matches_finite_difference_jacobian(notebook_code, activation, s):
    ns = notebook_code
    H, d = ns["H"], 3
    h0 = 0.1 * helpers.make_rng(6).normal(size=(1, H))
    product = ns["jacobian_products"](s, activation, T=d, h0=h0)[-1]       # dh_d/dh_0, (H, H)
    ns["matrix_params"]["W_hh"] = s * ns["W_0"]
    numeric = np.empty((H, H))
    for i in range(H):                                                      # row i: d h_d[i] / d h_0
        numeric[i] = helpers.numerical_gradient(
            lambda: float(ns["rnn"].forward(ns["matrix_params"], ns["x_matrix"][:d], h0=h0,
                                            activation=activation)[1]["h"][-1, 0, i]), h0)[0]
    assert helpers.relative_error(product, numeric) < 1e-7
    # and the bound of section 6
    gamma = {"tanh": 1.0, "sigmoid": 0.25, "linear": 1.0}[activation]
    sigma = np.linalg.norm(s * ns["W_0"], 2)
    assert np.linalg.norm(product, 2) <= (gamma * sigma) ** d * (1 + 1e-12)


# -- the numbers of section 1's last check follow from float64's grid, not from one machine's digits ---------

@pytest.mark.parametrize("steps, smallest_error", [(10, 1e-5), (15, 0.1)])
def test_central_differences_cannot_resolve_the_sigmoid_product(notebook_code, steps, smallest_error):
    """Both nudged outputs lie in [0.5, 1), so central differences return a whole multiple of 2^-53 / (2 eps).

    However the machine rounds, the error is at least the distance from the product to the nearest such
    multiple: the notebook's lower bounds hold on every machine.
    """
    ns = notebook_code
    x = np.tile(0.5 * helpers.make_rng().normal(size=5), 3)[:steps]     # section 1's inputs (first draw of make_rng())
    a, h = ns["scalar_rnn"](0.9, x, 0.2, "sigmoid")
    product = abs(ns["backward_product"](0.9, a, "sigmoid")[-1])
    assert 0.5 <= h[-1] < 1
    step = 2.0 ** -53 / 2e-6
    nearest = [k * step for k in (math.floor(product / step), math.ceil(product / step))]
    assert min(abs(product - n) / (product + n) for n in nearest) > smallest_error


# -- section 6: busy, and still exploding (not an accident of the notebook's seed) ----------------------------

@pytest.mark.parametrize("seed", [helpers.SEED + 9, 1, 2, 3])
def test_many_busy_tanh_units_with_a_large_gain_explode(seed):
    H, s, T = 64, 3.0, 1000
    rng = helpers.make_rng(seed)
    W = s * rng.normal(0.0, 1.0 / np.sqrt(H), size=(H, H))
    h = rng.uniform(-1.0, 1.0, size=H)
    product, norms, busy, slopes = np.eye(H), [], [], []
    for t in range(1, T + 1):
        h = np.tanh(W @ h)
        product = ((1 - h ** 2)[:, None] * W) @ product
        busy.append(np.abs(h).mean())
        slopes.append((1 - h ** 2).mean())
        if t % 100 == 0:
            norms.append(np.linalg.norm(product, 2))
    norms = np.array(norms)                                     # d = 100, 200, ..., 1000
    assert norms[-1] > 1e30 and np.all(norms[1:] / norms[:-1] > 1e3)
    assert 0.7 < np.mean(busy) < 0.9 and 0.2 < np.mean(slopes) < 0.4
