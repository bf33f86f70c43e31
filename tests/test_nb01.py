"""Notebook 1's claims about its two forward passes, checked on other random networks than the notebook's one.

The notebook asserts its claims for one seeded window network and one seeded RNN. The structural ones
(a window network is blind, bit for bit, to every input outside its window; an RNN's final state reacts
to every input; a bag of words is order-blind; no unidirectional network sees a later input) do not depend
on the seed, so they are checked here on other seeds and sizes, with the notebook's own functions.
"""
from __future__ import annotations

import ast
import json

import numpy as np
import pytest

import helpers
from conftest import NOTEBOOKS_DIR

NOTEBOOK = NOTEBOOKS_DIR / "01_feedforward_vs_recurrent.ipynb"


def _functions(*names, **constants):
    """The notebook's functions called `names`, defined in a fresh namespace holding `constants`."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    namespace = {"np": np, **constants}
    found = set()
    for cell in cells:
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        tree = ast.parse("\n".join(l for l in source.splitlines() if not l.startswith("%")))
        defs = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name in names]
        if defs:
            exec(compile(ast.Module(body=defs, type_ignores=[]), str(NOTEBOOK), "exec"), namespace)
            found.update(d.name for d in defs)
    assert found == set(names), f"the notebook no longer defines {set(names) - found}"
    return namespace


@pytest.mark.parametrize("seed, window, H, T", [(0, 5, 16, 25), (1, 5, 4, 12), (7, 3, 32, 40), (11, 1, 8, 10)])
def test_window_is_blind_outside_and_rnn_sees_everything(seed, window, H, T):
    ns = _functions("window_forward", "rnn_forward", window=window, H=H)
    rng = helpers.make_rng(seed)
    D = 1
    window_net = {"W_in": rng.normal(0, 1 / np.sqrt(window * D), size=(H, window * D)), "b_in": np.zeros(H),
                  "W_out": rng.normal(0, 1 / np.sqrt(H), size=(1, H)), "b_out": np.zeros(1)}
    rnn_net = {"W_xh": rng.normal(0, 0.5, size=(H, D)), "W_hh": rng.normal(0, 1 / np.sqrt(H), size=(H, H)),
               "b_h": np.zeros(H), "W_hy": rng.normal(0, 1 / np.sqrt(H), size=(1, H)), "b_y": np.zeros(1)}
    x = rng.normal(size=(T, D))
    z, _ = ns["window_forward"](window_net, x)
    h, _ = ns["rnn_forward"](rnn_net, x)
    for k in range(T):
        x_b = x.copy()
        x_b[T - 1 - k] += 1.0
        z_b, _ = ns["window_forward"](window_net, x_b)
        h_b, _ = ns["rnn_forward"](rnn_net, x_b)
        if k < window:
            assert np.linalg.norm(z_b - z) > 0, k
        else:
            assert np.array_equal(z_b, z), k                    # bit for bit: x_{T-k} is never multiplied
        assert np.linalg.norm(h_b[-1] - h[-1]) > 0, k           # the loop carries every input forward


@pytest.mark.parametrize("seed", [0, 3, 5])
def test_order_sensitivity_and_no_look_ahead(seed):
    D, H, n_slots = 8, 8, 4
    vocabulary = ["feeling", "under", "the", "weather", "he", "said", "teddy", "bears"]
    embedding_matrix = helpers.make_rng(seed).normal(size=(len(vocabulary), D))
    rng = helpers.make_rng(seed + 100)
    constants = {"vocabulary": vocabulary, "embedding_matrix": embedding_matrix,
                 "embedding": dict(zip(vocabulary, embedding_matrix)), "n_slots": n_slots, "H_emb": H,
                 "word_rnn": {"W_xh": rng.normal(0, 1 / np.sqrt(D), size=(H, D)),
                              "W_hh": rng.normal(0, 1 / np.sqrt(H), size=(H, H)), "b_h": np.zeros(H)},
                 "word_window": {"W_in": rng.normal(0, 1 / np.sqrt(n_slots * D), size=(H, n_slots * D)),
                                 "b_in": np.zeros(H)}}
    ns = _functions("bag_of_words", "read_window", "read", **constants)
    words = ["feeling", "under", "the", "weather"]
    for order in (["the", "feeling", "under", "weather"], ["under", "the", "feeling", "weather"]):
        assert np.array_equal(ns["bag_of_words"](words), ns["bag_of_words"](order))   # order-blind, exactly
        assert not np.allclose(ns["read_window"](words), ns["read_window"](order))
        assert not np.allclose(ns["read"](words)[-1], ns["read"](order)[-1])
    a, b = ns["read"](["he", "said", "teddy", "bears"]), ns["read"](["he", "said", "teddy", "the", "weather"])
    assert np.array_equal(a[:3], b[:3]) and not np.allclose(a[3], b[3])                # no look-ahead
