"""The Elman RNN, forward and backward (BPTT), batched: kept here for notebooks 03-07.

Written out line by line, unbatched, in ``notebooks/02_unrolling_and_bptt.ipynb``;
this is the same computation, vectorised over the batch and arranged for speed:

* the input projections ``x_t W_xh^T`` of all T steps are one matrix product;
* the backward loop only carries the error through time; the weight gradients
  are summed once after the loop from the stored per-step errors (one matrix
  product each, instead of T small ones);
* every per-step array is preallocated and written with ``out=``: three numpy
  calls per step forward and three backward;
* the matrix products run on one BLAS thread. Measured on a shared 2-core
  machine (``python -m benchmarks --only bptt``): a (B, H) @ (H, H) product per
  step is too small to gain from a second thread, and when other programs
  keep the cores busy, OpenBLAS's threads wait for each other at every product,
  which made a forward + backward pass 3 to 13 times slower.

Equations (row-vector convention, batch on the first axis of each step)::

    a_t = x_t W_xh^T + h_{t-1} W_hh^T + b_h        # pre-activation, (B, H)
    h_t = f(a_t)                                   # hidden state,   (B, H)
    y_t = h_t W_hy^T + b_y                         # output,         (B, O)

Backward, with delta_t = dL/dh_t::

    da_t        = delta_t * f'(a_t)                # (B, H)
    delta_{t-1} = dE_{t-1}/dh_{t-1} + da_t W_hh    # i.e. W_hh^T (f'(a_t) * delta_t) per example
    dL/dW_hh    = sum_t da_t^T h_{t-1}             # weight sharing: a sum over steps

``tests/test_rnn.py`` checks every gradient against central differences in float64.
"""
from __future__ import annotations

import numpy as np

from .blas import one_blas_thread as _one_blas_thread
from .validation import check_array, check_array_dict, check_choice, check_float, check_float_dtype, check_int

__all__ = ["ACTIVATIONS", "PARAM_NAMES", "n_params", "init_params", "check_params", "forward", "backward", "squared_error"]

ACTIVATIONS = ("tanh", "relu", "linear", "sigmoid")
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
_RANKS = {"W_xh": 2, "W_hh": 2, "b_h": 1, "W_hy": 2, "b_y": 1}
# Notebook 06 compares its skip RNN with this one by passing its params with W_skip = 0: allowed, as
# long as it is zero (a non-zero W_skip would be silently ignored here, giving the wrong model).
_OPTIONAL = {"W_skip": 2}
_CACHE_KEYS = ("x", "a", "h", "activation")


def _relu(a, out):
    return np.maximum(a, 0, out=out)


def _sigmoid(a, out):
    """sigmoid(a) = (1 + tanh(a / 2)) / 2: the same function, with no overflow in exp(-a)."""
    np.multiply(a, 0.5, out=out)
    np.tanh(out, out=out)
    out *= 0.5
    out += 0.5
    return out


def _linear(a, out):
    np.copyto(out, a)
    return out


#: f(a, out=h): each activation written in place, so a step makes no new array.
_F = {"tanh": np.tanh, "relu": _relu, "sigmoid": _sigmoid, "linear": _linear}


def _fprime(name: str, a: np.ndarray, h: np.ndarray) -> np.ndarray:
    """f'(a_t), computed from the stored a_t and h_t = f(a_t), for all steps at once (a new array)."""
    if name == "tanh":
        d = np.multiply(h, h)
        return np.subtract(1.0, d, out=d)
    if name == "relu":
        return np.heaviside(a, 0.0)    # 1 where a > 0, 0 where a <= 0; NaN stays NaN (a > 0 would hide it as 0)
    if name == "sigmoid":
        d = np.subtract(1.0, h)
        d *= h
        return d
    return np.ones_like(a)


def n_params(n_in: int, n_hidden: int, n_out: int) -> int:
    """Number of trainable numbers: H(D + H + 1) for W_xh, W_hh, b_h plus O(H + 1) for W_hy, b_y."""
    D = check_int("n_in", n_in, minimum=1)
    H = check_int("n_hidden", n_hidden, minimum=1)
    O = check_int("n_out", n_out, minimum=1)
    return H * (D + H + 1) + O * (H + 1)


