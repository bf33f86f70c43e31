"""Run numpy's matrix products on one BLAS thread: faster for this series' small matrices.

Measured on the 2-core machines this series targets (see benchmarks/): with
OpenBLAS's default of one thread per core, the many small products of a
BPTT step pay thread hand-off costs larger than the work, and under load
two threads made a training run 3-13x slower (adding problem at T = 100:
6.4 s on one thread, 23.1 s on two). ``helpers.rnn``, ``helpers.lstm`` and
``helpers.adding`` wrap their loops in :func:`one_blas_thread`.

The switch is OpenBLAS's ``openblas_set_num_threads_local``, found in the
OpenBLAS that numpy's wheels bundle; with another BLAS (MKL, Apple
Accelerate, a conda build) nothing is changed and the products run as that
BLAS decides.
"""
from __future__ import annotations

import contextlib
import ctypes
import glob
import os

import numpy as np

__all__ = ["one_blas_thread", "openblas_library"]


def openblas_library():
    """numpy's bundled OpenBLAS as a ``ctypes.CDLL``, or None (another BLAS, or not found).

    numpy's wheels ship it in the ``numpy.libs`` folder beside the package.
    """
    libs = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(np.__file__))), "numpy.libs")
    for path in sorted(glob.glob(os.path.join(libs, "*openblas*"))):
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _openblas_thread_setter():
    """OpenBLAS's ``openblas_set_num_threads_local`` (returns the previous count), or None."""
    setter = getattr(openblas_library(), "openblas_set_num_threads_local", None)
    if setter is not None:
        setter.argtypes, setter.restype = [ctypes.c_int], ctypes.c_int
    return setter


_SET_BLAS_THREADS = _openblas_thread_setter()


@contextlib.contextmanager
def one_blas_thread():
    """Run numpy's matrix products on one thread inside the block (see the module docstring)."""
    if _SET_BLAS_THREADS is None:
        yield
        return
    previous = _SET_BLAS_THREADS(1)
    try:
        yield
    finally:
        _SET_BLAS_THREADS(previous)
