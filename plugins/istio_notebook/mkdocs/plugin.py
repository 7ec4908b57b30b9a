"""The ``istio-notebook`` MkDocs plugin: checks every example and check of the site at build time.

Thin on purpose: checking lives in ``istio_notebook.examples``, HTML in ``render``/``fences``
(superfences formatters) and ``panels`` (attached after search indexing), caching in ``cache``,
generated pages in ``reports``. Problems are logged as warnings on ``mkdocs.plugins.istio_notebook`` as ``page:line [CODE] reason``, which is
what makes ``mkdocs build --strict`` fail.
"""

from __future__ import annotations

import logging
import os
import time
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage

from istio_notebook.config.markdown import iter_fences
from istio_notebook.diagnostics import Level, report
from istio_notebook.diagnostics.record import Position
from istio_notebook.examples.coverage import Coverage
from istio_notebook.examples.find import CHECK_LANGUAGE, YAML_LANGUAGES, read_page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.options import add_option, parse_info
from istio_notebook.examples.run import PageReport, run_page
from istio_notebook.mkdocs import panels, reports, state
from istio_notebook.mkdocs.cache import ResultCache, directory_hash, page_key
from istio_notebook.mkdocs.config import IstioNotebookConfig
from istio_notebook.mkdocs.envoy_tab import page_excerpts
from istio_notebook.mkdocs.mermaid import diagrams
from istio_notebook.mkdocs.render import problems_html

log = logging.getLogger("mkdocs.plugins.istio_notebook")

CSS = "assets/istio-notebook/istio-notebook.css"
_CSS_SOURCE = Path(__file__).with_name("istio-notebook.css")


