"""The playground's per-page files in a built site: ``assets/playground/sessions/<page URL>/session.json``
(what a page's "試す" buttons open, playground/sessions.py), written by either side:

- tools/playground/assets.py, for every page of docs/, before any builder runs (./dev build,
  ./dev build --zensical, ./dev serve): Zensical runs the Markdown extension but no MkDocs hooks,
  so its site gets them this way, copied from docs/assets/playground/ like the engine's files;
- the MkDocs hook (mkdocs/playground_hook.py), from the pages as MkDocs read them, so that
  ``mkdocs serve`` keeps them in step with each edit.
The page URL is MkDocs' (and Zensical's) directory URL: ``traffic/cors.md`` → ``traffic/cors/``.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath

from istio_notebook.examples.find import read_page
from istio_notebook.examples.fixtures import FixtureStore, default_fixtures_dir
from istio_notebook.playground.sessions import page_sessions

SESSIONS = Path("assets", "playground", "sessions")  # under the site's root


def page_url(src_path: str) -> str:
    """The directory URL of docs page ``src_path`` (relative to docs/), as MkDocs builds it."""
    path = PurePosixPath(src_path.replace("\\", "/"))
    folder = path.parent if path.stem in ("index", "README") else path.with_suffix("")
    return "" if str(folder) == "." else f"{folder}/"


def sessions_json(text: str, src_path: str, abs_path: Path, stores: dict[Path, FixtureStore]) -> dict | None:
    """The session JSON of the page with Markdown ``text`` (front matter included), or None when it
    has nothing to try. ``stores``: fixture stores by folder, kept across pages."""
    if "```check" not in text and "```yaml" not in text:
        return None
    directory = default_fixtures_dir(abs_path)
    store = stores.setdefault(directory, FixtureStore(directory))
    sessions = page_sessions(read_page(text, f"docs/{src_path}"), store, page_url(src_path))
    if sessions.checks or any(e["scenario"] is not None for e in sessions.examples):
        return sessions.to_json()
    return None


def write(out: Path, url: str, data: dict) -> None:
    """``out``: the folder of the sessions (``<site>/assets/playground/sessions``)."""
    target = out / url / "session.json"  # "traffic/cors/" → sessions/traffic/cors/session.json
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def write_all(docs: Path, out: Path) -> tuple[int, list[str]]:
    """Every page of ``docs`` with something to try, written under ``out``: (pages written,
    problems as ``docs/x.md: reason``; the site's build reports each page's own problems)."""
    stores: dict[Path, FixtureStore] = {}
    written, problems = 0, []
    for path in sorted(docs.rglob("*.md")):
        src = path.relative_to(docs).as_posix()
        try:
            data = sessions_json(path.read_text(encoding="utf-8"), src, path, stores)
        except (OSError, ValueError) as error:
            problems.append(f"docs/{src}: {error}")
            continue
        if data is not None:
            write(out, page_url(src), data)
            written += 1
    return written, problems
