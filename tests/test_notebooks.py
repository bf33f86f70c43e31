"""Structure of every notebook, and every interactive demo called at its slider extremes.

(Executing every notebook cell by cell is nbval's job: ``pytest`` collects
``notebooks/`` with ``--nbval-lax``, see pyproject.toml.)
"""
from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from conftest import NOTEBOOKS_DIR, ROOT, load_notebook, notebook_paths

NAME_RE = re.compile(r"^(\d\d)_[a-z0-9]+(?:_[a-z0-9]+)*\.ipynb$")
PATHS = notebook_paths()
IDS = [p.stem for p in PATHS]


def _src(cell) -> str:
    s = cell.get("source", "")
    return "".join(s) if isinstance(s, list) else s


def _code(nb) -> list[str]:
    return [_src(c) for c in nb["cells"] if c["cell_type"] == "code"]


def test_there_are_notebooks_numbered_without_gaps():
    assert PATHS, "notebooks/ holds no notebooks"
    for p in PATHS:
        assert NAME_RE.match(p.name), f"{p.name}: names are NN_snake_case.ipynb"
    numbers = [int(p.name[:2]) for p in PATHS]
    assert numbers == list(range(len(PATHS))), f"numbers must run 00, 01, ... without gaps; got {numbers}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_title_is_numbered_to_match(path):
    nb = load_notebook(path)
    first = [c for c in nb["cells"] if c["cell_type"] == "markdown"
             and "navigation" not in c.get("metadata", {}).get("tags", [])][0]
    heading = _src(first).splitlines()[0]
    assert heading.startswith(f"# {int(path.name[:2])}. "), f"first heading must be '# {int(path.name[:2])}. Title', got {heading!r}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_navigation_bars_top_and_bottom_link_real_neighbours(path):
    nb = load_notebook(path)
    top, bottom = nb["cells"][0], nb["cells"][-1]
    for cell in (top, bottom):
        assert "navigation" in cell.get("metadata", {}).get("tags", []), "first and last cells must be the navigation bar"
    assert _src(top) == _src(bottom)
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", _src(top))
    i = PATHS.index(path)
    expected = ([PATHS[i - 1].name] if i > 0 else []) + [PATHS[0].name] + ([PATHS[i + 1].name] if i + 1 < len(PATHS) else [])
    assert links == expected
    for link in links:
        assert (NOTEBOOKS_DIR / link).exists()


def test_generated_navigation_and_contents_are_up_to_date():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "navigation.py"), "--check"],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_navigation_script_is_idempotent(tmp_path, monkeypatch):
    sys.path.insert(0, str(ROOT / "scripts"))
    try:
        import navigation
    finally:
        sys.path.pop(0)
    assert navigation.build() == {}, "a second run must change nothing"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_committed_clean(path):
    nb = load_notebook(path)
    for c in nb["cells"]:
        if c["cell_type"] == "code":
            assert not c.get("outputs"), f"{path.name}: stored outputs (clear them before committing)"
            assert c.get("execution_count") is None, f"{path.name}: stored execution counts"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_code_rules(path):
    code = "\n".join(_code(load_notebook(path)))
    assert not re.search(r"^\s*from\s+\S+\s+import\s+\*", code, re.M), "no `import *`"
    assert "sys.path" not in code, "no sys.path edits: `helpers` is installed with the project"
    setup = _code(load_notebook(path))[0]
    assert "%matplotlib inline" in setup, "the setup cell must say %matplotlib inline (MPLBACKEND=Agg would drop every plot)"
    assert "helpers.use_style(" in setup and "make_rng(" in setup, "the setup cell sets the style and a seeded generator"


@pytest.mark.parametrize("path", [p for p in PATHS if not p.name.startswith("00")], ids=IDS[1:])
def test_template_sections(path):
    text = "\n".join(_src(c) for c in load_notebook(path)["cells"] if c["cell_type"] == "markdown")
    for section in ("Goals", "## Summary", "## Exercises", "## References"):
        assert section in text, f"{path.name}: missing section {section!r}"
    assert "<details>" in text, f"{path.name}: exercise answers are folded in <details>"


# -- every demo at its slider extremes ---------------------------------------------------------

CHECK_CELL = """
import json as _json
from helpers import widgets as _hw
_results = _hw.exercise_all() if _hw.REGISTRY else {}
print("DEMO-RESULTS " + _json.dumps({name: {"calls": len(r), "notes": sorted({x["note"] for x in r if x["note"]})[:3],
                                            "max_ms": max(x["ms"] for x in r)} for name, r in _results.items()}))
"""


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_demo_at_slider_extremes(path):
    """ipywidgets swallows exceptions in callbacks, so a broken slider passes nbval: call each demo at its corners."""
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    expected = sum(len(re.findall(r"\bDemo\(", c.source)) for c in nb.cells if c.cell_type == "code")
    if expected == 0:
        pytest.skip(f"{path.name} has no interactive demo")
    nb.cells.append(nbformat.v4.new_code_cell(CHECK_CELL))
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    client.execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    line = next(l for l in out.splitlines() if l.startswith("DEMO-RESULTS "))
    results = json.loads(line[len("DEMO-RESULTS "):])
    assert len(results) == expected, f"{path.name}: {expected} Demo(...) in the code, {len(results)} registered: {sorted(results)}"
    for name, r in results.items():
        assert r["calls"] >= 2, f"{name} was called only {r['calls']} time(s)"
