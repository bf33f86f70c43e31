"""Bad input to every public helper: a ValueError whose message starts with the argument's name.

``BAD_CALLS`` is the table: each row is a call, the exception it must raise and
a regex its message must match (anchored at ``^``, so the message *begins*
with the argument's name). The rows go module by module and, within each,
category by category: None or a non-array, wrong rank, wrong or mismatched
shapes, ragged lists, non-numeric dtypes, integer dtypes where floats are
needed, empty arrays, bad sizes and counts, non-finite or out-of-range
settings, unknown names, bad params and cache dicts.

The tests after the table check the other half of the contract: inf and NaN
*inside* data and weights still propagate (the series shows overflow that
way), legitimate input that notebooks pass keeps working, and an exercise
check given any answer prints one line and returns False rather than raising.
"""
from __future__ import annotations

import contextlib
import io
import warnings

import numpy as np
import pytest

import helpers
from helpers import adding, cliff, clipping, gradcheck, lstm, rnn, validation
from helpers import exercises
from helpers.exercises import nb01, nb02, nb03, nb04, nb05, nb06, nb07

NAN, INF = float("nan"), float("inf")


def _with(d: dict, **changes) -> dict:
    """A copy of the dict ``d`` with some entries replaced (the fixtures below are shared: never modify them)."""
    return {**d, **changes}


def _without(d: dict, *keys) -> dict:
    return {k: v for k, v in d.items() if k not in keys}


# -- shared valid input (small: every row runs in microseconds) --------------------------------------

# Elman RNN: D = 2, H = 3, O = 1; T = 4 steps, B = 2 sequences.
P = rnn.init_params(2, 3, 1, rng=helpers.make_rng(0))
X = helpers.make_rng(1).normal(size=(4, 2, 2))
Y, CACHE = rnn.forward(P, X)
DY = np.ones_like(Y)
P32 = {k: v.astype(np.float32) for k, v in P.items()}

# LSTM: D = 2, H = 3, O = 1, same x.
LP = lstm.init_params(2, 3, 1, rng=helpers.make_rng(0))
LY, LCACHE = lstm.forward(LP, X)
LP32 = {k: v.astype(np.float32) for k, v in LP.items()}

# Notebook 2's unbatched problem: D = 3, H = 5, O = 2, T = 8.
_rng = helpers.make_rng(7)
NB2_P = rnn.init_params(3, 5, 2, rng=_rng)
NB2_X, NB2_TARGET, NB2_H0 = _rng.normal(size=(8, 3)), _rng.normal(size=(8, 2)), _rng.normal(size=5)
W2, A_T = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([0.0, 1.0])
J2 = np.diag(1 - np.tanh(A_T) ** 2) @ W2

ADAM_P = {"w": np.array([1.0, -2.0])}
ADAM_G = {"w": np.array([0.5, -3.0])}
GC_P = {"a": np.array([0.3, -1.2])}


def _loss():
    return float(np.sum(GC_P["a"] ** 2))


def _adam(**changes):
    """adam_step on fresh copies (it updates in place), with some arguments replaced."""
    args = dict(params={"w": ADAM_P["w"].copy()}, grads=ADAM_G, learning_rate=0.1)
    args.update(changes)
    state = args.pop("state", None) or adding.adam_init({"w": ADAM_P["w"].copy()})
    return adding.adam_step(args.pop("params"), args.pop("grads"), state, **args)


def _row(call, pattern, id, exc=ValueError):
    return pytest.param(call, exc, pattern, id=id)


