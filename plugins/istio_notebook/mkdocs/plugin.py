"""The ``istio-notebook`` MkDocs plugin: what only MkDocs can do around the Markdown extension.

Checking and rendering are the ``istio_notebook.markdown`` extension's, under any builder. The
plugin adds the site-wide part: it checks every page before any is rendered (through the
extension's own checker, so the extension finds each result in the cache and nothing is checked
twice), logs the findings as warnings on ``mkdocs.plugins.istio_notebook`` as ``page:line [CODE]
reason`` (which is what makes ``mkdocs build --strict`` fail), writes the route coverage report,
attaches the panels after search indexing (``panels``) and keeps its cache across `mkdocs serve`
rebuilds, where findings are logged as info so that a strict config does not stop the rebuild.
"""

from __future__ import annotations

import gc
import logging
import os
import time
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page as MkDocsPage

from istio_notebook.cli.signals import unwind_on_signals
from istio_notebook.config.yaml_reader import freeze_at_exit, gc_paused
from istio_notebook.diagnostics import Level, report
from istio_notebook.diagnostics.record import Position
from istio_notebook.examples.coverage import Coverage
from istio_notebook.examples.find import CHECK_LANGUAGE
from istio_notebook.markdown import panels, reports
from istio_notebook.markdown.checker import CLAIM_CODES, Checker, PreparedPage, Settings
from istio_notebook.mkdocs.config import IstioNotebookConfig

log = logging.getLogger("mkdocs.plugins.istio_notebook")

EXTENSION = "istio_notebook.markdown"


