"""BPTT speed: the helpers' numpy RNN and LSTM against PyTorch CPU autograd on the same model and data.

For every size the numpy model and a torch model holding the *same* weights
(torch.nn.RNN / torch.nn.LSTM followed by torch.nn.Linear for ``y_t = h_t W_hy^T + b_y``)
run forward and backward on the same inputs ``x`` (T, B, D) and the same
upstream gradient ``dL/dy`` (T, B, O); their outputs and weight gradients are
compared before anything is timed, so a ratio is never bought with a wrong
answer. Repeats are interleaved (numpy, torch, numpy, torch, ...) so that the
machine's noise hits both alike; medians are reported.

Threads: numpy's BLAS pool has as many threads as OpenBLAS chose (2 on a
2-core machine), and ``helpers.rnn`` (and ``helpers.lstm``, through
``rnn._one_blas_thread``) run their products on one of them. torch therefore
runs at ``set_num_threads(1)`` and at numpy's pool size, both timed, and each
ratio is numpy over the *faster* torch: the strict comparison. The CPU time of
each side is recorded too (``cpu_ratio_1_thread``: numpy against torch on one
thread): on a busy machine it separates the work from the waiting for a core.
"""
from __future__ import annotations

import importlib
import itertools
import os
import sys
import time

import numpy as np

from .common import median, numpy_threads, repeats_for, time_and_cpu, time_once

GRID_H = (16, 64, 256)
GRID_T = (20, 100, 500)
GRID_B = (1, 32, 128)
QUICK_H, QUICK_T, QUICK_B = (16, 64), (20, 100), (1, 32)
DTYPES = ("float64", "float32")
N_IN, N_OUT = 8, 4           # input and output sizes of the benchmark model
TORCH_GATES = "ifgo"         # torch.nn.LSTM's gate order in weight_ih / weight_hh


def try_import(name: str):
    """The module ``name`` or (None, reason)."""
    try:
        return importlib.import_module(name), ""
    except ImportError as exc:
        return None, f"{name} is not importable ({exc})"


def key(model: str, H: int, T: int, B: int, dtype: str) -> str:
    return f"{model} H={H} T={T} B={B} {dtype}"


# -- numpy side ------------------------------------------------------------------------

def numpy_model(model: str, module, H: int, dtype: str, seed: int = 0) -> dict:
    """The model's own initialisation (the RNN gets a non-zero b_h, so that its gradient is checked too)."""
    rng = np.random.default_rng(seed)
    params = module.init_params(N_IN, H, N_OUT, rng=rng, dtype=np.dtype(dtype))
    if model == "rnn":
        params["b_h"] = rng.normal(0, 0.1, size=H).astype(dtype)
    return params


def data(T: int, B: int, dtype: str, seed: int = 1):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(T, B, N_IN)).astype(dtype)
    dy = (rng.normal(size=(T, B, N_OUT)) / B).astype(dtype)
    return x, dy


def numpy_step(module, params, x, dy):
    """One forward + backward of the numpy model; returns (y, grads)."""
    y, cache = module.forward(params, x)
    return y, module.backward(params, dy, cache)


# -- torch side ------------------------------------------------------------------------

