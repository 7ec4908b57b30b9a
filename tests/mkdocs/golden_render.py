"""Markdown → HTML as a page of the site renders it: the plugin's page step, then Python-Markdown
with superfences (our yaml/check fences), tabbed and highlight configured as in mkdocs.yml."""

from __future__ import annotations

from pathlib import Path

import markdown
from mkdocs.utils.meta import get_data

from istio_notebook.examples.find import read_page
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.run import run_page
from istio_notebook.mkdocs import fences, panels, state
from istio_notebook.mkdocs.plugin import page_markdown, prepared_report

FENCES = [
    {"name": "mermaid", "class": "mermaid", "format": __import__("pymdownx.superfences").superfences.fence_code_format},
    {"name": "yaml", "class": "highlight", "validator": fences.validate, "format": fences.format_yaml},
    {"name": "check", "class": "highlight", "validator": fences.validate, "format": fences.format_check},
]


def render(text: str, file: str, fixtures: Path, serving: bool = False) -> str:
    report = prepared_report(run_page(read_page(text, file), FixtureStore(fixtures, display_root=fixtures.parent)))
    body, _ = get_data(text)  # MkDocs strips the front matter before on_page_markdown
    body = page_markdown(body, report)  # the plugin's own page steps
    md = markdown.Markdown(
        extensions=["admonition", "attr_list", "md_in_html", "tables", "pymdownx.highlight", "pymdownx.tabbed", "pymdownx.superfences"],
        extension_configs={
            "pymdownx.highlight": {"anchor_linenums": True},
            "pymdownx.tabbed": {"alternate_style": True},
            "pymdownx.superfences": {"custom_fences": FENCES},
        },
    )
    state.current = page = state.PageState(report, serving=serving)
    try:
        return panels.attach(md.convert(body), page.panels) + "\n"  # as the plugin's on_post_page does
    finally:
        state.current = None