BAD_CALLS = [
    # -- helpers.validation: the shared checks themselves -------------------------------------------
    _row(lambda: validation.check_int("T", None, minimum=1), r"^T must be an integer >= 1, got None", "check_int-None"),
    _row(lambda: validation.check_int("T", INF, minimum=1), r"^T must be an integer >= 1, got inf", "check_int-inf"),
    _row(lambda: validation.check_int("T", np.array(3), minimum=1), r"^T must be an integer", "check_int-0d-array"),
    _row(lambda: validation.check_float("lr", "0.1"), r"^lr must be a finite number, got '0.1'", "check_float-str"),
    _row(lambda: validation.check_float("lr", 10 ** 400), r"^lr must be a finite number", "check_float-huge-int"),
    _row(lambda: validation.check_float("b", 1.0, maximum=1.0, exclusive_maximum=True), r"^b must be a finite number < 1",
         "check_float-exclusive-max"),
    _row(lambda: validation.check_choice("activation", ["tanh"], rnn.ACTIVATIONS), r"^activation must be one of 'tanh'",
         "check_choice-list"),
    _row(lambda: validation.check_choice("activation", np.array(["tanh"]), rnn.ACTIVATIONS), r"^activation must be one of",
         "check_choice-array"),
    _row(lambda: validation.check_array("x", None), r"^x must be a numeric array, got None", "check_array-None"),
    _row(lambda: validation.check_array("x", [[1, 2], [3]]), r"^x must be a numeric array, got a ragged list",
         "check_array-ragged"),
    _row(lambda: validation.check_array("x", np.array([1 + 1j])), r"^x must be a numeric array, got dtype complex128",
         "check_array-complex"),
    _row(lambda: validation.check_array("x", ["1.5"], dtype=float), r"^x must be a numeric array, got dtype <U3",
         "check_array-numeric-string-not-converted"),
    _row(lambda: validation.check_array("x", [True], kinds="iuf"), r"^x must be a numeric array \(integers or floats, not bool\)",
         "check_array-bool"),
    _row(lambda: validation.check_array("x", np.array([1.0], dtype=object)), r"^x must be a numeric array, got dtype object",
         "check_array-object"),
    _row(lambda: validation.check_array("x", [], nonempty=True), r"^x must not be empty, got shape \(0,\)", "check_array-empty"),
    _row(lambda: validation.check_float_dtype("dtype", int), r"^dtype must be float32 or float64 .*got int64", "dtype-int"),
    _row(lambda: validation.check_float_dtype("dtype", "float16"), r"^dtype must be float32 or float64 .*got float16",
         "dtype-float16"),
    _row(lambda: validation.check_float_dtype("dtype", None), r"^dtype must be float32 or float64 .*got None", "dtype-None"),
    _row(lambda: validation.check_float_dtype("dtype", "bogus"), r"^dtype must be float32 or float64 .*got 'bogus'",
         "dtype-unknown"),
    _row(lambda: validation.check_array_dict("params", None), r"^params must be a dict of numpy arrays, got None",
         "array_dict-None"),
    _row(lambda: validation.check_array_dict("params", {}), r"^params must hold at least one array", "array_dict-empty"),
    _row(lambda: validation.check_callable("clip", 3, "a function"), r"^clip must be a function, got 3", "check_callable"),

    # -- helpers.rnn.init_params: sizes, seeds, names, dtype ------------------------------------------
    _row(lambda: rnn.init_params(0, 3, 1, rng=helpers.make_rng()), r"^n_in must be an integer >= 1, got 0", "rnn.init-n_in-0"),
    _row(lambda: rnn.init_params(2, 2.5, 1, rng=helpers.make_rng()), r"^n_hidden must be an integer >= 1, got 2.5",
         "rnn.init-n_hidden-fraction"),
    _row(lambda: rnn.init_params(2, 3, True, rng=helpers.make_rng()), r"^n_out must be an integer >= 1, got True",
         "rnn.init-n_out-bool"),
    _row(lambda: rnn.init_params(2, NAN, 1, rng=helpers.make_rng()), r"^n_hidden must be an integer", "rnn.init-n_hidden-nan"),
    _row(lambda: rnn.init_params(2, -3, 1, rng=helpers.make_rng()), r"^n_hidden must be an integer >= 1, got -3",
         "rnn.init-n_hidden-negative"),
    _row(lambda: rnn.init_params(2, 3, 1, rng=None), r"^rng must be a numpy Generator", "rnn.init-rng-None"),
    _row(lambda: rnn.init_params(2, 3, 1, rng=helpers.make_rng(), recurrent="eye"),
         r"^recurrent must be one of 'random', 'orthogonal', 'identity', got 'eye'", "rnn.init-recurrent-unknown"),
    _row(lambda: rnn.init_params(2, 3, 1, rng=helpers.make_rng(), scale=-1.0), r"^scale must be a finite number >= 0",
         "rnn.init-scale-negative"),
    _row(lambda: rnn.init_params(2, 3, 1, rng=helpers.make_rng(), scale=INF), r"^scale must be a finite number",
         "rnn.init-scale-inf"),
    _row(lambda: rnn.init_params(2, 3, 1, rng=helpers.make_rng(), dtype=int), r"^dtype must be float32 or float64",
         "rnn.init-dtype-int"),
    _row(lambda: rnn.init_params(2, 3, 1, rng=helpers.make_rng(), dtype=np.float16), r"^dtype must be float32 or float64",
         "rnn.init-dtype-float16"),
    _row(lambda: rnn.init_params(2, 3, 1, rng=helpers.make_rng(), dtype=bool), r"^dtype must be float32 or float64",
         "rnn.init-dtype-bool"),

    # -- helpers.rnn.forward: params dict -------------------------------------------------------------
    _row(lambda: rnn.forward(None, X), r"^params must be a dict of arrays from init_params, got None", "rnn.forward-params-None"),
    _row(lambda: rnn.forward(list(P.values()), X), r"^params must be a dict", "rnn.forward-params-list"),
    _row(lambda: rnn.forward(_without(P, "W_hh"), X), r"^params must have the keys .*; missing \['W_hh'\]",
         "rnn.forward-params-missing-key"),
    _row(lambda: rnn.forward(_with(P, w_hh=P["W_hh"]), X), r"^params has unknown keys \['w_hh'\]",
         "rnn.forward-params-unknown-key"),
    _row(lambda: rnn.forward(_with(P, W_xh=np.zeros(3)), X), r"^params\['W_xh'\] must have 2 dimension",
         "rnn.forward-W_xh-1d"),
    _row(lambda: rnn.forward(_with(P, W_hh=np.zeros((3, 4))), X), r"^params\['W_hh'\] must have shape \(3, 3\)",
         "rnn.forward-W_hh-shape"),
    _row(lambda: rnn.forward(_with(P, b_h=np.zeros(4)), X), r"^params\['b_h'\] must have shape \(3,\)", "rnn.forward-b_h-shape"),
    _row(lambda: rnn.forward(_with(P, W_hy=np.zeros((1, 4))), X), r"^params\['W_hy'\] must have shape \(1, 3\)",
         "rnn.forward-W_hy-shape"),
    _row(lambda: rnn.forward(_with(P, b_y=np.zeros(2)), X), r"^params\['b_y'\] must have shape \(1,\)", "rnn.forward-b_y-shape"),
    _row(lambda: rnn.forward(_with(P, W_xh=P["W_xh"].tolist()), X),
         r"^params\['W_xh'\] must be a numpy array of float32 or float64, got \[\[", "rnn.forward-W_xh-list"),
    _row(lambda: rnn.forward(_with(P, W_xh=np.ones((3, 2), dtype=int)), X),
         r"^params\['W_xh'\] must be a numpy array of float32 or float64, got dtype int64", "rnn.forward-W_xh-int"),
    _row(lambda: rnn.forward(_with(P, W_hh=np.full((3, 3), "a")), X),
         r"^params\['W_hh'\] must be a numpy array of float32 or float64, got dtype <U1", "rnn.forward-W_hh-str"),
    _row(lambda: rnn.forward(_with(P, b_h=P["b_h"].astype(np.float32)), X),
         r"^params must hold arrays of one float dtype, got params\['W_xh'\] float64 and params\['b_h'\] float32",
         "rnn.forward-params-mixed-dtype"),
    _row(lambda: rnn.forward(_with(P, W_xh=np.zeros((3, 0))), np.zeros((4, 2, 0))),
         r"^params must have at least one input, hidden unit and output", "rnn.forward-params-empty"),
    _row(lambda: rnn.forward(_with(P, W_skip=np.ones((3, 3))), X), r"^params\['W_skip'\] must be absent or all zeros",
         "rnn.forward-W_skip-nonzero"),
    _row(lambda: rnn.forward(_with(P, W_skip=np.zeros(3)), X), r"^params\['W_skip'\] must have 2 dimension",
         "rnn.forward-W_skip-1d"),

    # -- helpers.rnn.forward: x, h0, activation ---------------------------------------------------------
    _row(lambda: rnn.forward(P, None), r"^x must be a numeric array .*got None", "rnn.forward-x-None"),
    _row(lambda: rnn.forward(P, [[[1.0, 2.0]], [[1.0]]]), r"^x must be a numeric array .*got a ragged list",
         "rnn.forward-x-ragged"),
    _row(lambda: rnn.forward(P, np.full((4, 2, 2), "a")), r"^x must be a numeric array .*got dtype <U1", "rnn.forward-x-str"),
    _row(lambda: rnn.forward(P, X > 0), r"^x must be a numeric array \(integers or floats, not bool\), got dtype bool",
         "rnn.forward-x-bool"),
    _row(lambda: rnn.forward(P, X.astype(object)), r"^x must be a numeric array .*got dtype object", "rnn.forward-x-object"),
    _row(lambda: rnn.forward(P, X.astype(complex)), r"^x must be a numeric array .*got dtype complex128",
         "rnn.forward-x-complex"),
    _row(lambda: rnn.forward(P, X[0]), r"^x must have 3 dimension\(s\), got shape \(2, 2\)", "rnn.forward-x-2d"),
    _row(lambda: rnn.forward(P, np.zeros((4, 2, 5))), r"^x must have shape \(T, B, 2\) to fit W_xh, got \(4, 2, 5\)",
         "rnn.forward-x-D-mismatch"),
    _row(lambda: rnn.forward(P, np.zeros((0, 2, 2))), r"^x must hold at least one step and one sequence", "rnn.forward-x-T0"),
    _row(lambda: rnn.forward(P, np.zeros((4, 0, 2))), r"^x must hold at least one step and one sequence", "rnn.forward-x-B0"),
    _row(lambda: rnn.forward(P, X, h0=np.zeros((2, 4))), r"^h0 must have shape \(2, 3\), got shape \(2, 4\)",
         "rnn.forward-h0-shape"),
    _row(lambda: rnn.forward(P, X, h0=np.zeros(3)), r"^h0 must have shape \(2, 3\), got shape \(3,\)", "rnn.forward-h0-1d"),
    _row(lambda: rnn.forward(P, X, h0=np.zeros((2, 3), dtype=bool)), r"^h0 must be a numeric array .*not bool",
         "rnn.forward-h0-bool"),
    _row(lambda: rnn.forward(P, X, h0="zeros"), r"^h0 must be a numeric array .*got 'zeros'", "rnn.forward-h0-str"),
    _row(lambda: rnn.forward(P, X, activation="elu"),
         r"^activation must be one of 'tanh', 'relu', 'linear', 'sigmoid', got 'elu'", "rnn.forward-activation-unknown"),
    _row(lambda: rnn.forward(P, X, activation=None), r"^activation must be one of", "rnn.forward-activation-None"),
    _row(lambda: rnn.forward(P, X, activation=["tanh"]), r"^activation must be one of", "rnn.forward-activation-list"),

    # -- helpers.rnn.backward: params, cache, dy --------------------------------------------------------
    _row(lambda: rnn.backward(None, DY, CACHE), r"^params must be a dict", "rnn.backward-params-None"),
    _row(lambda: rnn.backward(P, DY, None), r"^cache must be the dict returned by forward, got NoneType",
         "rnn.backward-cache-None"),
    _row(lambda: rnn.backward(P, DY, _without(CACHE, "a", "activation")),
         r"^cache must be the dict returned by helpers.rnn.forward.*missing \['a', 'activation'\]",
         "rnn.backward-cache-missing-keys"),
    _row(lambda: rnn.backward(P, DY, LCACHE), r"^cache must be the dict returned by helpers.rnn.forward.*from helpers.lstm.forward",
         "rnn.backward-cache-from-lstm"),
    _row(lambda: rnn.backward(P, DY, _with(CACHE, a=np.zeros((4, 2, 5)))), r"^cache\['a'\] must be an array of shape \(T, B, 3\)",
         "rnn.backward-cache-a-shape"),
    _row(lambda: rnn.backward(P, DY, _with(CACHE, a=CACHE["a"].tolist())), r"^cache\['a'\] must be an array",
         "rnn.backward-cache-a-list"),
    _row(lambda: rnn.backward(P, DY, _with(CACHE, h=CACHE["h"][1:])), r"^cache\['h'\] must be an array of shape \(5, 2, 3\)",
         "rnn.backward-cache-h-shape"),
    _row(lambda: rnn.backward(P, DY, _with(CACHE, x=CACHE["x"][..., :1])), r"^cache\['x'\] must be an array of shape \(4, 2, 2\)",
         "rnn.backward-cache-x-shape"),
    _row(lambda: rnn.backward(P, DY, rnn.forward(P32, X)[1]), r"^cache must hold arrays of the params' dtype float64",
         "rnn.backward-cache-dtype"),
    _row(lambda: rnn.backward(P, DY, _with(CACHE, activation="elu")), r"^cache\['activation'\] must be one of",
         "rnn.backward-cache-activation"),
    _row(lambda: rnn.backward(rnn.init_params(2, 4, 1, rng=helpers.make_rng()), DY, CACHE),
         r"^cache\['a'\] must be an array of shape \(T, B, 4\)", "rnn.backward-cache-from-other-params"),
    _row(lambda: rnn.backward(P, DY[:3], CACHE), r"^dy must have shape \(4, 2, 1\), got shape \(3, 2, 1\)",
         "rnn.backward-dy-shape"),
    _row(lambda: rnn.backward(P, None, CACHE), r"^dy must be a numeric array .*got None", "rnn.backward-dy-None"),
    _row(lambda: rnn.backward(P, DY.astype(str), CACHE), r"^dy must be a numeric array", "rnn.backward-dy-str"),
    _row(lambda: rnn.backward(P, DY > 0, CACHE), r"^dy must be a numeric array .*not bool", "rnn.backward-dy-bool"),

    # -- helpers.rnn.squared_error: y, target, mask -----------------------------------------------------
    _row(lambda: rnn.squared_error(None, Y), r"^y must be a numeric array .*got None", "squared_error-y-None"),
    _row(lambda: rnn.squared_error(Y[0], Y[0]), r"^y must have 3 dimension", "squared_error-y-2d"),
    _row(lambda: rnn.squared_error(np.zeros((4, 0, 1)), np.zeros((4, 0, 1))),
         r"^y must hold at least one step, sequence and output, got shape \(4, 0, 1\)", "squared_error-empty-batch"),
    _row(lambda: rnn.squared_error(np.zeros((0, 2, 1)), np.zeros((0, 2, 1))), r"^y must hold at least one step",
         "squared_error-no-steps"),
    _row(lambda: rnn.squared_error([[[1.0]], [[1.0, 2.0]]], Y), r"^y must be a numeric array .*ragged", "squared_error-y-ragged"),
    _row(lambda: rnn.squared_error(Y, Y[:, :1]), r"^target must have shape \(4, 2, 1\), got shape \(4, 1, 1\)",
         "squared_error-target-shape"),
    _row(lambda: rnn.squared_error(Y, np.full_like(Y, NAN)), r"^target must contain only finite values",
         "squared_error-target-nan"),
    _row(lambda: rnn.squared_error(Y, Y.astype(str)), r"^target must be a numeric array", "squared_error-target-str"),
    _row(lambda: rnn.squared_error(Y, Y, np.ones((4, 3))), r"^mask must have shape \(4, 2\) or \(4, 2, 1\), got \(4, 3\)",
         "squared_error-mask-shape"),
    _row(lambda: rnn.squared_error(Y, Y, -np.ones((4, 2))), r"^mask must be >= 0", "squared_error-mask-negative"),
    _row(lambda: rnn.squared_error(Y, Y, np.full((4, 2), NAN)), r"^mask must contain only finite values",
         "squared_error-mask-nan"),
    _row(lambda: rnn.squared_error(Y, Y, "last"), r"^mask must be a numeric array", "squared_error-mask-str"),

    # -- helpers.lstm ---------------------------------------------------------------------------------
    _row(lambda: lstm.n_params(-1, 2, 3), r"^n_in must be an integer >= 1, got -1", "lstm.n_params-negative"),
    _row(lambda: lstm.n_params(2, 0, 3), r"^n_hidden must be an integer >= 1, got 0", "lstm.n_params-zero"),
    _row(lambda: lstm.n_params(2, 2.5, 3), r"^n_hidden must be an integer >= 1, got 2.5", "lstm.n_params-fraction"),
    _row(lambda: lstm.n_params(2, 2, None), r"^n_out must be an integer >= 1, got None", "lstm.n_params-None"),
    _row(lambda: lstm.n_params(True, 2, 3), r"^n_in must be an integer >= 1, got True", "lstm.n_params-bool"),
    _row(lambda: lstm.init_params(2, 3, 1, rng=helpers.make_rng(), dtype=int), r"^dtype must be float32 or float64",
         "lstm.init-dtype-int"),
    _row(lambda: lstm.init_params(2, 3, 1, rng=helpers.make_rng(), forget_bias=INF), r"^forget_bias must be a finite number",
         "lstm.init-forget_bias-inf"),
    _row(lambda: lstm.init_params("2", 3, 1, rng=helpers.make_rng()), r"^n_in must be an integer >= 1, got '2'",
         "lstm.init-n_in-str"),
    _row(lambda: lstm.forward(None, X), r"^params must be a dict of arrays from init_params", "lstm.forward-params-None"),
    _row(lambda: lstm.forward(_with(LP, W_xh=np.zeros((5, 2))), X), r"^params\['W_xh'\] must have shape \(4H, D\)",
         "lstm.forward-W_xh-not-4H"),
    _row(lambda: lstm.forward(_with(LP, W_xh=np.zeros(12)), X), r"^params\['W_xh'\] must have 2 dimension",
         "lstm.forward-W_xh-1d"),
    _row(lambda: lstm.forward(_with(LP, W_hh=np.zeros((12, 4))), X), r"^params\['W_hh'\] must have shape \(12, 3\)",
         "lstm.forward-W_hh-shape"),
    _row(lambda: lstm.forward(_with(LP, W_hy=np.zeros((0, 3)), b_y=np.zeros(0)), X),
         r"^params\['W_hy'\] must have shape \(O, 3\) with O >= 1", "lstm.forward-no-output"),
    _row(lambda: lstm.forward(_with(LP, b_y=LP["b_y"].astype(np.float32)), X),
         r"^params must hold arrays of one float dtype", "lstm.forward-params-mixed-dtype"),
    _row(lambda: lstm.forward(_with(LP, W_hh=LP["W_hh"].astype(int)), X),
         r"^params\['W_hh'\] must be a numpy array of float32 or float64, got dtype int64", "lstm.forward-W_hh-int"),
    _row(lambda: lstm.forward(_with(LP, gates=LP["b_h"]), X), r"^params has unknown keys \['gates'\]",
         "lstm.forward-params-unknown-key"),
    _row(lambda: lstm.forward(_without(LP, "b_h"), X), r"^params must have the keys .*missing \['b_h'\]",
         "lstm.forward-params-missing-key"),
    _row(lambda: lstm.forward(LP, [[[1.0, 2.0]], [[1.0]]]), r"^x must be a numeric array .*ragged", "lstm.forward-x-ragged"),
    _row(lambda: lstm.forward(LP, X[0]), r"^x must have 3 dimension", "lstm.forward-x-2d"),
    _row(lambda: lstm.forward(LP, X[:0]), r"^x must hold at least one step and one sequence", "lstm.forward-x-T0"),
    _row(lambda: lstm.forward(LP, np.zeros((4, 2, 3))), r"^x must have shape \(T, B, 2\)", "lstm.forward-x-D-mismatch"),
    _row(lambda: lstm.forward(LP, X > 0), r"^x must be a numeric array .*not bool", "lstm.forward-x-bool"),
    _row(lambda: lstm.forward(LP, X, c0=np.zeros((3, 2))), r"^c0 must have shape \(2, 3\)", "lstm.forward-c0-shape"),
    _row(lambda: lstm.forward(LP, X, h0=np.full((2, 3), "a")), r"^h0 must be a numeric array", "lstm.forward-h0-str"),
    _row(lambda: lstm.backward(LP, np.ones_like(LY), CACHE),
         r"^cache must be the dict returned by helpers.lstm.forward.*from helpers.rnn.forward", "lstm.backward-cache-from-rnn"),
    _row(lambda: lstm.backward(LP, np.ones_like(LY), None), r"^cache must be the dict returned by forward",
         "lstm.backward-cache-None"),
    _row(lambda: lstm.backward(LP, np.ones_like(LY), _with(LCACHE, gates=LCACHE["gates"][..., :2])),
         r"^cache\['gates'\] must be an array of shape \(T, B, 4, 3\)", "lstm.backward-cache-gates-shape"),
    _row(lambda: lstm.backward(LP, np.ones_like(LY), _with(LCACHE, c=LCACHE["c"][:-1])),
         r"^cache\['c'\] must be an array of shape \(5, 2, 3\)", "lstm.backward-cache-c-shape"),
    _row(lambda: lstm.backward(LP, np.ones_like(LY), lstm.forward(LP32, X)[1]),
         r"^cache must hold arrays of the params' dtype float64", "lstm.backward-cache-dtype"),
    _row(lambda: lstm.backward(LP, np.ones((3, 2, 1)), LCACHE), r"^dy must have shape \(4, 2, 1\)", "lstm.backward-dy-shape"),
    _row(lambda: lstm.backward(LP, None, LCACHE), r"^dy must be a numeric array .*got None", "lstm.backward-dy-None"),
    _row(lambda: lstm.backward(None, np.ones_like(LY), LCACHE), r"^params must be a dict", "lstm.backward-params-None"),

    # -- helpers.clipping -----------------------------------------------------------------------------
    _row(lambda: clipping.clip_by_norm(None, 1.0), r"^grads must be an array or a dict of arrays, got None", "clip-grads-None"),
    _row(lambda: clipping.global_norm(None), r"^grads must be an array or a dict of arrays, got None", "norm-grads-None"),
    _row(lambda: clipping.global_norm({}), r"^grads must be an array or a dict of arrays, got an empty dict", "norm-empty-dict"),
    _row(lambda: clipping.global_norm("abc"), r"^grads must be an array or a dict of arrays, got 'abc'", "norm-str"),
    _row(lambda: clipping.global_norm({"a": "x"}), r"^grads\['a'\] must be a numeric array", "norm-entry-str"),
    _row(lambda: clipping.global_norm([[1.0, 2.0], [3.0]]), r"^grads must be a numeric array .*ragged", "norm-ragged"),
    _row(lambda: clipping.global_norm({"a": np.array([True])}), r"^grads\['a'\] must be a numeric array .*not bool",
         "norm-bool"),
    _row(lambda: clipping.clip_by_norm({"a": None}, 1.0), r"^grads\['a'\] must be a numeric array .*got None",
         "clip-entry-None"),
    _row(lambda: clipping.clip_by_norm(np.ones(2), 0.0), r"^theta must be a finite number > 0, got 0.0", "clip-theta-zero"),
    _row(lambda: clipping.clip_by_norm(np.ones(2), -1.0), r"^theta must be a finite number > 0", "clip-theta-negative"),
    _row(lambda: clipping.clip_by_norm(np.ones(2), INF), r"^theta must be a finite number > 0, got inf", "clip-theta-inf"),
    _row(lambda: clipping.clip_by_norm(np.ones(2), NAN), r"^theta must be a finite number > 0, got nan", "clip-theta-nan"),
    _row(lambda: clipping.clip_by_norm(np.ones(2), "1"), r"^theta must be a finite number > 0, got '1'", "clip-theta-str"),
    _row(lambda: clipping.clip_by_norm(np.ones(2), True), r"^theta must be a finite number > 0, got True", "clip-theta-bool"),

    # -- helpers.cliff ----------------------------------------------------------------------------------
    _row(lambda: cliff.cliff_loss_and_grad(5.0, -3.0, T=-3), r"^T must be an integer >= 1, got -3", "cliff_loss_and_grad-T-negative"),
    _row(lambda: cliff.cliff_loss_and_grad(5.0, -3.0, T=2.5), r"^T must be an integer >= 1, got 2.5", "cliff_loss_and_grad-T-fraction"),
    _row(lambda: cliff.cliff_loss_and_grad(5.0, -3.0, T=0), r"^T must be an integer >= 1, got 0", "cliff_loss_and_grad-T-zero"),
    _row(lambda: cliff.cliff_loss_and_grad(5.0, -3.0, T=NAN), r"^T must be an integer >= 1, got nan", "cliff_loss_and_grad-T-nan"),
    _row(lambda: cliff.cliff_loss(5.0, -3.0, T=0), r"^T must be an integer >= 1, got 0", "cliff_loss-T-zero"),
    _row(lambda: cliff.cliff_loss_and_grad(5.0, -3.0, T=True), r"^T must be an integer >= 1, got True", "cliff_loss_and_grad-T-bool"),
    _row(lambda: cliff.cliff_loss_and_grad("5", -3.0), r"^w must be a numeric array .*got '5'", "cliff_loss_and_grad-w-str"),
    _row(lambda: cliff.cliff_loss_and_grad(5.0, None), r"^b must be a numeric array .*got None", "cliff_loss_and_grad-b-None"),
    _row(lambda: cliff.cliff_loss(None, -3.0), r"^w must be a numeric array .*got None", "cliff_loss-w-None"),
    _row(lambda: cliff.cliff_loss(np.zeros(3), np.zeros(4)), r"^w and b must broadcast together .*\(3,\) and \(4,\)",
         "cliff_loss-shapes"),
    _row(lambda: cliff.cliff_loss_and_grad(5.0, ["a"]), r"^b must be a numeric array", "cliff_loss_and_grad-b-str"),
    _row(lambda: cliff.cliff_loss(5.0, [[1.0], [1.0, 2.0]]), r"^b must be a numeric array .*ragged", "cliff_loss-b-ragged"),
    _row(lambda: cliff.sigmoid(None), r"^x must be a numeric array .*got None", "sigmoid-None"),
    _row(lambda: cliff.sigmoid("0.5"), r"^x must be a numeric array .*got '0.5'", "sigmoid-str"),
    _row(lambda: cliff.descend(5.0, -3.0, NAN), r"^lr must be a finite number > 0, got nan", "descend-lr-nan"),
    _row(lambda: cliff.descend(INF, -3.0, 1.0), r"^w0 must be a finite number, got inf", "descend-w0-inf"),
    _row(lambda: cliff.descend(5.0, None, 1.0), r"^b0 must be a finite number, got None", "descend-b0-None"),
    _row(lambda: cliff.descend(5.0, -3.0, 1.0, steps=2.5), r"^steps must be an integer >= 1, got 2.5", "descend-steps-fraction"),
    _row(lambda: cliff.descend(5.0, -3.0, 1.0, steps=True), r"^steps must be an integer >= 1, got True", "descend-steps-bool"),
    _row(lambda: cliff.descend(5.0, -3.0, 1.0, T=-3), r"^T must be an integer >= 1, got -3", "descend-T-negative"),
    _row(lambda: cliff.descend(5.0, -3.0, 1.0, clip=3), r"^clip must be a function .* or None, got 3", "descend-clip-not-callable"),
    _row(lambda: cliff.descend(5.0, -3.0, 1.0, steps=2, clip=lambda g: (g, 1.0)),
         r"^clip\(g\) must", "descend-clip-returns-pair"),
    _row(lambda: cliff.descend(5.0, -3.0, 1.0, steps=2, clip=lambda g: g[:1]), r"^clip\(g\) must have shape \(2,\)",
         "descend-clip-returns-wrong-shape"),
    _row(lambda: cliff.make_sum_task(T=0), r"^T must be an integer >= 1, got 0", "sum_task-T-zero"),
    _row(lambda: cliff.make_sum_task(batch=-1), r"^batch must be an integer >= 1, got -1", "sum_task-batch-negative"),
    _row(lambda: cliff.make_sum_task(seed=-1), r"^seed must be an integer >= 0, got -1", "sum_task-seed-negative"),
    _row(lambda: cliff.make_sum_task(seed=1.5), r"^seed must be an integer >= 0, got 1.5", "sum_task-seed-fraction"),
    _row(lambda: cliff.make_sum_task(T=INF), r"^T must be an integer >= 1, got inf", "sum_task-T-inf"),
    _row(lambda: cliff.train_sum_task(INF), r"^lr must be a finite number > 0, got inf", "train_sum-lr-inf"),
    _row(lambda: cliff.train_sum_task(0.1, steps=0), r"^steps must be an integer >= 1, got 0", "train_sum-steps-zero"),
    _row(lambda: cliff.train_sum_task(0.1, clip="norm"), r"^clip must be a function .* or None, got 'norm'",
         "train_sum-clip-str"),
    _row(lambda: cliff.train_sum_task(0.1, steps=2, clip=lambda g: (g, 1.0)),
         r"^clip must return a dict of arrays", "train_sum-clip-returns-pair"),
    _row(lambda: cliff.train_sum_task(0.1, steps=2, clip=lambda g: {k: v.ravel() for k, v in g.items()}),
         r"^clip\(grads\)\['W_xh'\] must have shape \(8, 1\)", "train_sum-clip-returns-wrong-shapes"),
    _row(lambda: cliff.train_sum_task(0.1, steps=2, clip=lambda g: _without(g, "b_y")),
         r"^clip must return a dict of arrays with the keys", "train_sum-clip-drops-key"),
    _row(lambda: cliff.train_sum_task(0.1, n_hidden=0), r"^n_hidden must be an integer >= 1, got 0", "train_sum-n_hidden"),
    _row(lambda: cliff.train_sum_task(0.1, scale=-0.5), r"^scale must be a finite number >= 0", "train_sum-scale"),
    _row(lambda: cliff.train_sum_task(0.1, seed=-1), r"^seed must be an integer >= 0", "train_sum-seed"),
    _row(lambda: cliff.train_sum_task(0.1, data_seed=-1), r"^data_seed must be an integer >= 0, got -1", "train_sum-data_seed"),

    # -- helpers.adding ---------------------------------------------------------------------------------
    _row(lambda: adding.make_batch(None, 2, 5), r"^rng must be a numpy Generator", "make_batch-rng-None"),
    _row(lambda: adding.make_batch(helpers.make_rng(), 2, 2.5), r"^T must be an integer >= 2, got 2.5", "make_batch-T-fraction"),
    _row(lambda: adding.make_batch(helpers.make_rng(), None, 5), r"^batch_size must be an integer >= 1, got None",
         "make_batch-batch-None"),
    _row(lambda: adding.baseline_mse_estimate(helpers.make_rng(), n=0), r"^n must be an integer >= 1, got 0", "baseline-n-zero"),
    _row(lambda: adding.init_model("gru", helpers.make_rng()), r"^model must be one of 'lstm', 'rnn', got 'gru'",
         "init_model-unknown"),
    _row(lambda: adding.init_model("lstm", helpers.make_rng(), dtype="int32"), r"^dtype must be float32 or float64",
         "init_model-dtype-int"),
    _row(lambda: adding.init_model("lstm", helpers.make_rng(), hidden_lstm=0), r"^hidden_lstm must be an integer >= 1, got 0",
         "init_model-hidden_lstm"),
    _row(lambda: adding.init_model("rnn", helpers.make_rng(), hidden_rnn=-1), r"^hidden_rnn must be an integer >= 1, got -1",
         "init_model-hidden_rnn"),
    _row(lambda: adding.init_model("rnn", helpers.make_rng(), rnn_init="eye"), r"^rnn_init must be one of",
         "init_model-rnn_init"),
    _row(lambda: adding.init_model("rnn", helpers.make_rng(), hiden_rnn=3), r"^settings must be among", "init_model-unknown-setting"),
    _row(lambda: rnn.n_params(-1, 2, 3), r"^n_in must be an integer >= 1, got -1", "rnn.n_params-negative"),
    _row(lambda: rnn.n_params(2, 2.5, 3), r"^n_hidden must be an integer >= 1, got 2.5", "rnn.n_params-fraction"),
    _row(lambda: adding.model_forward("gru", P, X), r"^model must be one of 'lstm', 'rnn'", "model_forward-unknown"),
    _row(lambda: adding.model_forward("lstm", P, X), r"^params\['W_xh'\] must have shape \(4H, D\)", "model_forward-wrong-model"),
    _row(lambda: adding.adam_init(None), r"^params must be a dict of numpy arrays, got None", "adam_init-None"),
    _row(lambda: _adam(learning_rate=0.0), r"^learning_rate must be a finite number > 0", "adam-lr-zero"),
    _row(lambda: _adam(learning_rate=NAN), r"^learning_rate must be a finite number > 0, got nan", "adam-lr-nan"),
    _row(lambda: _adam(beta1=1.0), r"^beta1 must be a finite number >= 0 and < 1, got 1.0", "adam-beta1-one"),
    _row(lambda: _adam(beta2=-0.1), r"^beta2 must be a finite number >= 0 and < 1", "adam-beta2-negative"),
    _row(lambda: _adam(eps=0.0), r"^eps must be a finite number > 0", "adam-eps-zero"),
    _row(lambda: _adam(grads={}), r"^grads must have an entry for every key of params \('w',\); missing \['w'\]",
         "adam-grads-missing"),
    _row(lambda: _adam(grads={"w": np.ones(3)}), r"^grads\['w'\] must have shape \(2,\)", "adam-grads-shape"),
    _row(lambda: _adam(grads=None), r"^grads must be a dict of gradients, got NoneType", "adam-grads-None"),
    _row(lambda: _adam(state={"m": {}}), r"^state must be the dict from adam_init", "adam-state-incomplete"),
    _row(lambda: _adam(state=adding.adam_init({"w": np.ones(3)})), r"^state\['m'\]\['w'\] must have shape \(2,\)",
         "adam-state-other-params"),
    _row(lambda: _adam(params={"w": np.array([1, -2])}), r"^params\['w'\] must be a numpy array of float32 or float64, got dtype int64",
         "adam-params-int"),
    _row(lambda: _adam(params={"w": np.ones(2), "v": np.ones(2, np.float32)}, grads={"w": np.ones(2), "v": np.ones(2)}),
         r"^params must hold arrays of one float dtype", "adam-params-mixed"),
    _row(lambda: adding.evaluate("lstm", LP, 5, 0, n=0), r"^n must be an integer >= 1, got 0", "evaluate-n-zero"),
    _row(lambda: adding.evaluate("lstm", LP, 5, 0, chunk=0), r"^chunk must be an integer >= 1, got 0", "evaluate-chunk-zero"),
    _row(lambda: adding.evaluate("gru", LP, 5, 0), r"^model must be one of", "evaluate-model"),
    _row(lambda: adding.evaluate("lstm", LP, 1, 0), r"^T must be an integer >= 2, got 1", "evaluate-T"),
    _row(lambda: adding.evaluate("lstm", LP, 5, -1), r"^seed must be an integer >= 0", "evaluate-seed"),
    _row(lambda: adding.train("gru", 8, 0), r"^model must be one of", "train-model"),
    _row(lambda: adding.train("lstm", 1, 0), r"^T must be an integer >= 2, got 1", "train-T"),
    _row(lambda: adding.train("lstm", 8, -1), r"^seed must be an integer >= 0, got -1", "train-seed"),
    _row(lambda: adding.train("lstm", 8, 0, max_iterations=0), r"^max_iterations must be an integer >= 1", "train-max_iterations"),
    _row(lambda: adding.train("lstm", 8, 0, batch_size=2.5), r"^batch_size must be an integer >= 1, got 2.5", "train-batch_size"),
    _row(lambda: adding.train("lstm", 8, 0, learning_rate=INF), r"^learning_rate must be a finite number > 0", "train-lr-inf"),
    _row(lambda: adding.train("lstm", 8, 0, theta=0.0), r"^theta must be a finite number > 0", "train-theta"),
    _row(lambda: adding.train("lstm", 8, 0, beta1=1.5), r"^beta1 must be a finite number >= 0 and < 1", "train-beta1"),
    _row(lambda: adding.train("lstm", 8, 0, adam_eps=0.0), r"^adam_eps must be a finite number > 0", "train-adam_eps"),
    _row(lambda: adding.train("lstm", 8, 0, stop_when_solved="yes"), r"^stop_when_solved must be one of True, False",
         "train-stop_when_solved"),
    _row(lambda: adding.train("lstm", 8, 0, eval_size=0), r"^eval_size must be an integer >= 1", "train-eval_size"),
    _row(lambda: adding.train("lstm", 8, 0, window=-1), r"^window must be an integer >= 1", "train-window"),
    _row(lambda: adding.train("lstm", 8, 0, success_mse=NAN), r"^success_mse must be a finite number > 0", "train-success_mse"),
    _row(lambda: adding.train("lstm", 8, 0, progress=3), r"^progress must be a function progress\(iteration, mse\) or None",
         "train-progress"),

    # -- helpers.gradcheck --------------------------------------------------------------------------------
    _row(lambda: gradcheck.numerical_gradient(_loss, np.ones(3, dtype=np.float32)), r"^x must be a float64 numpy array",
         "numgrad-x-float32"),
    _row(lambda: gradcheck.numerical_gradient(_loss, [1.0, 2.0]), r"^x must be a float64 numpy array .*got list",
         "numgrad-x-list"),
    _row(lambda: gradcheck.numerical_gradient(_loss, np.ones(3, dtype=int)), r"^x must be a float64 numpy array .*int64",
         "numgrad-x-int"),
    _row(lambda: gradcheck.numerical_gradient(None, np.ones(3)), r"^f must be a function of no arguments", "numgrad-f-None"),
    _row(lambda: gradcheck.numerical_gradient(lambda: None, np.ones(3)), r"^f must return the loss as one number, got None",
         "numgrad-f-returns-None"),
    _row(lambda: gradcheck.numerical_gradient(lambda: np.ones(3), np.ones(3)), r"^f must return the loss as one number",
         "numgrad-f-returns-array"),
    _row(lambda: gradcheck.numerical_gradient(_loss, np.ones(3), eps=0.0), r"^eps must be a finite number > 0", "numgrad-eps-zero"),
    _row(lambda: gradcheck.numerical_gradient(_loss, np.ones(3), eps=NAN), r"^eps must be a finite number > 0, got nan",
         "numgrad-eps-nan"),
    _row(lambda: gradcheck.numerical_gradient(_loss, np.broadcast_to(np.ones(1), (3,))), r"^x must be writable",
         "numgrad-x-readonly"),
    _row(lambda: gradcheck.relative_error(None, np.ones(2)), r"^analytic must be a numeric array .*got None", "relerr-None"),
    _row(lambda: gradcheck.relative_error(np.ones(2), "abc"), r"^numeric must be a numeric array", "relerr-str"),
    _row(lambda: gradcheck.relative_error(np.ones(2), np.ones(3)), r"^analytic and numeric must have the same shape",
         "relerr-shapes"),
    _row(lambda: gradcheck.relative_error([[1.0], [1.0, 2.0]], np.ones(2)), r"^analytic must be a numeric array .*ragged",
         "relerr-ragged"),
    _row(lambda: gradcheck.check_gradients(None, GC_P, GC_P), r"^loss must be a function", "checkgrads-loss-None"),
    _row(lambda: gradcheck.check_gradients(_loss, {}, {}), r"^params must be a non-empty dict of float64 arrays",
         "checkgrads-params-empty"),
    _row(lambda: gradcheck.check_gradients(_loss, GC_P, None), r"^grads must be a dict of arrays", "checkgrads-grads-None"),
    _row(lambda: gradcheck.check_gradients(_loss, GC_P, {}), r"^grads must have an entry for every parameter; missing \['a'\]",
         "checkgrads-grads-missing"),
    _row(lambda: gradcheck.check_gradients(_loss, GC_P, {"a": np.ones(3)}), r"^grads\['a'\] must have shape \(2,\)",
         "checkgrads-grads-shape"),
    _row(lambda: gradcheck.check_gradients(_loss, {"a": GC_P["a"].astype(np.float32)}, GC_P),
         r"^params\['a'\] must be a float64 numpy array", "checkgrads-params-float32"),
    _row(lambda: gradcheck.check_gradients(_loss, GC_P, GC_P, eps=-1.0), r"^eps must be a finite number > 0",
         "checkgrads-eps"),

    # -- helpers.exercises: the settings of the checks (not the answers) --------------------------------
    _row(lambda: nb01.check_break_even(14, D=0), r"^D must be an integer >= 1, got 0", "nb01.break_even-D"),
    _row(lambda: nb01.check_break_even(14, H=2.5), r"^H must be an integer >= 1, got 2.5", "nb01.break_even-H"),
    _row(lambda: nb01.check_shift_register(None, None, k=-1), r"^k must be an integer >= 0, got -1", "nb01.shift-k"),
    _row(lambda: nb01.check_shift_register(None, None, n_sequences=0), r"^n_sequences must be an integer >= 1",
         "nb01.shift-n_sequences"),
    _row(lambda: nb01.check_shift_register(None, None, k=8, T=3), r"^T must be an integer >= 10, got 3", "nb01.shift-T"),
    _row(lambda: nb02.check_jacobian(J2, None, A_T), r"^W_hh must be a numeric array .*got None", "nb02.jacobian-W_hh-None"),
    _row(lambda: nb02.check_jacobian(J2, np.ones((2, 3)), A_T), r"^W_hh must be square, got shape \(2, 3\)",
         "nb02.jacobian-W_hh-not-square"),
    _row(lambda: nb02.check_jacobian(J2, np.zeros((0, 0)), A_T), r"^W_hh must not be empty", "nb02.jacobian-W_hh-empty"),
    _row(lambda: nb02.check_jacobian(J2, W2 > 0, A_T), r"^W_hh must be a numeric array .*not bool", "nb02.jacobian-W_hh-bool"),
    _row(lambda: nb02.check_jacobian(J2, W2, np.zeros(3)), r"^a_t must have shape \(2,\)", "nb02.jacobian-a_t-shape"),
    _row(lambda: nb02.check_jacobian(J2, W2, [NAN, 0.0]), r"^a_t must contain only finite values", "nb02.jacobian-a_t-nan"),
    _row(lambda: nb02.truncated_gradient_W_hh(NB2_P, NB2_X, NB2_TARGET, NB2_H0, k=0), r"^k must be an integer >= 1",
         "nb02.truncated-k"),
    _row(lambda: nb02.truncated_gradient_W_hh(_without(NB2_P, "W_hh"), NB2_X, NB2_TARGET, NB2_H0, k=3),
         r"^params must have the keys", "nb02.truncated-params-missing"),
    _row(lambda: nb02.full_gradient_W_hh(NB2_P, NB2_X[:, :2], NB2_TARGET, NB2_H0), r"^x must have shape \(any, 3\)",
         "nb02.full-x-D"),
    _row(lambda: nb02.full_gradient_W_hh(NB2_P, NB2_X, NB2_TARGET[:5], NB2_H0), r"^target must have shape \(8, 2\)",
         "nb02.full-target-T"),
    _row(lambda: nb02.full_gradient_W_hh(NB2_P, NB2_X, NB2_TARGET, NB2_H0[:3]), r"^h0 must have shape \(5,\)",
         "nb02.full-h0"),
    _row(lambda: nb02.full_gradient_W_hh(NB2_P, NB2_X[:0], NB2_TARGET[:0], NB2_H0), r"^x must not be empty",
         "nb02.full-x-empty"),
    _row(lambda: nb02.check_truncated_bptt(None, NB2_P, None, NB2_TARGET, NB2_H0), r"^x must be a numeric array .*got None",
         "nb02.check_truncated-x-None"),
    _row(lambda: nb03.lag_below_threshold(factor=NAN), r"^factor must be a finite number", "nb03.lag-factor-nan"),
    _row(lambda: nb03.lag_below_threshold(threshold=-1.0), r"^threshold must be a finite number > 0", "nb03.lag-threshold"),
    _row(lambda: nb03.peak_power(k_max=0), r"^k_max must be an integer >= 1", "nb03.peak-k_max"),
    _row(lambda: nb03.peak_power(diagonal=2.0), r"^diagonal must be a finite number >= -1 and <= 1", "nb03.peak-diagonal"),
    _row(lambda: nb03.check_lag_below_threshold(62, factor="0.8"), r"^factor must be a finite number", "nb03.check_lag-factor"),
    _row(lambda: nb03.check_peak_power(12, off_diagonal=INF), r"^off_diagonal must be a finite number", "nb03.check_peak-off"),
    _row(lambda: nb04.overflow_lag(w=1.0), r"^w must be a finite number > 1", "nb04.overflow-w"),
    _row(lambda: nb04.check_overflow_lag(1751, w=NAN), r"^w must be a finite number > 1, got nan", "nb04.check_overflow-w"),
    _row(lambda: nb04.cliff_gradient_numeric(w="2"), r"^w must be a finite number, got '2'", "nb04.cliff_numeric-w"),
    _row(lambda: nb04.check_cliff_gradient((0.0, 0.0), b=INF), r"^b must be a finite number, got inf", "nb04.check_cliff-b"),
    _row(lambda: nb05.clipped_by_norm(g=[]), r"^g must not be empty", "nb05.clipped-g-empty"),
    _row(lambda: nb05.clipped_by_norm(g=[True, False]), r"^g must be a numeric array .*not bool", "nb05.clipped-g-bool"),
    _row(lambda: nb05.clipped_by_norm(g=[[1.0, 2.0], [3.0]]), r"^g must be a numeric array .*ragged", "nb05.clipped-g-ragged"),
    _row(lambda: nb05.clipped_by_norm(g=[[1.0, 2.0]]), r"^g must have 1 dimension", "nb05.clipped-g-2d"),
    _row(lambda: nb05.clipped_by_norm(theta=0.0), r"^theta must be a finite number > 0", "nb05.clipped-theta"),
    _row(lambda: nb05.value_clip_angle(c=-1.0), r"^c must be a finite number > 0", "nb05.angle-c"),
    _row(lambda: nb05.value_clip_angle(g=(0.0, 0.0)), r"^g must not be all zeros", "nb05.angle-g-zero"),
    _row(lambda: nb05.max_distance(steps=0), r"^steps must be an integer >= 1", "nb05.distance-steps"),
    _row(lambda: nb05.max_distance(lr=INF), r"^lr must be a finite number > 0", "nb05.distance-lr"),
    _row(lambda: nb05.check_clip_by_norm([0.6, 0.8], g=None), r"^g must be a numeric array .*got None", "nb05.check_clip-g"),
    _row(lambda: nb06.max_irnn_scale(d=0), r"^d must be an integer >= 1", "nb06.irnn-d"),
    _row(lambda: nb06.max_irnn_scale(limit=0.5), r"^limit must be a finite number >= 1", "nb06.irnn-limit"),
    _row(lambda: nb06.skip_param_count(n_skips=-1), r"^n_skips must be an integer >= 0", "nb06.skip-n_skips"),
    _row(lambda: nb06.shortest_path(d=-1), r"^d must be an integer >= 0", "nb06.path-d"),
    _row(lambda: nb06.zero_lags(K=2.5), r"^K must be an integer >= 1, got 2.5", "nb06.zero_lags-K"),
    _row(lambda: nb06.check_zero_lags(180, T=0), r"^T must be an integer >= 1, got 0", "nb06.check_zero_lags-T"),
    _row(lambda: nb07.check_cell_path_factor(0.006, f=1.5), r"^f must be a finite number >= 0 and <= 1", "nb07.cell-f"),
    _row(lambda: nb07.check_cell_path_factor(0.006, d=-1), r"^d must be an integer >= 0, got -1", "nb07.cell-d-negative"),
    _row(lambda: nb07.check_cell_path_factor(0.006, d=2.5), r"^d must be an integer >= 0, got 2.5", "nb07.cell-d-fraction"),
    _row(lambda: nb07.check_forget_bias(4.6, target_f=1.0), r"^target_f must be a finite number > 0 and < 1", "nb07.forget-target"),
    _row(lambda: nb07.check_lstm_param_count(1, n_hidden=0), r"^n_hidden must be an integer >= 1", "nb07.count-n_hidden"),
    _row(lambda: exercises.verdict("yes"), r"^ok must be True or False, got 'yes'", "exercises.verdict-ok"),
]