def _lstm_layout(params: dict, H: int, D: int, O: int):
    """Find the LSTM's stacked input/recurrent weights and biases in ``params``.

    Returns ``(wx, wh, bs, out_w, out_b)`` where wx/wh/bs are lists of
    ``(key, slice_or_None, transpose)`` per gate group in the module's own order.
    Handles a stacked layout (one (4H, D) matrix, any orientation) and a per-gate
    layout (four (H, D) matrices); the gate order is found later by matching outputs.
    """
    shapes = {k: np.shape(v) for k, v in params.items()}
    out_w = next(k for k, s in shapes.items() if s in ((O, H), (H, O)) and s != (H, H))
    out_b = next(k for k, s in shapes.items() if s == (O,))

    def find(shape_options):
        return sorted(k for k, s in shapes.items() if s in shape_options and k not in (out_w, out_b))

    stacked_x = find({(4 * H, D), (D, 4 * H)})
    if stacked_x:
        kx = stacked_x[0]
        kh = find({(4 * H, H), (H, 4 * H)})[0]
        kb = find({(4 * H,)})
        tx, th = shapes[kx] == (D, 4 * H), shapes[kh] == (H, 4 * H)
        sl = [slice(g * H, (g + 1) * H) for g in range(4)]
        return ([(kx, s, tx) for s in sl], [(kh, s, th) for s in sl], [[(b, s) for b in kb] for s in sl], out_w, out_b)
    xs = find({(H, D), (D, H)})
    hs = find({(H, H)})
    bs = find({(H,)})
    if len(xs) != 4 or len(hs) != 4 or len(bs) < 4:
        raise ValueError(f"cannot find the LSTM's gate weights in params with shapes {shapes}")
    # Pair each gate's x-weight, h-weight and bias by the key's last character(s) (W_xi, W_hi, b_i, ...).
    def gate_of(k):
        return k.rstrip("_").split("_")[-1][-1]
    by_gate = {}
    for k in xs:
        by_gate.setdefault(gate_of(k), {})["x"] = k
    for k in hs:
        by_gate.setdefault(gate_of(k), {})["h"] = k
    for k in bs:
        by_gate.setdefault(gate_of(k), {}).setdefault("b", []).append(k)
    gates = [g for g, v in by_gate.items() if "x" in v and "h" in v]
    if len(gates) != 4:
        raise ValueError(f"cannot pair the LSTM's per-gate weights in {sorted(shapes)}")
    return ([(by_gate[g]["x"], None, shapes[by_gate[g]["x"]] == (D, H)) for g in gates],
            [(by_gate[g]["h"], None, False) for g in gates],
            [[(b, None) for b in by_gate[g].get("b", [])] for g in gates], out_w, out_b)


def _take(params, k, s, transpose):
    a = np.asarray(params[k])
    a = a.T if transpose else a
    return a[s] if s is not None else a


def torch_model(torch, model: str, params: dict, H: int, dtype: str, gate_order=None):
    """(recurrent module, output layer) holding the numpy model's weights, and a mapping for the gradients."""
    tdtype = getattr(torch, dtype)
    O = N_OUT
    if model == "rnn":
        rec = torch.nn.RNN(N_IN, H, nonlinearity="tanh", bias=True, dtype=tdtype)
        lin = torch.nn.Linear(H, O, dtype=tdtype)
        with torch.no_grad():
            rec.weight_ih_l0.copy_(torch.from_numpy(np.asarray(params["W_xh"], dtype=np.float64)))
            rec.weight_hh_l0.copy_(torch.from_numpy(np.asarray(params["W_hh"], dtype=np.float64)))
            rec.bias_ih_l0.copy_(torch.from_numpy(np.asarray(params["b_h"], dtype=np.float64)))
            rec.bias_hh_l0.zero_()
            lin.weight.copy_(torch.from_numpy(np.asarray(params["W_hy"], dtype=np.float64)))
            lin.bias.copy_(torch.from_numpy(np.asarray(params["b_y"], dtype=np.float64)))
        grad_map = {"W_xh": lambda: rec.weight_ih_l0.grad, "W_hh": lambda: rec.weight_hh_l0.grad,
                    "b_h": lambda: rec.bias_ih_l0.grad, "W_hy": lambda: lin.weight.grad, "b_y": lambda: lin.bias.grad}
        return rec, lin, grad_map
    wx, wh, bs, out_w, out_b = _lstm_layout(params, H, N_IN, O)
    order = list(range(4)) if gate_order is None else list(gate_order)  # module gate j -> torch slot order[j]
    rec = torch.nn.LSTM(N_IN, H, bias=True, dtype=tdtype)
    lin = torch.nn.Linear(H, O, dtype=tdtype)
    W_ih = np.zeros((4 * H, N_IN)); W_hh = np.zeros((4 * H, H)); b = np.zeros(4 * H)
    for j in range(4):
        slot = slice(order[j] * H, (order[j] + 1) * H)
        W_ih[slot] = _take(params, *wx[j])
        W_hh[slot] = _take(params, *wh[j])
        for kb, s in bs[j]:
            b[slot] += _take(params, kb, s, False)
    out = np.asarray(params[out_w], dtype=np.float64)
    out = out.T if out.shape == (H, O) and O != H else out
    with torch.no_grad():
        rec.weight_ih_l0.copy_(torch.from_numpy(W_ih)); rec.weight_hh_l0.copy_(torch.from_numpy(W_hh))
        rec.bias_ih_l0.copy_(torch.from_numpy(b)); rec.bias_hh_l0.zero_()
        lin.weight.copy_(torch.from_numpy(out)); lin.bias.copy_(torch.from_numpy(np.asarray(params[out_b], dtype=np.float64)))

    def gate_grad(which, j):
        t = {"x": rec.weight_ih_l0, "h": rec.weight_hh_l0, "b": rec.bias_ih_l0}[which].grad
        return t[order[j] * H:(order[j] + 1) * H]

    # numpy-side comparison: rebuild each numpy gradient's torch counterpart.
    def grads_like_numpy(np_grads):
        pairs = []
        for j in range(4):
            for which, (k, s, tr) in (("x", wx[j]), ("h", wh[j])):
                g = np.asarray(np_grads[k]); g = g.T if tr else g
                pairs.append((g[s] if s is not None else g, gate_grad(which, j).detach().double().numpy()))
            for kb, s in bs[j][:1]:
                g = np.asarray(np_grads[kb])
                pairs.append((g[s] if s is not None else g, gate_grad("b", j).detach().double().numpy()))
        g = np.asarray(np_grads[out_w]); g = g.T if g.shape == (H, O) and O != H else g
        pairs.append((g, lin.weight.grad.detach().double().numpy()))
        pairs.append((np.asarray(np_grads[out_b]), lin.bias.grad.detach().double().numpy()))
        return pairs

    return rec, lin, grads_like_numpy


