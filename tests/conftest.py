"""Root conftest: every YAML example and every check in docs/ and labs/ is a test item ``path:line``.

Items are added to the session when pytest runs its default test paths (``pytest`` / ``./dev test``)
or when pages are named with ``--docs PATH``. A failure names the page line and the reason.
``--update-examples`` rewrites the expectation lines (``→ ...``) of failing checks in place with
what actually happens (review the diff!).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "tests") not in sys.path:
    sys.path.insert(0, str(ROOT / "tests"))

from examples_items import collect_pages  # noqa: E402  (tests/examples_items.py: the item classes)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("istio-notebook")
    # --update-examples is pytest-examples' flag; we honour the same flag (one switch updates both kinds).
    group.addoption("--docs", action="append", default=[], metavar="PATH", help="collect the examples of these Markdown pages or directories")
    group.addoption("--no-docs", action="store_true", help="do not collect the examples of docs/ and labs/")
    group.addoption("--update-golden", action="store_true", help="rewrite tests/mkdocs/golden/*.html from the current rendering")


def _default_paths(config: pytest.Config) -> bool:
    """No test paths on the command line: pytest collected its default `testpaths`."""
    return config.args == list(config.getini("testpaths")) or not config.args or config.args == [str(ROOT)]


def _wants_docs(config: pytest.Config) -> list[Path]:
    if config.getoption("--no-docs"):
        return []
    named = [Path(p) for p in config.getoption("--docs")]
    if named:
        return named
    # Only a run over the default test paths (no explicit paths) includes the whole site.
    if _default_paths(config):
        return [ROOT / "docs", ROOT / "labs"]
    return []


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config, items: list[pytest.Item]) -> None:
    targets = _wants_docs(config)
    if config.getoption("--docs") and _default_paths(config):
        # `pytest --docs=PAGE` runs that page's items only (CONTRIBUTING.md); with explicit test
        # paths as well, those tests run beside it.
        items.clear()
    if targets:
        items.extend(collect_pages(session, targets, ROOT))