@pytest.mark.parametrize("call, exc, pattern", BAD_CALLS)
def test_bad_call_raises_a_named_error(call, exc, pattern):
    with pytest.raises(exc, match=pattern):
        call()


# -- inf and NaN inside data and weights still propagate ------------------------------------------------

@pytest.mark.parametrize("module, params", [(rnn, P), (lstm, LP)])
def test_nan_and_inf_in_data_propagate(module, params):
    x = X.copy()
    x[1, 0, 0] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")                     # not even a warning: overflow is shown, not reported
        y, cache = module.forward(params, x)
        assert np.isnan(y[1:, 0]).all() and np.isfinite(y[:, 1]).all()   # sequence 0 from step 1 on; sequence 1 untouched
        grads = module.backward(params, np.full_like(y, np.inf), cache)
        assert not np.isfinite(grads["W_hh"]).all()
        h0 = np.full((2, 3), np.inf)
        assert not np.isfinite(module.forward(params, X, h0=h0)[0]).all()


@pytest.mark.parametrize("module, params", [(rnn, P), (lstm, LP)])
def test_nan_weights_propagate(module, params):
    y, cache = module.forward(_with(params, W_hh=np.full_like(params["W_hh"], np.nan)), X)
    assert np.isnan(y[1:]).all()                           # step 1 starts from h_0 = 0, so only its W_hh term is 0 * NaN
    grads = module.backward(_with(params, W_hh=np.full_like(params["W_hh"], np.nan)), DY, cache)
    assert np.isnan(grads["W_xh"]).any()


