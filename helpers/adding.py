"""The adding problem, the Adam optimiser and the training loop of notebook 07.

The task (the variant of Le, Jaitly & Hinton 2015, section 4.1)
------------------------------------------------------------------
Each input step carries two numbers, ``x_t = (value_t, marker_t)``:

* ``value_t`` drawn uniformly from [0, 1];
* ``marker_t`` is 1 at exactly two steps and 0 elsewhere. Le et al. mark two
  positions of the sequence; this series draws the first marked step
  uniformly from the first half of the sequence and the second from the
  second half, so that the first marked value always lies at least T/2 steps
  before the end. (The 1997 variant of Hochreiter & Schmidhuber differs:
  values in [-1, 1], different marker positions, target 0.5 + (X1 + X2)/4.)

The target, read from the output at the last step only, is the sum of the two
marked values. A model that ignores the inputs does best by always answering
the mean, E[X1 + X2] = 1, and its mean squared error is then
Var(X1 + X2) = 2 * Var(U[0, 1]) = 2/12 = 1/6: ``BASELINE_MSE``. A model that
sits at 1/6 has learned nothing about the sequence.

The training loop
-----------------
``train("lstm" | "rnn", T, seed)`` trains one model from a seeded
initialisation on fresh seeded batches, with Adam and clipping by norm
(``helpers.clipping.clip_by_norm``, notebook 05), in float32, and stops early
when the model has solved the task (mean of the last ``window`` batch MSEs
below ``success_mse``). The models: ``helpers.lstm`` (notebook 07) and
``helpers.rnn`` with tanh (notebook 02). Both read out only at the last step.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from . import lstm, rnn
from .blas import one_blas_thread
from .clipping import clip_by_norm, global_norm
from .seeding import make_rng
from .validation import (check_array, check_array_dict, check_callable, check_choice, check_float, check_float_dtype,
                         check_int)

__all__ = ["BASELINE_MSE", "SETTINGS", "MODELS", "make_batch", "baseline_mse_estimate",
           "init_model", "model_forward", "adam_init", "adam_step", "evaluate", "train"]

#: MSE of always predicting 1 (the mean of the target): Var(X1 + X2) = 2/12.
BASELINE_MSE = 1.0 / 6.0

MODELS = ("lstm", "rnn")

#: Default settings of ``train`` (override any of them as keyword arguments); notebook 07 and the sweep
#: pass each model's tuned learning rate and their budget explicitly.
SETTINGS = {
    "T": 100,                 # default sequence length
    "hidden_lstm": 32,        # LSTM: 4*32*(2+32+1) + 33 = 4,513 parameters
    "hidden_rnn": 64,         # RNN:  64*(2+64+1) + 65  = 4,353 parameters (similar size)
    "batch_size": 32,
    "learning_rate": 0.01,    # Adam; a default only: compare models each at its own tuned rate (experiments/adding_sweep.py)
    "beta1": 0.9,
    "beta2": 0.999,
    "adam_eps": 1e-8,
    "theta": 1.0,             # clip the joint gradient norm at theta (notebook 05)
    "max_iterations": 1000,   # a default budget; notebook 07 and the sweep pass theirs (the same for both models)
    "success_mse": 0.01,      # "solved": mean batch MSE below 0.01 (6% of the baseline 1/6)
    "window": 25,             # ... over the last 25 iterations
    "stop_when_solved": True,
    "forget_bias": 1.0,       # LSTM forget-gate bias at initialisation
    "rnn_init": "random",     # W_hh Gaussian, spectral radius about 1 (helpers.rnn.init_params)
    "rnn_scale": 1.0,
    "dtype": "float32",
    "eval_size": 512,         # sequences in the held-out batch for final_mse
}


#: Run numpy's matrix products on one BLAS thread (a no-op where it cannot be set; see helpers.blas).
single_threaded_blas = one_blas_thread


def make_batch(rng: np.random.Generator, batch_size: int, T: int):
    """A batch of the adding problem.

    Returns
    -------
    x : shape (T, B, 2), float64: ``x[:, :, 0]`` the values in [0, 1], ``x[:, :, 1]``
        the markers (two 1s per sequence, one in each half).
    target : shape (B, 1): the sum of the two marked values.
    """
    if not isinstance(rng, np.random.Generator):
        raise ValueError(f"rng must be a numpy Generator (helpers.make_rng()), got {type(rng).__name__}")
    B = check_int("batch_size", batch_size, minimum=1)
    T = check_int("T", T, minimum=2)
    values = rng.random((T, B))
    half = T // 2
    first = rng.integers(0, half, size=B)           # a step in the first half
    second = rng.integers(half, T, size=B)          # a step in the second half
    markers = np.zeros((T, B))
    columns = np.arange(B)
    markers[first, columns] = 1.0
    markers[second, columns] = 1.0
    x = np.stack([values, markers], axis=-1)
    target = (values[first, columns] + values[second, columns])[:, None]
    return x, target


def baseline_mse_estimate(rng: np.random.Generator, n: int = 1_000_000, T: int = 10) -> float:
    """MSE of always predicting 1, measured on ``n`` sequences (for comparison with 1/6)."""
    _, target = make_batch(rng, check_int("n", n, minimum=1), T)
    return float(np.mean((target - 1.0) ** 2))


def _settings(overrides: dict) -> dict:
    unknown = set(overrides) - set(SETTINGS)
    if unknown:
        raise ValueError(f"settings must be among {sorted(SETTINGS)}, got {sorted(unknown)}")
    return {**SETTINGS, **overrides}


def _check_adam_settings(learning_rate, beta1, beta2, eps,
                         names=("learning_rate", "beta1", "beta2", "eps")) -> float:
    """Check Adam's settings (learning rate and eps finite and > 0, beta1 and beta2 in [0, 1)); return the rate."""
    check_float(names[1], beta1, minimum=0.0, maximum=1.0, exclusive_maximum=True)
    check_float(names[2], beta2, minimum=0.0, maximum=1.0, exclusive_maximum=True)
    check_float(names[3], eps, minimum=0.0, exclusive_minimum=True)
    return check_float(names[0], learning_rate, minimum=0.0, exclusive_minimum=True)


