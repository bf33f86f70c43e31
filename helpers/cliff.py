"""The exploding-gradient examples of notebook 04, kept here for notebook 05.

Both are written out and explained in ``notebooks/04_exploding_gradients.ipynb``;
notebook 05 (gradient clipping) reruns them with a clipped gradient, which it
passes in as ``clip``.

The cliff (Pascanu, Mikolov & Bengio 2013, section 3.3 and figure 6)
-----------------------------------------------------------------------
One sigmoid unit, no input, run for ``T`` = 50 steps::

    x_0 = 0.5
    x_t = w * sigmoid(x_{t-1}) + b                 # t = 1 .. T
    L(w, b) = (sigmoid(x_T) - 0.7) ** 2

Backward (``e_t = dL/dx_t``)::

    e_T      = 2 (sigmoid(x_T) - 0.7) sigmoid'(x_T)
    dL/dw    = sum_t e_t sigmoid(x_{t-1})          # w is shared by every step
    dL/db    = sum_t e_t
    e_{t-1}  = e_t * w * sigmoid'(x_{t-1})         # the factor w * alpha of notebook 03

For ``w`` above 4 the unit has two stable states, and a thin "wall" in the
(w, b) plane separates the starting points that end in the low state from
those that end in the high one. Near the wall the gradient is huge.

The running-sum task (a small linear RNN that blows up)
--------------------------------------------------------
``B`` sequences of ``T`` inputs ``x_t ~ U[-1, 1]``; the target, read at the
last step only, is ``sum_t x_t / sqrt(T)`` (the running sum, scaled so that
its size does not depend on ``T``). A linear RNN (``helpers.rnn`` with
``activation="linear"``) can solve it exactly, but only with a recurrent
eigenvalue of 1: the solution sits at the edge where the gradient explodes.
:func:`train_sum_task` trains it with plain (full-batch) gradient descent.
"""
from __future__ import annotations

import math
from typing import Callable

import numpy as np

from . import rnn
from .clipping import global_norm
from .seeding import make_rng
from .validation import check_array, check_callable, check_float, check_int

__all__ = ["T_CLIFF", "X0", "TARGET", "sigmoid", "cliff_loss", "cliff_loss_and_grad",
           "descend", "make_sum_task", "train_sum_task"]

T_CLIFF = 50     # steps of the single-unit recurrence
X0 = 0.5         # its starting state
TARGET = 0.7     # the target for sigmoid(x_T)


