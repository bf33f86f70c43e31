"""The portability matrix: every notebook runs to the end under machine-like settings.

A student's machine differs from this one in its BLAS library and code path (other CPUs,
MKL, Accelerate), numpy's SIMD paths, the number of BLAS threads, and package versions.
Their last-bit differences are amplified by training, so an assert that pinned one
machine's digits stops Run All there (and ``make present``, which runs every cell first).
Each configuration below runs ``scripts/execute_notebooks.py`` (every notebook in a fresh
kernel) with its settings in the environment, checks that the setting really took effect
(the kernel reports its BLAS code path, threads, SIMD features and versions), and fails
naming the notebook, the cell and the assert that stopped.

``make portability`` runs only these; ``make test`` runs them with everything else. Each
configuration's report is written to ``test-artifacts/portability/``.
"""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import venv
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import ROOT

pytestmark = [pytest.mark.portability, pytest.mark.slow]

RUNNER = ROOT / "scripts" / "execute_notebooks.py"
REPORTS = ROOT / "test-artifacts" / "portability"
OLDEST_VENV = ROOT / ".venv-oldest"

# OpenBLAS code paths from old to new CPUs. The value is what threadpoolctl may report as the
# architecture in use (OpenBLAS runs Zen on its Haswell kernels, and builds without the oldest
# targets run Prescott on the generic Katmai/Core2 kernels: still a different code path).
CORETYPES = {
    "Prescott": {"Prescott", "Katmai", "Core2"},
    "Nehalem": {"Nehalem"},
    "Sandybridge": {"Sandybridge"},
    "Haswell": {"Haswell"},
    "Zen": {"Zen", "Haswell"},
    "SkylakeX": {"SkylakeX"},
}

# The packages whose oldest allowed versions are tested (the lower bounds of requirements*.txt).
OLDEST_EXTRA = ("nbclient", "nbformat")   # what the runner itself needs, from requirements-test.txt


def _kernel_facts() -> dict:
    """What numpy in this interpreter offers: BLAS, SIMD dispatch targets, CPU features."""
    from threadpoolctl import threadpool_info
    try:
        from numpy._core import _multiarray_umath as mu
    except ImportError:  # numpy < 2
        from numpy.core import _multiarray_umath as mu
    blas = [lib for lib in threadpool_info() if lib["user_api"] == "blas"]
    return {"blas_api": blas[0]["internal_api"] if blas else None,
            "dispatch": list(mu.__cpu_dispatch__), "features": dict(mu.__cpu_features__)}


FACTS = _kernel_facts()


def _configs():
    out = []
    for core, names in CORETYPES.items():
        marks = []
        if FACTS["blas_api"] != "openblas":
            marks.append(pytest.mark.skip(reason=f"numpy's BLAS is {FACTS['blas_api']}, not OpenBLAS: "
                                                 "OPENBLAS_CORETYPE does not apply"))
        elif core == "SkylakeX" and not FACTS["features"].get("AVX512F"):
            marks.append(pytest.mark.skip(reason="this CPU has no AVX-512: OpenBLAS's SkylakeX kernels "
                                                 "would stop on an illegal instruction (CI machines with AVX-512 run it)"))
        out.append(pytest.param({"OPENBLAS_CORETYPE": core}, {"architecture": names},
                                id=f"openblas-{core}", marks=marks))
    # numpy's SIMD dispatch targets above its baseline (AVX2 and AVX-512 among them) switched off.
    out.append(pytest.param({"NPY_DISABLE_CPU_FEATURES": " ".join(FACTS["dispatch"])},
                            {"simd_disabled": FACTS["dispatch"]}, id="numpy-baseline-simd"))
    for n in (1, 2):
        env = {"OPENBLAS_NUM_THREADS": str(n), "MKL_NUM_THREADS": str(n), "OMP_NUM_THREADS": str(n)}
        out.append(pytest.param(env, {"threads": n}, id=f"blas-{n}-thread{'s' if n > 1 else ''}"))
    return out


def _execute(name: str, env_extra: dict, python: str = sys.executable) -> tuple[subprocess.CompletedProcess, Path]:
    """Run every notebook under ``env_extra`` (in a subprocess); the report goes to test-artifacts/portability/."""
    REPORTS.mkdir(parents=True, exist_ok=True)
    report_path = REPORTS / f"{name}.json"
    report_path.unlink(missing_ok=True)
    env = {**os.environ, **env_extra}
    for var in ("OPENBLAS_CORETYPE", "NPY_DISABLE_CPU_FEATURES"):   # only the configuration's own settings
        if var not in env_extra:
            env.pop(var, None)
    proc = subprocess.run([python, str(RUNNER), "--json", str(report_path)], env=env,
                          capture_output=True, text=True, timeout=1800)
    return proc, report_path


# The configurations are independent: run them side by side, one per core (each is mostly one
# kernel process), started when the first of them is tested and collected by each test in turn.
_POOL = None
_FUTURES: dict = {}


def _start_all(session) -> None:
    """Submit every configuration selected in this session that is not running yet."""
    global _POOL
    if _POOL is None:
        _POOL = ThreadPoolExecutor(max_workers=max(1, min(4, os.cpu_count() or 1)))
    for item in session.items:
        if getattr(item, "originalname", None) == "test_every_notebook_runs_to_the_end" \
                and not item.get_closest_marker("skip"):
            name = item.callspec.id
            if name not in _FUTURES:
                _FUTURES[name] = _POOL.submit(_execute, name, item.callspec.params["env_extra"])
        if getattr(item, "originalname", None) == "test_every_notebook_runs_with_the_oldest_allowed_versions" \
                and not any(m.args and m.args[0] for m in item.iter_markers("skipif")) \
                and "oldest-versions" not in _FUTURES:
            _FUTURES["oldest-versions"] = _POOL.submit(_execute_oldest)


