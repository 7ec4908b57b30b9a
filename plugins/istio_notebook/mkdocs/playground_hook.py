"""MkDocs hook of the playground (試してみる): for each page with checks, the files and command
lines that its "試す" buttons open (istio_notebook.playground.sessions), written as
``assets/playground/sessions/<page URL>/session.json`` next to the engine. Rendering is untouched: the
buttons' script finds the check rows (``id="inb-check-<line>"``) that the site already renders.
Kept apart from the plugin so that the playground can be switched off by removing one line.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from istio_notebook.examples.find import read_page
from istio_notebook.examples.fixtures import FixtureStore, default_fixtures_dir
from istio_notebook.playground.sessions import page_sessions

log = logging.getLogger("mkdocs.plugins.istio_notebook.playground")
_sessions: dict[str, dict] = {}
_stores: dict[Path, FixtureStore] = {}


def on_pre_build(config) -> None:
    _sessions.clear()


def on_page_markdown(markdown: str, page, config, files) -> None:
    if "```check" not in markdown and "```yaml" not in markdown:
        return
    source = page.file.src_path.replace("\\", "/")
    directory = default_fixtures_dir(page.file.abs_src_path or Path(config["docs_dir"], source))
    store = _stores.setdefault(directory, FixtureStore(directory))
    try:
        # The file as written: MkDocs has already taken the front matter (fixtures:) off ``markdown``,
        # and check lines count from the file's first line (the rendered ids do).
        sessions = page_sessions(read_page(page.file.content_string, f"docs/{source}"), store, page.url)
    except (OSError, ValueError) as error:  # the plugin reports the page's own problems
        log.info("%s: no playground sessions: %s", source, error)
        return
    if sessions.checks or any(e["scenario"] is not None for e in sessions.examples):
        _sessions[page.url] = sessions.to_json()


def on_post_build(config) -> None:
    out = Path(config["site_dir"], "assets", "playground", "sessions")
    for url, data in _sessions.items():
        target = out / url / "session.json"  # "traffic/cors/" → sessions/traffic/cors/session.json
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
