"""The LSTM (with forget gate), forward and backward (BPTT), batched: kept here for later use.

Written out line by line, readable and commented, in ``notebooks/07_lstm.ipynb``;
this is the same computation, vectorised over the batch and arranged for speed.
Notebook 07 asserts that the two agree, and ``tests/test_lstm.py`` checks every
gradient against central differences in float64.

Equations (row-vector convention, batch on the first axis of each step; the four
gates' weights are stacked in one matrix, rows in the order ``GATES = (i, f, g, o)``,
the order torch.nn.LSTM uses)::

    a_t = x_t W_xh^T + h_{t-1} W_hh^T + b_h      # pre-activations of the 4 gates, (B, 4H)
    i_t = sigmoid(a_t^i)                         # input gate,        (B, H)
    f_t = sigmoid(a_t^f)                         # forget gate,       (B, H)
    g_t = tanh(a_t^g)                            # candidate values,  (B, H)
    o_t = sigmoid(a_t^o)                         # output gate,       (B, H)
    c_t = f_t * c_{t-1} + i_t * g_t              # cell state: a running sum, (B, H)
    h_t = o_t * tanh(c_t)                        # hidden state,      (B, H)
    y_t = h_t W_hy^T + b_y                       # output,            (B, O)

Backward, with dh_t = dL/dh_t and dc_t = dL/dc_t (everything reaching them)::

    dc_t      = dc from step t+1 (f_{t+1} * dc_{t+1}) + dh_t * o_t * (1 - tanh(c_t)^2)
    da_t^i    = dc_t * g_t * i_t (1 - i_t)           da_t^f = dc_t * c_{t-1} * f_t (1 - f_t)
    da_t^g    = dc_t * i_t * (1 - g_t^2)             da_t^o = dh_t * tanh(c_t) * o_t (1 - o_t)
    dh_{t-1}  = dE_{t-1}/dh_{t-1} + da_t W_hh        # (row form of W_hh^T da_t)
    dc_{t-1} += f_t * dc_t                           # the cell path: dc_t/dc_{t-1} = diag(f_t)

What makes it fast (measured by `make bench`, benchmarks/bptt.py):

* all T input projections ``x_t W_xh^T + b_h`` are one matrix product;
* sigmoid(z) = (1 + tanh(z / 2)) / 2, so the three sigmoid gates and the tanh
  candidate are one ``tanh`` call per step (the sigmoid rows of the weights are
  halved once per forward pass, not per step);
* the local derivatives (the factors ``g_t i_t (1 - i_t)`` etc. above) are
  computed for all steps at once before the backward loop, so the loop only
  multiplies the travelling error by them: 7 numpy calls per step;
* the weight gradients are summed once after the loop from the stored per-step
  ``da_t`` (one matrix product each), not accumulated step by step;
* every per-step array is preallocated and written with ``out=``.
"""
from __future__ import annotations


import numpy as np

from .blas import one_blas_thread
from .validation import check_array, check_array_dict, check_float, check_float_dtype, check_int


__all__ = ["GATES", "PARAM_NAMES", "init_params", "check_params", "forward", "backward", "n_params"]

#: Order of the gates' rows in the stacked W_xh (4H, D), W_hh (4H, H) and b_h (4H,).
GATES = ("i", "f", "g", "o")
PARAM_NAMES = ("W_xh", "W_hh", "b_h", "W_hy", "b_y")
_RANKS = {"W_xh": 2, "W_hh": 2, "b_h": 1, "W_hy": 2, "b_y": 1}
_CACHE_KEYS = ("x", "gates", "c", "h", "tanh_c")

# After one tanh over all four gates: sigmoid gates need (1 + tanh)/2, the candidate g keeps tanh.
_SCALE = np.array([0.5, 0.5, 1.0, 0.5])[:, None]     # Shape: (4, 1), broadcasts over (B, 4, H)
_OFFSET = np.array([0.5, 0.5, 0.0, 0.5])[:, None]


def n_params(n_in: int, n_hidden: int, n_out: int) -> int:
    """Number of trainable numbers: 4H(D + H + 1) for the gates plus O(H + 1) for the output."""
    D = check_int("n_in", n_in, minimum=1)
    H = check_int("n_hidden", n_hidden, minimum=1)
    O = check_int("n_out", n_out, minimum=1)
    return 4 * H * (D + H + 1) + O * (H + 1)


