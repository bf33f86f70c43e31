"""Structure of every notebook, and every interactive demo called at its slider extremes.

(Executing every notebook cell by cell is nbval's job: ``pytest`` collects
``notebooks/`` with ``--nbval-lax``, see pyproject.toml.)
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import NOTEBOOKS_DIR, ROOT, load_notebook, notebook_paths

sys.path.insert(0, str(ROOT / "scripts"))
import navigation  # noqa: E402  (scripts/ is not a package)

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


def test_navigation_script_is_idempotent(tmp_path):
    """Run on a copy: whatever the first run writes, a second run writes nothing more."""
    import shutil
    for folder in ("notebooks", "scripts"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    shutil.copy(ROOT / "README.md", tmp_path / "README.md")
    script = [sys.executable, str(tmp_path / "scripts" / "navigation.py")]
    subprocess.run(script, check=True, capture_output=True)
    second = subprocess.run(script + ["--check"], capture_output=True, text=True)
    assert second.returncode == 0, "a second run of scripts/navigation.py must change nothing:\n" + second.stdout


def test_navigation_gives_new_cells_the_next_free_ids():
    """A cell added in JupyterLab (random id) or copied (repeated id) gets the next nbNN-KK; the others keep theirs."""
    cells = [{"id": "nb08-01"}, {"id": "3f2c9a1e-77d0-4c1b"}, {"id": "nb08-05"}, {"id": "nb08-05"}, {"id": "nb08-1"}]
    navigation.normalise_ids(Path("08_gated_units.ipynb"), cells)
    assert [c["id"] for c in cells] == ["nb08-01", "nb08-06", "nb08-05", "nb08-07", "nb08-08"]
    navigation.normalise_ids(Path("08_gated_units.ipynb"), cells)
    assert [c["id"] for c in cells] == ["nb08-01", "nb08-06", "nb08-05", "nb08-07", "nb08-08"]


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_committed_clean(path):
    nb = load_notebook(path)
    ids = [c.get("id") for c in nb["cells"]]
    assert all(ids) and len(set(ids)) == len(ids), \
        f"{path.name}: every cell needs a unique id (JupyterLab adds them; a hand-made cell may lack one)"
    assert ids[0] == "nav-top" and ids[-1] == "nav-bottom", f"{path.name}: the navigation bars are nav-top, nav-bottom"
    pattern = navigation.cell_id_pattern(path)
    odd = [i for i in ids[1:-1] if not pattern.fullmatch(i)]
    assert not odd, (f"{path.name}: cell ids {odd[:3]} do not follow the scheme nb{path.name[:2]}-KK "
                     "(run python scripts/navigation.py: it gives them the next free ids)")
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


@pytest.mark.parametrize("path", [p for p in PATHS if not p.name.startswith("00")], ids=IDS[1:])
def test_exercise_checks_live_in_their_own_module(path):
    """Notebook NN's check functions are in helpers/exercises/nbNN.py, and the notebook imports them."""
    nn = path.name[:2]
    assert (ROOT / "helpers" / "exercises" / f"nb{nn}.py").exists(), f"missing helpers/exercises/nb{nn}.py"
    assert f"from helpers.exercises import nb{nn}" in _code(load_notebook(path))[0], \
        f"the setup cell imports the checks: from helpers.exercises import nb{nn}"


@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_instructors_guide_has_a_section(path):
    """INSTRUCTORS.md has '## N. Title — `make present NB=NN`' for every notebook, in order."""
    title = next(_src(c) for c in load_notebook(path)["cells"] if c["cell_type"] == "markdown"
                 and "navigation" not in c.get("metadata", {}).get("tags", [])).splitlines()[0][2:]
    heading = f"## {title} — `make present NB={path.name[:2]}`"
    assert heading in (ROOT / "INSTRUCTORS.md").read_text(encoding="utf-8"), f"INSTRUCTORS.md needs a section {heading!r}"


# -- every demo: at its slider extremes, and drawing only from its own state -------------------
#
# Each notebook is executed once, cell by cell. Right after the cell that makes a demo, the demo
# is called at two other settings (every control at its minimum, then at its maximum) and the
# frames are kept: that is the picture in a kernel that ran only the cells up to the demo. At the
# end of the notebook (as in the lecture view, which runs every cell before anyone moves a slider)
# the same settings must give the same pixels. A demo whose update draws through a global that a
# later cell rebinds (``ax = ...``) fails here. Then every demo is called at every corner.

SNAPSHOT_CELL = """
import hashlib as _hashlib, json as _json, numpy as _np
from helpers import demo as _hw, demo_testing as _hwt
try:
    _state_frames
except NameError:
    _state_frames = {}

def _state_settings(demo):
    lows = {k: _hwt.control_extremes(w)[0] for k, w in demo.controls.items()}
    highs = {k: _hwt.control_extremes(w)[-1] for k, w in demo.controls.items()}
    return [lows, highs]

def _state_frame(demo, values):
    note, png = demo.call(**values)
    return note, png

for _name, _demo in _hw.REGISTRY.items():
    if _name in _state_frames:
        continue
    _state_frames[_name] = [(values, *_state_frame(_demo, values)) for values in _state_settings(_demo)]
    _demo.call()   # back to the controls' own values
"""

