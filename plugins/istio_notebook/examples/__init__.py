"""YAML examples and checks in Markdown: discovery, parsing, running (shared by mkdocs, pytest, labs, cli).

Imports neither mkdocs nor pytest. Entry points:

- ``find.find_examples(text, file)`` / ``find.read_page(text, file)``: what a page holds;
- ``checks.parse_checks(text, origin)``: the checks of one ```check fence;
- ``run.run_check(mesh, check, backend)`` / ``run.run_page(page, store, backend)``: results;
- :func:`check_markdown`: the diagnostics of one Markdown file, as ``istio-notebook check`` prints them.
"""

from __future__ import annotations

from pathlib import Path

from istio_notebook.diagnostics import Diagnostic

__all__ = ["check_markdown"]


def check_markdown(path: str | Path, *, fixtures_dir: str | Path | None = None, run_checks: bool = False) -> list[Diagnostic]:
    """Diagnostics of a Markdown file's YAML examples, with the example syntax.

    Unchecked fences are skipped, ``expect=`` blocks report only when they stop producing their
    codes, fragments are checked against their schema. ``run_checks`` also runs the ```check
    fences (off by default: ``check`` validates configuration, it does not simulate).
    """
    from istio_notebook.examples.find import read_page
    from istio_notebook.examples.fixtures import FixtureStore, default_fixtures_dir
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
    store = FixtureStore(fixtures_dir or default_fixtures_dir(path), display_root=Path.cwd())
    return run_page(page, store).failures
