"""Golden tests: tests/mkdocs/golden/<case>.md rendered → <case>.html.

Update with ``pytest tests/mkdocs --update-golden`` (or ISTIO_NOTEBOOK_UPDATE_GOLDEN=1) and review the diff.
"""

import os
from pathlib import Path

import pytest
from golden_render import render

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.md"))


@pytest.mark.parametrize("case", CASES)
def test_rendering_matches_golden(case, request):
    source = GOLDEN / f"{case}.md"
    html = render(source.read_text(encoding="utf-8"), f"golden/{case}.md", GOLDEN / "fixtures")
    expected = GOLDEN / f"{case}.html"
    if request.config.getoption("--update-golden") or os.environ.get("ISTIO_NOTEBOOK_UPDATE_GOLDEN"):
        expected.write_text(html, encoding="utf-8")
    assert expected.exists(), f"no golden file {expected}; run with --update-golden"
    assert html == expected.read_text(encoding="utf-8")


def test_verified_page_shows_badges_tabs_diagram_and_results():
    html = (GOLDEN / "verified.html").read_text(encoding="utf-8")
    assert html.count("inb-badge--verified") == 3  # two examples and the check block
    assert '<label for="__inb_1_2">図</label>' in html
    assert '<pre class="mermaid"><code>flowchart LR' in html
    assert "ヘッダー end-user = jason" in html  # the match block in the diagram, in Japanese
    assert html.count("inb-mark--pass") == 2 and "inb-mark--fail" not in html
    # Both claims say exactly what holds: the expectation is not repeated beside the result.
    assert html.count('<span class="inb-check__same">結果と同じ</span>') == 2 and "<td>→ reviews v1</td>" not in html
    # Each result leads with the outcome in Japanese: the header the matched rule looks at, the destination, the rule.
    assert '<span class="inb-check__sentence">end-user: jason なら reviews v2 へ（rule 0）</span>' in html


def test_error_page_shows_each_kind_of_badge_and_the_reasons():
    html = (GOLDEN / "errors.html").read_text(encoding="utf-8")
    for status in ("error", "expected-error", "unchecked"):
        assert f"inb-badge--{status}" in html
    assert "kubectl の出力" in html  # the unchecked reason
    assert "IST0101" in html and "IST0106" in html
    assert "expected reviews v2, got reviews v1 (rule 1 of default/reviews)" in html
    assert html.count("inb-mark--fail") == 2
    # A false claim keeps its expectation; the result says what happened in a sentence, then as a clause.
    assert ('<td>→ reviews v2</td><td><span class="inb-check__sentence">catch-all のルールで reviews v1 へ（rule 1）</span>'
            '<span class="inb-check__clauses">reviews v1</span></td>') in html
    assert "INB3012" in html  # the unreadable expectation "→ sometimes"


def test_without_a_current_page_fences_render_plain_code():
    # Without a current page (plugin disabled, another builder) the fence is plain highlighted code.
    md_html = render("```yaml\na: 1\n```\n", "x.md", GOLDEN / "fixtures")
    assert "inb-badge" in md_html  # with the page step
    import markdown

    plain = markdown.markdown("```yaml\na: 1\n```\n", extensions=["pymdownx.superfences"], extension_configs={"pymdownx.superfences": {"custom_fences": __import__("golden_render").FENCES}})
    assert "inb-badge" not in plain and "highlight" in plain


def test_examples_inside_content_tabs_and_admonitions_are_checked_and_rendered():
    html = (GOLDEN / "nested.html").read_text(encoding="utf-8")
    assert html.count("inb-badge--verified") == 3  # both YAML tabs and the check inside the note
    assert '<div class="admonition note">' in html and "チェック 1/1 成立" in html


def _two_checks(first: str, second: str) -> str:
    """A check block of two requests from the workloads of service accounts ``first`` and ``second``."""
    return "".join(
        f"# {name}\ncurl http://reviews:9080/{name}\n@source-principal cluster.local/ns/default/sa/{account}\n→ reviews v1\n\n"
        for name, account in (("one", first), ("two", second))
    ).join(["```check\n", "```\n\n"])


SHARED_CONTEXT = "---\nfixtures: [reviews]\n---\n" + _two_checks("jason", "jason") + _two_checks("jason", "bob")


def test_a_context_every_check_of_a_table_shares_is_said_once_above_it():
    html = render(SHARED_CONTEXT, "golden/shared.md", GOLDEN / "fixtures")
    first, second = html.split('<div class="inb-check-table">')[1:]
    assert first.count("source principal cluster.local/ns/default/sa/jason") == 1
    assert '<p class="inb-check__context inb-check__shared">どのリクエストも: source principal cluster.local/ns/default/sa/jason</p>' in first
    # Different contexts stay on their rows.
    assert "inb-check__shared" not in second and second.count('<small class="inb-check__context">') == 2