class IstioNotebookPlugin(BasePlugin[IstioNotebookConfig]):
    def __init__(self) -> None:
        self._checker: Checker | None = None
        self.reports: dict[str, PreparedPage] = {}  # src_uri → checked page of the current build
        self.checked: dict[str, PreparedPage] = {}  # the same, by the page as displayed ("docs/x.md")
        self.panels: dict[str, dict[str, str]] = {}  # page as displayed → HTML to attach in on_post_page (panels.py)
        self.root = Path.cwd()
        self.strict_claims = True
        self.seconds = self.cpu_seconds = 0.0  # the last check phase: wall and CPU time (benchmarks/build.py)
        self.serving = False  # under `mkdocs serve`: findings are shown on the page and logged as info
        self.frozen = False  # the objects of this build are in the GC's permanent generation (on_files)

    # The extension's host (istio_notebook.markdown.extension.Host).
    def checker(self) -> Checker:
        assert self._checker is not None, "on_config sets the checker"
        return self._checker

    def prepared(self, display: str) -> PreparedPage | None:
        return self.checked.get(display)

    def rendered(self, display: str, panels: dict[str, str]) -> None:
        self.panels[display] = panels

    def on_startup(self, *, command: str, dirty: bool) -> None:
        # Defining on_startup also makes MkDocs keep this object across `mkdocs serve` rebuilds
        # (it re-creates plugins that lack it), so the in-memory cache and fixture store survive.
        self.serving = command == "serve"
        # SIGTERM and SIGHUP end the build as Ctrl-C does, so the Envoy backend's work and
        # certificate directories (private keys) are removed; by default they killed the process
        # without any cleanup (tests/hostile/test_hostile_signals.py).
        self._restore_signals = unwind_on_signals()

    def on_shutdown(self) -> None:
        restore = getattr(self, "_restore_signals", None)
        if restore is not None:
            restore()

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.root = Path(config.config_file_path).resolve().parent if config.config_file_path else Path.cwd()
        if EXTENSION not in config.markdown_extensions:
            config.markdown_extensions.append(EXTENSION)
        options = config.mdx_configs.setdefault(EXTENSION, {})
        if not self.config.enabled:
            options["enabled"] = False
            return config
        settings = _settings(options, self.root, Path(config.docs_dir))
        self.strict_claims = settings.strict_claims
        if self._checker is None or self._checker.settings != settings:  # kept across `mkdocs serve` rebuilds
            self._checker = Checker(settings)
        options["host"] = self
        fences = {f.get("name") for f in config.mdx_configs.get("pymdownx.superfences", {}).get("custom_fences", [])}
        missing = {"yaml", CHECK_LANGUAGE} - fences
        if missing:
            log.warning(
                "mkdocs.yml: pymdownx.superfences custom_fences lacks %s; add istio_notebook.markdown.fences formatters "
                "(see docs/contributing/syntax.md)",
                ", ".join(sorted(missing)),
            )
        return config

    @event_priority(-50)
    def on_files(self, files: Files, *, config: MkDocsConfig) -> Files | None:
        """Check every page up front (late, after other plugins added theirs), so the coverage page sees all results."""
        if not self.config.enabled:
            return None
        started, cpu = time.perf_counter(), time.process_time()
        self.reports, self.checked, self.panels = {}, {}, {}
        checker = self.checker()
        fixtures = checker.fixtures_digest()
        # Checking a site on a cold cache allocates millions of objects that live to the end of the
        # build (the checked pages) or die young; the cyclic GC's full collections rescanned them
        # all (0.4 s of a 1.2 s check phase, measured with gc.callbacks). So the check phase runs
        # with the GC paused, as the loaders do, and a one-shot build then moves what the process
        # holds to the permanent generation, which the collections while rendering skip, until the
        # build ends (on_post_build). `mkdocs serve` runs on and freezes nothing.
        with gc_paused() as pause:
            for file in files.documentation_pages():
                display = self._display(file)
                try:
                    self.reports[file.src_uri] = self.checked[display] = checker.check(file.content_string, display, fixtures)
                except Exception as error:  # noqa: BLE001 - never a traceback: name the page and go on
                    log.warning("%s: cannot check this page: %s: %s", display, type(error).__name__, error)
            pause.freeze = self.frozen = not self.serving
        self.seconds, self.cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        self._log_results()
        return files

    def _display(self, file: File) -> str:
        path = Path(file.abs_src_path) if file.abs_src_path else Path(file.src_uri)
        try:
            return os.path.relpath(path, self.root)
        except ValueError:
            return str(path)

    def _log_results(self) -> None:
        # Under `mkdocs serve` a warning would abort the rebuild when strict is on (mkdocs.yml sets it for
        # CI builds), leaving the server stuck on the old page; the page itself shows the findings instead.
        warn = log.info if self.serving else log.warning
        for prepared in self.reports.values():
            for d in prepared.report.failures:
                claim = d.code in CLAIM_CODES
                emit = warn if d.level in (Level.ERROR, Level.WARNING) and (not claim or self.strict_claims) else log.info
                emit("%s [%s] %s", d.position, d.code, d.message)
            for line in prepared.excerpt_failures():
                warn("%s", line)
        total = Coverage.total(p.report.coverage for p in self.reports.values())
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
        cache = self.checker().cache
        log.debug("checked %d pages in %.3fs (cache: %d hits, %d misses)", len(self.reports), self.seconds, cache.hits, cache.misses)

    def on_page_markdown(self, markdown: str, *, page: MkDocsPage, config: MkDocsConfig, files: Files) -> str | None:
        if not self.config.enabled or page.file.src_uri != self.config.coverage_page:
            return None
        marker = reports.MARKER.format(name="coverage")
        coverage = {p.report.page.file: p.report.coverage for p in self.reports.values()}
        return markdown.replace(marker, reports.coverage_report(coverage, float(self.config.coverage_minimum)))

    def on_post_page(self, output: str, *, page: MkDocsPage, config: MkDocsConfig) -> str | None:
        # After the search plugin indexed page.content (on_page_context): see panels.py for why.
        deferred = self.panels.pop(self._display(page.file), None)
        return panels.attach(output, deferred) if deferred else None

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if self.frozen:  # a one-shot checked build: its process ends soon (yaml_reader.freeze_at_exit)
            freeze_at_exit()
        self._unfreeze()
        if self.config.enabled and self._checker is not None:
            self._checker.cache.prune()

    def on_build_error(self, *, error: Exception) -> None:
        self._unfreeze()
        self.panels = {}

    def _unfreeze(self) -> None:
        if self.frozen:
            gc.unfreeze()
            self.frozen = False


def _settings(options: dict, root: Path, docs_dir: Path) -> Settings:
    """The extension's settings from its mkdocs.yml options (the same defaults it has alone)."""
    from istio_notebook.markdown.extension import IstioNotebookExtension
    from istio_notebook.markdown.source import PageSource

    known = {k: v for k, v in options.items() if k != "host"}
    return IstioNotebookExtension(**known).settings(PageSource("", "", root, docs_dir))