def init_params(n_in: int, n_hidden: int, n_out: int, *, rng: np.random.Generator,
                forget_bias: float = 1.0, dtype=np.float64) -> dict:
    """Parameters of an LSTM layer with a linear read-out.

    Shapes: ``W_xh`` (4H, D), ``W_hh`` (4H, H), ``b_h`` (4H,), ``W_hy`` (O, H),
    ``b_y`` (O,); the gates' rows are stacked in the order ``GATES``.

    Weights are Gaussian with standard deviation 1/sqrt(fan-in) (fan-in D for
    ``W_xh``, H for ``W_hh`` and ``W_hy``); biases start at zero except the
    forget gate's, ``b_h[H:2H] = forget_bias`` (+1 by default, as Jozefowicz et al.
    2015 recommend: f_t starts near sigmoid(1) = 0.73). ``dtype``: float32 or float64.
    """
    D = check_int("n_in", n_in, minimum=1)
    H = check_int("n_hidden", n_hidden, minimum=1)
    O = check_int("n_out", n_out, minimum=1)
    forget_bias = check_float("forget_bias", forget_bias)
    dtype = check_float_dtype("dtype", dtype)
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator (helpers.make_rng()), got {type(rng).__name__}")
    b_h = np.zeros(4 * H)
    b_h[H:2 * H] = forget_bias
    params = {
        "W_xh": rng.normal(0.0, 1.0 / np.sqrt(D), size=(4 * H, D)),
        "W_hh": rng.normal(0.0, 1.0 / np.sqrt(H), size=(4 * H, H)),
        "b_h": b_h,
        "W_hy": rng.normal(0.0, 1.0 / np.sqrt(H), size=(O, H)),
        "b_y": np.zeros(O),
    }
    return {k: v.astype(dtype) for k, v in params.items()}


def check_params(params: dict) -> tuple[int, int, int]:
    """Return (D, H, O) of an LSTM's ``params``, or raise ValueError naming what does not fit.

    ``params`` must be a dict with the keys ``PARAM_NAMES`` (shapes as in
    :func:`init_params`), all numpy arrays of one dtype, float32 or float64.
    Only structure is checked: inf and NaN weights are allowed.
    """
    check_array_dict("params", params, _RANKS, what="a dict of arrays from init_params")
    H4, D = params["W_xh"].shape
    if H4 % 4 or H4 == 0 or D == 0:
        raise ValueError(f"params['W_xh'] must have shape (4H, D) (the four gates stacked), got {(H4, D)}")
    H = H4 // 4
    O = params["W_hy"].shape[0]
    if O == 0:
        raise ValueError(f"params['W_hy'] must have shape (O, {H}) with O >= 1, got {params['W_hy'].shape}")
    if (params["W_hh"].shape != (4 * H, H) or params["b_h"].shape != (4 * H,) or params["W_hy"].shape != (O, H)
            or params["b_y"].shape != (O,)):             # one test on the hot path; the loop below names the culprit
        for k, shape in (("W_hh", (4 * H, H)), ("b_h", (4 * H,)), ("W_hy", (O, H)), ("b_y", (O,))):
            if params[k].shape != shape:
                raise ValueError(f"params['{k}'] must have shape {shape} to fit W_xh {(H4, D)}, got {params[k].shape}")
    return D, H, O


def _check_cache(cache, dtype, D: int, H: int) -> tuple[int, int]:
    """(T, B) of a cache from :func:`forward` made with params of this ``dtype`` and sizes; else ValueError."""
    if not isinstance(cache, dict):
        raise ValueError(f"cache must be the dict returned by forward, got {type(cache).__name__}")
    missing = [k for k in _CACHE_KEYS if k not in cache]
    if missing:
        origin = " (this one is from helpers.rnn.forward)" if "activation" in cache else ""
        raise ValueError(f"cache must be the dict returned by helpers.lstm.forward, with the keys {_CACHE_KEYS}; "
                         f"missing {missing}{origin}")
    gates = cache["gates"]
    if not isinstance(gates, np.ndarray) or gates.ndim != 4 or gates.shape[2:] != (4, H):
        raise ValueError(f"cache['gates'] must be an array of shape (T, B, 4, {H}) to fit params, "
                         f"got {getattr(gates, 'shape', type(gates).__name__)}: "
                         "pass the cache forward made with these params")
    T, B = gates.shape[:2]
    for k, shape in (("x", (T, B, D)), ("c", (T + 1, B, H)), ("h", (T + 1, B, H)), ("tanh_c", (T, B, H))):
        v = cache[k]
        if not isinstance(v, np.ndarray) or v.shape != shape:
            raise ValueError(f"cache['{k}'] must be an array of shape {shape} to fit cache['gates'] {gates.shape} "
                             f"and params, got {getattr(v, 'shape', type(v).__name__)}")
        if v.dtype != dtype:
            raise ValueError(f"cache must hold arrays of the params' dtype {dtype}, got cache['{k}'] {v.dtype}: "
                             "pass the cache forward made with these params")
    if gates.dtype != dtype:
        raise ValueError(f"cache must hold arrays of the params' dtype {dtype}, got cache['gates'] {gates.dtype}: "
                         "pass the cache forward made with these params")
    return T, B


