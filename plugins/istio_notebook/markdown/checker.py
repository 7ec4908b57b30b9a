"""The page step every builder shares: a page's source → its checked, render-ready :class:`PreparedPage`.

A :class:`Checker` holds what the pages of one site share, both keyed by content: the fixture
store (reloaded when a fixture file changes) and the result cache (keyed by a hash of the page,
the fixtures, the backend and the code). Nothing in it depends on which page is being rendered,
so pages may be checked in any order, in parallel threads, or in other processes (each with its
own checker; the cache files are written atomically).
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path

from istio_notebook.config.markdown import iter_fences
from istio_notebook.config.yaml_reader import gc_paused
from istio_notebook.diagnostics import Diagnostic, Level
from istio_notebook.examples.find import CHECK_LANGUAGE, YAML_LANGUAGES, read_page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.options import add_option, parse_info
from istio_notebook.examples.run import PageReport, run_page
from istio_notebook.markdown.cache import ResultCache, directory_hash, page_key
from istio_notebook.markdown.envoy_tab import EnvoyExcerpt, page_excerpts
from istio_notebook.markdown.mermaid import diagrams
from istio_notebook.markdown.render import problems_html

log = logging.getLogger("mkdocs.plugins.istio_notebook")

ITEM_OPTION = "inb_item"  # fence option the page step adds: index of the item in the page's items
CLAIM_CODES = ("INB3020", "INB3021")  # a check that does not hold / cannot run (see strict_claims)


@dataclass(frozen=True)
class Settings:
    """Where a site's pages, fixtures and cache are, and who answers the checks."""

    root: Path  # page paths are shown relative to it ("docs/x.md:12")
    fixtures_dir: Path
    cache_dir: Path | None  # None: no cache on disk
    backend: str = "sim"
    strict_claims: bool = True  # a check that does not hold fails the build


@dataclass
class PreparedPage:
    """What a page's rendering and the site-wide reports need, detached from its meshes (cacheable)."""

    report: PageReport
    diagrams: dict[int, list[str]] = field(default_factory=dict)  # example line → Mermaid texts
    envoy: dict[int, list[EnvoyExcerpt]] = field(default_factory=dict)  # example line → Envoy excerpts

    def failures(self, strict_claims: bool = True) -> list[str]:
        """``page:line [CODE] reason`` of everything that must fail the build, in line order."""
        return [f"{d.position} [{d.code}] {d.message}" for d in self.report.failures if fails(d, strict_claims)] + self.excerpt_failures()

    def excerpt_failures(self) -> list[str]:
        """``page:line: reason`` of each Envoy excerpt that could not be produced (a translation bug)."""
        return [
            f"{self.report.page.file}:{line}: cannot produce the Envoy excerpt of {e.resource}: {e.error}"
            for line, excerpts in sorted(self.envoy.items())
            for e in excerpts
            if e.error
        ]


def fails(d: Diagnostic, strict_claims: bool) -> bool:
    return d.level in (Level.ERROR, Level.WARNING) and (strict_claims or d.code not in CLAIM_CODES)


def prepare(full: PageReport) -> PreparedPage:
    """The diagrams and Envoy excerpts of a checked page (translated once per scenario and proxy)."""
    # Scenario blocks are loaded already; only `expect` examples are parsed again for their diagrams.
    loaded = {b.example.line: b.resources for s in full.scenarios.values() for b in s.blocks}
    result = full.detached()
    return PreparedPage(
        result,
        diagrams={e.line: diagrams(e, loaded.get(e.line), _diagnostics(result, e.line)) for e in result.page.examples},
        envoy=page_excerpts(full),
    )


def _diagnostics(report: PageReport, line: int) -> list[Diagnostic]:
    found = report.examples.get(line)
    return found.diagnostics if found is not None else []


class Checker:
    """Checks pages of one site, reusing results by content hash."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.store = FixtureStore(settings.fixtures_dir, display_root=settings.root)
        self.cache = ResultCache(settings.cache_dir)
        self._lock = threading.Lock()  # one check at a time: the analyzers pause the GC process-wide
        self._digest: tuple[tuple, str] = ((), "")

    def fixtures_digest(self) -> str:
        """Hash of the fixture files, recomputed only when one of them changed (name, size, mtime)."""
        directory = self.store.directory
        files = sorted(directory.rglob("*.yaml")) if directory.is_dir() else []
        stamps = tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
        if stamps != self._digest[0] or not self._digest[1]:
            self._digest = (stamps, directory_hash(directory))
        return self._digest[1]

    def check(self, text: str, display: str, fixtures: str | None = None) -> PreparedPage:
        """``text``: the page file as written (with its front matter); ``display``: its path as shown."""
        key = page_key(text, display, self.fixtures_digest() if fixtures is None else fixtures, self.settings.backend)
        with self._lock:
            found = self.cache.get(display, key)
            if found is None:
                # The cyclic GC finds nothing to free while a page is checked and rescans all that
                # the builder holds (Zensical: 0.4 s of a cold build); the MkDocs plugin pauses it
                # for its whole check phase already (nesting keeps the outer pause).
                with gc_paused():
                    found = prepare(run_page(read_page(text, display), self.store, self.settings.backend))
                self.cache.put(display, key, found)
        return found


def page_markdown(markdown: str, prepared: PreparedPage) -> str:
    """The page's Markdown with its fences tagged for the formatters, page problems on top."""
    report = prepared.report
    markdown = tag_fences(markdown, report)
    if report.problems:
        markdown = problems_html(report.problems) + "\n\n" + markdown
    return markdown


def tag_fences(markdown: str, result: PageReport) -> str:
    """Add ``inb_item="k"`` to each example/check fence line, pairing fences with the page's items in order.

    Builders remove the front matter, so lines differ from the file's; order and bodies do not.
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
        lines[index] = add_option(lines[index], ITEM_OPTION, str(k))
        k += 1
    return "\n".join(lines)
