"""environment.yml (conda, Binder) and requirements.txt (pip) must list the same packages."""
from __future__ import annotations

import re

from conftest import ROOT

SPEC_RE = re.compile(r"^([A-Za-z0-9_.\-]+)\s*(.*)$")

# conda-forge names for pip packages where they differ: matplotlib-base is matplotlib without the Qt GUI.
CONDA_NAME = {"matplotlib": "matplotlib-base"}


def _parse_requirements() -> dict[str, str]:
    out = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, spec = SPEC_RE.match(line).groups()
            out[name.lower()] = spec.replace(" ", "")
    return out


def _parse_environment(path=ROOT / "environment.yml") -> tuple[dict[str, str], list[str], str]:
    """(conda packages {name: spec}, pip section lines, python spec) from a conda environment file."""
    conda, pip, python = {}, [], ""
    section = None
    for raw in path.read_text().splitlines():
        line = raw.split("#", 1)[0].rstrip()
        if not line.strip():
            continue
        if not raw.startswith(" "):
            section = line.split(":", 1)[0]
            continue
        item = line.strip()
        if section != "dependencies" or not item.startswith("- "):
            continue
        item = item[2:].strip()
        indent = len(raw) - len(raw.lstrip())
        if item == "pip:":
            continue
        if indent > 2:  # inside the pip: list
            pip.append(item)
        elif item.startswith("python"):
            python = item
        elif item != "pip":
            name, spec = SPEC_RE.match(item).groups()
            conda[name.lower()] = spec.replace(" ", "")
    return conda, pip, python


def test_same_packages_and_ranges():
    req = _parse_requirements()
    conda, _, _ = _parse_environment()
    assert req, "requirements.txt lists no packages"
    req = {CONDA_NAME.get(name, name): spec for name, spec in req.items()}
    assert set(conda) == set(req), (
        f"only in environment.yml: {sorted(set(conda) - set(req))}; "
        f"only in requirements.txt: {sorted(set(req) - set(conda))}")
    for name in req:
        assert conda[name] == req[name], f"{name}: environment.yml says {conda[name]!r}, requirements.txt {req[name]!r}"


def test_environment_pins_python_311_and_installs_project():
    _, pip, python = _parse_environment()
    assert python == "python=3.11"
    assert "-e ." in pip, "the pip section must install the project itself (for `import helpers`)"


def test_requirements_use_ranges_not_pins():
    for name, spec in _parse_requirements().items():
        assert "<" in spec and ">=" in spec, f"{name} should name a compatible range such as '>=8.1,<9', got {spec!r}"


def test_binder_environment_matches_and_installs_project_after_build():
    """Binder builds from .binder/: same packages; the project is installed by postBuild."""
    conda, pip, python = _parse_environment(ROOT / ".binder" / "environment.yml")
    assert conda == _parse_environment()[0]
    assert python == "python=3.11"
    assert pip == [], "repo2docker builds the environment before the repository is copied: no -e . here"
    post = (ROOT / ".binder" / "postBuild").read_text()
    assert "pip install" in post and "-e ." in post


def test_binder_start_applies_the_course_jupyter_settings():
    """On Binder, .binder/start puts jupyter-config/ on the Jupyter paths, as the Makefile does."""
    start = (ROOT / ".binder" / "start").read_text()
    assert "jupyter-config/config" in start and "JUPYTER_CONFIG_PATH" in start
    assert "jupyter-config/data" in start and "JUPYTER_PATH" in start
    assert start.rstrip().endswith('exec "$@"')
