"""Run numpy's matrix products on one BLAS thread: faster for this series' small matrices.

With one BLAS thread per core (the default of most BLAS libraries), the many
small products of a BPTT step pay thread hand-off costs larger than the work,
and a second busy process makes it far worse (benchmarks/ has the numbers).
``helpers.rnn``, ``helpers.lstm`` and ``helpers.adding`` wrap their loops in
:func:`one_blas_thread`.

The switch is threadpoolctl's, which knows OpenBLAS (numpy's wheels, conda),
MKL and BLIS; under a BLAS it cannot control (e.g. Apple Accelerate) the
products run as that BLAS decides and the results are the same.
"""
from __future__ import annotations

import numpy as np  # noqa: F401  (loads numpy's BLAS before threadpoolctl looks for it)
from threadpoolctl import ThreadpoolController

__all__ = ["one_blas_thread", "blas_info"]

# Finding the loaded BLAS libraries scans the process's shared libraries: do it once, not per call.
_CONTROLLER = ThreadpoolController()


def one_blas_thread():
    """Context manager: numpy's matrix products run on one thread inside the block."""
    return _CONTROLLER.limit(limits=1, user_api="blas")


def blas_info() -> list[dict]:
    """The BLAS libraries numpy uses: ``[{"internal_api", "version", "architecture", "num_threads"}, ...]``."""
    return [{k: lib.get(k) for k in ("internal_api", "version", "architecture", "num_threads")}
            for lib in ThreadpoolController().info() if lib.get("user_api") == "blas"]
