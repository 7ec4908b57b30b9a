"""MkDocs hooks (mkdocs.yml ``hooks:``) that make Material's search rank what a reader looks for.

- Aliases: a page the glossary points to ("→ [VirtualService](traffic/virtual-service.md)") gets the
  term's names, Japanese ones included, as search tags, which Material's search boosts far above text
  (``fields.tags``): 仮想サービス finds the VirtualService page first. The glossary is their one home.
- YAML blocks are left out of the index (``data-search-exclude``, which Material's indexer honours):
  generated-looking YAML was most of the indexed text and pulled pages up for common words.
Contributor pages and reports are ranked low or left out in their own front matter (``search:``).
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.pages import Page

from istio_notebook.reading import glossary

GLOSSARY_PAGE = "glossary.md"
# A highlighted block whose code has YAML (or JSON) keys: Pygments marks them Name.Tag ("nt"). The example
# fences render without a language class, so the tokens are what tells a YAML block from a shell block.
_YAML_BLOCK = re.compile(r'<div class="(?:language-[\w-]+ )?highlight"(?=(?:(?!</pre>).)*?<span class="nt">)', re.DOTALL)


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
    return _YAML_BLOCK.sub(lambda m: m.group(0) + " data-search-exclude", html)
