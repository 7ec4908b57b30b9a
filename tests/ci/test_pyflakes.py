"""Pyflakes-level checks (ruff's F rules) over the package, the tools, the benchmarks and the tests.

Landing work from several branches by cherry-picking once applied one function twice and left an
unused import behind (F811, F401); nothing caught it but a manual ruff run. Undefined names (F821)
and redefinitions are bugs whatever the style; only the F rules are enforced here, not formatting.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHECKED = ("plugins", "tools", "benchmarks", "tests")


def _ruff() -> str:
    found = shutil.which("ruff", path=str(Path(sys.executable).parent)) or shutil.which("ruff")
    if found is None:
        pytest.fail("ruff is not installed: it is in the test extra of pyproject.toml (./dev setup)")
    return found


def test_no_pyflakes_findings() -> None:
    run = subprocess.run([_ruff(), "check", "--no-cache", "--select", "F", "--output-format", "concise",
                          *CHECKED], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_the_check_reports_a_redefinition(tmp_path: Path) -> None:
    # The check above is only worth something if ruff really flags what the cherry-pick produced.
    module = tmp_path / "twice.py"
    module.write_text("import os\n\n\ndef f():\n    return 1\n\n\ndef f():\n    return 2\n", encoding="utf-8")
    run = subprocess.run([_ruff(), "check", "--no-cache", "--isolated", "--select", "F", "--output-format",
                          "concise", str(module)], capture_output=True, text=True, timeout=60)
    assert run.returncode == 1
    assert "F811" in run.stdout and "F401" in run.stdout