def init_params(n_in: int, n_hidden: int, n_out: int, *, rng: np.random.Generator,
                recurrent: str = "random", scale: float = 1.0, dtype=np.float64) -> dict:
    """Parameters of an Elman RNN.

    Shapes: ``W_xh`` (H, D), ``W_hh`` (H, H), ``b_h`` (H,), ``W_hy`` (O, H), ``b_y`` (O,).

    ``recurrent`` chooses ``W_hh``: ``"random"`` (Gaussian with standard
    deviation ``scale / sqrt(H)``, so its largest singular value is about
    ``2 * scale`` and its spectral radius about ``scale``), ``"orthogonal"``
    (``scale`` times a random orthogonal matrix: every singular value equals
    ``scale``) or ``"identity"`` (``scale`` times I: the IRNN of Le et al. 2015).
    Input and output weights are Gaussian with standard deviation
    1/sqrt(fan-in); biases start at zero. ``dtype``: float32 or float64.
    """
    D = check_int("n_in", n_in, minimum=1)
    H = check_int("n_hidden", n_hidden, minimum=1)
    O = check_int("n_out", n_out, minimum=1)
    check_choice("recurrent", recurrent, ("random", "orthogonal", "identity"))
    scale = check_float("scale", scale, minimum=0.0)
    dtype = check_float_dtype("dtype", dtype)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator (helpers.make_rng()), got {type(rng).__name__}")
    if recurrent == "random":
        W_hh = rng.normal(0.0, scale / np.sqrt(H), size=(H, H))
    elif recurrent == "orthogonal":
        q, r = np.linalg.qr(rng.normal(size=(H, H)))
        W_hh = scale * q * np.sign(np.diag(r))
    else:
        W_hh = scale * np.eye(H)
    params = {
        "W_xh": rng.normal(0.0, 1.0 / np.sqrt(D), size=(H, D)),
        "W_hh": W_hh,
        "b_h": np.zeros(H),
        "W_hy": rng.normal(0.0, 1.0 / np.sqrt(H), size=(O, H)),
        "b_y": np.zeros(O),
    }
    return {k: v.astype(dtype) for k, v in params.items()}


def check_params(params: dict) -> tuple[int, int, int]:
    """Return (D, H, O) of an RNN's ``params``, or raise ValueError naming what does not fit.

    ``params`` must be a dict with the keys ``PARAM_NAMES`` (shapes as in
    :func:`init_params`), all numpy arrays of one dtype, float32 or float64.
    Only structure is checked: inf and NaN weights are allowed (they show
    an overflow).
    """
    check_array_dict("params", params, _RANKS, optional=_OPTIONAL, what="a dict of arrays from init_params")
    H, D = params["W_xh"].shape
    O = params["W_hy"].shape[0]
    if H == 0 or D == 0 or O == 0:
        raise ValueError(f"params must have at least one input, hidden unit and output, got W_xh {(H, D)} "
                         f"and W_hy {params['W_hy'].shape}")
    if (params["W_hh"].shape != (H, H) or params["b_h"].shape != (H,) or params["W_hy"].shape != (O, H)
            or params["b_y"].shape != (O,)):             # one test on the hot path; the loop below names the culprit
        for k, shape in (("W_hh", (H, H)), ("b_h", (H,)), ("W_hy", (O, H)), ("b_y", (O,))):
            if params[k].shape != shape:
                raise ValueError(f"params['{k}'] must have shape {shape} to fit W_xh {(H, D)}, got {params[k].shape}")
    if len(params) > len(PARAM_NAMES):
        skip = params["W_skip"]
        if skip.shape != (H, H) or skip.any():
            raise ValueError("params['W_skip'] must be absent or all zeros of shape (H, H): this RNN has no skip "
                             "connection (forward_skip of notebook 06 has)")
    return D, H, O