def sigmoid(x):
    """1 / (1 + exp(-x)), written as (1 + tanh(x/2)) / 2, which never overflows. ``x``: a number or array."""
    return _sigmoid(check_array("x", x, finite=False, kinds="iuf", dtype=float))


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """sigmoid without the check, for the loops below (called 3T times per loss)."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def _check_T(T):
    """The number of steps of the recurrence: a whole number >= 1, the same rule for every function here."""
    return check_int("T", T, minimum=1)


def _check_point(w, b) -> tuple[np.ndarray, np.ndarray]:
    """``w`` and ``b`` as float arrays that broadcast together (inf/NaN allowed: a point may lie beyond the wall)."""
    w = check_array("w", w, finite=False, kinds="iuf", dtype=float)
    b = check_array("b", b, finite=False, kinds="iuf", dtype=float)
    try:
        np.broadcast(w, b)
    except ValueError:
        raise ValueError(f"w and b must broadcast together (a point or a grid), got shapes {w.shape} and {b.shape}") \
            from None
    return w, b


def cliff_loss(w, b, T: int = T_CLIFF):
    """L(w, b) of the single-unit recurrence; ``w`` and ``b`` broadcast (scalars or grids)."""
    return cliff_loss_and_grad(w, b, T)[0]


def cliff_loss_and_grad(w, b, T: int = T_CLIFF):
    """Loss and gradient of the cliff model, vectorised over any broadcastable ``w``, ``b``.

    Written out in notebook 04 (section 4), with the same signature; the notebook asserts that the
    two agree.

    Returns ``(L, dL/dw, dL/db)``, each with the broadcast shape of ``w`` and
    ``b`` (floats when both are scalars). The forward loop stores every
    ``x_t``, shape ``(T + 1,) + grid shape``; the backward loop runs the
    equations of the module docstring.
    """
    T = _check_T(T)
    w, b = _check_point(w, b)
    shape = np.broadcast(w, b).shape
    x = np.empty((T + 1,) + shape)
    x[0] = X0
    for t in range(1, T + 1):
        x[t] = w * _sigmoid(x[t - 1]) + b                  # x_t = w sigma(x_{t-1}) + b
    s_T = _sigmoid(x[T])
    loss = (s_T - TARGET) ** 2
    e = 2.0 * (s_T - TARGET) * s_T * (1.0 - s_T)          # e_T = dL/dx_T
    grad_w = np.zeros(shape)
    grad_b = np.zeros(shape)
    for t in range(T, 0, -1):
        s_prev = _sigmoid(x[t - 1])
        grad_w += e * s_prev                               # dx_t/dw = sigma(x_{t-1})
        grad_b += e                                        # dx_t/db = 1
        e = e * w * s_prev * (1.0 - s_prev)                # e_{t-1} = e_t w sigma'(x_{t-1})
    if shape == ():
        return float(loss), float(grad_w), float(grad_b)
    return loss, grad_w, grad_b


def _cliff_gradient(w: float, b: float, T: int) -> tuple[float, float, float]:
    """:func:`cliff_loss_and_grad` at one point in plain Python floats, without checks: the inner loop of
    :func:`descend` (a float loop is many times faster than numpy on 0-d arrays; ``tests/test_cliff.py``
    checks that the two agree)."""
    xs = [X0]
    for _ in range(T):
        xs.append(w * 0.5 * (1.0 + math.tanh(0.5 * xs[-1])) + b)
    s_T = 0.5 * (1.0 + math.tanh(0.5 * xs[T]))
    e = 2.0 * (s_T - TARGET) * s_T * (1.0 - s_T)
    grad_w = grad_b = 0.0
    for t in range(T, 0, -1):
        s_prev = 0.5 * (1.0 + math.tanh(0.5 * xs[t - 1]))
        grad_w += e * s_prev
        grad_b += e
        e *= w * s_prev * (1.0 - s_prev)
    return (s_T - TARGET) ** 2, grad_w, grad_b


def descend(w0: float, b0: float, lr: float, steps: int = 100,
            clip: Callable[[np.ndarray], np.ndarray] | None = None, T: int = T_CLIFF) -> dict:
    """Plain gradient descent on the cliff loss from ``(w0, b0)``.

    ``clip``, if given, maps the gradient (an array of shape (2,)) to the step
    direction actually used, e.g. clip-by-norm from notebook 05; it must
    return an array of shape (2,).

    Returns a dict of arrays: ``path`` (steps + 1, 2) the points visited,
    ``loss`` (steps + 1,), ``grad_norm`` (steps,) the norm of the raw
    gradient at each step, ``step`` (steps,) the length of each move.
    """
    w0 = check_float("w0", w0)
    b0 = check_float("b0", b0)
    lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    clip = check_callable("clip", clip, "a function g -> clipped g (arrays of shape (2,))", optional=True)
    T = _check_T(T)
    path = np.empty((steps + 1, 2))
    loss = np.empty(steps + 1)
    grad_norm = np.empty(steps)
    w, b = w0, b0
    for k in range(steps + 1):
        path[k] = w, b
        L, gw, gb = _cliff_gradient(w, b, T)
        loss[k] = L
        if k == steps:
            break
        g = np.array([gw, gb])
        grad_norm[k] = math.hypot(gw, gb)
        if clip is not None:
            g = check_array("clip(g)", clip(g), shape=(2,), finite=False, kinds="iuf", dtype=float)
        w, b = w - lr * g[0], b - lr * g[1]               # theta <- theta - lr * g
    step = np.hypot(*np.diff(path, axis=0).T)
    return {"path": path, "loss": loss, "grad_norm": grad_norm, "step": step}


# -- the running-sum task ----------------------------------------------------------------------

def make_sum_task(T: int = 20, batch: int = 64, seed: int = 1):
    """Inputs, targets and mask of the running-sum task.

    Returns ``x`` (T, B, 1) uniform in [-1, 1]; ``target`` (T, B, 1), zero
    except at the last step, where it is ``sum_t x_t / sqrt(T)``; ``mask``
    (T, B), 1 at the last step only.
    """
    T = _check_T(T)
    batch = check_int("batch", batch, minimum=1)
    rng = make_rng(check_int("seed", seed, minimum=0))
    x = rng.uniform(-1.0, 1.0, size=(T, batch, 1))
    target = np.zeros_like(x)
    target[-1] = x.sum(axis=0) / math.sqrt(T)
    mask = np.zeros((T, batch))
    mask[-1] = 1.0
    return x, target, mask


def train_sum_task(lr: float, steps: int = 300, clip: Callable[[dict], dict] | None = None, *,
                   T: int = 20, n_hidden: int = 8, scale: float = 0.5, seed: int = 0,
                   data_seed: int = 1) -> dict:
    """Train a linear RNN on the running-sum task with plain gradient descent (as in notebook 04).

    Parameters
    ----------
    lr : learning rate, > 0.
    steps : number of updates (full batch).
    clip : optional function ``grads -> grads`` on the dict of gradients
        (``W_xh, W_hh, b_h, W_hy, b_y``), applied before each update; it must
        return such a dict, as ``clip_by_norm`` of notebook 05 does.
    T, n_hidden : sequence length and hidden size.
    scale : ``W_hh`` starts Gaussian with spectral radius about ``scale``.
    seed, data_seed : seeds of the initial weights and of the data.

    Returns
    -------
    dict of arrays, one entry per step k = 0 .. steps-1, measured *before*
    update k: ``loss``, ``grad_norm`` (norm of all raw gradients together),
    ``radius`` (spectral radius of ``W_hh``), ``weight_max`` (largest
    |weight|); plus ``params`` after the last update. inf and NaN are kept,
    not hidden: once a weight is NaN every later entry is NaN (the loop stops
    computing then, since nothing can change).
    """
    lr = check_float("lr", lr, minimum=0.0, exclusive_minimum=True)
    steps = check_int("steps", steps, minimum=1)
    clip = check_callable("clip", clip, "a function grads -> clipped grads (a dict of arrays)", optional=True)
    data_seed = check_int("data_seed", data_seed, minimum=0)
    x, target, mask = make_sum_task(T, seed=data_seed)
    params = rnn.init_params(1, n_hidden, 1, rng=make_rng(seed), scale=scale)
    history = {k: np.full(steps, np.nan) for k in ("loss", "grad_norm", "radius", "weight_max")}
    with np.errstate(over="ignore", invalid="ignore"):
        for k in range(steps):
            if any(np.isnan(p).any() for p in params.values()):
                break  # NaN weights give NaN everywhere from now on: the remaining entries stay NaN
            y, cache = rnn.forward(params, x, activation="linear")
            loss, dy = rnn.squared_error(y, target, mask)
            grads = rnn.backward(params, dy, cache)
            grads = {name: grads[name] for name in rnn.PARAM_NAMES}
            history["loss"][k] = loss
            history["grad_norm"][k] = global_norm(grads)
            W_hh = params["W_hh"]
            history["radius"][k] = np.max(np.abs(np.linalg.eigvals(W_hh))) if np.isfinite(W_hh).all() else np.nan
            history["weight_max"][k] = np.max([np.max(np.abs(p)) for p in params.values()])
            if clip is not None:
                grads = _clipped(clip(grads), grads)
            params = {name: params[name] - lr * grads[name] for name in rnn.PARAM_NAMES}
    history["params"] = params
    return history


def _clipped(result, grads: dict) -> dict:
    """Check what ``clip`` returned in :func:`train_sum_task`: a dict of arrays shaped like ``grads``."""
    if not isinstance(result, dict) or any(k not in result for k in grads):
        raise ValueError(f"clip must return a dict of arrays with the keys {tuple(grads)}, got "
                         f"{type(result).__name__}{' with keys ' + str(tuple(result)) if isinstance(result, dict) else ''}")
    out = {}
    for k, g in grads.items():
        out[k] = check_array(f"clip(grads)[{k!r}]", result[k], shape=g.shape, finite=False, kinds="iuf")
    return out