def _report(name: str, env_extra: dict, proc, report_path: Path) -> list[dict]:
    if not report_path.exists():
        pytest.fail(f"{name}: the runner wrote no report (exit {proc.returncode}):\n{proc.stdout}\n{proc.stderr[-3000:]}")
    report = json.loads(report_path.read_text())
    stopped = [r for r in report if not r["ok"]]
    if stopped:
        lines = [f"{r['notebook']} stopped at cell {r['error']['cell']}: {r['error']['ename']}: "
                 f"{r['error']['evalue'][:300]}\n    {r['error']['source_head'][:200]!r}" for r in stopped]
        pytest.fail(f"under {name} ({env_extra}), {len(stopped)} notebook(s) did not run to the end:\n" + "\n".join(lines))
    return report


def _runtimes(report) -> list[dict]:
    runtimes = [r["runtime"] for r in report]
    assert all(runtimes), "a kernel did not report what it ran on"
    return runtimes


@pytest.mark.parametrize("env_extra, expect", _configs())
def test_every_notebook_runs_to_the_end(request, env_extra, expect):
    name = request.node.callspec.id
    _start_all(request.session)
    report = _report(name, env_extra, *_FUTURES[name].result())
    for rt in _runtimes(report):
        blas = rt["blas"]
        if "architecture" in expect:
            assert blas and blas[0]["architecture"] in expect["architecture"], \
                f"OPENBLAS_CORETYPE had no effect: the kernel ran {blas}"
        if "threads" in expect and blas:
            assert all(lib["num_threads"] == expect["threads"] for lib in blas), \
                f"the kernel's BLAS ran {[lib['num_threads'] for lib in blas]} threads, not {expect['threads']}"
        if "simd_disabled" in expect:
            still_on = sorted(set(expect["simd_disabled"]) & set(rt["simd_enabled"]))
            assert not still_on, f"NPY_DISABLE_CPU_FEATURES had no effect on {still_on}"


# -- the oldest versions the requirements allow -------------------------------------------------

def oldest_constraints() -> list[str]:
    """``name~=X.Y.0`` for each ``name>=X.Y`` of requirements.txt (and the runner's own packages):
    the oldest release series each range allows, at its latest patch release."""
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    lines += [ln for ln in (ROOT / "requirements-test.txt").read_text().splitlines()
              if ln.split(">=")[0].strip() in OLDEST_EXTRA]
    out = []
    for line in lines:
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        match = re.match(r"^([A-Za-z0-9_.\-]+)\s*>=\s*([0-9]+(?:\.[0-9]+)*)", line)
        assert match, f"requirements line without a lower bound: {line!r}"
        name, low = match.groups()
        parts = low.split(".")
        out.append(f"{name}~={'.'.join(parts + ['0'] * (3 - len(parts)))}" if len(parts) < 3 else f"{name}=={low}")
    return out


def test_oldest_constraints_cover_every_requirement():
    names = {c.split("~=")[0].split("==")[0] for c in oldest_constraints()}
    assert {"numpy", "matplotlib", "ipywidgets", "ipykernel"} <= names
    assert "numpy~=1.24.0" in oldest_constraints() or not any(c.startswith("numpy") for c in oldest_constraints())


def _oldest_python() -> str:
    """A venv with the oldest allowed versions, made once and reused while the constraints are unchanged."""
    constraints = "\n".join(oldest_constraints()) + "\n"
    stamp = OLDEST_VENV / "constraints.txt"
    python = OLDEST_VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    if not (python.exists() and stamp.exists() and stamp.read_text() == constraints):
        venv.create(OLDEST_VENV, with_pip=True, clear=True)
        (OLDEST_VENV / "constraints.in").write_text(constraints)
        names = [c.split("~=")[0].split("==")[0] for c in oldest_constraints()]
        pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        proc = subprocess.run(pip + ["-c", str(OLDEST_VENV / "constraints.in")] + names,
                              capture_output=True, text=True, timeout=1200)
        assert proc.returncode == 0, f"installing the oldest versions failed:\n{proc.stdout}\n{proc.stderr[-3000:]}"
        stamp.write_text(constraints)
    return str(python)


def _oldest_env() -> dict:
    # helpers is imported from this checkout (the kernel inherits PYTHONPATH), not installed there.
    return {"PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)}


def _execute_oldest():
    return _execute("oldest-versions", _oldest_env(), python=_oldest_python())


@pytest.mark.skipif(sys.version_info >= (3, 12),
                    reason="numpy 1.24 (the oldest numpy the requirements allow) has no wheels for Python 3.12+")
def test_every_notebook_runs_with_the_oldest_allowed_versions(request):
    _start_all(request.session)
    report = _report("oldest-versions", _oldest_env(), *_FUTURES["oldest-versions"].result())
    wanted = {c.split("~=")[0]: c.split("~=")[1].rsplit(".", 1)[0] for c in oldest_constraints() if "~=" in c}
    for rt in _runtimes(report):
        for package in ("numpy", "matplotlib"):
            assert rt[package].startswith(wanted[package] + "."), \
                f"the kernel ran {package} {rt[package]}, not the oldest allowed {wanted[package]}.x"
