"""The ``istio_notebook.markdown`` Python-Markdown extension: checks and renders a page's examples.

Per page, under any builder that runs Python-Markdown with ``pymdownx.superfences`` (MkDocs,
Zensical): find the page's source (``source``), check it (``checker``: examples through the
analyzers, checks through the backend, with the content-hash cache), fill the generated
reference sections, tag the fences for the formatters (``fences``) and, at the end, put the
panels around the examples' code. Alone (Zensical, a plain ``markdown`` call) a page whose
examples or checks fail raises :class:`ExampleFailure` naming ``page:line [CODE] reason``, which
fails the build (under ``zensical serve``, which would end, it logs them and shows the page). Under the MkDocs plugin (the ``host``) it raises nothing: the plugin checked
every page before rendering, logs the findings on ``mkdocs.`` (for ``--strict``) and attaches the
panels after search indexing.
"""

from __future__ import annotations

import logging
import sys
import threading
from pathlib import Path
from typing import Protocol

from markdown import Extension
from markdown.postprocessors import Postprocessor
from markdown.preprocessors import Preprocessor

from istio_notebook.config.yaml_reader import freeze_at_exit
from istio_notebook.markdown import panels, reports
from istio_notebook.markdown.cache import DEFAULT_DIR as DEFAULT_CACHE_DIR
from istio_notebook.markdown.checker import Checker, PreparedPage, Settings, page_markdown
from istio_notebook.markdown.source import PageSource, docs_path, page_source, site_root
from istio_notebook.markdown.state import PREPROCESSOR, PageState

log = logging.getLogger("mkdocs.plugins.istio_notebook")

# Before every other preprocessor (pymdownx.snippets is 32, normalize_whitespace 30): the fences
# are paired with the page's items as the file has them.
PRIORITY = 40


class ExampleFailure(Exception):
    """A page's examples or checks fail: one ``page:line [CODE] reason`` per line."""


class Host(Protocol):
    """What a builder plugin that reports site-wide gives the extension (the MkDocs plugin)."""

    def checker(self) -> Checker: ...

    def prepared(self, display: str) -> PreparedPage | None:
        """The page as the host checked it before rendering (None: check it here)."""

    def rendered(self, display: str, panels: dict[str, str]) -> None: ...


_checkers: dict[Settings, Checker] = {}  # one per site and process: the cache and fixtures are keyed by content
_checkers_lock = threading.Lock()


def serving() -> bool:
    """Under `zensical serve` (which ends when a page raises): pages with failures are shown, not fatal."""
    return _zensical_command() == "serve"


def _zensical_command() -> str | None:
    return sys.argv[1] if Path(sys.argv[0]).name == "zensical" and len(sys.argv) > 1 else None


def shared_checker(settings: Settings) -> Checker:
    with _checkers_lock:
        if settings not in _checkers:
            _checkers[settings] = Checker(settings)
        return _checkers[settings]


class IstioNotebookExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "enabled": [True, "check and render the examples (false: plain code)"],
            "fixtures_dir": ["fixtures", "shared sample workloads, relative to docs_dir"],
            "cache_dir": [DEFAULT_CACHE_DIR, "content-hash cache of checked pages, relative to the project; empty: none"],
            "backend": ["sim", "who answers the checks: sim (routing simulator) or envoy"],
            "strict_claims": [True, "a check that does not hold fails the build"],
            # Not None: Python-Markdown would turn a value given for a None default into a bool.
            "host": ["", "the builder plugin that checks and reports site-wide (set by the MkDocs plugin)"],
            "page": ["", "the page's PageSource, for a caller that renders one page itself (else the builder says)"],
        }
        super().__init__(**kwargs)

    def settings(self, source: PageSource) -> Settings:
        cache_dir = str(self.getConfig("cache_dir") or "")
        return Settings(
            root=source.root,
            fixtures_dir=(Path(source.docs_dir) / str(self.getConfig("fixtures_dir"))).resolve(),
            cache_dir=(source.root / cache_dir).resolve() if cache_dir else None,
            backend=str(self.getConfig("backend")),
            strict_claims=bool(self.getConfig("strict_claims")),
        )

    def extendMarkdown(self, md) -> None:
        # The page's state lives on this Markdown instance's own preprocessor (state.current), set
        # afresh by every conversion: an extension object a builder reuses across pages holds none.
        pre = PagePreprocessor(md, self)
        md.preprocessors.register(pre, PREPROCESSOR, PRIORITY)
        md.postprocessors.register(PanelPostprocessor(md, pre), "istio_notebook_panels", 1)


class PagePreprocessor(Preprocessor):
    def __init__(self, md, extension: IstioNotebookExtension):
        super().__init__(md)
        self.extension = extension
        self.page: PageState | None = None

    def run(self, lines: list[str]) -> list[str]:
        self.page = None
        if not self.extension.getConfig("enabled"):
            return lines
        source = page_source(self.md, self.extension.getConfig("page") or None)
        if source is None:
            return lines
        markdown = reports.fill_static("\n".join(lines))
        host: Host | None = self.extension.getConfig("host") or None
        if host is None:
            markdown = reports.note_coverage_elsewhere(markdown)
        try:
            checker = host.checker() if host is not None else shared_checker(self.extension.settings(source))
            prepared = (host.prepared(source.display) if host is not None else None) or checker.check(source.text, source.display)
        except Exception as error:  # noqa: BLE001 - never a traceback: name the page
            if host is None:
                raise ExampleFailure(f"{source.display}: cannot check this page: {type(error).__name__}: {error}") from error
            log.warning("%s: cannot check this page: %s: %s", source.display, type(error).__name__, error)
            return markdown.split("\n")
        if host is None:
            if _zensical_command() == "build":  # the process ends with the build (as the MkDocs plugin does)
                freeze_at_exit()
            failures = prepared.failures(checker.settings.strict_claims)
            if failures and not serving():
                raise ExampleFailure("\n".join(failures))
            for line in failures:  # `zensical serve` would end on the exception: show the page, say why
                log.warning("%s", line)
        page = docs_path(source)
        self.page = PageState(prepared, source.display, site_root(page) if page else None)
        return page_markdown(markdown, prepared).split("\n")


class PanelPostprocessor(Postprocessor):
    """Puts the panels back around the examples' code; under a host, hands them over instead."""

    def __init__(self, md, pre: PagePreprocessor):
        super().__init__(md)
        self.pre = pre

    def run(self, text: str) -> str:
        page = self.pre.page
        if page is None or not page.panels:
            return text
        host: Host | None = self.pre.extension.getConfig("host") or None
        if host is not None:
            host.rendered(page.display, page.panels)
            return text
        return panels.attach(text, page.panels)


def makeExtension(**kwargs) -> IstioNotebookExtension:  # noqa: N802 - Python-Markdown's entry point name
    return IstioNotebookExtension(**kwargs)