def _check_like(name: str, arrays, params: dict, what: str) -> None:
    """``arrays`` must be a dict with an array shaped like ``params[k]`` for every key k (ValueError otherwise)."""
    if not isinstance(arrays, dict):
        raise ValueError(f"{name} must be {what}, got {type(arrays).__name__}")
    missing = [k for k in params if k not in arrays]
    if missing:
        raise ValueError(f"{name} must have an entry for every key of params {tuple(params)}; missing {missing}")
    for k, w in params.items():
        check_array(f"{name}[{k!r}]", arrays[k], shape=w.shape, finite=False, kinds="iuf")


def init_model(model: str, rng: np.random.Generator, **overrides) -> dict:
    """Parameters of the ``"lstm"`` or ``"rnn"`` of notebook 07 (2 inputs, 1 output), in ``dtype``."""
    check_choice("model", model, MODELS)
    s = _settings(overrides)
    # checked here under the settings' own names (the models would call them n_hidden, scale, ...)
    dtype = check_float_dtype("dtype", s["dtype"])
    hidden = "hidden_lstm" if model == "lstm" else "hidden_rnn"
    check_int(hidden, s[hidden], minimum=1)
    check_float("forget_bias", s["forget_bias"])
    check_choice("rnn_init", s["rnn_init"], ("random", "orthogonal", "identity"))
    check_float("rnn_scale", s["rnn_scale"], minimum=0.0)
    if model == "lstm":
        return lstm.init_params(2, s["hidden_lstm"], 1, rng=rng, forget_bias=s["forget_bias"], dtype=dtype)
    return rnn.init_params(2, s["hidden_rnn"], 1, rng=rng, recurrent=s["rnn_init"], scale=s["rnn_scale"],
                           dtype=dtype)


