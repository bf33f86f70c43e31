"""helpers.blas: one BLAS thread inside the block, whatever BLAS numpy uses (through threadpoolctl)."""
from __future__ import annotations

import numpy as np
import pytest
from threadpoolctl import threadpool_info, threadpool_limits

from helpers.blas import blas_info, one_blas_thread


def _blas_threads() -> list[int]:
    return [lib["num_threads"] for lib in threadpool_info() if lib["user_api"] == "blas"]


def test_numpy_blas_is_found():
    """threadpoolctl knows OpenBLAS, MKL and BLIS; numpy's wheels and conda builds use one of them."""
    if not blas_info():
        pytest.skip("numpy uses a BLAS that threadpoolctl cannot control (e.g. Apple Accelerate)")
    assert all(lib["internal_api"] for lib in blas_info())


def test_one_thread_inside_and_restored_after():
    if not blas_info():
        pytest.skip("numpy uses a BLAS that threadpoolctl cannot control")
    with threadpool_limits(2, user_api="blas"):
        before = _blas_threads()
        with one_blas_thread():
            assert _blas_threads() == [1] * len(before)
            a = np.arange(16.0).reshape(4, 4)
            np.testing.assert_array_equal(a @ np.eye(4), a)   # products still work inside
        assert _blas_threads() == before


def test_restored_after_an_exception():
    if not blas_info():
        pytest.skip("numpy uses a BLAS that threadpoolctl cannot control")
    before = _blas_threads()
    with pytest.raises(RuntimeError):
        with one_blas_thread():
            raise RuntimeError("boom")
    assert _blas_threads() == before
