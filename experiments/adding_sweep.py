"""The adding problem, vanilla RNN against LSTM, each at its own tuned learning rate.

Notebook 07 trains both models with one learning rate. That comparison is
confounded: a rate that suits the LSTM can be too large for the vanilla RNN
(and the other way round). This sweep gives each model the same grid of
learning rates, the same sequence lengths T, the same seeds and the same
iteration cap, picks each model's rate by a stated rule
(:func:`tuned_rates`), and records how the number of iterations needed to
solve the task grows with T.

Every other setting is ``helpers.adding.SETTINGS``: RNN with 64 tanh units,
LSTM with 32 (about 4,400 parameters each), Adam, clipping by norm at
theta = 1, batches of 32, float32, "solved" = mean of the last 25 batch MSEs
below 0.01, stop when solved.

Run (from the repository root)::

    .venv/bin/python -m experiments.adding_sweep            # the full sweep, resumable
    .venv/bin/python -m experiments.adding_sweep --summary  # tables from the data file, no training
    .venv/bin/python -m experiments.adding_sweep --quick --out /tmp/quick.jsonl   # a tiny grid

Each finished run is appended as one JSON line to the results file
(``experiments/results/adding_sweep.jsonl``); runs already in the file are
skipped, so an interrupted sweep continues where it stopped.

For the notebook::

    from experiments import adding_sweep as sweep
    runs = sweep.load_results()
    sweep.tuned_rates(runs)            # {(model, T): learning rate}
    sweep.plot_cost_vs_length(runs)    # the figure
"""
from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import sys
import time
from pathlib import Path

import numpy as np

from helpers import adding   # its training loop runs the matrix products on one BLAS thread (helpers.blas)

# Nothing here changes os.environ or sys.path: importing this module (notebook 07, the tests) leaves
# the importing process as it was.
ROOT = Path(__file__).resolve().parents[1]

__all__ = ["GRID", "QUICK_GRID", "RESULTS", "MODELS", "grid_points", "run_key", "run_point", "load_results",
           "run_sweep", "rank_key", "tuned_rates", "tuned_runs", "step_cost_ratio", "summary",
           "plot_cost_vs_length", "main"]

MODELS = ("rnn", "lstm")

#: The full sweep. The same learning rates, lengths, seeds and cap for both models.
#: ``max_iterations`` maps T to the cap (the same for both models at each T).
#: Why these: pilots (seed 0) showed the RNN needs a rate at or below 1e-3 from T = 50 on (3e-3 and 1e-2
#: fail there) and the LSTM does best at the top, 1e-2, the rate of notebook 07; so the grid spans
#: 3e-4 to 1e-2 in steps of about 3. A cap of 3000 lets the RNN solve T = 50 at 1e-3 (about 2,400
#: iterations) and keeps the sweep at about 23 CPU-minutes (about 12 minutes on two idle cores).
GRID = {
    "models": MODELS,
    "learning_rates": (3e-4, 1e-3, 3e-3, 1e-2),
    "lengths": (10, 20, 50, 100, 200),
    "seeds": (0, 1, 2),
    "max_iterations": {10: 3000, 20: 3000, 50: 3000, 100: 3000, 200: 3000},
}

#: A tiny grid for trying the machinery (seconds, not minutes).
QUICK_GRID = {
    "models": MODELS,
    "learning_rates": (3e-3, 1e-2),
    "lengths": (5,),
    "seeds": (0,),
    "max_iterations": {5: 40},
}

RESULTS = ROOT / "experiments" / "results" / "adding_sweep.jsonl"

#: Mean batch MSE over blocks of this many iterations, stored per run (a coarse learning curve).
CURVE_BLOCK = 50


# ----------------------------------------------------------------------------------------- the grid

def _cap(grid: dict, T: int) -> int:
    cap = grid["max_iterations"]
    return int(cap[T]) if isinstance(cap, dict) else int(cap)


