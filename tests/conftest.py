"""Shared fixtures and paths for the test suite."""
from __future__ import annotations

import json
from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")  # tests never open windows

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS_DIR = ROOT / "notebooks"


def notebook_paths() -> list[Path]:
    return sorted(NOTEBOOKS_DIR.glob("*.ipynb"))


def load_notebook(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def code_cell(path: Path, marker: str) -> str:
    """The source of the one code cell of the notebook at ``path`` that contains ``marker``.

    Tests find a notebook's cell by what it defines (``"def make_params("``), not by its id or
    position, so that adding or moving cells does not break them.
    """
    sources = ["".join(c["source"]) if isinstance(c["source"], list) else c["source"]
               for c in load_notebook(path)["cells"] if c["cell_type"] == "code"]
    found = [s for s in sources if marker in s]
    if len(found) != 1:
        raise LookupError(f"{path.name}: {len(found)} code cells contain {marker!r}; a test needs exactly one")
    return found[0]


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt
    plt.close("all")
