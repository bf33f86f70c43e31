"""helpers.adding (the adding problem, Adam and the training loop of notebook 07)."""
from __future__ import annotations

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import helpers
from helpers import adding, lstm


def test_make_batch_shapes_markers_and_target():
    x, target = adding.make_batch(helpers.make_rng(0), 64, 20)
    assert x.shape == (20, 64, 2) and target.shape == (64, 1)
    values, markers = x[:, :, 0], x[:, :, 1]
    assert values.min() >= 0 and values.max() <= 1
    np.testing.assert_array_equal(markers.sum(axis=0), 2)
    assert np.all(markers[:10].sum(axis=0) == 1) and np.all(markers[10:].sum(axis=0) == 1)   # one per half
    np.testing.assert_allclose(target[:, 0], (values * markers).sum(axis=0))


def test_make_batch_is_seeded():
    a = adding.make_batch(helpers.make_rng(3), 5, 9)
    b = adding.make_batch(helpers.make_rng(3), 5, 9)
    assert all(np.array_equal(u, v) for u, v in zip(a, b))


def test_baseline_is_one_sixth_on_a_large_seeded_sample():
    assert adding.BASELINE_MSE == 1 / 6
    assert abs(adding.baseline_mse_estimate(helpers.make_rng(1), n=1_000_000) - 1 / 6) < 1e-3


@pytest.mark.parametrize("kwargs, message", [
    (dict(batch_size=0, T=5), "batch_size must be an integer >= 1"),
    (dict(batch_size=2, T=1), "T must be an integer >= 2"),
])
def test_make_batch_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        adding.make_batch(helpers.make_rng(0), **kwargs)


def test_adam_step_matches_the_algorithm():
    """Two Adam steps on one weight, against Kingma & Ba's Algorithm 1 computed by hand."""
    params = {"w": np.array([1.0, -2.0])}
    state = adding.adam_init(params)
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    m = v = np.zeros(2)
    w = params["w"].copy()
    for k, g in enumerate([np.array([0.5, -3.0]), np.array([1.0, 2.0])], start=1):
        adding.adam_step(params, {"w": g}, state, lr, b1, b2, eps)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        w = w - lr * (m / (1 - b1 ** k)) / (np.sqrt(v / (1 - b2 ** k)) + eps)
    np.testing.assert_allclose(params["w"], w, rtol=1e-6)


def test_train_returns_the_contract_and_is_deterministic():
    calls = []
    r1 = adding.train("lstm", 10, 0, max_iterations=15, progress=lambda i, mse: calls.append((i, mse)))
    r2 = adding.train("lstm", 10, 0, max_iterations=15)
    for key in ("losses", "seconds", "iterations", "solved", "iterations_to_solve", "seconds_to_solve", "final_mse"):
        assert key in r1
    assert isinstance(r1["losses"], list) and r1["iterations"] == len(r1["losses"]) == 15
    assert r1["losses"] == r2["losses"] and r1["final_mse"] == r2["final_mse"]
    assert [i for i, _ in calls] == list(range(1, 16))
    assert r1["params"]["W_hh"].dtype == np.float32
    assert r1["solved"] in (True, False) and (r1["solved"] or r1["seconds_to_solve"] is None)


def test_train_rnn_and_settings_validation():
    r = adding.train("rnn", 8, 1, max_iterations=5)
    assert r["n_params"] == 64 * (2 + 64 + 1) + (64 + 1)
    with pytest.raises(ValueError, match="model must be one of"):
        adding.train("gru", 8, 0)
    with pytest.raises(ValueError, match="settings must be among"):
        adding.train("lstm", 8, 0, hiden_lstm=3)


def test_similar_sizes():
    n_rnn = adding.n_params(adding.init_model("rnn", helpers.make_rng(0)))
    n_lstm = adding.n_params(adding.init_model("lstm", helpers.make_rng(0)))
    assert abs(n_lstm - n_rnn) / n_rnn < 0.05


