"""MkDocs hook of the playground (試してみる): for each page with checks, the files and command
lines that its "試す" buttons open (istio_notebook.playground.sessions), written as
``assets/playground/sessions/<page URL>/session.json`` next to the engine (playground/site.py,
which tools/playground/assets.py uses too, for builders without hooks). Rendering is untouched:
the buttons' script finds the check rows (``id="inb-check-<line>"``) that the site already renders.
Kept apart from the plugin so that the playground can be switched off by removing one line.
"""

from __future__ import annotations

import logging
from pathlib import Path

from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.playground import site

log = logging.getLogger("mkdocs.plugins.istio_notebook.playground")
_sessions: dict[str, dict] = {}
_stores: dict[Path, FixtureStore] = {}


def on_pre_build(config) -> None:
    _sessions.clear()


def on_page_markdown(markdown: str, page, config, files) -> None:
    source = page.file.src_path.replace("\\", "/")
    try:
        # The file as written: MkDocs has already taken the front matter (fixtures:) off ``markdown``,
        # and check lines count from the file's first line (the rendered ids do).
        data = site.sessions_json(page.file.content_string, source, Path(page.file.abs_src_path or Path(config["docs_dir"], source)), _stores)
    except (OSError, ValueError) as error:  # the plugin reports the page's own problems
        log.info("%s: no playground sessions: %s", source, error)
        return
    if data is not None:
        _sessions[page.url] = data


def on_post_build(config) -> None:
    out = Path(config["site_dir"]) / site.SESSIONS
    for url, data in _sessions.items():
        site.write(out, url, data)