def _forward(params, x, h0, c0):
    """forward without the BLAS thread switch."""
    D, H, O = check_params(params)
    x = check_array("x", x, ndim=3, finite=False, kinds="iuf")
    if x.shape[2] != D:
        raise ValueError(f"x must have shape (T, B, {D}) to fit W_xh, got {x.shape}")
    T, B, _ = x.shape
    if T < 1 or B < 1:
        raise ValueError(f"x must hold at least one step and one sequence, got shape {x.shape}")
    dtype = params["W_hh"].dtype
    x = x.astype(dtype, copy=False)
    scale = _SCALE.astype(dtype)
    offset = _OFFSET.astype(dtype)
    # Recurrent weights with the sigmoid gates' columns halved (sigmoid(z) = (1 + tanh(z/2)) / 2).
    W_hh_T = (params["W_hh"].reshape(4, H, H) * scale[:, :, None]).reshape(4 * H, H).T.copy()  # (H, 4H)
    # All input projections at once: (T*B, D) @ (D, 4H), plus the bias; then halved where sigmoid.
    gates = (x.reshape(T * B, D) @ params["W_xh"].T + params["b_h"]).reshape(T, B, 4, H)
    gates *= scale
    h = np.empty((T + 1, B, H), dtype=dtype)
    c = np.empty((T + 1, B, H), dtype=dtype)
    h[0] = 0.0 if h0 is None else check_array("h0", h0, shape=(B, H), finite=False, kinds="iuf")
    c[0] = 0.0 if c0 is None else check_array("c0", c0, shape=(B, H), finite=False, kinds="iuf")
    tanh_c = np.empty((T, B, H), dtype=dtype)
    recurrent = np.empty((B, 4, H), dtype=dtype)          # h_{t-1} W_hh^T, one step
    write_gates = np.empty((B, H), dtype=dtype)           # i_t * g_t, one step
    recurrent_flat = recurrent.reshape(B, 4 * H)
    with np.errstate(over="ignore", invalid="ignore"):
        for z, h_prev, h_t, c_prev, c_t, tanh_c_t in zip(gates, h[:-1], h[1:], c[:-1], c[1:], tanh_c):
            # z: (B, 4, H), a_t with the sigmoid gates' part halved; the others: step views (B, H)
            np.matmul(h_prev, W_hh_T, out=recurrent_flat)
            z += recurrent                                 # a_t = x_t W_xh^T + b_h + h_{t-1} W_hh^T
            np.tanh(z, out=z)
            z *= scale                                     # i, f, o: (1 + tanh(a/2)) / 2 = sigmoid(a);
            z += offset                                    # g: tanh(a)
            np.multiply(z[:, 1], c_prev, out=c_t)          # c_t = f_t * c_{t-1}
            np.multiply(z[:, 0], z[:, 2], out=write_gates)
            c_t += write_gates                             #       + i_t * g_t
            np.tanh(c_t, out=tanh_c_t)
            np.multiply(z[:, 3], tanh_c_t, out=h_t)        # h_t = o_t * tanh(c_t)
        y = (h[1:].reshape(T * B, H) @ params["W_hy"].T).reshape(T, B, O) + params["b_y"]
    return y, {"x": x, "gates": gates, "c": c, "h": h, "tanh_c": tanh_c}


