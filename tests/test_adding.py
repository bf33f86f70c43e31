"""helpers.adding (the adding problem, Adam and the training loop of notebook 07)."""
from __future__ import annotations

import subprocess
import sys
import tracemalloc

import numpy as np
import pytest

import helpers
from helpers import adding, lstm, rnn


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
    """The two models of notebook 07 have about the same number of parameters; the formulas count the arrays."""
    sizes = {}
    for model, count in (("rnn", rnn.n_params), ("lstm", lstm.n_params)):
        params = adding.init_model(model, helpers.make_rng(0))
        sizes[model] = sum(v.size for v in params.values())
        assert sizes[model] == count(2, adding.SETTINGS[f"hidden_{model}"], 1)
    assert abs(sizes["lstm"] - sizes["rnn"]) / sizes["rnn"] < 0.05


def test_lstm_training_memory_is_small():
    """Peak memory allocated by an LSTM training run at T = 100 (what numpy allocates, via tracemalloc)."""
    tracemalloc.start()
    try:
        adding.train("lstm", 100, 0, max_iterations=10)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 150e6, f"peak {peak / 1e6:.0f} MB"


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_whole_process_memory_of_the_main_run():
    """A fresh Python running notebook 07's LSTM training of section 9 (T = 100, until solved): peak RSS <= 150 MB.

    Peak RSS is VmHWM of /proc/self/status (ru_maxrss would include the forking parent's pages).
    """
    code = ("import helpers; from helpers import adding; "
            "r = adding.train('lstm', 100, helpers.SEED, learning_rate=0.01, max_iterations=3000); assert r['solved']; "
            "print([l for l in open('/proc/self/status') if l.startswith('VmHWM')][0].split()[1])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stdout + out.stderr
    peak_mb = int(out.stdout.split()[-1]) / 1024       # kB
    assert peak_mb <= 150, f"peak RSS {peak_mb:.0f} MB"


# -- notebook 07, sections 7 and 8: the fair comparison ------------------------------------------------------
#
# The sweep's own claims (tuned rates, iterations to solve by T) are asserted in the notebook from the committed
# data file, and tests/test_adding_sweep.py checks that reruns agree with that file. Here: the claims of the
# notebook's live runs, on more seeds than the notebook's one (a stand-in for other machines, whose last bits
# differ), each model at its tuned rate from the sweep.

#: The sweep's tuned rates the notebook uses (section 7 asserts them from the data; tests/test_nb07.py checks
#: the notebook's rule against experiments/adding_sweep.py).
LIVE_RATES = {"rnn": 1e-3, "lstm": 1e-2}     # T = 50
DEMO_RATES = {"rnn": 3e-3, "lstm": 1e-2}     # T = 10 and 20: the demo of section 8


@pytest.mark.slow
@pytest.mark.parametrize("seed", [helpers.SEED, helpers.SEED + 1, helpers.SEED + 2])
def test_live_case_at_T50(seed):
    """Section 7, one case live: T = 50, each model at its tuned rate, at most 1,500 iterations. The LSTM solves
    the task; the RNN learns too (the mean of its last 200 batch MSEs below half the baseline) but needs more than
    three times the LSTM's iterations (or the whole budget). Seeds 2013-2020 were tried: the RNN's last-200 mean
    ranged 0.028-0.055 at 1,500 iterations (0.042-0.090 at 1,000, too close to the line: hence 1,500), the LSTM
    solved in 189-396 iterations."""
    lstm_run = adding.train("lstm", 50, seed, learning_rate=LIVE_RATES["lstm"], max_iterations=1500)
    rnn_run = adding.train("rnn", 50, seed, learning_rate=LIVE_RATES["rnn"], max_iterations=1500)
    assert lstm_run["solved"] and lstm_run["final_mse"] < adding.BASELINE_MSE / 4, lstm_run["final_mse"]
    assert np.mean(rnn_run["losses"][-200:]) < adding.BASELINE_MSE / 2
    assert lstm_run["iterations_to_solve"] < (rnn_run["iterations_to_solve"] or 1500) / 3


@pytest.mark.slow
def test_sequence_length_demo_claims():
    """Section 8 (each model at its demo rate, 400 iterations): at T = 8 both solve the task, the RNN in more
    iterations; at T = 16 and T = 24 the RNN does not solve it within 400; the LSTM solves all three.
    (Seeds 2013-2018 were tried: the RNN solved T = 8 in 146-191 iterations, the LSTM in 86-132; no seed
    solved T = 16 or 24 with the RNN within 400.)"""
    runs = {(model, T): adding.train(model, T, helpers.SEED, learning_rate=DEMO_RATES[model], max_iterations=400)
            for T in (8, 16, 24) for model in ("rnn", "lstm")}
    assert all(runs["lstm", T]["solved"] for T in (8, 16, 24))
    assert runs["rnn", 8]["solved"] and runs["rnn", 8]["iterations_to_solve"] > runs["lstm", 8]["iterations_to_solve"]
    assert not runs["rnn", 16]["solved"] and not runs["rnn", 24]["solved"]


# -- notebook 07, exercise 6 --------------------------------------------------------------------------------

@pytest.mark.slow
def test_lstm_with_closed_forget_gates_learns_late_by_opening_one_cell():
    """Notebook 07, exercise 6: the LSTM of section 9 (T = 100, its tuned rate 0.01, the sweep's budget of 3,000)
    with forget bias -2 still solves the task, but later than with +1.

    Runs with fewer iterations reproduce the start of the longer run (seeded), so they show its course:
    for 300 iterations no forget gate opens; by 500 one cell's mean forget gate is above 0.5.
    """
    seed, T, rate, budget = helpers.SEED, 100, 1e-2, 3000
    x, _ = adding.make_batch(helpers.make_rng(12), 32, T)

    def largest_cell_mean_forget_gate(run):
        _, cache = lstm.forward({k: v.astype(np.float64) for k, v in run["params"].items()}, x)
        return float(cache["gates"][:, :, 1, :].mean(axis=(0, 1)).max())

    closed = adding.train("lstm", T, seed, learning_rate=rate, max_iterations=budget, forget_bias=-2.0)
    usual = adding.train("lstm", T, seed, learning_rate=rate, max_iterations=budget)
    assert closed["solved"] and usual["solved"]
    assert 500 <= closed["iterations_to_solve"] <= 700 and 250 <= usual["iterations_to_solve"] <= 350
    first_300 = adding.train("lstm", T, seed, learning_rate=rate, forget_bias=-2.0, max_iterations=300)
    assert largest_cell_mean_forget_gate(first_300) < 0.2
    assert np.mean(first_300["losses"][-25:]) > 0.8 * adding.BASELINE_MSE        # still at the baseline
    assert largest_cell_mean_forget_gate(adding.train("lstm", T, seed, learning_rate=rate, forget_bias=-2.0,
                                                      max_iterations=500)) > 0.5
