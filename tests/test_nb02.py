"""Exercise checks of notebooks 1 and 2 (helpers/exercises/nb01.py, nb02.py): right answers pass, wrong ones fail.

Each expected answer here is computed independently of the check it tests
(closed formulas, helpers.rnn), so a wrong check cannot agree with itself.
"""
from __future__ import annotations

import numpy as np
import pytest

import helpers
from helpers import rnn
from helpers.exercises import nb01, nb02


# -- notebook 1 ------------------------------------------------------------------------------

@pytest.mark.parametrize("D, H", [(8, 100), (10, 20), (3, 7), (50, 50)])
def test_break_even_matches_closed_formula(D, H, capsys):
    expected = int(np.floor(1 + H / D)) + 1          # smallest n with n D > D + H
    assert nb01.check_break_even(expected, D=D, H=H)
    assert not nb01.check_break_even(expected - 1, D=D, H=H)
    assert not nb01.check_break_even(None, D=D, H=H)
    assert "Not yet" in capsys.readouterr().out


def test_break_even_rejects_junk():
    assert not nb01.check_break_even("fourteen")
    assert not nb01.check_break_even(0)


def test_shift_register_answer_passes_and_others_fail():
    k = 8
    W_xh = np.zeros((k + 1, 1)); W_xh[0, 0] = 1.0
    assert nb01.check_shift_register(W_xh, np.eye(k + 1, k=-1), k=k)
    assert not nb01.check_shift_register(W_xh, np.eye(k + 1, k=1), k=k)     # shifts the wrong way
    assert not nb01.check_shift_register(W_xh, 0.9 * np.eye(k + 1, k=-1), k=k)  # fades
    assert not nb01.check_shift_register(W_xh, np.eye(k), k=k)               # wrong shape
    assert not nb01.check_shift_register(None, None, k=k)


# -- notebook 2 ------------------------------------------------------------------------------

def test_jacobian_check():
    W = np.array([[0.5, -1.0], [2.0, 0.3]])
    a_t = np.array([0.0, 1.0])
    right = np.diag(1 - np.tanh(a_t) ** 2) @ W
    assert nb02.check_jacobian(right, W, a_t)
    assert not nb02.check_jacobian(W @ np.diag(1 - np.tanh(a_t) ** 2), W, a_t)   # columns scaled: wrong
    assert not nb02.check_jacobian(np.diag(1 - np.tanh(a_t) ** 2) @ W.T, W, a_t)  # transposed: wrong
    assert not nb02.check_jacobian(W, W, a_t)
    assert not nb02.check_jacobian(np.ones(3), W, a_t)
    assert not nb02.check_jacobian(None, W, a_t)


def test_jacobian_check_validates_inputs():
    with pytest.raises(ValueError, match="a_t"):
        nb02.check_jacobian(np.eye(2), np.eye(2), np.zeros(3))


def _problem(T=8, D=3, H=5, O=2, seed=7):
    rng = helpers.make_rng(seed)
    params = rnn.init_params(D, H, O, rng=rng)
    params["b_h"] = rng.normal(0, 0.1, size=H)
    params["b_y"] = rng.normal(0, 0.1, size=O)
    return params, rng.normal(size=(T, D)), rng.normal(size=(T, O)), rng.normal(0, 0.5, size=H)


def _truncated_with_helpers_rnn(params, x, target, h0, k):
    """Truncated BPTT by helpers.rnn, chunk by chunk (batch of one: the batch average is the sequence itself)."""
    total, h_start = np.zeros_like(params["W_hh"]), h0[None, :]
    for start in range(0, len(x), k):
        xc, tc = x[start:start + k, None, :], target[start:start + k, None, :]
        y, cache = rnn.forward(params, xc, h_start)
        total += rnn.backward(params, rnn.squared_error(y, tc)[1], cache)["W_hh"]
        h_start = cache["h"][-1]
    return total


@pytest.mark.parametrize("k", [1, 3, 8])
def test_truncated_bptt_check_agrees_with_helpers_rnn(k):
    params, x, target, h0 = _problem()
    answer = _truncated_with_helpers_rnn(params, x, target, h0, k)
    assert nb02.check_truncated_bptt(answer, params, x, target, h0, k=k)


def test_truncated_differs_from_full_and_full_fails_the_check():
    params, x, target, h0 = _problem()
    y, cache = rnn.forward(params, x[:, None, :], h0[None, :])
    full = rnn.backward(params, rnn.squared_error(y, target[:, None, :])[1], cache)["W_hh"]
    # With one chunk (k = T) truncation changes nothing; with k = 3 it drops terms.
    assert np.allclose(nb02.truncated_gradient_W_hh(params, x, target, h0, k=len(x)), full, atol=1e-8)
    assert not nb02.check_truncated_bptt(full, params, x, target, h0, k=3)
    assert not nb02.check_truncated_bptt(None, params, x, target, h0, k=3)
    assert not nb02.check_truncated_bptt(np.zeros((2, 2)), params, x, target, h0, k=3)


# -- numbers stated in the folded answers -----------------------------------------------------

def test_numbers_in_the_answers():
    # nb01, exercise 2: the shift register's singular values are all 0 or 1.
    s = np.linalg.svd(np.eye(9, k=-1), compute_uv=False)
    assert np.allclose(np.sort(s), [0] + [1] * 8)
    # nb02, exercise 1: the Jacobian quoted in the answer, rounded to 3 decimals.
    J = np.diag(1 - np.tanh([0.0, 1.0]) ** 2) @ np.array([[0.5, -1.0], [2.0, 0.3]])
    assert np.allclose(J, [[0.5, -1.0], [0.840, 0.126]], atol=5e-4)
    # nb02, exercise 3: untied recurrent weights for T = 8, D = 3, H = 5, O = 2.
    D, H, O, T = 3, 5, 2, 8
    tied = H * D + H * H + H + O * H + O
    assert (tied, tied + (T - 1) * H * H) == (57, 232)


