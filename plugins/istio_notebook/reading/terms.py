"""Python-Markdown extension: the first use of each glossary term on a page links to its entry and
explains it on hover (the link's title, shown by Material's content.tooltips).

Configured in mkdocs.yml (``istio_notebook.reading.terms: {glossary: docs/glossary.md}``); runs under
any builder that runs Python-Markdown extensions. The link is relative to the page (as the builder
tells, ``markdown.source``; MkDocs then checks it); without a builder the term becomes an ``<abbr>``
with the same explanation. On the glossary page itself each term's ``<dt>`` gets the id links point to.
Text in code, links, headings and abbreviations is left alone.
"""

from __future__ import annotations

import logging
import posixpath
import re
import xml.etree.ElementTree as etree
from functools import lru_cache
from pathlib import Path

from markdown import Extension, Markdown
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString

from istio_notebook.markdown.source import docs_path, page_source
from istio_notebook.reading import glossary
from istio_notebook.reading.glossary import Term

log = logging.getLogger("mkdocs.plugins.istio_notebook")

SKIP = frozenset({"a", "abbr", "code", "pre", "kbd", "script", "style", "dt", "h1", "h2", "h3", "h4", "h5", "h6"})
_ASCII = "A-Za-z0-9_"
_KATAKANA = "\u30a0-\u30ff"


def _bounded(name: str) -> str:
    """``name`` as a pattern that does not match inside a longer word of the same script.

    The word-boundary look-behind comes after the name's first character (``G(?<![A-Z…].)ateway``,
    the same condition on the character before the name): an alternation whose branches all start
    with a literal lets Python's ``re`` skip ahead to the positions where one of those characters
    occurs, instead of trying every branch at every position (20× faster on the site's pages).
    """
    before = after = ""
    if re.match(f"[{_ASCII}]", name[0]):
        before = rf"(?<![{_ASCII}\-./|].)"
    elif re.match(f"[{_KATAKANA}]", name[0]):
        before = f"(?<![{_KATAKANA}].)"
    if re.match(f"[{_ASCII}]", name[-1]):
        after = rf"(?![{_ASCII}\-|])"
    elif re.match(f"[{_KATAKANA}]", name[-1]):
        after = f"(?![{_KATAKANA}])"
    return re.escape(name[0]) + before + re.escape(name[1:]) + after


@lru_cache(maxsize=64)
def pattern(terms: tuple[Term, ...]) -> tuple[re.Pattern[str], dict[str, Term]]:
    """One compiled matcher per set of terms, for the whole build (pages differ only by their own term)."""
    by_name = {name: term for term in terms for name in term.names}
    names = sorted(by_name, key=len, reverse=True)  # "Ingress Gateway" before "Gateway"
    return re.compile("|".join(_bounded(n) for n in names)), by_name


class TermsTreeprocessor(Treeprocessor):
    def __init__(self, md: Markdown, glossary_file: Path, glossary_page: str):
        super().__init__(md)
        self.glossary_file = glossary_file
        self.glossary_page = glossary_page

    def run(self, root: etree.Element) -> None:
        try:
            terms = glossary.load(self.glossary_file)
        except OSError as error:
            log.warning("%s: cannot read the glossary: %s", self.glossary_file, error)
            return
        page = self._page()
        if page == self.glossary_page:
            self._mark_entries(root, terms)
            return
        # A term is not linked on its own page (VirtualService on the VirtualService page).
        here = posixpath.normpath(posixpath.relpath(page, posixpath.dirname(self.glossary_page) or ".")) if page else ""
        regex, by_name = pattern(tuple(t for t in terms if not t.page or posixpath.normpath(t.page) != here))
        link = posixpath.relpath(self.glossary_page, posixpath.dirname(page) or ".") if page is not None else None
        _Linker(regex, by_name, link).walk(root)

    def _page(self) -> str | None:
        """The page being rendered, docs-relative, as the builder (MkDocs or Zensical) tells."""
        source = page_source(self.md)
        return docs_path(source) if source is not None else None

    def _mark_entries(self, root: etree.Element, terms: tuple[Term, ...]) -> None:
        anchors = {term.names[0]: term.anchor for term in terms}
        for dt in root.iter("dt"):
            text = "".join(dt.itertext()).strip()
            headword = glossary.names_of(text)[0] if text else ""
            if headword in anchors and "id" not in dt.attrib:
                dt.set("id", anchors[headword])


class _Linker:
    def __init__(self, regex: re.Pattern[str], by_name: dict[str, Term], link: str | None):
        self.regex, self.by_name, self.link = regex, by_name, link
        self.seen: set[str] = set()

    def walk(self, el: etree.Element) -> None:
        if el.text and not isinstance(el.text, AtomicString):
            pieces = self._split(el.text)
            if len(pieces) > 1:
                el.text = pieces[0]
                for offset, node in enumerate(pieces[1:]):
                    el.insert(offset, node)
        for child in list(el):
            if child.tag not in SKIP and "admonition-title" not in child.get("class", ""):
                self.walk(child)
            if child.tail and not isinstance(child.tail, AtomicString):
                pieces = self._split(child.tail)
                if len(pieces) > 1:
                    child.tail = pieces[0]
                    at = list(el).index(child) + 1
                    for offset, node in enumerate(pieces[1:]):
                        el.insert(at + offset, node)

    def _split(self, text: str) -> list:
        """``[leading text, element (with its tail), element, ...]`` for the first uses in ``text``."""
        pieces: list = [""]
        last = 0
        for match in self.regex.finditer(text):
            term = self.by_name[match.group(0)]
            if term.anchor in self.seen:
                continue
            self.seen.add(term.anchor)
            before = text[last : match.start()]
            if len(pieces) == 1:
                pieces[0] += before
            else:
                pieces[-1].tail = (pieces[-1].tail or "") + before
            pieces.append(self._element(match.group(0), term))
            last = match.end()
        if len(pieces) == 1:
            return [text]
        pieces[-1].tail = text[last:]
        return pieces

    def _element(self, text: str, term: Term) -> etree.Element:
        if self.link is None:
            node = etree.Element("abbr", {"title": term.summary})
        else:
            node = etree.Element("a", {"href": f"{self.link}#{term.anchor}", "class": "inb-term", "title": term.summary})
        node.text = AtomicString(text)
        return node


class TermsExtension(Extension):
    def __init__(self, **kwargs):
        self.config = {
            "glossary": ["docs/glossary.md", "The glossary page's file (relative to the working directory)"],
            "page": ["glossary.md", "The glossary page, relative to docs_dir (the links' target)"],
        }
        super().__init__(**kwargs)

    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 - Python-Markdown's API
        processor = TermsTreeprocessor(md, Path(self.getConfig("glossary")), self.getConfig("page"))
        # After inline parsing (20) and attr_list (8); before MkDocs collects anchors (5, so the glossary's ids count) and resolves links ("relpath", 0).
        md.treeprocessors.register(processor, "istio_notebook_terms", 6)


def makeExtension(**kwargs) -> TermsExtension:  # noqa: N802 - Python-Markdown's entry point
    return TermsExtension(**kwargs)
