"""ruff (pyflakes and pycodestyle's error rules, configured in pyproject.toml) over every Python file and notebook."""
from __future__ import annotations

import subprocess
import sys

import pytest

from conftest import ROOT


def test_ruff_finds_nothing():
    pytest.importorskip("ruff", reason="ruff is in requirements-test.txt: make test installs it")
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--output-format", "concise", str(ROOT)],
                            capture_output=True, text=True, cwd=ROOT)
    assert result.returncode == 0, "ruff found problems (`ruff check --fix .` fixes some):\n" + result.stdout + result.stderr