def test_huge_weights_overflow_to_inf_without_raising():
    params = rnn.init_params(1, 4, 1, rng=helpers.make_rng(0), recurrent="identity", scale=1e200)
    y, cache = rnn.forward(params, np.ones((20, 1, 1)), activation="linear")
    assert not np.isfinite(y).all()
    assert not np.isfinite(rnn.backward(params, np.ones_like(y), cache)["W_hh"]).all()


def test_nonfinite_gradients_pass_through_clipping_and_the_cliff():
    clipped = clipping.clip_by_norm({"a": np.array([np.nan, 1.0]), "b": np.ones(2)}, 1.0)
    assert np.isnan(clipped["a"][0]) and np.array_equal(clipped["b"], np.ones(2))
    assert np.isinf(clipping.global_norm(np.array([np.inf, 1.0])))
    assert all(np.isnan(v) for v in cliff.cliff_loss_and_grad(np.nan, 0.0))
    L, gw, gb = cliff.cliff_loss_and_grad(np.array([np.nan, 5.0]), -3.0)
    assert np.isnan(L[0]) and np.isfinite(L[1])


# -- legitimate input keeps working -----------------------------------------------------------------------

def test_sizes_from_sliders_and_numpy_integers_are_accepted():
    params = rnn.init_params(np.int64(2), 3.0, np.int32(1), rng=helpers.make_rng(np.int64(0)), scale=np.float32(0.5))
    assert params["W_hh"].shape == (3, 3)
    assert lstm.n_params(np.int64(2), 32.0, 1) == 4 * 32 * (2 + 32 + 1) + 33
    assert cliff.cliff_loss_and_grad(np.float64(5.0), -3, T=np.int64(50)) == cliff.cliff_loss_and_grad(5.0, -3.0, T=50.0)
    assert cliff.make_sum_task(T=7.0, batch=np.int64(5), seed=np.int64(3))[0].shape == (7, 5, 1)
    for dtype in (np.float32, "float32", np.dtype("float64"), float):
        assert rnn.init_params(2, 3, 1, rng=helpers.make_rng(), dtype=dtype)["W_xh"].dtype == np.dtype(dtype)