def torch_step(rec, lin, x_t, g_t):
    """One forward + backward through torch autograd."""
    for p in itertools.chain(rec.parameters(), lin.parameters()):
        p.grad = None
    out, _ = rec(x_t)
    y = lin(out)
    y.backward(g_t)
    return y


def _rel(a, b) -> float:
    a = np.asarray(a, dtype=np.float64); b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b)) / max(np.max(np.abs(a)), np.max(np.abs(b)), 1e-300))


def compare(torch, model, module, params, rec, lin, mapping, x, dy) -> tuple[float, float, float]:
    """(largest relative difference between numpy's and torch's outputs and weight gradients,
    seconds of that numpy call, seconds of that torch call): the check doubles as the first timed round."""
    start = time.perf_counter()
    y_np, grads = numpy_step(module, params, x, dy)
    t_np = time.perf_counter() - start
    x_t, g_t = torch.from_numpy(x), torch.from_numpy(dy)
    start = time.perf_counter()
    y_t = torch_step(rec, lin, x_t, g_t)
    t_torch = time.perf_counter() - start
    errs = [_rel(y_np, y_t.detach().numpy())]
    if model == "rnn":
        errs += [_rel(grads[k], mapping[k]().detach().numpy()) for k in mapping]
    else:
        errs += [_rel(a, b) for a, b in mapping(grads)]
    return max(errs), t_np, t_torch


def find_gate_order(torch, module, H=5):
    """The permutation that maps the LSTM module's gate groups onto torch's (i, f, g, o) slots, by matching outputs."""
    params = numpy_model("lstm", module, H, "float64")
    x, dy = data(4, 2, "float64")
    y_np, _ = module.forward(params, x)
    for perm in itertools.permutations(range(4)):
        rec, lin, _ = torch_model(torch, "lstm", params, H, "float64", gate_order=perm)
        with torch.no_grad():
            y_t = lin(rec(torch.from_numpy(x))[0]).numpy()
        if _rel(y_np, y_t) < 1e-10:
            return perm
    raise ValueError("no gate order of torch.nn.LSTM reproduces helpers.lstm's outputs")


# -- the grid --------------------------------------------------------------------------

