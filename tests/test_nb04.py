"""Notebook 4 (exploding gradients): claims its prose makes that one float64 run cannot check.

- The wall of the cliff keeps getting steeper with w (the notebook's float64 values stop following the
  trend near w = 8, and the prose says that float64, not the wall, is the reason): checked here in
  50-digit decimal arithmetic, an independent reference.
- At rho = 8 the 20-unit tanh RNN of section 2 is chaotic, so its figures differ between machines, while
  at rho <= 4 they do not: checked by perturbing W_hh in its last bits, as another BLAS's rounding would.
- The blow-up of section 3 does not depend on the last bits: with every gradient perturbed by 1e-13
  (relative, about 500 times float64's rounding) at every step, the facts the notebook asserts still hold.
"""
from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np
import pytest

import helpers
from helpers import cliff, rnn
from conftest import NOTEBOOKS_DIR, code_cell

NOTEBOOK = NOTEBOOKS_DIR / "04_exploding_gradients.ipynb"




# -- the wall in exact (50-digit) arithmetic ----------------------------------------------------

def _sigma(x: Decimal) -> Decimal:
    return 1 / (1 + (-x).exp())


def _final_sigma(w: Decimal, b: Decimal, T: int = 50) -> Decimal:
    x = Decimal("0.5")
    for _ in range(T):
        x = w * _sigma(x) + b                       # x_t = w sigma(x_{t-1}) + b
    return _sigma(x)


def _grad_norm(w: Decimal, b: Decimal, T: int = 50) -> Decimal:
    xs = [Decimal("0.5")]
    for _ in range(T):
        xs.append(w * _sigma(xs[-1]) + b)
    s = _sigma(xs[-1])
    e = 2 * (s - Decimal("0.7")) * s * (1 - s)      # e_T = dL/dx_T
    gw = gb = Decimal(0)
    for t in range(T, 0, -1):
        sp = _sigma(xs[t - 1])
        gw += e * sp
        gb += e
        e = e * w * sp * (1 - sp)                   # e_{t-1} = e_t w sigma'(x_{t-1})
    return (gw * gw + gb * gb).sqrt()


def _wall(w: float) -> Decimal:
    """b where sigma(x_50) crosses 0.5 at this w, to ~1e-40 (bisection in 50-digit arithmetic)."""
    low, high, w = Decimal("-6.5"), Decimal("1.5"), Decimal(w)
    for _ in range(135):
        middle = (low + high) / 2
        if _final_sigma(w, middle) > Decimal("0.5"):
            high = middle
        else:
            low = middle
    return (low + high) / 2


def test_the_wall_keeps_getting_steeper_in_exact_arithmetic():
    with localcontext() as ctx:
        ctx.prec = 50
        on_wall = {w: _grad_norm(Decimal(w), _wall(w)) for w in (7.0, 8.0, 9.0)}
    # float64 on the notebook's grid: ~1e10 at w = 7 and ~1e13 at w = 8, then it loses the wall.
    assert 1e9 < on_wall[7.0] < 1e11
    assert on_wall[8.0] > 100 * on_wall[7.0] and on_wall[9.0] > 100 * on_wall[8.0]
    assert on_wall[9.0] > 1e15


def test_at_w_9_the_whole_jump_lies_within_a_float64_spacing_or_two():
    """The reason the notebook gives for its scattered values near w = 9."""
    with localcontext() as ctx:
        ctx.prec = 50
        b = _wall(9.0)
        ulp = Decimal(float(np.spacing(abs(float(b)))))      # neighbouring float64 numbers near b are this far apart
        below, above = _final_sigma(Decimal(9), b - 2 * ulp), _final_sigma(Decimal(9), b + 2 * ulp)
    assert below < Decimal("0.1") and above > Decimal("0.9")


# -- section 2: rho = 8 is chaotic, rho <= 4 is not -------------------------------------------

@pytest.fixture(scope="module")
def section1():
    """recurrent_matrix, error_by_lag, W_unit and delta_T, from the notebook's own cell."""
    namespace = {"np": np, "helpers": helpers, "FLOAT_MAX": np.finfo(np.float64).max}
    exec(compile(code_cell(NOTEBOOK, "def recurrent_matrix("), NOTEBOOK.name, "exec"), namespace)
    return namespace


def _tanh_signal_100_back(ns, W_unit, rho):
    """||delta|| 100 steps back in the 20-unit tanh RNN driven by the notebook's inputs (as in section 2)."""
    params = rnn.init_params(1, ns["H"], 1, rng=helpers.make_rng(2))
    params["W_hh"] = rho * W_unit
    x_seq = helpers.make_rng(3).normal(size=(100, 1, 1))
    _, cache = rnn.forward(params, x_seq, activation="tanh")
    alpha = 1 - cache["h"][1:, 0] ** 2
    return ns["error_by_lag"](params["W_hh"], ns["delta_T"], 100, alpha)[-1]


def test_tanh_rnn_is_chaotic_at_rho_8_but_not_at_rho_4(section1):
    noise = np.random.default_rng(0)
    W_unit = section1["W_unit"]
    perturbed = [W_unit * (1 + 1e-15 * noise.normal(size=W_unit.shape)) for _ in range(12)]
    at_4 = np.array([_tanh_signal_100_back(section1, W, 4.0) for W in perturbed])
    at_8 = np.array([_tanh_signal_100_back(section1, W, 8.0) for W in perturbed])
    assert np.ptp(at_4) < 0.01 * at_4.mean()                     # rho = 4: the last bits change it by well under 1%
    assert at_8.max() > 10 * at_8.min()                          # rho = 8: they change the result by orders of magnitude
    assert np.all(at_4 > 1e9) and np.all(at_8 > 1e9)             # what the notebook asserts holds for every one
    assert np.all(at_8 ** (1 / 100) < 2)                         # growth per step below 2


# -- section 3: the blow-up does not depend on the last bits ---------------------------------------

def _noisy(seed, relative=1e-13):
    """A 'clip' that perturbs every gradient entry by ~relative, as another BLAS's rounding would (and more)."""
    noise = np.random.default_rng(seed)
    return lambda grads: {k: g * (1 + relative * noise.normal(size=g.shape)) for k, g in grads.items()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_blow_up_does_not_depend_on_the_last_bits(seed):
    log = cliff.train_sum_task(0.1, clip=_noisy(seed))
    loss, grad_norm, radius, weight_max = log["loss"], log["grad_norm"], log["radius"], log["weight_max"]
    typical = np.median(grad_norm[:50])
    spike = int(np.argmax(grad_norm > 100 * typical))
    first_bad = int(np.argmax(~np.isfinite(loss)))
    assert 85 < spike < 105 and loss[0] / np.min(loss[:spike]) > 25
    assert 100 < grad_norm[spike] / typical < 1000
    assert radius[spike] < 1 < 2 < radius[spike + 1]
    assert 2e16 < grad_norm[spike + 1] < 4.5e16 and weight_max[spike + 2] > 1e14
    assert first_bad == spike + 2 and np.isinf(loss[first_bad]) and np.isnan(loss[first_bad + 1:]).all()


def test_a_larger_learning_rate_blows_up_sooner_whatever_the_last_bits():
    firsts = []
    for lr in (0.1, 0.3, 1.0):
        bad = ~np.isfinite(cliff.train_sum_task(lr, clip=_noisy(7))["loss"])
        firsts.append(int(np.argmax(bad)))
    assert firsts[0] > firsts[1] > firsts[2] > 0
    assert np.isfinite(cliff.train_sum_task(0.03, clip=_noisy(7))["loss"]).all()