@pytest.mark.parametrize("module, params32", [(rnn, P32), (lstm, LP32)])
def test_float32_params_take_float64_and_integer_data(module, params32):
    """Notebook 07 feeds float64 batches (adding.make_batch) to float32 models: the data is cast, not rejected."""
    y, cache = module.forward(params32, X)
    assert y.dtype == np.float32
    grads = module.backward(params32, np.ones(y.shape), cache)           # float64 dy, cast too
    assert all(grads[k].dtype == np.float32 for k in module.PARAM_NAMES)
    y_int, _ = module.forward(params32, np.ones((4, 2, 2), dtype=int))
    assert np.array_equal(y_int, module.forward(params32, np.ones((4, 2, 2), dtype=np.float32))[0])
    assert module.forward(params32, X.tolist())[0].shape == (4, 2, 1)   # nested lists are arrays too


def test_zero_skip_matrix_is_the_plain_rnn():
    """Notebook 06 passes its skip RNN's params (with W_skip = 0) to helpers.rnn to compare the two."""
    y, cache = rnn.forward(_with(P, W_skip=np.zeros((3, 3))), X)
    assert np.array_equal(y, Y)
    assert np.array_equal(rnn.backward(_with(P, W_skip=np.zeros((3, 3))), DY, cache)["W_hh"], rnn.backward(P, DY, CACHE)["W_hh"])


