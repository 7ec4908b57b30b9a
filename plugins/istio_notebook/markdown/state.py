"""The page a Markdown instance is rendering, as the extension's preprocessor left it for the fence formatters.

One :class:`PageState` per Markdown instance and conversion (set by the preprocessor, replaced at
the next conversion, cleared by ``Markdown.reset``): nothing is shared between pages, so a builder
may render pages in parallel threads or processes. Without the extension (or for a page no builder
names) there is no state and the formatters render plain highlighted code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.markdown.checker import PreparedPage

PREPROCESSOR = "istio_notebook"  # name of the extension's preprocessor in md.preprocessors


@dataclass
class PageState:
    prepared: PreparedPage
    display: str  # the page as messages name it: "docs/x.md"
    site_root: str | None = None  # relative URL from this page to the site's root (source.site_root), for links in panels
    counter: int = 0  # unique ids for the tabs of this page
    panels: dict[str, str] = field(default_factory=dict)  # HTML around the examples' code (see panels.py)


def current(md) -> PageState | None:
    processor = md.preprocessors[PREPROCESSOR] if md is not None and PREPROCESSOR in md.preprocessors else None
    return getattr(processor, "page", None)
