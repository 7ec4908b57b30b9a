"""Japanese and English words or numbers are separated by a half-width space (docs/contributing/style.md).

The site writes 「Egress Gateway を」「2 回」「Istio 1.30 以降」, never 「Egress Gatewayを」「2回」.
Checked on the same prose as the banned spellings (code spans, URLs and HTML removed; in fences
only comments), so identifiers and commands are free to run together.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .test_style import ROOT, pages, prose_lines

_JAPANESE = "ぁ-ゖァ-ヺー一-龯"
_TOUCHING = re.compile(rf"[{_JAPANESE}][A-Za-z0-9]|[A-Za-z0-9][{_JAPANESE}]")
_CODE_SPAN = re.compile(r"`+[^`\n]*`+")
_HTML = re.compile(r"<[^>\n]+>")


def touching(path: Path, root: Path = ROOT) -> list[str]:
    """Places where a Japanese character and a Latin letter or digit meet without a space."""
    text = _CODE_SPAN.sub(" X ", path.read_text(encoding="utf-8"))
    lines = enumerate(text.splitlines(), start=1) if path.suffix == ".yaml" else prose_lines(text)
    found = []
    for number, line in lines:
        for match in _TOUCHING.finditer(_HTML.sub(" ", line)):
            found.append(f"{path.relative_to(root)}:{number}: 「{match.group(0)}」 needs a half-width space")
    return found


def test_touching_words_are_reported_and_spaced_ones_pass(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("Egress Gatewayを使い、2回リトライします。\nEgress Gateway を使い、2 回、`x`を見ます。\n", encoding="utf-8")
    assert touching(page, root=tmp_path) == [
        "page.md:1: 「yを」 needs a half-width space",
        "page.md:1: 「2回」 needs a half-width space",
    ]


@pytest.mark.parametrize("path", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_spaces_japanese_from_english_and_numbers(path):
    found = touching(path)
    assert not found, "\n".join(found)