def test_cliff_functions_agree_on_valid_T():
    """cliff_loss, cliff_loss_and_grad and descend use one rule for T."""
    for T in (0, -3, 2.5, True, np.nan, "5", None):
        for f in (cliff.cliff_loss, cliff.cliff_loss_and_grad, lambda w, b, T: cliff.descend(w, b, 1.0, 1, T=T)):
            with pytest.raises(ValueError, match=r"^T must be an integer >= 1"):
                f(5.0, -3.0, T)
    for T in (1, 5, 5.0, np.int64(5)):
        L, gw, gb = cliff._cliff_gradient(5.0, -3.0, int(T))
        np.testing.assert_allclose([L, gw, gb], cliff.cliff_loss_and_grad(5.0, -3.0, T), rtol=1e-12)


# -- squared_error's mask: any non-negative weights, with the right gradient ------------------------------

def test_mask_weights_give_the_gradient_of_the_loss():
    rng = helpers.make_rng(3)
    y, target = rng.normal(size=(5, 3, 2)), rng.normal(size=(5, 3, 2))
    for mask in (np.full((5, 3), 0.5), rng.uniform(0, 2, size=(5, 3)), rng.uniform(0, 2, size=(5, 3, 1))):
        _, dy = rnn.squared_error(y, target, mask)
        numeric = helpers.numerical_gradient(lambda: rnn.squared_error(y, target, mask)[0], y)
        assert helpers.relative_error(dy, numeric) < 1e-8