def grid_points(grid: dict = GRID) -> list[dict]:
    """Every run of ``grid``: dicts with model, T, learning_rate, seed, max_iterations.

    Ordered most expensive first (long sequences, LSTM), so the two workers finish together.
    """
    points = [{"model": m, "T": int(T), "learning_rate": float(lr), "seed": int(s), "max_iterations": _cap(grid, T)}
              for m in grid["models"] for T in grid["lengths"] for lr in grid["learning_rates"] for s in grid["seeds"]]
    return sorted(points, key=lambda p: (-_unit_cost(p["model"]) * p["T"] * p["max_iterations"], p["model"],
                                         p["T"], p["learning_rate"], p["seed"]))


def run_key(run: dict) -> tuple:
    """What identifies a run: (model, T, learning rate, seed, cap)."""
    return (run["model"], int(run["T"]), float(run["learning_rate"]), int(run["seed"]), int(run["max_iterations"]))


def _unit_cost(model: str) -> float:
    """Rough CPU cost of one iteration per time step, relative to the RNN (for ordering and the ETA only)."""
    return 2.0 if model == "lstm" else 1.0


# ----------------------------------------------------------------------------------------- one run

def _blas_name() -> str:
    try:
        from helpers.blas import blas_info
        info = blas_info()
        return ", ".join(f"{b['internal_api']} {b['version']} {b['architecture']}" for b in info) or "unknown"
    except Exception:  # noqa: BLE001 (the name is a note in the record, never essential)
        return "unknown"


def run_point(point: dict) -> dict:
    """Train one point of the grid with ``helpers.adding.train``; the record stored in the results file.

    ``point``: dict with model, T, learning_rate, seed, max_iterations (as from :func:`grid_points`).
    Every other setting is ``helpers.adding.SETTINGS``.
    """
    model, T, lr, seed, cap = run_key(point)
    r = adding.train(model, T, seed, learning_rate=lr, max_iterations=cap)
    losses = np.asarray(r["losses"], dtype=float)
    curve = [float(f"{np.mean(losses[i:i + CURVE_BLOCK]):.4g}") for i in range(0, len(losses), CURVE_BLOCK)]
    iterations = int(r["iterations"])
    return {
        "model": model, "T": T, "learning_rate": lr, "seed": seed, "max_iterations": cap,
        "hidden": adding.SETTINGS["hidden_lstm" if model == "lstm" else "hidden_rnn"],
        "n_params": int(r["n_params"]),
        "solved": bool(r["solved"]),
        "iterations_to_solve": r["iterations_to_solve"],
        "iterations": iterations,
        "final_mse": float(f"{r['final_mse']:.5g}") if math.isfinite(r["final_mse"]) else None,
        "diverged": not bool(np.all(np.isfinite(losses))),
        "cpu_seconds": round(r["cpu_seconds"], 3),
        "seconds": round(r["seconds"], 3),
        "cpu_seconds_per_iteration": float(f"{r['cpu_seconds'] / iterations:.4g}"),
        "seconds_per_iteration": float(f"{r['seconds'] / iterations:.4g}"),
        "mse_curve": curve,
        "curve_block": CURVE_BLOCK,
        "numpy": np.__version__, "blas": _blas_name(), "machine": platform.machine(),
        "load_average": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
    }


# ----------------------------------------------------------------------------------------- the results file

def load_results(path: str | Path = RESULTS, *, repair: bool = False) -> list[dict]:
    """The runs stored in ``path`` (one JSON object a line), first record of each run only.

    A line that does not parse (a run cut off while being written) is skipped;
    with ``repair=True`` the file is rewritten without it. A missing file gives [].
    """
    path = Path(path)
    if not path.exists():
        return []
    runs, seen, bad = [], set(), 0
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        try:
            run = json.loads(line)
            key = run_key(run)
        except (json.JSONDecodeError, KeyError, TypeError, ValueError):
            bad += 1
            continue
        if key not in seen:
            seen.add(key)
            runs.append(run)
    if bad and repair:
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text("".join(json.dumps(r) + "\n" for r in runs), encoding="utf-8")
        os.replace(tmp, path)
        print(f"{path}: dropped {bad} unreadable line(s) (a run cut off mid-write); those runs will be redone")
    return runs