FINAL_CELL = """
import base64 as _b64
from PIL import Image as _PILImage
import io as _io
_mismatch = {}
for _name, _kept in _state_frames.items():
    _demo = _hw.REGISTRY[_name]
    for _values, _note0, _png0 in _kept:
        _note1, _png1 = _state_frame(_demo, _values)
        _a = _np.asarray(_PILImage.open(_io.BytesIO(_png0)).convert("RGB"))
        _b = _np.asarray(_PILImage.open(_io.BytesIO(_png1)).convert("RGB"))
        _same_pixels = _a.shape == _b.shape and bool((_a == _b).all())
        if not _same_pixels or _note0 != _note1:
            _mismatch.setdefault(_name, []).append({
                "values": {k: (v if isinstance(v, (str, bool)) else float(v)) for k, v in _values.items()},
                "pixels_differ": None if _a.shape != _b.shape else int((_a != _b).any(axis=-1).sum()),
                "note_after_demo_cell": _note0, "note_at_end": _note1,
                "png_after_demo_cell": _b64.b64encode(_png0).decode(), "png_at_end": _b64.b64encode(_png1).decode()})
    _demo.call()
_blit = {}
for _name, _demo in _hw.REGISTRY.items():
    _found = _hwt.frames_match_full_draws(_demo)
    for _case in _found["mismatches"]:
        _case["values"] = {k: (v if isinstance(v, (str, bool)) else float(v)) for k, v in _case["values"].items()}
        _case["png"], _case["reference"] = _b64.b64encode(_case["png"]).decode(), _b64.b64encode(_case["reference"]).decode()
    _blit[_name] = _found
_results = _hwt.exercise_all() if _hw.REGISTRY else {}
print("DEMO-RESULTS " + _json.dumps({
    "state": _mismatch,
    "blit": _blit,
    "corners": {name: {"calls": len(r), "notes": sorted({x["note"] for x in r if x["note"]})[:3],
                       "max_ms": max(x["ms"] for x in r)} for name, r in _results.items()}}))
"""

_DEMO_RUNS: dict = {}


def _run_demos(path):
    """Execute ``path`` once (snapshots after each demo cell, checks at the end); cached per notebook."""
    if path in _DEMO_RUNS:
        return _DEMO_RUNS[path]
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    expected = sum(len(re.findall(r"\bDemo\(", c.source)) for c in nb.cells if c.cell_type == "code")
    if expected == 0:
        _DEMO_RUNS[path] = (0, None)
        return _DEMO_RUNS[path]
    cells = []
    for cell in nb.cells:
        cells.append(cell)
        if cell.cell_type == "code" and re.search(r"\bDemo\(", cell.source):
            cells.append(nbformat.v4.new_code_cell(SNAPSHOT_CELL))
    cells.append(nbformat.v4.new_code_cell(FINAL_CELL))
    nb.cells = cells
    client = nbclient.NotebookClient(nb, timeout=600, kernel_name="python3",
                                     resources={"metadata": {"path": str(NOTEBOOKS_DIR)}})
    client.execute()
    out = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.get("output_type") == "stream")
    line = next(l for l in out.splitlines() if l.startswith("DEMO-RESULTS "))
    _DEMO_RUNS[path] = (expected, json.loads(line[len("DEMO-RESULTS "):]))
    return _DEMO_RUNS[path]


def _demo_results(path):
    """(number of demos, results) of ``path``'s demo run; the test is skipped for a notebook without demos."""
    expected, results = _run_demos(path)
    if expected == 0:
        pytest.skip(f"{path.name} has no interactive demo")
    return expected, results


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_demo_at_slider_extremes(path):
    """ipywidgets swallows exceptions in callbacks, so a broken slider passes nbval: call each demo at its corners."""
    expected, results = _demo_results(path)
    corners = results["corners"]
    assert len(corners) == expected, f"{path.name}: {expected} Demo(...) in the code, {len(corners)} registered: {sorted(corners)}"
    for name, r in corners.items():
        assert r["calls"] >= 2, f"{name} was called only {r['calls']} time(s)"


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_frame_has_the_pixels_of_a_full_draw(path):
    """Most frames are drawn over a kept background: each step of each control must look as a full draw does."""
    expected, results = _demo_results(path)
    import base64
    out = ROOT / "test-artifacts" / "blit"
    lines = []
    for name, found in results["blit"].items():
        assert found["frames"] >= 2, f"{name}: only {found['frames']} frame(s) compared"
        for i, case in enumerate(found["mismatches"]):
            out.mkdir(parents=True, exist_ok=True)
            for key in ("png", "reference"):
                (out / f"{path.stem}-{name}-{i}-{key}.png").write_bytes(base64.b64decode(case[key]))
            lines.append(f"{name} at {case['values']}: {case['pixels']} pixels differ from a full draw")
    assert not lines, f"{path.name}: frames that differ from a full draw (both pictures in {out}):\n" + "\n".join(lines)
    print(path.stem, {name: f"{f['blits']} of {f['frames']} frames blitted"
                      + (f", {f['panels']} redrew only the panel whose range changed" if f.get("panels") else "")
                      for name, f in results["blit"].items()})


@pytest.mark.slow
@pytest.mark.parametrize("path", PATHS, ids=IDS)
def test_every_demo_draws_only_from_its_own_state(path):
    """After Run All, a demo at other slider values draws what it draws right after its own cell, pixel for pixel."""
    expected, results = _demo_results(path)
    mismatches = results["state"]
    if mismatches:
        import base64
        out = ROOT / "test-artifacts" / "demo-state"
        out.mkdir(parents=True, exist_ok=True)
        lines = []
        for name, cases in mismatches.items():
            for i, case in enumerate(cases):
                for key in ("png_after_demo_cell", "png_at_end"):
                    (out / f"{path.stem}-{name}-{i}-{key[4:]}.png").write_bytes(base64.b64decode(case.pop(key)))
                lines.append(f"{name} at {case['values']}: {case['pixels_differ']} pixels differ; "
                             f"note right after its cell {case['note_after_demo_cell']!r}, after Run All {case['note_at_end']!r}")
        pytest.fail(f"{path.name}: demos that draw differently after later cells ran (frames in {out}):\n"
                    + "\n".join(lines))
