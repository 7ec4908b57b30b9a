"""Which page a Markdown instance is rendering, asked of the builder that created it.

A Python-Markdown extension sees only the page's Markdown, without its front matter (which
names the fixtures) and with shifted lines. Both builders attach the page to the Markdown
instance, so the extension reads the source file as written:

- MkDocs (``mkdocs.structure.pages.Page.render``) registers a ``relpath`` treeprocessor holding
  the page's ``File`` and the ``MkDocsConfig``;
- Zensical (``zensical.markdown.render``) registers a ``rendering_context`` preprocessor holding
  the page (``path`` relative to ``docs_dir``) and the configuration (``root_dir``, ``docs_dir``),
  as its own extensions (``zensical.extensions.context``) look it up.

Duck-typed, so that this package imports neither builder.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PageSource:
    text: str  # the file as written, front matter included
    display: str  # its path as messages show it, relative to root: "docs/traffic/x.md"
    root: Path  # the project (the directory of mkdocs.yml)
    docs_dir: Path


def page_source(md, given: PageSource | None = None) -> PageSource | None:
    """The page ``md`` renders, or None when no builder says (a plain ``markdown.markdown`` call).

    ``given``: the extension's ``page`` option, for a caller that renders one page itself.
    """
    return given or _mkdocs(md) or _zensical(md)


def _mkdocs(md) -> PageSource | None:
    processor = md.treeprocessors["relpath"] if "relpath" in md.treeprocessors else None
    file, config = getattr(processor, "file", None), getattr(processor, "config", None)
    if file is None or config is None or not getattr(file, "abs_src_path", None):
        return None
    root = Path(config.config_file_path).resolve().parent if getattr(config, "config_file_path", None) else Path.cwd()
    return PageSource(file.content_string, _display(Path(file.abs_src_path), root), root, Path(config.docs_dir))


def _zensical(md) -> PageSource | None:
    processor = md.preprocessors["rendering_context"] if "rendering_context" in md.preprocessors else None
    page, config = getattr(processor, "page", None), getattr(processor, "config", None)
    if page is None or not isinstance(config, dict) or not getattr(page, "path", None):
        return None
    root = Path(config.get("root_dir") or Path.cwd()).resolve()
    docs_dir = root / str(config.get("docs_dir") or "docs")
    path = docs_dir / page.path
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    return PageSource(text, _display(path, root), root, docs_dir)


def docs_path(source: PageSource) -> str | None:
    """The page relative to docs_dir ("traffic/x.md"), or None when it lies outside."""
    try:
        return (source.root / source.display).resolve().relative_to(source.docs_dir.resolve()).as_posix()
    except ValueError:
        return None


def site_root(page: str) -> str:
    """The relative URL from the page's address back to the site's root ("../../" for traffic/x.md).

    Both builders give each page its own directory (MkDocs' use_directory_urls, Zensical's
    default): ``x/y.md`` is served at ``x/y/``, ``x/index.md`` at ``x/``. HTML that is attached
    after the builder rewrote the page's links (the panels) has to carry its links this way.
    """
    parts = page.split("/")
    own_dir = 0 if parts[-1] in ("index.md", "README.md") else 1
    return "../" * (len(parts) - 1 + own_dir)


def _display(path: Path, root: Path) -> str:
    try:
        return os.path.relpath(path, root)
    except ValueError:
        return str(path)
