"""Pytest items for the examples and checks of Markdown pages (used by the root conftest).

One item per YAML example (``docs/x.md:42``, the opening fence line) and per check (the curl
line); one per fixture file (its own findings); one for route coverage against the site's
``coverage_minimum``. A page is run once per session and shared by its items.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from istio_notebook.config.loader import iter_input_files
from istio_notebook.examples.coverage import Coverage
from istio_notebook.examples.find import read_page
from istio_notebook.examples.fixtures import FixtureStore, default_fixtures_dir
from istio_notebook.examples.model import CheckBlock, YamlExample
from istio_notebook.examples.run import PageReport, run_page
from istio_notebook.examples.update import update_expectations


class ExampleFailure(Exception):
    """A failing example or check: reported as its message only (no traceback of our code)."""


class PageRuns:
    """Page results of this session, computed on first use."""

    def __init__(self, root: Path):
        self.root = root
        self.stores: dict[Path, FixtureStore] = {}
        self.reports: dict[Path, PageReport] = {}

    def store(self, page: Path) -> FixtureStore:
        directory = default_fixtures_dir(page)
        if directory not in self.stores:
            self.stores[directory] = FixtureStore(directory, display_root=self.root)
        return self.stores[directory]

    def display(self, path: Path) -> str:
        try:
            return str(path.resolve().relative_to(self.root))
        except ValueError:
            return str(path)

    def report(self, page: Path) -> PageReport:
        if page not in self.reports:
            text = page.read_text(encoding="utf-8")
            self.reports[page] = run_page(read_page(text, self.display(page)), self.store(page))
        return self.reports[page]


class ExampleItem(pytest.Item):
    def __init__(self, *, page: Path, line: int, kind: str, runs: PageRuns, **kwargs):
        super().__init__(**kwargs)
        self.page, self.line, self.kind, self.runs = page, line, kind, runs

    def reportinfo(self):
        return self.page, self.line - 1, self.name

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ExampleFailure):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def runtest(self) -> None:
        __tracebackhide__ = True
        report = self.runs.report(self.page)
        if self.kind != "page" and self.line not in (report.examples if self.kind == "example" else report.checks):
            raise ExampleFailure(f"{self.name}: no {self.kind} at this line any more (the page changed after collection); run pytest again")
        if self.kind == "example":
            result = report.examples[self.line]
            if result.failures:
                raise ExampleFailure("\n".join([f"{self.name}: YAML example fails ({result.status})"] + [f"  {d}" for d in result.failures]))
            return
        if self.kind == "page":
            if report.problems:
                raise ExampleFailure("\n".join([f"{self.name}: page problems"] + [f"  {d}" for d in report.problems]))
            return
        result = report.checks[self.line]
        block = next(b for b in report.page.check_blocks if any(c.line == self.line for c in b.checks))
        if result.passed and not block.problems:
            return
        if not result.passed and result.actual and self.config.getoption("update_examples", False):
            changed = update_expectations(self.page, result)
            if changed:
                pytest.skip(f"{self.name}: rewrote {changed} expectation line(s) with the actual outcome")
        lines = [f"{self.name}: check fails"]
        if result.check.title:
            lines.append(f"  # {result.check.title}")
        if result.check.request is not None:
            lines.append(f"  {result.check.request}")
        lines += [f"  {d}" for d in block.problems + result.diagnostics]
        raise ExampleFailure("\n".join(lines))


class FixtureItem(pytest.Item):
    def __init__(self, *, store: FixtureStore, fixture: str, **kwargs):
        super().__init__(**kwargs)
        self.store, self.fixture = store, fixture

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value) if isinstance(excinfo.value, ExampleFailure) else super().repr_failure(excinfo, style)

    def runtest(self) -> None:
        findings = self.store.findings(self.fixture)
        if findings:
            raise ExampleFailure("\n".join([f"{self.name}: fixture has problems"] + [f"  {d}" for d in findings]))


class CoverageItem(pytest.Item):
    """Route coverage of all collected pages against mkdocs.yml's ``coverage_minimum``."""

    def __init__(self, *, pages: list[Path], runs: PageRuns, minimum: float, **kwargs):
        super().__init__(**kwargs)
        self.pages, self.runs, self.minimum = pages, runs, minimum

    def repr_failure(self, excinfo, style=None):
        return str(excinfo.value) if isinstance(excinfo.value, ExampleFailure) else super().repr_failure(excinfo, style)

    def runtest(self) -> None:
        total = Coverage.total(self.runs.report(p).coverage for p in self.pages)
        if total.percent + 1e-9 < self.minimum:
            listed = "\n".join(f"  not covered: {u}" for u in total.uncovered[:50])
            raise ExampleFailure(f"route coverage {total.percent:.1f}% is below the minimum {self.minimum:g}% (mkdocs.yml coverage_minimum)\n{listed}")


def coverage_minimum(root: Path) -> float:
    """The plugin's ``coverage_minimum`` from mkdocs.yml (0 when not set)."""
    try:
        text = (root / "mkdocs.yml").read_text(encoding="utf-8")
    except OSError:
        return 0.0
    # mkdocs.yml holds !!python/name and !ENV tags; a loader that ignores unknown tags reads the rest.
    class _Loader(yaml.SafeLoader):
        pass

    _Loader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    _Loader.add_constructor("!ENV", lambda loader, node: None)  # site_url: !ENV [...]
    data = yaml.load(text, Loader=_Loader) or {}
    for plugin in data.get("plugins") or []:
        if isinstance(plugin, dict) and "istio-notebook" in plugin:
            return float((plugin["istio-notebook"] or {}).get("coverage_minimum", 0))
    return 0.0


def _markdown_files(targets: list[Path]) -> list[Path]:
    found: list[Path] = []
    for target in targets:
        if target.is_dir():
            found.extend(p for p in iter_input_files(target) if p.suffix == ".md")
        elif target.suffix == ".md" and target.exists():
            found.append(target)
    return sorted(dict.fromkeys(p.resolve() for p in found))


def collect_pages(session: pytest.Session, targets: list[Path], root: Path) -> list[pytest.Item]:
    runs = PageRuns(root)
    items: list[pytest.Item] = []
    pages = _markdown_files(targets)
    for page in pages:
        display = runs.display(page)
        found = read_page(page.read_text(encoding="utf-8"), display)
        if found.problems or found.fixtures or found.scenario_fixtures:
            items.append(ExampleItem.from_parent(session, name=f"{display}:1", nodeid=f"{display}:1", page=page, line=1, kind="page", runs=runs))
        for item in found.items:
            if isinstance(item, YamlExample):
                items.append(ExampleItem.from_parent(session, name=str(item), nodeid=str(item), page=page, line=item.line, kind="example", runs=runs))
            elif isinstance(item, CheckBlock):
                for check in item.checks:
                    items.append(ExampleItem.from_parent(session, name=str(check), nodeid=str(check), page=page, line=check.line, kind="check", runs=runs))
    fixture_dirs = {default_fixtures_dir(p) for p in pages}
    for directory in sorted(fixture_dirs):
        store = runs.stores.get(directory) or FixtureStore(directory, display_root=root)
        runs.stores[directory] = store
        for name in store.names():
            items.append(FixtureItem.from_parent(session, name=store.display(store.path(name)), nodeid=store.display(store.path(name)), store=store, fixture=name))
    if pages:
        items.append(CoverageItem.from_parent(session, name="route-coverage", nodeid="route-coverage", pages=pages, runs=runs, minimum=coverage_minimum(root)))
    return items
