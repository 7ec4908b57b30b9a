"""The runtime package imports nothing that only the `test` extra installs.

A user who runs `pip install istio-notebook` gets the `dependencies` of pyproject.toml and not the
`test` extra (hypothesis, pytest, playwright, ...). A module of plugins/istio_notebook that
imports one of those fails with ImportError on such an install, wherever it is imported from.
Test strategies live in tests/ (tests/envoy/*_strategies.py) for that reason.
"""

from __future__ import annotations

import ast
import importlib.metadata
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "plugins" / "istio_notebook"


def _distribution(requirement: str) -> str:
    name = re.split(r"[<>=!~ \[;]", requirement, maxsplit=1)[0]
    return re.sub(r"[-_.]+", "-", name).lower()


def _test_only_distributions() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    runtime = {_distribution(r) for r in project["dependencies"]}
    return {_distribution(r) for r in project["optional-dependencies"]["test"]} - runtime


def _imported_modules(source: str) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module.split(".")[0])
    return found


def _offenders(sources: dict[str, str]) -> list[str]:
    test_only = _test_only_distributions()
    owners = importlib.metadata.packages_distributions()
    offenders = []
    for name, source in sorted(sources.items()):
        for module in sorted(_imported_modules(source)):
            dists = {_distribution(d) for d in owners.get(module, [])}
            if dists & test_only:
                offenders.append(f"{name}: imports {module} ({', '.join(sorted(dists & test_only))})")
    return offenders


def test_the_detector_flags_a_runtime_module_that_imports_hypothesis():
    # The check below is only worth something if it can fail: the module that used to live in
    # envoy/generate.py began with this import.
    assert _offenders({"envoy/generate.py": "from hypothesis import strategies as st\n"}) == [
        "envoy/generate.py: imports hypothesis (hypothesis)"
    ]


def test_no_runtime_module_imports_a_test_only_dependency():
    sources = {str(p.relative_to(PACKAGE)): p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py")}
    assert len(sources) > 100
    assert _offenders(sources) == []