def _append(path: Path, record: dict) -> None:
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _outcome(run: dict) -> str:
    if run["solved"]:
        return f"solved at {run['iterations_to_solve']:>5}"
    if run.get("diverged"):
        return f"diverged at {run['iterations']}"
    mse = run["final_mse"]
    return f"not solved in {run['max_iterations']} (MSE {mse:.3f})" if mse is not None else \
        f"not solved in {run['max_iterations']}"


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:.1f} min" if seconds >= 60 else f"{seconds:.0f} s"


class _Eta:
    """Remaining wall time: work left / work done so far per second of wall time.

    Work of a run = unit cost of its model x T x iterations. A pending run is
    expected to take as many iterations as the finished runs of the same model,
    T and rate took on average (else those of the same model and T, else its cap).
    """

    def __init__(self, pending: list[dict]):
        self.pending = {run_key(p): p for p in pending}
        self.done: list[dict] = []
        self.work_done = 0.0
        self.start = time.perf_counter()

    def finished(self, run: dict) -> None:
        self.pending.pop(run_key(run), None)
        self.done.append(run)
        self.work_done += _unit_cost(run["model"]) * run["T"] * run["iterations"]

    def _expected_iterations(self, p: dict) -> float:
        for match in (("model", "T", "learning_rate"), ("model", "T")):
            its = [r["iterations"] for r in self.done if all(r[k] == p[k] for k in match)]
            if its:
                return min(float(np.mean(its)), p["max_iterations"])
        return p["max_iterations"]

    def seconds_left(self) -> float:
        elapsed = time.perf_counter() - self.start
        if self.work_done == 0:
            return float("nan")
        left = sum(_unit_cost(p["model"]) * p["T"] * self._expected_iterations(p) for p in self.pending.values())
        return left * elapsed / self.work_done


