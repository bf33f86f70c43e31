"""Check functions for the exercises of notebook 6 (remedies for vanishing gradients).

Each check computes the right answer from first principles, prints a verdict
(with a hint when the answer is not right yet) and returns True or False::

    from helpers.exercises import nb06
    nb06.check_max_irnn_scale(1.03)
"""
from __future__ import annotations

from collections import deque

import numpy as np

from . import close_enough, verdict, wrong_kind
from ..validation import check_float, check_int

__all__ = ["max_irnn_scale", "skip_param_count", "shortest_path", "zero_lags",
           "check_max_irnn_scale", "check_skip_param_count", "check_shortest_path", "check_zero_lags"]


def max_irnn_scale(d: int = 500, limit: float = 1e6) -> float:
    """Largest s with s**d <= limit: the IRNN with every unit active multiplies the error by s per step.

    Found by bisection on s**d <= limit (not by the closed form), to 1e-12.
    """
    d = check_int("d", d, minimum=1)
    limit = check_float("limit", limit, minimum=1.0)
    low, high = 1.0, 2.0
    while high ** d <= limit:       # widen until the bracket holds the answer
        high *= 2.0
    for _ in range(200):
        mid = 0.5 * (low + high)
        if mid ** d <= limit:
            low = mid
        else:
            high = mid
    return low


def skip_param_count(n_hidden: int = 64, n_in: int = 10, n_out: int = 5, n_skips: int = 2) -> int:
    """Number of parameters of an Elman RNN with ``n_skips`` skip matrices, counted from the arrays' shapes."""
    H = check_int("n_hidden", n_hidden, minimum=1)
    D = check_int("n_in", n_in, minimum=1)
    O = check_int("n_out", n_out, minimum=1)
    n_skips = check_int("n_skips", n_skips, minimum=0)
    shapes = [(H, D), (H, H), (H,), (O, H), (O,)] + [(H, H)] * n_skips  # W_xh, W_hh, b_h, W_hy, b_y, W_skip...
    return int(sum(np.prod(s) for s in shapes))


def shortest_path(d: int = 37, k: int = 10) -> int:
    """Fewest Jacobian factors on a path from h_{T-d} to h_T made of 1-steps and k-steps (breadth-first search)."""
    d = check_int("d", d, minimum=0)
    k = check_int("k", k, minimum=1)
    steps = {0: 0}
    queue = deque([0])
    while queue:
        position = queue.popleft()
        if position == d:
            return steps[position]
        for jump in (1, k):
            nxt = position + jump
            if nxt <= d and nxt not in steps:
                steps[nxt] = steps[position] + 1
                queue.append(nxt)
    raise AssertionError("unreachable: 1-steps always reach d")


def zero_lags(T: int = 200, K: int = 20) -> int:
    """How many lags d = 1..T get exactly zero error under BPTT truncated to the last K steps.

    Counted by marking the steps the truncated backward pass visits.
    """
    T = check_int("T", T, minimum=1)
    K = check_int("K", K, minimum=1)
    reached = np.zeros(T + 1, dtype=bool)        # reached[d]: the error reaches h_{T-d}
    for d in range(min(K, T) + 1):               # the backward loop runs over the last K steps only
        reached[d] = True
    return int(np.sum(~reached[1:]))


def check_max_irnn_scale(answer, d: int = 500, limit: float = 1e6) -> bool:
    """Exercise 1: the largest s for which s**d stays at most ``limit``."""
    expected = max_irnn_scale(d, limit)
    ok = close_enough(answer, expected, rtol=1e-4)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a number (4 significant digits are enough)"))
                   or f"Solve s**{d} = {limit:g} for s: take logarithms (or the {d}-th root).")


def check_skip_param_count(answer, n_hidden: int = 64, n_in: int = 10, n_out: int = 5, n_skips: int = 2) -> bool:
    """Exercise 2: the number of parameters of an RNN with ``n_skips`` skip matrices."""
    expected = skip_param_count(n_hidden, n_in, n_out, n_skips)
    ok = close_enough(answer, expected, rtol=0, atol=0.5)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a whole number (a count of parameters)", whole=True))
                   or "Add up the sizes of W_xh (H x D), W_hh (H x H), b_h (H), W_hy (O x H), b_y (O) "
                   "and one H x H matrix per skip.")


def check_shortest_path(answer, d: int = 37, k: int = 10) -> bool:
    """Exercise 3: the fewest factors on a path of 1-steps and k-steps covering d steps."""
    expected = shortest_path(d, k)
    ok = close_enough(answer, expected, rtol=0, atol=0.5)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a whole number (a count of factors)", whole=True))
                   or f"Use as many {k}-steps as fit into {d}, then single steps for the rest.")


def check_zero_lags(answer, T: int = 200, K: int = 20) -> bool:
    """Exercise 4: how many of the lags 1..T carry exactly zero error under truncation to K steps."""
    expected = zero_lags(T, K)
    ok = close_enough(answer, expected, rtol=0, atol=0.5)
    return verdict(ok, ("" if ok else wrong_kind(answer, "a whole number (a count of lags)", whole=True))
                   or f"Which lags d does a backward pass over the last {K} steps never reach?")
