"""Serving the course from a JupyterHub (INSTRUCTORS.md, "Serving the course from a JupyterHub").

* A hub image installs the project with ``pip install .``, not ``-e``: every module of ``helpers``
  and ``experiments`` must be in that install, every notebook's setup cell must import from the
  notebooks folder, and notebook 7 must find the sweep's results file.
* The sizing part of the benchmarks (``python -m benchmarks --only sizing``) measures sane numbers.
* INSTRUCTORS.md's sizing table has a row for every notebook (a notebook added without sizing fails).
  The numbers themselves are this machine's: they are not asserted.
"""
from __future__ import annotations

import json
import math
import os
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from conftest import NOTEBOOKS_DIR, ROOT, load_notebook, notebook_paths

if str(ROOT) not in sys.path:  # benchmarks/ is a folder of the repository, not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import report, sizing  # noqa: E402

SECTION = "## Serving the course from a JupyterHub"


# -- INSTRUCTORS.md ------------------------------------------------------------------------------

def hub_section() -> str:
    text = (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8")
    assert SECTION in text, f"INSTRUCTORS.md has no section {SECTION!r}"
    return text.split(SECTION, 1)[1].split("\n## ", 1)[0]


def sizing_table_rows() -> dict[str, list[str]]:
    """{notebook stem: its cells} of the table under the header that ``sizing.markdown_rows`` writes."""
    header = sizing.markdown_rows({"notebooks": {}}).splitlines()[0]
    lines = hub_section().splitlines()
    assert header in lines, f"INSTRUCTORS.md's hub section has no table with the header {header!r}"
    rows = {}
    for line in lines[lines.index(header) + 2:]:
        if not line.startswith("|"):
            break
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        rows[cells[0].strip("`")] = cells[1:]
    return rows


def test_instructors_sizing_table_has_a_row_per_notebook():
    rows = sizing_table_rows()
    stems = [p.stem for p in notebook_paths()]
    assert sorted(rows) == stems, ("INSTRUCTORS.md's sizing table must list exactly the notebooks in notebooks/; "
                                   "run `make bench BENCH_ARGS=\"--only sizing\"` and paste the Markdown it prints")
    for stem, cells in rows.items():
        assert len(cells) == 3 and all(re.fullmatch(r"\d+(\.\d+)?", c) for c in cells), \
            f"{stem}: every cell of its row is a measured number; got {cells}"


def test_instructors_gives_the_nbgitpuller_link_and_the_command_that_sized_it():
    section = hub_section()
    assert "hub/user-redirect/git-pull?repo=" in section
    assert "urlpath=lab%2Ftree%2F" in section and "00_start_here.ipynb" in section
    assert "--only sizing" in section


# -- the sizing section ---------------------------------------------------------------------------

def finite_positive(x) -> bool:
    return isinstance(x, (int, float)) and math.isfinite(x) and x > 0


@pytest.mark.slow
def test_sizing_measures_the_start_notebook():
    section = sizing.run("00_start_here.ipynb", repeats=1, log=lambda msg: None)
    row = section["notebooks"]["00_start_here"]
    assert row["ok"], row["errors"]
    assert finite_positive(row["kernel_peak_mb"]) and finite_positive(row["kernel_cpu_seconds"]), row
    if sizing.has_proc():
        assert row["kernel_peak_from"] == ["VmHWM"], "on Linux the kernel's own peak, not ru_maxrss"
        v = row["voila"]
        assert v["ok"], v["errors"]
        assert finite_positive(v["kernel_peak_mb"]) and finite_positive(v["server_rss_mb"]), v
        assert v["kernels_held"] >= 1 and v["kernels_rss_mb"] >= v["kernel_peak_mb"] * 0.5, v
        lab = section["jupyterlab"]
        assert lab["ok"] and finite_positive(lab["rss_mb"]), lab
    else:
        assert "Linux only" in section["note"]
    text = report.render_sizing(section)
    assert "00_start_here" in text and "| `00_start_here` |" in text


def test_sizing_table_renders_failures_and_missing_numbers():
    section = {"repeats": 3, "note": None, "notebooks": {
        "00_a": {"ok": True, "errors": [], "kernel_peak_mb": 101.2, "kernel_cpu_seconds": 2.04, "run_all_seconds": 3.0,
                 "voila": {"ok": True, "errors": [], "kernel_peak_mb": 110.0, "kernels_held": 2, "kernels_rss_mb": 220.0,
                           "server_rss_mb": 95.0, "page_seconds": 4.0}},
        "01_b": {"ok": False, "errors": ["cell 3: AssertionError: x"], "kernel_peak_mb": None,
                 "kernel_cpu_seconds": None, "run_all_seconds": None}}}
    md = sizing.markdown_rows(section).splitlines()
    assert md[2] == "| `00_a` | 101 | 2.0 | 110 |"
    assert md[3] == "| `01_b` | — | — | — |"
    text = report.render_sizing(section)
    assert "FAILED: cell 3" in text
    checks = report.checks({"sizing": section})
    assert [c["check"] for c in checks if c["ok"] is False] == ["sizing: 01_b runs (kernel and Voilà)"]


# -- a non-editable install, as in a hub image ----------------------------------------------------

def modules_in(folder: Path) -> list[str]:
    """Dotted names of every module under ``folder`` of the repository (helpers, helpers.exercises.nb01, ...)."""
    names = []
    for path in sorted(folder.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        names.append(".".join(parts[:-1] if parts[-1] == "__init__" else parts))
    return names


def setup_cell(path: Path) -> str:
    """The notebook's first code cell that imports helpers, without IPython magics (``%matplotlib inline``)."""
    for cell in load_notebook(path)["cells"]:
        source = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell["cell_type"] == "code" and "import helpers" in source:
            return "\n".join(line for line in source.splitlines() if not line.lstrip().startswith("%"))
    raise LookupError(f"{path.name} has no code cell that imports helpers")


CHECK = r"""
import importlib, json, sys
notebooks, modules = json.loads(sys.argv[1]), json.loads(sys.argv[2])
found = {name: importlib.import_module(name).__file__ for name in modules}
for stem, source in notebooks.items():          # each notebook's setup cell, in the notebooks folder
    exec(compile(source, stem, "exec"), {"__name__": "__main__"})
from experiments import adding_sweep             # what notebook 7 reads
runs = adding_sweep.load_results()
print("HUB " + json.dumps({"modules": found, "results": str(adding_sweep.RESULTS), "runs": len(runs),
                           "tuned": len(adding_sweep.tuned_rates(runs))}))
"""


def test_a_non_editable_install_serves_every_notebook(tmp_path):
    """``pip install --no-deps --no-build-isolation .`` into a throwaway venv (no network), then from notebooks/.

    The venv sees .venv's packages (numpy, matplotlib, setuptools, pip) through a .pth file:
    ``--system-site-packages`` from .venv's python would give the base interpreter's site-packages,
    not .venv's. A .pth line adds the folder only, so .venv's editable install of this project (its
    own .pth hook) stays out: ``helpers`` can only come from the new install.
    """
    pytest.importorskip("setuptools.command.bdist_wheel",
                        reason="setuptools >= 70.1 builds wheels without the network; make test installs it")
    src = tmp_path / "src"   # a copy: a build in the repository would leave build/ and stale files there
    for name in ("helpers", "experiments"):
        shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for name in ("pyproject.toml", "requirements.txt", "requirements-test.txt", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    ours = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (purelib / "course_test_venv.pth").write_text("\n".join(sorted(ours)) + "\n")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    env.update(PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONNOUSERSITE="1", MPLBACKEND="Agg")
    pip = subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
                          str(src)], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert pip.returncode == 0, pip.stdout[-2000:] + pip.stderr[-2000:]

    modules = modules_in(ROOT / "helpers") + modules_in(ROOT / "experiments")
    cells = {p.stem: setup_cell(p) for p in notebook_paths()}
    proc = subprocess.run([str(python), "-c", CHECK, json.dumps(cells), json.dumps(modules)],
                          cwd=NOTEBOOKS_DIR, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(next(line for line in proc.stdout.splitlines() if line.startswith("HUB "))[4:])
    installed = purelib.resolve()
    outside = {name: f for name, f in out["modules"].items() if installed not in Path(f).resolve().parents}
    assert not outside, f"imported from outside the install (the repository?): {outside}"
    assert installed in Path(out["results"]).resolve().parents, out["results"]

    from experiments import adding_sweep
    assert out["runs"] == len(adding_sweep.load_results()) > 0, "the installed results file is not the committed one"
    assert out["tuned"] > 0


def test_a_new_notebooks_instructor_section_goes_before_the_hub_section(tmp_path):
    """scripts/new_notebook.py puts the new lecture page after the last one, not after the hub section."""
    for folder in ("notebooks", "helpers", "scripts", "templates"):
        shutil.copytree(ROOT / folder, tmp_path / folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in ("INSTRUCTORS.md", "README.md"):
        shutil.copy(ROOT / name, tmp_path / name)
    n = len(notebook_paths())
    result = subprocess.run([sys.executable, str(tmp_path / "scripts" / "new_notebook.py"), "Throwaway topic"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (tmp_path / "INSTRUCTORS.md").read_text(encoding="utf-8")
    new = text.index(f"\n## {n}. Throwaway topic")
    assert text.index(f"\n## {n - 1}. ") < new < text.index(SECTION)
    assert text.split(SECTION, 1)[1] == (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8").split(SECTION, 1)[1]
