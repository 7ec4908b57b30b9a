"""Markdown → HTML as a page of the site renders it under MkDocs: Python-Markdown with the
istio_notebook.markdown extension hosted as the plugin hosts it (checker shared, panels attached
after conversion, as on_post_page does), superfences (our yaml/check fences), tabbed and
highlight configured as in mkdocs.yml."""

from __future__ import annotations

from pathlib import Path

import markdown
from mkdocs.utils.meta import get_data

from istio_notebook.markdown import fences, panels
from istio_notebook.markdown.checker import Checker, Settings
from istio_notebook.markdown.source import PageSource

FENCES = [
    {"name": "mermaid", "class": "mermaid", "format": __import__("pymdownx.superfences").superfences.fence_code_format},
    {"name": "yaml", "class": "highlight", "validator": fences.validate, "format": fences.format_yaml},
    {"name": "check", "class": "highlight", "validator": fences.validate, "format": fences.format_check},
]


class Host:
    """What the MkDocs plugin gives the extension (istio_notebook.markdown.extension.Host)."""

    def __init__(self, fixtures: Path):
        self._checker = Checker(Settings(root=fixtures.parent, fixtures_dir=fixtures, cache_dir=None))
        self.panels: dict[str, dict[str, str]] = {}

    def checker(self) -> Checker:
        return self._checker

    def prepared(self, display: str) -> None:
        return None  # the extension checks the page itself (through the shared checker)

    def rendered(self, display: str, panels: dict[str, str]) -> None:
        self.panels[display] = panels


def render(text: str, file: str, fixtures: Path) -> str:
    host = Host(fixtures)
    body, _ = get_data(text)  # MkDocs strips the front matter before rendering
    md = markdown.Markdown(
        extensions=["admonition", "attr_list", "md_in_html", "tables", "pymdownx.highlight", "pymdownx.tabbed", "istio_notebook.markdown", "pymdownx.superfences"],
        extension_configs={
            "pymdownx.tabbed": {"alternate_style": True},
            "istio_notebook.markdown": {"host": host, "page": PageSource(text, file, fixtures.parent, fixtures.parent)},
            "pymdownx.superfences": {"custom_fences": FENCES},
        },
    )
    return panels.attach(md.convert(body), host.panels.get(file, {})) + "\n"  # as the plugin's on_post_page does
