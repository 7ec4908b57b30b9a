"""Glossary linking (istio_notebook.reading.terms): which words are terms, and one matcher per build.

The matcher's branches start with the name's first character and check the character before it
afterwards (a layout Python's ``re`` can search quickly); these tests pin that the boundaries are
the documented ones: not inside a longer ASCII word (nor after ``-./|``), not inside a longer
katakana word, the longest name first.
"""

from __future__ import annotations

import markdown

from istio_notebook.reading.glossary import Term
from istio_notebook.reading.terms import pattern

TERMS = (
    Term(("Gateway", "ゲートウェイ"), "Gateway の説明。", "term-gateway"),
    Term(("Ingress Gateway",), "Ingress Gateway の説明。", "term-ingress-gateway"),
    Term(("サイドカー", "sidecar"), "サイドカーの説明。", "term-サイドカー"),
)


def found(text: str) -> list[tuple[int, str]]:
    regex, _ = pattern(TERMS)
    return [(m.start(), m.group(0)) for m in regex.finditer(text)]


def test_the_longest_name_wins_and_a_name_at_the_start_of_the_text_matches() -> None:
    assert found("Ingress Gateway と Gateway") == [(0, "Ingress Gateway"), (18, "Gateway")]
    assert found("Gateway") == [(0, "Gateway")]


def test_an_ascii_name_does_not_match_inside_a_longer_word_or_a_path() -> None:
    for text in ("MyGateway", "Gateways", "my-Gateway", "api.Gateway", "a|Gateway", "Gateway-api", "x_Gateway", "9Gateway"):
        assert found(text) == [], text
    assert found("「Gateway」と (Gateway)") == [(1, "Gateway"), (12, "Gateway")]


def test_a_katakana_name_does_not_match_inside_a_longer_katakana_word() -> None:
    assert found("サイドカーコンテナ") == []
    assert found("エサイドカー") == []
    assert found("各サイドカーは") == [(1, "サイドカー")]
    assert found("ゲートウェイとサイドカー") == [(0, "ゲートウェイ"), (7, "サイドカー")]


def test_one_compiled_matcher_serves_every_page_with_the_same_terms() -> None:
    assert pattern(TERMS) is pattern(tuple(TERMS))
    assert pattern(TERMS[:2]) is not pattern(TERMS)


def test_first_use_on_a_page_becomes_an_abbreviation_without_a_builder(tmp_path) -> None:
    glossary = tmp_path / "glossary.md"
    glossary.write_text("サイドカー（sidecar）\n:   Pod で動く補助コンテナ。詳しくは後述。\n", encoding="utf-8")
    html = markdown.markdown(
        "各サイドカーと sidecar、もう一度サイドカー。`サイドカー`",
        extensions=["def_list", "istio_notebook.reading.terms"],
        extension_configs={"istio_notebook.reading.terms": {"glossary": str(glossary)}},
    )
    assert html.count('<abbr title="Pod で動く補助コンテナ。">') == 1
    assert "各<abbr" in html and "<code>サイドカー</code>" in html