# -- what the folded answers say a correct check prints ----------------------------------------

def _markdown(name):
    import json
    from conftest import NOTEBOOKS_DIR
    nb = json.loads((NOTEBOOKS_DIR / name).read_text(encoding="utf-8"))
    return "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")


def _printed(capsys, check, *args, **kwargs):
    assert check(*args, **kwargs)
    return capsys.readouterr().out.strip()


def test_answers_quote_what_the_checks_print(capsys):
    """Each folded answer shows the line its check prints for the right answer: keep them in step."""
    nb1, nb2 = _markdown("01_feedforward_vs_recurrent.ipynb"), _markdown("02_unrolling_and_bptt.ipynb")
    assert f"`{_printed(capsys, nb01.check_break_even, 14, D=8, H=100)}`" in nb1
    k = 8
    W_xh = np.zeros((k + 1, 1)); W_xh[0, 0] = 1.0
    assert f"`{_printed(capsys, nb01.check_shift_register, W_xh, np.eye(k + 1, k=-1), k=k)}`" in nb1
    W, a_t = np.array([[0.5, -1.0], [2.0, 0.3]]), np.array([0.0, 1.0])
    assert f"`{_printed(capsys, nb02.check_jacobian, np.diag(1 - np.tanh(a_t) ** 2) @ W, W, a_t)}`" in nb2


def _notebook2_problem():
    """The set-up of notebook 2 (same seed and draw order), for its exercise 2."""
    rng = helpers.make_rng()
    D, H, O, T = 3, 5, 2, 8
    params = {"W_xh": rng.normal(0, 1 / np.sqrt(D), size=(H, D)), "W_hh": rng.normal(0, 1 / np.sqrt(H), size=(H, H)),
              "b_h": rng.normal(0, 0.1, size=H), "W_hy": rng.normal(0, 1 / np.sqrt(H), size=(O, H)),
              "b_y": rng.normal(0, 0.1, size=O)}
    return params, rng.normal(size=(T, D)), rng.normal(size=(T, O)), rng.normal(0, 0.5, size=H)


def test_truncated_answer_message_and_gap(capsys):
    params, x, target, h0 = _notebook2_problem()
    answer = _truncated_with_helpers_rnn(params, x, target, h0, 3)
    line = _printed(capsys, nb02.check_truncated_bptt, answer, params, x, target, h0, k=3)
    assert f"`{line}`" in _markdown("02_unrolling_and_bptt.ipynb")
    # the 0.15 of the message, computed independently with helpers.rnn (full BPTT in one chunk)
    full = _truncated_with_helpers_rnn(params, x, target, h0, len(x))
    assert round(helpers.relative_error(answer, full), 2) == 0.15


def test_full_gradient_matches_helpers_rnn():
    params, x, target, h0 = _problem()
    full = _truncated_with_helpers_rnn(params, x, target, h0, len(x))
    assert helpers.relative_error(nb02.full_gradient_W_hh(params, x, target, h0), full) < 1e-7


# -- notebook 2's own forward and backward loops, checked on other problems than the notebook's one ---------
#
# The notebook checks its loops on one seeded problem (relative errors of order 1e-9, rounding noise whose
# digits differ from machine to machine). Here the same functions, taken from the notebook, meet other
# seeds and sizes, with the series' threshold 1e-7.

def _notebook2_functions():
    import ast
    import json
    from conftest import NOTEBOOKS_DIR
    path = NOTEBOOKS_DIR / "02_unrolling_and_bptt.ipynb"
    namespace = {"np": np}
    names = {"forward", "loss_and_errors", "backward"}
    for cell in json.loads(path.read_text(encoding="utf-8"))["cells"]:
        if cell["cell_type"] == "code":
            tree = ast.parse("\n".join(l for l in "".join(cell["source"]).splitlines() if not l.startswith("%")))
            defs = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name in names]
            exec(compile(ast.Module(body=defs, type_ignores=[]), str(path), "exec"), namespace)
    assert names <= set(namespace), "the notebook must define forward, loss_and_errors and backward"
    return namespace


@pytest.mark.parametrize("seed, T, D, H, O", [(1, 8, 3, 5, 2), (2, 1, 2, 3, 1), (3, 12, 1, 1, 1), (4, 6, 4, 7, 3)])
def test_notebook_backward_passes_the_gradient_check(seed, T, D, H, O):
    ns = _notebook2_functions()
    params, x, target, h0 = _problem(T=T, D=D, H=H, O=O, seed=seed)

    def loss():
        return ns["loss_and_errors"](ns["forward"](params, x, h0)["y"], target)[0]

    grads, dL_dh0, step_terms = ns["backward"](params, x, target, ns["forward"](params, x, h0))
    errors = helpers.check_gradients(loss, params, grads)
    errors["h0"] = helpers.relative_error(dL_dh0, helpers.numerical_gradient(loss, h0))
    assert max(errors.values()) < 1e-7, errors
    assert np.allclose(step_terms.sum(axis=0), grads["W_hh"], rtol=1e-12, atol=1e-15)   # the sum over steps
    if H > 1 and T > 1:   # the transpose slip fails the check (with H = 1 or T = 1 it changes nothing)
        slipped, _, _ = ns["backward"](dict(params, W_hh=params["W_hh"].T), x, target, ns["forward"](params, x, h0))
        assert helpers.relative_error(slipped["W_hh"], helpers.numerical_gradient(loss, params["W_hh"])) > 1e-3
