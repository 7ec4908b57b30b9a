"""YAML examples and checks in Markdown: discovery, parsing, running (shared by mkdocs, pytest, labs, cli).

Imports neither mkdocs nor pytest. Entry points:

- ``find.find_examples(text, file)`` / ``find.read_page(text, file)``: what a page holds;
- ``checks.parse_checks(text, origin)``: the checks of one ```check fence;
- ``run.run_check(mesh, check, backend)`` / ``run.run_page(page, store, backend)``: results;
- :func:`check_markdown`: the diagnostics of one Markdown file, as ``istio-notebook check`` prints them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from istio_notebook.diagnostics import Diagnostic

if TYPE_CHECKING:
    from istio_notebook.examples.fixtures import FixtureStore

__all__ = ["check_markdown"]


def check_markdown(path: str | Path, *, fixtures_dir: str | Path | None = None, run_checks: bool = False) -> list[Diagnostic]:
    """Diagnostics of a Markdown file's YAML examples, with the example syntax.

    Unchecked fences are skipped, ``expect=`` blocks report only when they stop producing their
    codes, fragments are checked against their schema. ``run_checks`` also runs the ```check
    fences (off by default: ``check`` validates configuration, it does not simulate).
    """
    from istio_notebook.examples.find import read_page
    from istio_notebook.examples.fixtures import default_fixtures_dir
    from istio_notebook.examples.run import run_page

    from istio_notebook.config.loader import read_text

    path = Path(path)
    text, problems = read_text(path)
    if text is None:
        return problems
    page = read_page(text, str(path))
    if not run_checks:
        for block in page.check_blocks:
            block.checks = []
    store = _shared_store(Path(fixtures_dir or default_fixtures_dir(path)), Path.cwd())
    return run_page(page, store).failures


@lru_cache(maxsize=8)
def _shared_store(directory: Path, display_root: Path) -> FixtureStore:
    """One store per fixtures directory: checking many pages loads and analyses each fixture once
    (the store reloads a fixture file when it changes)."""
    from istio_notebook.examples.fixtures import FixtureStore

    return FixtureStore(directory, display_root=display_root)