def model_forward(model: str, params: dict, x: np.ndarray):
    """(y, cache) of the chosen model: y has shape (T, B, 1). ``params`` and ``x`` are checked by the model."""
    check_choice("model", model, MODELS)
    if model == "lstm":
        return lstm.forward(params, x)
    return rnn.forward(params, x, activation="tanh")


def _model_backward(model: str, params: dict, dy: np.ndarray, cache: dict) -> dict:
    grads = lstm.backward(params, dy, cache) if model == "lstm" else rnn.backward(params, dy, cache)
    return {k: grads[k] for k in params}            # only the parameters (not h0, da, ...)


def adam_init(params: dict) -> dict:
    """Adam's state: first and second moment estimates (zeros) and the step count."""
    check_array_dict("params", params)
    return {"m": {k: np.zeros_like(v) for k, v in params.items()},
            "v": {k: np.zeros_like(v) for k, v in params.items()}, "step": 0}


def adam_step(params: dict, grads: dict, state: dict, learning_rate: float,
              beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> None:
    """One Adam update (Kingma & Ba 2015, Algorithm 1), in place::

        m <- beta1 m + (1 - beta1) g          # running mean of the gradient
        v <- beta2 v + (1 - beta2) g^2        # running mean of its square
        w <- w - lr * m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - beta1^k),  v_hat = v / (1 - beta2^k)

    ``params``: a dict of float32 or float64 arrays (updated in place, so not integers); ``grads``: an
    array shaped like each of them; ``state``: from :func:`adam_init` on these params. learning_rate and
    eps are > 0, beta1 and beta2 in [0, 1). inf/NaN gradients are not rejected (they spoil the weights,
    which is what a diverging run shows).
    """
    _check_adam_settings(learning_rate, beta1, beta2, eps)   # checked, not converted: the arithmetic stays as given
    check_array_dict("params", params)
    _check_like("grads", grads, params, "a dict of gradients")
    if not isinstance(state, dict) or any(k not in state for k in ("m", "v", "step")):
        raise ValueError("state must be the dict from adam_init(params), with the keys 'm', 'v' and 'step'")
    _check_like("state['m']", state["m"], params, "a dict of arrays (from adam_init)")
    _check_like("state['v']", state["v"], params, "a dict of arrays (from adam_init)")
    check_int("state['step']", state["step"], minimum=0)
    state["step"] += 1
    k = state["step"]
    step_size = learning_rate * np.sqrt(1 - beta2 ** k) / (1 - beta1 ** k)   # folds in both bias corrections
    for name, w in params.items():
        g = grads[name]
        m, v = state["m"][name], state["v"][name]
        m *= beta1
        m += (1 - beta1) * g
        v *= beta2
        v += (1 - beta2) * g * g
        w -= step_size * m / (np.sqrt(v) + eps)


def evaluate(model: str, params: dict, T: int, seed: int, n: int = 512, chunk: int = 128) -> float:
    """MSE on ``n`` held-out sequences drawn with ``seed`` (in chunks, to keep memory small)."""
    check_choice("model", model, MODELS)
    n = check_int("n", n, minimum=1)
    chunk = check_int("chunk", chunk, minimum=1)
    T = check_int("T", T, minimum=2)
    rng = make_rng(seed)
    total = 0.0
    done = 0
    while done < n:
        b = min(chunk, n - done)
        x, target = make_batch(rng, b, T)
        y, _ = model_forward(model, params, x)
        total += float(np.sum((y[-1].astype(np.float64) - target) ** 2))
        done += b
    return total / n


def train(model: str, T: int, seed: int, *, progress: Callable[[int, float], None] | None = None,
          **overrides) -> dict:
    """Train the ``"lstm"`` or the ``"rnn"`` on the adding problem with sequence length ``T``.

    ``seed`` seeds both the initialisation and the batches (the same seed gives
    both models the same batches). ``progress(iteration, mse)`` is called after
    every iteration (e.g. to move a ``helpers.progress_bar``). Any key of
    ``SETTINGS`` can be overridden, e.g. ``train("lstm", 100, 0, max_iterations=500)``.

    Returns a dict with
    ``losses`` (batch MSE per iteration, list), ``grad_norms`` (norm before
    clipping, per iteration), ``iterations``, ``seconds`` (training time, wall clock),
    ``cpu_seconds`` (processor time of this process: less sensitive to other programs on a busy machine),
    ``solved`` (bool), ``iterations_to_solve`` and ``seconds_to_solve`` (None
    if not solved), ``final_mse`` (MSE on 512 held-out sequences),
    ``params`` (the trained parameters), ``n_params``, ``settings``.
    """
    check_choice("model", model, MODELS)
    T = check_int("T", T, minimum=2)
    seed = check_int("seed", seed, minimum=0)
    s = _settings(overrides)
    max_iterations = check_int("max_iterations", s["max_iterations"], minimum=1)
    batch_size = check_int("batch_size", s["batch_size"], minimum=1)
    window = check_int("window", s["window"], minimum=1)
    learning_rate = _check_adam_settings(s["learning_rate"], s["beta1"], s["beta2"], s["adam_eps"],
                                         names=("learning_rate", "beta1", "beta2", "adam_eps"))
    success = check_float("success_mse", s["success_mse"], minimum=0.0, exclusive_minimum=True)
    check_float("theta", s["theta"], minimum=0.0, exclusive_minimum=True)
    check_choice("stop_when_solved", s["stop_when_solved"], (True, False))
    check_int("eval_size", s["eval_size"], minimum=1)
    progress = check_callable("progress", progress, "a function progress(iteration, mse)", optional=True)
    init_rng, data_rng = make_rng(seed), make_rng(seed + 1_000_000)
    params = init_model(model, init_rng, **overrides)
    dtype = params["b_y"].dtype
    state = adam_init(params)
    losses, grad_norms = [], []
    dy = None
    solved_at = seconds_to_solve = None
    start, cpu_start = time.perf_counter(), time.process_time()
    with single_threaded_blas():
        for it in range(1, max_iterations + 1):
            x, target = make_batch(data_rng, batch_size, T)
            y, cache = model_forward(model, params, x.astype(dtype))
            error = y[-1] - target.astype(dtype)                   # (B, 1): only the last step has a loss
            mse = float(np.mean(error * error))
            if dy is None:
                dy = np.zeros_like(y)
            dy[-1] = (2.0 / batch_size) * error                    # dMSE/dy_T
            grads = _model_backward(model, params, dy, cache)
            norm = global_norm(grads)                              # before clipping: what the run reports
            grads = clip_by_norm(grads, s["theta"])
            adam_step(params, grads, state, learning_rate, s["beta1"], s["beta2"], s["adam_eps"])
            losses.append(mse)
            grad_norms.append(norm)
            if progress is not None:
                progress(it, mse)
            if not np.isfinite(mse):
                break
            if solved_at is None and it >= window and np.mean(losses[-window:]) < success:
                solved_at, seconds_to_solve = it, time.perf_counter() - start
                if s["stop_when_solved"]:
                    break
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
    with single_threaded_blas():
        final = evaluate(model, params, T, seed + 2_000_000, n=s["eval_size"])
    return {
        "model": model, "T": T, "seed": seed,
        "losses": losses, "grad_norms": grad_norms,
        "iterations": len(losses), "seconds": seconds, "cpu_seconds": cpu_seconds,
        "solved": solved_at is not None,
        "iterations_to_solve": solved_at, "seconds_to_solve": seconds_to_solve,
        "final_mse": final, "params": params, "n_params": int(sum(v.size for v in params.values())), "settings": s,
    }