def _backward(params, dy, cache):
    """backward without the BLAS thread switch."""
    D, H, O = check_params(params)
    dtype = params["W_hh"].dtype
    T, B = _check_cache(cache, dtype, D, H)
    x, gates, c, h, tanh_c = cache["x"], cache["gates"], cache["c"], cache["h"], cache["tanh_c"]
    dy = check_array("dy", dy, shape=(T, B, O), finite=False, kinds="iuf").astype(dtype, copy=False)
    W_hh = params["W_hh"]
    i, f, g, o = (gates[:, :, k] for k in range(4))       # each (T, B, H)
    with np.errstate(over="ignore", invalid="ignore"):
        # Local derivatives of every step, all at once (the loop below only multiplies by them).
        local = np.empty((T, B, 4, H), dtype=dtype)
        scratch = np.empty((T, B, H), dtype=dtype)
        np.subtract(1, i, out=scratch); scratch *= i; np.multiply(scratch, g, out=local[:, :, 0])       # g i (1 - i)
        np.subtract(1, f, out=scratch); scratch *= f; np.multiply(scratch, c[:-1], out=local[:, :, 1])  # c_{t-1} f (1 - f)
        np.multiply(g, g, out=scratch); np.subtract(1, scratch, out=scratch)
        np.multiply(scratch, i, out=local[:, :, 2])                                                      # i (1 - g^2)
        np.subtract(1, o, out=scratch); scratch *= o; np.multiply(scratch, tanh_c, out=local[:, :, 3])  # tanh(c) o (1 - o)
        dc_from_dh = np.multiply(tanh_c, tanh_c)                   # dc_t / dh_t through h_t = o tanh(c):
        np.subtract(1, dc_from_dh, out=dc_from_dh)
        dc_from_dh *= o                                            #   o_t (1 - tanh^2 c_t)
        dh = (dy.reshape(T * B, O) @ params["W_hy"]).reshape(T, B, H)  # dE_t/dh_t for all t at once
        da = np.empty((T, B, 4, H), dtype=dtype)
        dc = np.empty((B, H), dtype=dtype)
        carry_c = np.zeros((B, H), dtype=dtype)                    # dL/dc_t arriving from step t+1
        carry_h = np.zeros((B, H), dtype=dtype)                    # dL/dh_t arriving from step t+1
        steps = zip(dh[::-1], dc_from_dh[::-1], local[::-1], da[::-1], f[::-1])   # t = T, ..., 1
        for dh_t, dc_from_dh_t, local_t, da_t, f_t in steps:
            dh_t += carry_h                                        # dh_t = dE_t/dh_t + from step t+1
            np.multiply(dh_t, dc_from_dh_t, out=dc)
            dc += carry_c                                          # dc_t = carry + dh_t o_t (1 - tanh^2 c_t)
            np.multiply(local_t[:, :3], dc[:, None, :], out=da_t[:, :3])   # da^i, da^f, da^g
            np.multiply(local_t[:, 3], dh_t, out=da_t[:, 3])               # da^o
            np.multiply(dc, f_t, out=carry_c)                      # cell path: dc_{t-1} = f_t * dc_t
            np.matmul(da_t.reshape(B, 4 * H), W_hh, out=carry_h)   # dh_{t-1} = da_t W_hh
        flat_da = da.reshape(T * B, 4 * H)
        grads = {
            "W_xh": flat_da.T @ x.reshape(T * B, -1),              # sum_t da_t^T x_t
            "W_hh": flat_da.T @ h[:-1].reshape(T * B, H),          # sum_t da_t^T h_{t-1}
            "b_h": flat_da.sum(axis=0),
            "W_hy": dy.reshape(T * B, O).T @ h[1:].reshape(T * B, H),
            "b_y": dy.reshape(T * B, O).sum(axis=0),
        }
    grads["h0"] = carry_h
    grads["c0"] = carry_c
    grads["da"] = da.reshape(T, B, 4 * H)
    return grads


def forward(params: dict, x: np.ndarray, h0: np.ndarray | None = None, c0: np.ndarray | None = None):
    """Run the LSTM over a batch of sequences.

    Parameters
    ----------
    params : dict from :func:`init_params` (its dtype, float32 or float64, is used throughout).
    x : inputs, shape (T, B, D), integers or floats (cast to the params' dtype); T, B >= 1.
    h0, c0 : initial hidden and cell state, shape (B, H); zeros if None.

    inf and NaN in the inputs or weights are not rejected: they propagate.

    Returns
    -------
    y : outputs, shape (T, B, O).
    cache : what :func:`backward` needs: ``cache["gates"]`` (T, B, 4, H) holds
        i_t, f_t, g_t, o_t after their nonlinearities; ``cache["c"]`` and
        ``cache["h"]`` hold c_0..c_T and h_0..h_T, shape (T+1, B, H);
        ``cache["tanh_c"]`` holds tanh(c_1)..tanh(c_T), shape (T, B, H).
    """
    with one_blas_thread():
        return _forward(params, x, h0, c0)


def backward(params: dict, dy: np.ndarray, cache: dict) -> dict:
    """Backpropagation through time for the LSTM.

    Parameters
    ----------
    params : the dict passed to :func:`forward`.
    dy : dL/dy_t for every step, shape (T, B, O) (zeros where a step has no loss), cast to the params' dtype.
    cache : from :func:`forward` with these ``params``.

    Returns
    -------
    grads : ``{name: dL/dname}`` for every key of ``params`` (same shapes), plus
        ``"h0"`` and ``"c0"`` (dL/dh_0 and dL/dc_0, shape (B, H)) and ``"da"``
        (dL/da_t for every step, shape (T, B, 4H): the error as it travels back;
        ``da[t] @ W_xh`` is dL/dx_t).
    """
    with one_blas_thread():
        return _backward(params, dy, cache)
