"""The glossary page (docs/glossary.md) read as data: each term, its other names and a one-line summary.

The page is a Markdown definition list::

    サービスメッシュ（service mesh）
    :   サービス間の通信を……基盤。Istio はその実装の 1 つ。

The term line gives the names (before the full-width parenthesis, and the ones inside it, separated
by "、" or " / "); the first sentence of the definition, without Markdown, is the summary shown on hover.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# Parenthesised words that qualify the term rather than name it: "Sidecar（リソース）".
QUALIFIERS = frozenset({"リソース"})
SUMMARY_LIMIT = 140

_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SEE_ALSO = re.compile(r"\s*→\s*\[[^\]]*\]\(([^)#]*)[^)]*\)")
_NAME_SPLIT = re.compile(r"\s*(?:、|,|/)\s*")


@dataclass(frozen=True)
class Term:
    names: tuple[str, ...]  # the first is the headword
    summary: str
    anchor: str  # id of the term's <dt> on the glossary page
    page: str = ""  # the page about the term ("→ [...](page)" in its definition), relative to the glossary


def _plain(markdown: str) -> str:
    text = _SEE_ALSO.sub("", markdown)
    text = _LINK.sub(r"\1", text)
    return text.replace("`", "").replace("**", "").strip()


def _first_sentence(text: str) -> str:
    end = text.find("。")
    sentence = text[: end + 1] if end >= 0 else text
    return sentence if len(sentence) <= SUMMARY_LIMIT else sentence[: SUMMARY_LIMIT - 1] + "…"


def anchor_for(headword: str) -> str:
    return "term-" + re.sub(r"\s+", "-", headword.strip().lower())


def names_of(term_line: str) -> tuple[str, ...]:
    """``"mTLS（相互 TLS、mutual TLS）"`` → ``("mTLS", "相互 TLS", "mutual TLS")``."""
    head, _, rest = term_line.partition("（")
    names = [n for n in _NAME_SPLIT.split(head.strip()) if n]
    inside = rest.rsplit("）", 1)[0] if rest else ""
    names += [n for n in _NAME_SPLIT.split(inside) if n and n not in QUALIFIERS]
    return tuple(dict.fromkeys(names))


def parse(text: str) -> list[Term]:
    """Every ``term`` / ``:   definition`` pair of a definition-list page, in page order."""
    lines = text.splitlines()
    terms = []
    for i, line in enumerate(lines):
        if not line.startswith(":   ") or i == 0:
            continue
        term_line = lines[i - 1].strip()
        if not term_line or term_line.startswith(("#", ":", "-", "|")):
            continue
        body = [line[4:]]
        for follow in lines[i + 1 :]:
            if not follow.startswith("    "):
                break
            body.append(follow.strip())
        names = names_of(term_line)
        if names:
            definition = " ".join(body)
            see_also = _SEE_ALSO.search(definition)
            summary = _first_sentence(_plain(definition))
            terms.append(Term(names, summary, anchor_for(names[0]), see_also.group(1) if see_also else ""))
    return terms


@lru_cache(maxsize=4)
def _load(path: str, mtime_ns: int) -> tuple[Term, ...]:
    return tuple(parse(Path(path).read_text(encoding="utf-8")))


def load(path: Path) -> tuple[Term, ...]:
    """The terms of the glossary page at ``path`` (re-read when the file changes, as under `mkdocs serve`)."""
    return _load(str(path), path.stat().st_mtime_ns)
