"""MkDocs hooks (mkdocs.yml ``hooks:``) that make Material's search rank what a reader looks for.

- Aliases: a page the glossary points to ("→ [VirtualService](traffic/virtual-service.md)") gets the
  term's names, Japanese ones included, as search tags, which Material's search boosts far above text
  (``fields.tags``): 仮想サービス finds the VirtualService page first. The glossary is their one home.
- Code blocks are left out of the index (``data-search-exclude``, which Material's indexer honours):
  YAML was 42% of the indexed text and pulled pages up for common words, and the index is what a
  reader's first search downloads (benchmarks/page_weight.py; search-on-demand.js defers it). Field names stay findable through the prose's inline code.
- The index is rewritten as UTF-8 rather than ASCII escapes (``\u30b5`` is 6 bytes, サ is 3): the same
  JSON, a third smaller, downloaded whole by the first search. Its text loses the markup the indexer keeps
  (``<code>``, ``<p>``, list items: 66 kB of 609 kB); results then show plain text, the same words.
Contributor pages and reports are ranked low or left out in their own front matter (``search:``).
"""

from __future__ import annotations

import json
import posixpath
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from istio_notebook.reading import glossary

GLOSSARY_PAGE = "glossary.md"
# Every highlighted code block (YAML examples, checks, shell and Python listings); inline code stays.
_CODE_BLOCK = re.compile(r'<div class="(?:language-[\w-]+ )?highlight"')


def aliases(config: MkDocsConfig) -> dict[str, list[str]]:
    """Docs-relative page → the names of the glossary terms that point to it."""
    path = Path(config.docs_dir) / GLOSSARY_PAGE
    if not path.is_file():
        return {}
    found: dict[str, list[str]] = {}
    for term in glossary.load(path):
        if term.page:
            target = posixpath.normpath(posixpath.join(posixpath.dirname(GLOSSARY_PAGE), term.page))
            found.setdefault(target, []).extend(term.names)
    return found


def on_page_markdown(markdown: str, *, page: Page, config: MkDocsConfig, files: object) -> str | None:
    names = aliases(config).get(page.file.src_uri)
    if names:
        tags = page.meta.get("tags") if isinstance(page.meta.get("tags"), list) else []
        page.meta["tags"] = list(dict.fromkeys([*tags, *names]))
    return None


def on_page_content(html: str, *, page: Page, config: MkDocsConfig, files: object) -> str | None:
    return _CODE_BLOCK.sub(lambda m: m.group(0) + " data-search-exclude", html)


def on_post_build(*, config: MkDocsConfig) -> None:
    """Runs after the search plugin's (hooks come after plugins), on the index it wrote."""
    path = Path(config.site_dir) / "search" / "search_index.json"
    if path.is_file():
        data = json.loads(path.read_text(encoding="utf-8"))
        for doc in data.get("docs", []):
            if isinstance(doc.get("text"), str):
                doc["text"] = plain_text(doc["text"])
        path.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


_INLINE = re.compile(r"</?code>")
_BLOCK = re.compile(r"(?:\s*</?(?:p|li|ul|ol)>\s*)+")


def plain_text(text: str) -> str:
    """Indexed text without its markup: inline code joins its sentence, blocks are separated by a space."""
    return _BLOCK.sub(" ", _INLINE.sub("", text)).strip()