def _check_cache(cache, dtype, D: int, H: int) -> tuple[int, int]:
    """(T, B) of a cache from :func:`forward` made with params of this ``dtype`` and sizes; else ValueError."""
    if not isinstance(cache, dict):
        raise ValueError(f"cache must be the dict returned by forward, got {type(cache).__name__}")
    missing = [k for k in _CACHE_KEYS if k not in cache]
    if missing:
        origin = " (this one is from helpers.lstm.forward)" if "gates" in cache else ""
        raise ValueError(f"cache must be the dict returned by helpers.rnn.forward, with the keys {_CACHE_KEYS}; "
                         f"missing {missing}{origin}")
    a = cache["a"]
    if not isinstance(a, np.ndarray) or a.ndim != 3 or a.shape[2] != H:
        raise ValueError(f"cache['a'] must be an array of shape (T, B, {H}) to fit params, "
                         f"got {getattr(a, 'shape', type(a).__name__)}: pass the cache forward made with these params")
    T, B, _ = a.shape
    for k, shape in (("x", (T, B, D)), ("h", (T + 1, B, H))):
        v = cache[k]
        if not isinstance(v, np.ndarray) or v.shape != shape:
            raise ValueError(f"cache['{k}'] must be an array of shape {shape} to fit cache['a'] {a.shape} and params, "
                             f"got {getattr(v, 'shape', type(v).__name__)}")
    if a.dtype != dtype or cache["h"].dtype != dtype or cache["x"].dtype != dtype:
        raise ValueError(f"cache must hold arrays of the params' dtype {dtype}, got cache['a'] {a.dtype}: "
                         "pass the cache forward made with these params")
    check_choice("cache['activation']", cache["activation"], ACTIVATIONS)
    return T, B


def forward(params: dict, x: np.ndarray, h0: np.ndarray | None = None, activation: str = "tanh"):
    """Run the RNN over a batch of sequences.

    Parameters
    ----------
    params : dict from :func:`init_params` (float32 or float64: the whole pass runs in that dtype).
    x : inputs, shape (T, B, D), integers or floats (cast to the params' dtype); T, B >= 1.
    h0 : initial hidden state, shape (B, H); zeros if None.
    activation : one of ``ACTIVATIONS``.

    inf and NaN in ``x``, ``h0`` or the weights are not rejected: they propagate (overflow shows as inf/NaN).

    Returns
    -------
    y : outputs, shape (T, B, O).
    cache : what :func:`backward` needs; ``cache["h"]`` holds h_0..h_T, shape (T+1, B, H),
        and ``cache["a"]`` the pre-activations a_1..a_T, shape (T, B, H).
    """
    D, H, O = check_params(params)
    check_choice("activation", activation, ACTIVATIONS)
    x = check_array("x", x, ndim=3, finite=False, kinds="iuf")
    if x.shape[2] != D:
        raise ValueError(f"x must have shape (T, B, {D}) to fit W_xh, got {x.shape}")
    T, B, _ = x.shape
    if T < 1 or B < 1:
        raise ValueError(f"x must hold at least one step and one sequence, got shape {x.shape}")
    dtype = params["W_hh"].dtype
    x = x.astype(dtype, copy=False)
    # W_hh^T as its own C-ordered copy: OpenBLAS multiplies by it up to 1.5x faster than by the
    # transposed view (measured per step at H = 64 and 256), and it is only H x H numbers.
    W_hh_T = np.ascontiguousarray(params["W_hh"].T)
    h = np.empty((T + 1, B, H), dtype=dtype)
    h[0] = 0.0 if h0 is None else check_array("h0", h0, shape=(B, H), finite=False, kinds="iuf")
    recurrent = np.empty((B, H), dtype=dtype)      # h_{t-1} W_hh^T, one step
    with _one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):  # overflow shows as inf/NaN, by design
        # All input projections at once: (T*B, D) @ (D, H), plus the bias.
        a = (x.reshape(T * B, D) @ params["W_xh"].T).reshape(T, B, H)
        a += params["b_h"]
        f = _F[activation]
        for h_prev, a_t, h_t in zip(h[:-1], a, h[1:]):   # step views: h_{t-1}, a_t, h_t
            np.matmul(h_prev, W_hh_T, out=recurrent)
            a_t += recurrent                        # a_t = x_t W_xh^T + b_h + h_{t-1} W_hh^T
            f(a_t, out=h_t)                         # h_t = f(a_t)
        y = (h[1:].reshape(T * B, H) @ params["W_hy"].T).reshape(T, B, O)
        y += params["b_y"]
    return y, {"x": x, "a": a, "h": h, "activation": activation}