def test_zero_one_mask_gives_the_same_numbers_as_before():
    """For a 0/1 mask (every use in the notebooks) the loss and dy are bit-identical to ((y - t) m)^2."""
    rng = helpers.make_rng(4)
    y, target = rng.normal(size=(6, 4, 2)), rng.normal(size=(6, 4, 2))
    y[2, 1, 0] = np.inf                                        # inf where the mask is 0 still gives NaN, as before
    mask = (rng.random((6, 4)) < 0.5).astype(float)
    mask[2, 1] = 0.0
    for m in (mask, mask.astype(bool), mask.astype(int), mask[..., None]):
        loss, dy = rnn.squared_error(y, target, m)
        with np.errstate(invalid="ignore"):
            diff = (y - target) * mask[..., None]
            old_loss, old_dy = 0.5 * float(np.sum(diff * diff)) / 4, diff / 4
        assert (np.isnan(loss) and np.isnan(old_loss)) or loss == old_loss
        np.testing.assert_array_equal(dy, old_dy)


# -- exercise checks: no answer can crash a check ---------------------------------------------------------

BAD_ANSWERS = [None, "fourteen", "4.5", "", NAN, INF, -INF, True, False, 10 ** 400, 1j, [1, 2], [[1, 2], [3]], {},
               {"a": 1}, object(), np.eye(3), np.array([4.0]), np.zeros(0), [None, None], b"x", np.array(["a"]),
               lambda: 1, np.full((2, 2), np.nan), np.full((2,), np.inf), 1e308, -1, 2.5]