def run_sweep(path: str | Path = RESULTS, grid: dict = GRID, *, workers: int = 2, log=print) -> list[dict]:
    """Run every point of ``grid`` not yet in ``path``, appending one JSON line per finished run.

    ``workers`` processes train in parallel (each on one BLAS thread); ``workers=1``
    trains in this process. Returns the runs of ``grid`` found in the file at the end.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    done = {run_key(r) for r in load_results(path, repair=True)}
    points = grid_points(grid)
    todo = [p for p in points if run_key(p) not in done]
    n_total, k = len(points), len(points) - len(todo)
    log(f"{n_total} runs in the grid, {k} already in {path}, {len(todo)} to do, {workers} at a time")
    eta = _Eta(todo)
    start = time.perf_counter()

    def report(run: dict) -> None:
        nonlocal k
        k += 1
        _append(path, run)
        eta.finished(run)
        left = eta.seconds_left()
        log(f"[{k:>{len(str(n_total))}}/{n_total}] {run['model']:<4} T={run['T']:<4} lr={run['learning_rate']:<7.0e}"
            f" seed={run['seed']}  {_outcome(run):<34} {run['seconds']:6.1f} s"
            f"  ETA {'?' if math.isnan(left) else _minutes(left)}")

    if todo and workers <= 1:
        for p in todo:
            report(run_point(p))
    elif todo:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor, as_completed
        context = multiprocessing.get_context("spawn")   # the same on Linux, macOS and Windows
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            futures = [pool.submit(run_point, p) for p in todo]
            try:
                for future in as_completed(futures):
                    report(future.result())
            except BaseException:       # Ctrl-C: start nothing new (a run in progress is lost, not recorded)
                pool.shutdown(wait=False, cancel_futures=True)
                raise
    if todo:
        log(f"sweep finished: {len(todo)} runs in {_minutes(time.perf_counter() - start)} of wall time")
    wanted = {run_key(p) for p in points}
    return [r for r in load_results(path) if run_key(r) in wanted]


# ----------------------------------------------------------------------------------------- the tuning rule

def _median_iterations(runs: list[dict]) -> float:
    """Median iterations to solve over seeds, an unsolved run counting as infinitely many."""
    return statistics.median([r["iterations_to_solve"] if r["solved"] else math.inf for r in runs])


def _median_final_mse(runs: list[dict]) -> float:
    return statistics.median([r["final_mse"] if r["final_mse"] is not None else math.inf for r in runs])


def rank_key(runs: list[dict]) -> tuple:
    """How good one learning rate is, from its runs (one per seed): smaller is better.

    The rule: most seeds solved; ties broken by the smallest median iterations to
    solve (unsolved runs counting as infinitely many); then, if still tied (e.g.
    no seed solved), by the smallest median final MSE; then by the smaller rate.
    """
    rate = runs[0]["learning_rate"]
    return (-sum(r["solved"] for r in runs), _median_iterations(runs), _median_final_mse(runs), rate)


def _groups(runs: list[dict]) -> dict:
    """{(model, T): {learning_rate: [runs sorted by seed]}}."""
    groups: dict = {}
    for r in runs:
        groups.setdefault((r["model"], r["T"]), {}).setdefault(r["learning_rate"], []).append(r)
    for by_rate in groups.values():
        for rate_runs in by_rate.values():
            rate_runs.sort(key=lambda r: r["seed"])
    return groups


def tuned_rates(runs: list[dict]) -> dict:
    """Each model's tuned learning rate at each T: ``{(model, T): rate}``, by :func:`rank_key`.

    For each model and each T, the rate in the grid with the most seeds solved,
    ties broken by the smallest median iterations to solve.
    """
    return {key: min(by_rate, key=lambda lr: rank_key(by_rate[lr])) for key, by_rate in sorted(_groups(runs).items())}


def tuned_runs(runs: list[dict]) -> dict:
    """``{(model, T): [runs at the tuned rate, one per seed]}``."""
    groups = _groups(runs)
    return {key: groups[key][lr] for key, lr in tuned_rates(runs).items()}


def step_cost_ratio(runs: list[dict]) -> dict:
    """CPU cost of one LSTM iteration in RNN iterations at the same T.

    Returns ``{"by_T": {T: ratio}, "median": ratio}``: for each T the median CPU
    seconds per iteration over the LSTM runs divided by the median over the RNN
    runs, and the median of those ratios over T.
    """
    by_T = {}
    for T in sorted({r["T"] for r in runs}):
        per = {m: [r["cpu_seconds_per_iteration"] for r in runs if r["T"] == T and r["model"] == m] for m in MODELS}
        if per["rnn"] and per["lstm"]:
            by_T[T] = statistics.median(per["lstm"]) / statistics.median(per["rnn"])
    return {"by_T": by_T, "median": statistics.median(by_T.values()) if by_T else math.nan}


# ----------------------------------------------------------------------------------------- the report

def _its(r: dict) -> str:
    return str(r["iterations_to_solve"]) if r["solved"] else f">{r['max_iterations']}"


def summary(runs: list[dict]) -> str:
    """The tuned rate per model and T, iterations to solve per seed, the full grid, the step-cost ratio."""
    if not runs:
        return "no runs"
    lines = []
    groups, rates, best = _groups(runs), tuned_rates(runs), tuned_runs(runs)
    lengths = sorted({r["T"] for r in runs})
    seeds = sorted({r["seed"] for r in runs})
    lines.append("Tuned learning rate (rule: most seeds solved, then smallest median iterations to solve)")
    lines.append("and iterations to solve at that rate, per seed (\">N\": not solved within the cap N)")
    header = f"{'model':<6}{'T':>5}  {'rate':>7}  " + "".join(f"{'seed ' + str(s):>9}" for s in seeds) \
        + f"{'median':>9}{'solved':>8}"
    lines += [header, "-" * len(header)]
    for m in MODELS:
        for T in lengths:
            if (m, T) not in best:
                continue
            rs = {r["seed"]: r for r in best[(m, T)]}
            med = _median_iterations(best[(m, T)])
            cap = max(r["max_iterations"] for r in best[(m, T)])
            lines.append(f"{m:<6}{T:>5}  {rates[(m, T)]:>7.0e}  "
                         + "".join(f"{_its(rs[s]) if s in rs else '-':>9}" for s in seeds)
                         + f"{(str(int(med)) if math.isfinite(med) else '>' + str(cap)):>9}"
                         + f"{sum(r['solved'] for r in best[(m, T)]):>5}/{len(rs)}"
                         + ("" if any(r["solved"] for r in rs.values()) else "  (none solves: lowest median final MSE)"))
    lines.append("")
    lines.append("Whole grid: seeds solved / seeds, median iterations to solve (\"-\": median not solved)")
    all_rates = sorted({r["learning_rate"] for r in runs})
    header = f"{'model':<6}{'T':>5}{'cap':>6}  " + "".join(f"{lr:>14.0e}" for lr in all_rates)
    lines += [header, "-" * len(header)]
    for m in MODELS:
        for T in lengths:
            if (m, T) not in groups:
                continue
            cells = []
            for lr in all_rates:
                rr = groups[(m, T)].get(lr)
                if not rr:
                    cells.append(f"{'':>14}")
                    continue
                med = _median_iterations(rr)
                mark = "*" if rates[(m, T)] == lr else " "
                med_text = str(int(med)) if math.isfinite(med) else "-"
                cells.append(f"{sum(r['solved'] for r in rr)}/{len(rr)} {med_text:>6}{mark}".rjust(14))
            cap = max(r["max_iterations"] for rr in groups[(m, T)].values() for r in rr)
            lines.append(f"{m:<6}{T:>5}{cap:>6}  " + "".join(cells))
    lines.append("(* = tuned rate)")
    ratio = step_cost_ratio(runs)
    if ratio["by_T"]:
        lines.append("")
        lines.append("CPU cost of one LSTM iteration (H=32) in RNN iterations (H=64) at the same T (median over runs): "
                     + ", ".join(f"T={T}: {v:.2f}" for T, v in ratio["by_T"].items())
                     + f"; overall about {ratio['median']:.1f}")
    cpu = sum(r["cpu_seconds"] for r in runs)
    lines.append(f"{len(runs)} runs, {cpu / 60:.1f} CPU-minutes of training in total")
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------- the figure

LABELS = {"rnn": "RNN (tanh, 64 units)", "lstm": "LSTM (32 units)"}
MARKERS = {"rnn": "o", "lstm": "s"}


def plot_cost_vs_length(runs: list[dict], ax=None):
    """Iterations to solve against T for each model at its tuned rate; returns the axes.

    ``runs``: records as from :func:`load_results`. Every seed is a point, the
    median over seeds a line (an unsolved run counts as infinitely many
    iterations, so a median that is not solved is drawn dotted up to the
    ceiling). The iteration cap is drawn as a grey dashed ceiling; a run not
    solved within the cap sits on it as an open marker. Both axes are
    logarithmic; the two models are nudged apart sideways so their points do
    not hide each other.
    """
    from matplotlib.lines import Line2D

    from helpers.style import COLORS, figure

    if ax is None:
        _, ax = figure()
    best = tuned_runs(runs)
    lengths = sorted({T for (_, T) in best})
    caps = {T: max(r["max_iterations"] for (_, TT), rr in best.items() if TT == T for r in rr) for T in lengths}
    ax.plot(lengths, [caps[T] for T in lengths], color=COLORS["reference"], linestyle="--", linewidth=1.5, zorder=1)
    same_cap = len(set(caps.values())) == 1
    ax.annotate(f"cap: not solved within {caps[lengths[0]]:,} iterations" if same_cap else "cap (budget)",
                xy=(lengths[0], caps[lengths[0]]), xytext=(0, 4), textcoords="offset points",
                fontsize=10, color="0.35", va="bottom", ha="left")
    nudge = {"rnn": 0.93, "lstm": 1.075}
    handles = []
    for m in MODELS:
        Ts = [T for T in lengths if (m, T) in best]
        if not Ts:
            continue
        color = COLORS[m]
        xs, medians = [], []
        for T in Ts:
            rr = best[(m, T)]
            x0 = T * nudge[m]
            for i, r in enumerate(rr):
                x = x0 * 1.035 ** (i - (len(rr) - 1) / 2)        # seeds side by side around x0
                if r["solved"]:
                    ax.plot(x, r["iterations_to_solve"], MARKERS[m], color=color, alpha=0.7, zorder=3)
                else:
                    ax.plot(x, r["max_iterations"], MARKERS[m], markerfacecolor="white", markeredgecolor=color,
                            markeredgewidth=1.5, markersize=7, zorder=3, clip_on=False)
            med = _median_iterations(rr)
            xs.append(x0)
            medians.append(med if math.isfinite(med) else math.nan)
        ax.plot(xs, medians, "-", color=color, zorder=2)
        for j in range(1, len(Ts)):                                  # a median above the cap: dotted to the ceiling
            if math.isnan(medians[j]) and not math.isnan(medians[j - 1]):
                ax.plot([xs[j - 1], xs[j]], [medians[j - 1], caps[Ts[j]]], ":", color=color, zorder=2)
        handles.append(Line2D([], [], color=color, marker=MARKERS[m], label=LABELS[m]))
    handles.append(Line2D([], [], linestyle="none", marker="o", markerfacecolor="white", markeredgecolor="0.3",
                          markeredgewidth=1.5, label="not solved within the cap"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(lengths)
    ax.set_xticklabels([str(T) for T in lengths])
    ax.minorticks_off()
    ax.set_xlabel("sequence length $T$")
    ax.set_ylabel("iterations to solve")
    top = max(caps.values())
    low = min([r["iterations_to_solve"] for rr in best.values() for r in rr if r["solved"]] or [top / 10])
    ax.set_ylim(low / 2, top * 2.5)
    ax.legend(handles=handles, loc="lower right", fontsize=10)
    n_seeds = max(len(rr) for rr in best.values())
    ax.set_title(f"each at its tuned learning rate; points: {n_seeds} seeds, line: median", fontsize=11)
    return ax


# ----------------------------------------------------------------------------------------- command line

def _parse(argv):
    p = argparse.ArgumentParser(
        prog="python -m experiments.adding_sweep",
        description="Adding problem: RNN vs LSTM at tuned learning rates, iterations to solve vs T.")
    p.add_argument("--out", type=Path, default=RESULTS,
                   help=f"results file (JSON lines; default {RESULTS.relative_to(ROOT)})")
    p.add_argument("--workers", type=int, default=2,
                   help="training processes in parallel, each on one BLAS thread (default 2)")
    p.add_argument("--quick", action="store_true",
                   help="a tiny grid (T=5, 40 iterations): tries the machinery in seconds")
    p.add_argument("--summary", action="store_true", help="print the tables from the results file, train nothing")
    p.add_argument("--plot", type=Path, metavar="PNG", help="also save the figure to this file")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = _parse(argv)
    if args.workers < 1:
        raise SystemExit(f"--workers must be an integer >= 1, got {args.workers}")
    grid = QUICK_GRID if args.quick else GRID
    if args.summary:
        runs = load_results(args.out)
        if not runs:
            raise SystemExit(f"no runs in {args.out}; run the sweep first")
    else:
        try:
            runs = run_sweep(args.out, grid, workers=args.workers)
        except KeyboardInterrupt:
            print(f"\ninterrupted: the finished runs are in {args.out}; run the same command again to continue")
            return 130
    print()
    print(summary(runs))
    if args.plot:
        import matplotlib
        matplotlib.use("Agg")
        from helpers.style import use_style
        use_style(retina=False)
        ax = plot_cost_vs_length(runs)
        ax.figure.savefig(args.plot)
        print(f"figure: {args.plot}")
    return 0


if __name__ == "__main__":
    # Run as a file: import the module by its package name so the worker processes can find run_point.
    from experiments.adding_sweep import main as _main
    sys.exit(_main())