def run(quick: bool = False, budget: float = 0.6, log=print, grid=None, models=("rnn", "lstm")) -> dict:
    """Time forward + backward over the grid; returns the ``bptt`` section of results.json.

    ``grid`` = (H values, T values, B values) overrides the standard grid (the
    tests use a tiny one); ``budget`` is the seconds of repeats per size and side
    (at least 5 repeats, at most 25).
    """
    if grid is None:
        grid = (QUICK_H, QUICK_T, QUICK_B) if quick else (GRID_H, GRID_T, GRID_B)
    threads, how = numpy_threads()
    section = {"grid": {"H": list(grid[0]), "T": list(grid[1]), "B": list(grid[2]), "dtype": list(DTYPES),
                        "D": N_IN, "O": N_OUT},
               "numpy_threads": threads, "numpy_threads_from": how, "results": {}, "skipped": {}}
    # torch's OpenMP workers busy-wait after each parallel region; interleaved with numpy's OpenBLAS
    # threads on 2 cores that spinning slowed *both* sides by up to 7x (measured). Passive waiting
    # must be chosen before torch is first imported; it cost torch alone < 10% (within the noise).
    before = os.environ.get("OMP_WAIT_POLICY")
    already = "torch" in sys.modules
    os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    torch, why_torch = try_import("torch")
    section["omp_wait_policy"] = (os.environ.get("OMP_WAIT_POLICY") if not already
                                  else f"{before or 'default'} (torch was imported before the benchmark)")
    if before is None:  # read when torch loaded its OpenMP; do not leak into child processes
        del os.environ["OMP_WAIT_POLICY"]
    if torch is None:
        section["torch"] = None
        section["skipped"]["torch"] = f"ratios to PyTorch skipped: {why_torch}"
        log(f"  bptt: {section['skipped']['torch']}")
    else:
        # numpy's BLAS pool has `threads` threads, and helpers.rnn runs its products on one of them;
        # so torch runs at both counts and each ratio is taken against torch's faster one.
        torch_threads = sorted({1, int(threads or 1)})
        torch.set_num_threads(max(torch_threads))
        section["torch"] = torch.__version__
        section["torch_threads"] = torch_threads
        log(f"  bptt: numpy BLAS threads {threads} ({how}); torch.set_num_threads({torch_threads}), "
            "ratio against the faster")
    wanted, models = models, {}
    for model, name in (("rnn", "helpers.rnn"), ("lstm", "helpers.lstm")):
        if model not in wanted:
            continue
        module, why = try_import(name)
        if module is None:
            section["skipped"][model] = f"{model} skipped: {why}"
            log(f"  bptt: {section['skipped'][model]}")
            continue
        models[model] = module
    gate_order = None
    if "lstm" in models and torch is not None:
        try:
            gate_order = find_gate_order(torch, models["lstm"])
            section["lstm_gate_order"] = "".join(TORCH_GATES[s] for s in gate_order)
        except Exception as exc:  # layout not understood: time numpy only, say why
            section["skipped"]["lstm_torch"] = f"LSTM vs torch skipped: {type(exc).__name__}: {exc}"
            log(f"  bptt: {section['skipped']['lstm_torch']}")
    for model, module in models.items():
        for dtype, H, T, B in itertools.product(DTYPES, *grid):
            k = key(model, H, T, B, dtype)
            try:
                section["results"][k] = _measure(torch, model, module, H, T, B, dtype, budget, gate_order,
                                                 skip_torch=(torch is None or (model == "lstm" and gate_order is None)),
                                                 torch_threads=section.get("torch_threads") or (1,))
            except Exception as exc:
                section["results"][k] = {"error": f"{type(exc).__name__}: {exc}"}
            r = section["results"][k]
            by = " ".join(f"{n}thr {v:.2f}" for n, v in (r.get("torch_ms_by_threads") or {}).items())
            log(f"  {k:36s} numpy {r.get('numpy_ms', float('nan')):9.2f} ms   torch {by} ms"
                f"   ratio {r.get('ratio', float('nan')):5.2f}  {r.get('error', '')}")
    return section