def test_lstm_training_memory_is_small():
    """Peak memory allocated by an LSTM training run at T = 100 (what numpy allocates, via tracemalloc)."""
    tracemalloc.start()
    try:
        adding.train("lstm", 100, 0, max_iterations=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_whole_process_memory_of_the_main_run():
    """A fresh Python running the notebook's LSTM training (T = 100, until solved): peak RSS <= 150 MB.

    Peak RSS is VmHWM of /proc/self/status (ru_maxrss would include the forking parent's pages).
    """
    code = ("import helpers; from helpers import adding; "
            "r = adding.train('lstm', 100, helpers.SEED); assert r['solved']; "
            "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    peak_mb = int(out.stdout.split()[-1]) / 1024       # kB
    assert peak_mb <= 150, f"peak RSS {peak_mb:.0f} MB"


@pytest.mark.parametrize("T", [50, 100])
def test_lstm_solves_and_rnn_stays_near_the_baseline_on_every_seed(T):
    """The claim of notebook 07, section 7, on seeds 0, 1, 2 with the notebook's settings (learning rate 0.01,
    1000 iterations): the LSTM solves the task, the RNN ends above half the baseline. (Measured under several
    BLAS code paths and numpy 1.24: the LSTM's final MSE stayed at about 0.01 or below, the RNN's above 0.15.)"""
    for seed in (0, 1, 2):
        lstm_run = adding.train("lstm", T, seed)
        rnn_run = adding.train("rnn", T, seed)
        assert lstm_run["solved"] and lstm_run["final_mse"] < adding.BASELINE_MSE / 10, (seed, lstm_run["final_mse"])
        assert not rnn_run["solved"] and rnn_run["final_mse"] > 0.5 * adding.BASELINE_MSE, (seed, rnn_run["final_mse"])


def _rnn_run_with_held_out_loss(T, seed, learning_rate, iterations):
    """The training loop of ``adding.train("rnn", ...)`` written out, plus the MSE on 512 fixed held-out
    sequences after every iteration (``train`` does not expose its intermediate weights)."""
    from helpers import rnn
    from helpers.clipping import clip_by_norm
    s = adding.SETTINGS
    params = adding.init_model("rnn", helpers.make_rng(seed))
    data_rng, state = helpers.make_rng(seed + 1_000_000), adding.adam_init(params)
    x_held, target_held = adding.make_batch(helpers.make_rng(seed + 3_000_000), 512, T)
    batch_losses, held_out = [], []
    with adding.single_threaded_blas():
        for _ in range(iterations):
            x, target = adding.make_batch(data_rng, s["batch_size"], T)
            y, cache = adding.model_forward("rnn", params, x.astype(np.float32))
            error = y[-1] - target.astype(np.float32)
            batch_losses.append(float(np.mean(error * error)))
            dy = np.zeros_like(y)
            dy[-1] = (2.0 / s["batch_size"]) * error
            grads = {k: v for k, v in rnn.backward(params, dy, cache).items() if k in params}
            grads, _ = clip_by_norm(grads, s["theta"])
            adding.adam_step(params, grads, state, learning_rate, s["beta1"], s["beta2"], s["adam_eps"])
            y_held, _ = adding.model_forward("rnn", params, x_held.astype(np.float32))
            held_out.append(float(np.mean((y_held[-1] - target_held) ** 2)))
    return np.array(batch_losses), np.array(held_out)


def test_rnn_setback_at_T8_is_in_the_weights_not_batch_noise():
    """Notebook 07, section 8: the RNN's loss curve at T = 8 climbs back up around iterations 70-95.

    The written-out loop reproduces the demo's run exactly; the loss on a fixed held-out set jumps too
    (so the weights got worse, it is not one unlucky batch) and comes back down by iteration 100; with
    learning rate 0.003 instead of 0.01 the same run has no such jump (its held-out loss never climbs 0.1
    above its best). Tolerances: the run is the same on every machine up to about iteration 60; after the
    jump the trajectories of different BLAS code paths part (held-out loss 0.02 to 0.09 between iterations
    90 and 120), so "recovered" is the mean over iterations 100-120.
    """
    T, seed = 8, helpers.SEED
    reference = adding.train("rnn", T, seed, max_iterations=120, stop_when_solved=False)
    batch_losses, held_out = _rnn_run_with_held_out_loss(T, seed, adding.SETTINGS["learning_rate"], 120)
    np.testing.assert_allclose(batch_losses, reference["losses"], rtol=1e-5)   # the same run as the demo's
    assert held_out[55:65].max() < 0.05                       # before: well below the baseline
    assert held_out[65:80].max() > 0.2                        # the jump, on held-out data
    assert held_out[100:120].mean() < 0.05                    # recovered
    _, held_out_slow = _rnn_run_with_held_out_loss(T, seed, 0.003, 120)

    def largest_rise(losses):                                 # how far the held-out loss climbs above its best so far
        return max(losses[k] - losses[20:k].min() for k in range(21, len(losses)))

    assert largest_rise(held_out) > 0.2 and largest_rise(held_out_slow) < 0.1   # a smaller learning rate: no such jump


def test_lstm_with_closed_forget_gates_learns_late_by_opening_one_cell():
    """Notebook 07, exercise 6: the LSTM with forget bias -2 still solves T = 100, but later than with +1.

    Runs with fewer iterations reproduce the start of the longer run (seeded), so they show its course:
    for 300 iterations no forget gate opens; by 500 one cell's mean forget gate is above 0.5.
    """
    seed, T = helpers.SEED, 100
    x, _ = adding.make_batch(helpers.make_rng(12), 32, T)

    def largest_cell_mean_forget_gate(run):
        _, cache = lstm.forward({k: v.astype(np.float64) for k, v in run["params"].items()}, x)
        return float(cache["gates"][:, :, 1, :].mean(axis=(0, 1)).max())

    closed = adding.train("lstm", T, seed, forget_bias=-2.0)
    usual = adding.train("lstm", T, seed)
    assert closed["solved"] and usual["solved"]
    assert 500 <= closed["iterations_to_solve"] <= 700 and 250 <= usual["iterations_to_solve"] <= 350
    first_300 = adding.train("lstm", T, seed, forget_bias=-2.0, max_iterations=300)
    assert largest_cell_mean_forget_gate(first_300) < 0.2
    assert np.mean(first_300["losses"][-25:]) > 0.8 * adding.BASELINE_MSE        # still at the baseline
    assert largest_cell_mean_forget_gate(adding.train("lstm", T, seed, forget_bias=-2.0, max_iterations=500)) > 0.5


def test_identity_initialised_rnn_still_fails_at_T100():
    """Notebook 07, exercise 6: the identity-initialised tanh RNN still ends near the baseline at T = 100."""
    run = adding.train("rnn", 100, helpers.SEED, rnn_init="identity", rnn_scale=1.0)
    assert not run["solved"] and run["final_mse"] > 0.8 * adding.BASELINE_MSE


def test_sequence_length_demo_claims():
    """Notebook 07, section 8 (demo budget: 400 iterations): at T = 8 both learn the task, the RNN more slowly;
    at T = 16 the RNN does not reach the threshold; at T = 24 it stays near the baseline; the LSTM solves all
    three. (How far the RNN gets at T = 16 is not checked: across BLAS code paths and tiny perturbations of
    its initial weights its final MSE ranged from 0.04 to above the baseline.)"""
    runs = {(model, T): adding.train(model, T, helpers.SEED, max_iterations=400)
            for T in (8, 16, 24) for model in ("rnn", "lstm")}
    assert all(runs["lstm", T]["solved"] for T in (8, 16, 24))
    assert runs["rnn", 8]["final_mse"] < adding.BASELINE_MSE / 4
    assert not runs["rnn", 8]["solved"] or runs["rnn", 8]["iterations_to_solve"] > runs["lstm", 8]["iterations_to_solve"]
    assert not runs["rnn", 16]["solved"]
    assert runs["rnn", 24]["final_mse"] > adding.BASELINE_MSE / 2
