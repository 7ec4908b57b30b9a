"""The Japanese style guide's banned spellings (docs/contributing/style.md) appear in no page.

The terms table of the style guide is the single source: each row gives the spellings to use and
the spellings not to use. A page fails when, after removing code, URLs and the preferred
spellings, a banned spelling is left; the failure names file:line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "contributing" / "style.md"
TABLE_HEADER = "| 概念（英語） | 使う表記 | 使わない表記 |"

# Other words that contain a banned spelling (間に合う contains に合う).
ALLOWED = ("間に合う", "間に合わ", "組み合わ", "試合", "似合う", "フィルタリング")

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_SPAN = re.compile(r"`+[^`]*`+")
_URL = re.compile(r"\]\([^)]*\)|https?://\S+")


@dataclass(frozen=True)
class Term:
    preferred: tuple[str, ...]
    banned: tuple[str, ...]


def terms() -> list[Term]:
    lines = GUIDE.read_text(encoding="utf-8").splitlines()
    start = lines.index(TABLE_HEADER) + 2
    out = []
    for line in lines[start:]:
        if not line.startswith("|"):
            break
        _, preferred, banned = (c.strip() for c in line.strip("|").split("|"))
        out.append(
            Term(
                preferred=tuple(p.strip() for p in preferred.split("、") if p.strip() and "（" not in p),
                banned=tuple(re.findall(r"`([^`]+)`", banned)),
            )
        )
    return out


def pages() -> list[Path]:
    docs = [p for p in (ROOT / "docs").rglob("*.md") if p != GUIDE]
    labs = [p for p in (ROOT / "labs").rglob("*") if p.suffix in (".yaml", ".markdown", ".md")]
    return sorted(docs + labs)


def prose_lines(text: str) -> list[tuple[int, str]]:
    """Lines with inline code and URLs removed. In fenced blocks only comments are prose (readers
    read them; the rest is code)."""
    out, in_fence = [], False
    for number, line in enumerate(text.splitlines(), start=1):
        if _FENCE.match(line):
            in_fence = not in_fence
            continue
        if in_fence:
            line = line.split("#", 1)[1] if "#" in line else ""
        out.append((number, _URL.sub("", _CODE_SPAN.sub("", line))))
    return out


def violations(path: Path, table: list[Term], root: Path = ROOT) -> list[str]:
    """Banned spellings in a page. A lab's YAML file is prose throughout (titles, descriptions and
    comments are shown on its generated page), a Markdown page outside code."""
    found = []
    text = path.read_text(encoding="utf-8")
    lines = enumerate(text.splitlines(), start=1) if path.suffix == ".yaml" else prose_lines(text)
    for number, line in lines:
        for word in ALLOWED:
            line = line.replace(word, "")
        for term in table:
            rest = line
            for word in term.preferred:
                rest = rest.replace(word, "")
            for word in term.banned:
                if word in rest:
                    found.append(f"{path.relative_to(root)}:{number}: 「{word}」 (style guide: {'、'.join(term.preferred) or 'do not write'})")
    return found


def test_guide_table_is_read():
    table = terms()
    assert len(table) >= 10
    assert any("元のノート" in t.banned for t in table)
    assert any("テレメトリー" in t.preferred and "テレメトリ" in t.banned for t in table)


def test_a_banned_spelling_is_reported_with_its_line(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# 見出し\n\nテレメトリーの設定です。\nクラスタ名と `テレメトリ` を確かめます。\n", encoding="utf-8")
    found = violations(page, terms(), root=tmp_path)
    assert found == [
        "page.md:4: 「確かめ」 (style guide: 確認する)",
        "page.md:4: 「クラスタ」 (style guide: サーバー、ヘッダー、ユーザー、フィルター、クラスター、リスナー)",
    ]


def test_in_markdown_fences_only_comments_are_prose(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("```yaml\nmode: テレメトリ\n# エグレスの例\n```\n", encoding="utf-8")
    found = violations(page, terms(), root=tmp_path)
    assert found == ["page.md:3: 「エグレス」 (style guide: Egress、Egress Gateway)"]


def test_lab_yaml_is_prose_throughout(tmp_path):
    page = tmp_path / "lab.yaml"
    page.write_text("description: ambient モードの例\n", encoding="utf-8")
    found = violations(page, terms(), root=tmp_path)
    assert found == ["lab.yaml:1: 「ambient モード」 (style guide: アンビエントモード)"]


@pytest.mark.parametrize("path", pages(), ids=lambda p: str(p.relative_to(ROOT)))
def test_page_has_no_banned_spelling(path):
    found = violations(path, terms())
    assert not found, "\n".join(found)