def _measure(torch, model, module, H, T, B, dtype, budget, gate_order, skip_torch, torch_threads=(1,)) -> dict:
    """Medians of interleaved repeats: numpy, then torch at each thread count in ``torch_threads``.

    The first round (the gradient comparison, which also warms both sides up)
    sets the number of repeats. For the largest sizes (a first round over 3 s)
    only torch's faster thread count of that round is repeated, which keeps the
    full grid to a few minutes.
    """
    params = numpy_model(model, module, H, dtype)
    x, dy = data(T, B, dtype)
    out = {"model": model, "H": H, "T": T, "B": B, "dtype": dtype}
    if skip_torch:
        t_np = time_once(lambda: numpy_step(module, params, x, dy))
        reps = repeats_for(t_np, budget)
        out["numpy_ms"] = 1000 * median(time_once(lambda: numpy_step(module, params, x, dy)) for _ in range(reps))
        out["repeats"] = reps
        return out
    rec, lin, mapping = torch_model(torch, model, params, H, dtype, gate_order=gate_order)
    x_t, g_t = torch.from_numpy(x), torch.from_numpy(dy)
    np_times, t_times = [], {n: [] for n in torch_threads}
    # Warm-up and check in one: the comparison of outputs and gradients is also the first timed round.
    torch.set_num_threads(max(torch_threads))
    out["max_rel_diff"], first_np, first_torch = compare(torch, model, module, params, rec, lin, mapping, x, dy)
    tol = 1e-9 if dtype == "float64" else 2e-3
    out["gradients_agree"] = bool(out["max_rel_diff"] < tol)
    np_times.append(first_np)
    t_times[max(torch_threads)].append(first_torch)

    np_cpu, t_cpu = [], {n: [] for n in torch_threads}   # CPU seconds (not counting the first, checking round)

    def round_(threads):  # interleaved, so that the machine's noise hits every side alike
        wall, cpu = time_and_cpu(lambda: numpy_step(module, params, x, dy))
        np_times.append(wall)
        np_cpu.append(cpu)
        for n in threads:
            torch.set_num_threads(n)
            wall, cpu = time_and_cpu(lambda: torch_step(rec, lin, x_t, g_t))
            t_times[n].append(wall)
            t_cpu[n].append(cpu)

    for n in torch_threads[:-1]:  # complete the first round with torch's other thread counts
        torch.set_num_threads(n)
        t_times[n].append(time_once(lambda: torch_step(rec, lin, x_t, g_t)))
    first_round = np_times[0] + sum(v[0] for v in t_times.values())
    reps = repeats_for(max([np_times[0]] + [v[0] for v in t_times.values()]), budget)
    threads = torch_threads if first_round <= 3.0 else [min(t_times, key=lambda n: t_times[n][0])]
    for _ in range(reps - 1):
        round_(threads)
    torch.set_num_threads(max(torch_threads))
    out["numpy_ms"] = 1000 * median(np_times)
    out["torch_ms_by_threads"] = {str(n): 1000 * median(v) for n, v in t_times.items()}
    best = min(t_times, key=lambda n: median(t_times[n]))
    out["torch_ms"], out["torch_best_threads"] = out["torch_ms_by_threads"][str(best)], best
    out["ratio"] = out["numpy_ms"] / out["torch_ms"]   # against torch's faster thread count: the strict ratio
    out["ratio_by_torch_threads"] = {n: out["numpy_ms"] / v for n, v in out["torch_ms_by_threads"].items()}
    # CPU time: the work without the waiting for a core (torch's with 2 threads is summed over both).
    if np_cpu:
        out["numpy_cpu_ms"] = 1000 * median(np_cpu)
        out["torch_cpu_ms_by_threads"] = {str(n): 1000 * median(v) for n, v in t_cpu.items() if v}
        one = out["torch_cpu_ms_by_threads"].get("1")
        out["cpu_ratio_1_thread"] = out["numpy_cpu_ms"] / one if one else None
    out["repeats"] = reps
    out["torch_repeats_by_threads"] = {str(n): len(v) for n, v in t_times.items()}
    return out