_K = 8
_W_XH_OK = np.eye(_K + 1, 1)
CHECKS = {
    "nb01.check_break_even": (lambda a: nb01.check_break_even(a), "whole number"),
    "nb01.check_shift_register(W_xh)": (lambda a: nb01.check_shift_register(a, np.eye(_K + 1, k=-1)), "W_xh"),
    "nb01.check_shift_register(W_hh)": (lambda a: nb01.check_shift_register(_W_XH_OK, a), "W_hh"),
    "nb02.check_jacobian": (lambda a: nb02.check_jacobian(a, W2, A_T), "shape (2, 2)"),
    "nb02.check_truncated_bptt": (lambda a: nb02.check_truncated_bptt(a, NB2_P, NB2_X, NB2_TARGET, NB2_H0, k=3),
                                  "shape (5, 5)"),
    "nb03.check_max_sigmoid_weight": (nb03.check_max_sigmoid_weight, "number"),
    "nb03.check_lag_below_threshold": (nb03.check_lag_below_threshold, "whole number"),
    "nb03.check_peak_power": (nb03.check_peak_power, "whole number"),
    "nb04.check_overflow_lag": (nb04.check_overflow_lag, "whole number"),
    "nb04.check_cliff_gradient": (nb04.check_cliff_gradient, "pair"),
    "nb05.check_clip_by_norm": (nb05.check_clip_by_norm, "shape (2,)"),
    "nb05.check_value_clip_angle": (nb05.check_value_clip_angle, "degrees"),
    "nb05.check_max_distance": (nb05.check_max_distance, "number"),
    "nb06.check_max_irnn_scale": (nb06.check_max_irnn_scale, "number"),
    "nb06.check_skip_param_count": (nb06.check_skip_param_count, "whole number"),
    "nb06.check_shortest_path": (nb06.check_shortest_path, "whole number"),
    "nb06.check_zero_lags": (nb06.check_zero_lags, "whole number"),
    "nb07.check_cell_path_factor": (nb07.check_cell_path_factor, "number"),
    "nb07.check_forget_bias": (nb07.check_forget_bias, "number"),
    "nb07.check_lstm_param_count": (nb07.check_lstm_param_count, "whole number"),
    "nb07.check_hochreiter_baseline": (nb07.check_hochreiter_baseline, "number"),
}


#: Answers from BAD_ANSWERS that a check accepts. None: True is not 1.0 and "4" is not 4 (helpers.exercises.read_answer).
ACCEPTED_QUIRKS: set = set()


@pytest.mark.parametrize("name", CHECKS)
def test_no_answer_crashes_a_check(name):
    check, wanted = CHECKS[name]
    for answer in BAD_ANSWERS:
        out = io.StringIO()
        with warnings.catch_warnings(), contextlib.redirect_stdout(out):
            warnings.simplefilter("error")                 # no RuntimeWarning from inf/NaN answers either
            result = check(answer)
        printed = out.getvalue()
        assert printed.count("\n") == 1, (name, answer, printed)
        if (name, repr(answer)) in ACCEPTED_QUIRKS:
            assert result is True and printed.startswith("Correct")
            continue
        assert result is False, (name, answer)
        assert printed.startswith("Not yet."), (name, answer, printed)


@pytest.mark.parametrize("name", CHECKS)
def test_wrong_kind_of_answer_says_what_is_wanted(name, capsys):
    check, wanted = CHECKS[name]
    for answer in ("fourteen", {}, [[1, 2], [3]], "4.5"):
        assert check(answer) is False
        assert wanted in capsys.readouterr().out, (name, answer)
    assert check(None) is False
    assert capsys.readouterr().out.startswith("Not yet. Replace None with ")     # the notebooks' placeholder


def test_right_answers_still_pass(capsys):
    """The guards change nothing for a right answer, in any of the forms accepted before."""
    assert nb01.check_break_even(14) and nb01.check_break_even(14.0)
    assert nb03.check_max_sigmoid_weight(4) and nb03.check_max_sigmoid_weight(np.array(4.0))   # a 0-d array is a number
    assert nb03.check_lag_below_threshold(62) and nb03.check_lag_below_threshold(np.int64(62))
    assert nb05.check_clip_by_norm([0.6, 0.8]) and nb05.check_clip_by_norm(np.array([0.6, 0.8]))
    assert nb06.check_zero_lags(180) and nb07.check_lstm_param_count(4 * 100 * 111 + 5 * 101)
    assert nb02.check_jacobian(J2, W2, A_T)
    assert "Not yet" not in capsys.readouterr().out