def backward(params: dict, dy: np.ndarray, cache: dict) -> dict:
    """Backpropagation through time.

    Parameters
    ----------
    params : the dict passed to :func:`forward`.
    dy : dL/dy_t for every step, shape (T, B, O) (zeros where a step has no loss), cast to the params' dtype.
    cache : from :func:`forward` with these ``params``.

    Returns
    -------
    grads : ``{name: dL/dname}`` with the shapes of ``params``, plus ``"h0"``
        (dL/dh_0, shape (B, H)) and ``"da"`` (dL/da_t for every step, shape
        (T, B, H): the error signal as it travels back in time).
    """
    D, H, O = check_params(params)
    T, B = _check_cache(cache, params["W_hh"].dtype, D, H)
    x, a, h, act = cache["x"], cache["a"], cache["h"], cache["activation"]
    dy = check_array("dy", dy, shape=(T, B, O), finite=False, kinds="iuf").astype(a.dtype, copy=False)
    W_hh = np.ascontiguousarray(params["W_hh"])
    with _one_blas_thread(), np.errstate(over="ignore", invalid="ignore"):
        dh = (dy.reshape(T * B, O) @ params["W_hy"]).reshape(T, B, H)  # dE_t/dh_t for all t at once
        da = _fprime(act, a, h[1:])                # f'(a_t), overwritten below by dL/da_t
        carry = np.zeros((B, H), dtype=a.dtype)    # dL/dh_t arriving from step t+1
        for dh_t, da_t in zip(dh[::-1], da[::-1]):  # t = T, ..., 1
            dh_t += carry                          # delta_t = dE_t/dh_t + delta from t+1
            da_t *= dh_t                           # da_t = f'(a_t) * delta_t
            np.matmul(da_t, W_hh, out=carry)       # delta_{t-1} = W_hh^T da_t  (row form: da_t W_hh)
        flat_da = da.reshape(T * B, H)
        flat_dy = dy.reshape(T * B, O)
        grads = {
            "W_xh": flat_da.T @ x.reshape(T * B, -1),         # sum_t da_t^T x_t
            "W_hh": flat_da.T @ h[:-1].reshape(T * B, H),     # sum_t da_t^T h_{t-1}
            "b_h": flat_da.sum(axis=0),
            "W_hy": flat_dy.T @ h[1:].reshape(T * B, H),
            "b_y": flat_dy.sum(axis=0),
        }
    grads["h0"] = carry
    grads["da"] = da
    return grads


def squared_error(y: np.ndarray, target: np.ndarray, mask: np.ndarray | None = None):
    """L = sum_t E_t, E_t = 1/2 ||y_t - target_t||^2, averaged over the batch.

    Parameters
    ----------
    y, target : shape (T, B, O), T, B, O >= 1; ``target`` finite.
    mask : optional weights, shape (T, B) or (T, B, 1), finite and >= 0 (bool
        is read as 0/1): step t of sequence b counts ``mask[t, b]`` times,
        L = 1/2 sum_{t,b} mask[t, b] ||y - target||^2 / B. Usually 1 where a
        step counts (e.g. only the last step of the adding problem), 0 elsewhere.

    Returns
    -------
    loss : float.
    dy : dL/dy = mask * (y - target) / B, shape (T, B, O), for :func:`backward`.
    """
    y = check_array("y", y, ndim=3, finite=False, kinds="iuf")
    if 0 in y.shape:
        raise ValueError(f"y must hold at least one step, sequence and output, got shape {y.shape}")
    target = check_array("target", target, shape=y.shape, kinds="iuf")
    diff = y - target
    if mask is not None:
        mask = check_array("mask", mask)           # scanned for inf/NaN: (T, B) numbers, not a large array
        if mask.shape == y.shape[:2]:
            mask = mask[..., None]
        if mask.shape != y.shape[:2] + (1,):
            raise ValueError(f"mask must have shape {y.shape[:2]} or {y.shape[:2] + (1,)}, got {mask.shape}")
        if mask.dtype.kind != "b" and np.any(mask < 0):
            raise ValueError("mask must be >= 0 everywhere (a weight per step and sequence)")
    B = y.shape[1]
    with np.errstate(over="ignore", invalid="ignore"):   # inf * 0 where an overflowed step is masked: NaN, by design
        weighted = diff if mask is None else diff * mask   # for a 0/1 mask: the masked difference
        # sum m (y - t)^2 written as sum (m (y - t)) (y - t): the same numbers as ((y - t) m)^2 when m is 0 or 1,
        # and, for any weights, the loss whose gradient is the dy returned (checked in tests/test_bad_input.py).
        loss = 0.5 * float(np.sum(weighted * diff)) / B
    return loss, weighted / B
