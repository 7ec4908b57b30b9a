"""The page being rendered, shared between the plugin (page-level work) and the fence formatters.

MkDocs renders one page at a time: the plugin sets :data:`current` in ``on_page_markdown`` and
clears it in ``on_page_content`` (keeping its deferred panels for ``on_post_page``). With no current page (plugin disabled, another builder such
as Zensical) the formatters render plain highlighted code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.examples.run import PageReport

ITEM_OPTION = "inb_item"  # fence option the plugin adds: index of the item in the page's items


@dataclass
class PageState:
    report: PageReport
    counter: int = 0  # unique ids for the tabs of this page
    serving: bool = False  # under `mkdocs serve`: rendering problems are logged as info, as the plugin's findings are
    panels: dict[str, str] = field(default_factory=dict)  # HTML attached after search indexing (see panels.py)


current: PageState | None = None
