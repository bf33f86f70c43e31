"""The contributor's path of CONTRIBUTING.md: scripts/new_notebook.py makes a notebook that follows every rule.

The script is run in a copy of the repository (nothing here is touched); the new notebook is
executed with the copy's ``helpers`` (which now holds its exercise module), its demo is called at
its slider corners, its exercise check answers, and it passes the structure tests the series'
own notebooks pass.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import test_notebooks as structure
from conftest import ROOT


@pytest.fixture(scope="module")
def copy_with_new_notebook(tmp_path_factory):
    root = tmp_path_factory.mktemp("repo")
    for folder in ("notebooks", "helpers", "scripts", "templates"):
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
    for name in ("INSTRUCTORS.md", "README.md"):
        shutil.copy(ROOT / name, root / name)
    number = len(list((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")))
    result = subprocess.run([sys.executable, str(root / "scripts" / "new_notebook.py"), "Throwaway topic",
                             "--summary", "A notebook made from the template."], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    return root, number


def test_the_script_writes_the_notebook_its_exercises_and_the_instructors_section(copy_with_new_notebook):
    root, n = copy_with_new_notebook
    nn = f"{n:02d}"
    assert (root / "notebooks" / f"{nn}_throwaway_topic.ipynb").exists()
    assert (root / "helpers" / "exercises" / f"nb{nn}.py").exists()
    assert f"## {n}. Throwaway topic — `make present NB={nn}`" in (root / "INSTRUCTORS.md").read_text()
    assert "A notebook made from the template." in (root / "README.md").read_text()
    check = subprocess.run([sys.executable, str(root / "scripts" / "navigation.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout
    again = subprocess.run([sys.executable, str(root / "scripts" / "new_notebook.py"), "Throwaway topic"],
                           capture_output=True, text=True)
    assert again.returncode != 0 and "exists already" in again.stderr


def test_the_new_notebook_follows_the_structure_rules(copy_with_new_notebook):
    root, n = copy_with_new_notebook
    path = root / "notebooks" / f"{n:02d}_throwaway_topic.ipynb"
    for rule in (structure.test_title_is_numbered_to_match, structure.test_committed_clean,
                 structure.test_code_rules, structure.test_template_sections):
        rule(path)


@pytest.mark.slow
def test_the_new_notebook_runs_its_demo_and_its_exercise_check(copy_with_new_notebook):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    root, n = copy_with_new_notebook
    path = root / "notebooks" / f"{n:02d}_throwaway_topic.ipynb"
    nb = nbformat.read(path, as_version=4)
    nb.cells.append(nbformat.v4.new_code_cell(
        "from helpers import demo_testing\n"
        "print('demos', {k: len(v) for k, v in demo_testing.exercise_all().items()})\n"
        f"print('check', nb{n:02d}.check_lag_below(44), nb{n:02d}.check_lag_below(43), nb{n:02d}.check_lag_below('44'))"))
    client = nbclient.NotebookClient(nb, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    client.execute(env={**os.environ, "PYTHONPATH": str(root)})   # the copy's helpers, with the new exercise module
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    assert "demos {'show_product': 2}" in out, out
    assert "check True False False" in out, out