class IstioNotebookPlugin(BasePlugin[IstioNotebookConfig]):
    def __init__(self) -> None:
        self.cache: ResultCache | None = None
        self.reports: dict[str, PageReport] = {}  # src_uri → report of the current build
        self.panels: dict[str, dict[str, str]] = {}  # src_uri → HTML to attach in on_post_page (panels.py)
        self.root = Path.cwd()
        self.store: FixtureStore | None = None
        self.seconds = 0.0
        self.serving = False  # under `mkdocs serve`: findings are shown on the page and logged as info

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also makes MkDocs keep this object across `mkdocs serve` rebuilds
        # (it re-creates plugins that lack it), so the in-memory cache and fixture store survive.
        self.serving = command == "serve"

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        if not self.config.enabled:
            return None
        self.root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        fixtures = Path(config.docs_dir) / self.config.fixtures_dir
        if self.store is None or self.store.directory != fixtures:  # kept across `mkdocs serve` rebuilds
            self.store = FixtureStore(fixtures, display_root=self.root)
        directory = self.root / self.config.cache_dir if self.config.cache else None
        if self.cache is None or self.cache.directory != directory:  # kept across `mkdocs serve` rebuilds (see on_startup)
            self.cache = ResultCache(directory)
            self.cache.load()
        if CSS not in config.extra_css:
            config.extra_css.append(CSS)
        fences = {f.get("name") for f in config.mdx_configs.get("pymdownx.superfences", {}).get("custom_fences", [])}
        missing = {"yaml", CHECK_LANGUAGE} - fences
        if missing:
            log.warning(
                "mkdocs.yml: pymdownx.superfences custom_fences lacks %s; add istio_notebook.mkdocs.fences formatters "
                "(see docs/contributing/syntax.md)",
                ", ".join(sorted(missing)),
            )
        return config

    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Check every page up front (late, after other plugins added theirs), so the coverage page sees all results."""
        if not self.config.enabled:
            return None
        files.append(File.generated(config, CSS, abs_src_path=str(_CSS_SOURCE)))
        started = time.perf_counter()
        self.reports = {}
        self.panels = {}
        fixtures = directory_hash(self.store.directory) if self.store else ""
        for file in files.documentation_pages():
            try:
                self.reports[file.src_uri] = self._check_page(file, fixtures)
            except Exception as error:  # noqa: BLE001 - never a traceback: name the page and go on
                log.warning("%s: cannot check this page: %s: %s", self._display(file), type(error).__name__, error)
        self.seconds = time.perf_counter() - started
        self._log_results()
        return files

    def _display(self, file: File) -> str:
        path = Path(file.abs_src_path) if file.abs_src_path else Path(file.src_uri)
        try:
            return os.path.relpath(path, self.root)
        except ValueError:
            return str(path)

    def _check_page(self, file: File, fixtures: str) -> PageReport:
        text = file.content_string
        display = self._display(file)
        key = page_key(text, display, fixtures, self.config.backend)
        assert self.cache is not None and self.store is not None
        cached = self.cache.get(display, key)
        if cached is not None:
            return cached
        result = prepared_report(run_page(read_page(text, display), self.store, self.config.backend))
        self.cache.put(display, key, result)
        return result

    def _log_results(self) -> None:
        # Under `mkdocs serve` a warning would abort the rebuild when strict is on (mkdocs.yml sets it for
        # CI builds), leaving the server stuck on the old page; the page itself shows the findings instead.
        warn = log.info if self.serving else log.warning
        for result in self.reports.values():
            for d in result.failures:
                claim = d.code in ("INB3020", "INB3021")
                emit = warn if d.level in (Level.ERROR, Level.WARNING) and (not claim or self.config.strict_claims) else log.info
                emit("%s [%s] %s", d.position, d.code, d.message)
        coverage = {r.page.file: r.coverage for r in self.reports.values()}
        total = Coverage.total(coverage.values())
        if total.units:
            covered = len(total.covered & set(total.units))
            log.info("route coverage: %.1f%% (%d/%d VirtualService match blocks exercised by checks)", total.percent, covered, len(total.units))
            for unit in total.uncovered:  # per page, at the rule's line, as the route table check tool lists them
                d = report("INB3031", Position(unit.file, unit.line), what=unit.what, vs=unit.virtual_service)
                log.info("%s [%s] %s", d.position, d.code, d.message)
        minimum = float(self.config.coverage_minimum)
        if total.percent + 1e-9 < minimum:
            d = report("INB3030", Position(self.config.coverage_page), percent=f"{total.percent:.1f}", minimum=f"{minimum:g}")
            warn("%s [%s] %s", d.position, d.code, d.message)
        if self.cache is not None:
            log.debug("checked %d pages in %.3fs (cache: %d hits, %d misses)", len(self.reports), self.seconds, self.cache.hits, self.cache.misses)

    def on_page_markdown(self, markdown: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled:
            return None
        try:
            return self._page_markdown(markdown, page)
        except Exception as error:  # noqa: BLE001 - never a traceback: name the page, render it plainly
            state.current = None
            log.warning("%s: cannot prepare the examples of this page: %s: %s", page.file.src_uri, type(error).__name__, error)
            return markdown

    def _page_markdown(self, markdown: str, page: MkDocsPage) -> str:
        markdown = self._generated(markdown, page)
        result = self.reports.get(page.file.src_uri)
        if result is None:
            return markdown
        state.current = state.PageState(result, serving=self.serving)
        return page_markdown(markdown, result)

    def _generated(self, markdown: str, page: MkDocsPage) -> str:
        generators = {
            self.config.diagnostics_page: ("diagnostics", reports.diagnostics_reference),
            self.config.check_syntax_page: ("check-syntax", reports.check_syntax_reference),
            self.config.coverage_page: (
                "coverage",
                lambda: reports.coverage_report({r.page.file: r.coverage for r in self.reports.values()}, float(self.config.coverage_minimum)),
            ),
        }
        entry = generators.get(page.file.src_uri)
        if entry is None:
            return markdown
        marker = reports.MARKER.format(name=entry[0])
        return markdown.replace(marker, entry[1]()) if marker in markdown else markdown

    def on_page_content(self, html: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str | None:
        if state.current is not None and state.current.panels:
            self.panels[page.file.src_uri] = state.current.panels
        state.current = None
        return None

    def on_post_page(self, output: str, *, page: MkDocsPage, config: MkDocsConfig) -> str | None:
        # After the search plugin indexed page.content (on_page_context): see panels.py for why.
        deferred = self.panels.pop(page.file.src_uri, None)
        return panels.attach(output, deferred) if deferred else None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        if self.cache is not None:
            self.cache.save()

    def on_build_error(self, *, error: Exception) -> None:
        state.current = None
        self.panels = {}


def prepared_report(full: PageReport) -> PageReport:
    """What a page's rendering needs, detached from its meshes (cacheable): the results, a Mermaid
    diagram per VirtualService and the Envoy excerpts (translated once per scenario and proxy)."""
    # Scenario blocks are loaded already; only `expect` examples are parsed again for their diagrams.
    loaded = {b.example.line: b.resources for s in full.scenarios.values() for b in s.blocks}
    result = full.detached()
    result.renderings["diagrams"] = {e.line: diagrams(e, loaded.get(e.line)) for e in result.page.examples}
    result.renderings["envoy"] = page_excerpts(full)
    return result


def page_markdown(markdown: str, result: PageReport) -> str:
    """The page's Markdown with its fences tagged for the formatters, page problems on top."""
    markdown = tag_fences(markdown, result)
    if result.problems:
        markdown = problems_html(result.problems) + "\n\n" + markdown
    return markdown


def tag_fences(markdown: str, result: PageReport) -> str:
    """Add ``inb_item="k"`` to each example/check fence line, pairing fences with the page's items in order.

    MkDocs has removed the front matter, so lines differ from the file's; order and bodies do not.
    """
    items = result.page.items
    lines = markdown.split("\n")
    k = 0
    for fence in iter_fences(markdown):
        language, _ = parse_info(fence.info)
        if language not in YAML_LANGUAGES and language != CHECK_LANGUAGE:
            continue
        if k >= len(items) or items[k].body != fence.body:
            log.debug("%s: fence at markdown line %d does not pair with a checked item", result.page.file, fence.start_line)
            return "\n".join(lines)
        index = fence.start_line - 1
        lines[index] = add_option(lines[index], state.ITEM_OPTION, str(k))
        k += 1
    return "\n".join(lines)
