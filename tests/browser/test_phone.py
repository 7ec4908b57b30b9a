"""The site on a phone (issue 18): at 390×844 nothing is cut off at the right edge on any kind of
page, and check results read as cards with their ✔ in view instead of a table that scrolls sideways.

The detector (overflow.py) is tested on the real page with something made to overflow, so a
passing run means the pages fit, not that the detector sees nothing.
"""

from __future__ import annotations

import overflow
import pytest

# One page of each kind a reader opens, by the path the site serves it under.
PAGE_KINDS = {
    "home": "",
    "traffic page with tabs, diagrams and checks": "traffic/virtual-service/",
    "traffic page with a comparison table": "traffic/destination-rule/",
    "security page with authorization checks": "security/authorization/",
    "concept page with wide tables": "concepts/envoy-mapping/",
    "troubleshooting": "operations/troubleshooting/",
    "lab index": "labs/",
    "lab page": "labs/request-routing/",
    "diagnostics reference": "reference/diagnostics/",
    "command-line reference": "reference/cli/",
    "playground": "playground/",
    "glossary": "glossary/",
    "contributor page": "contributing/syntax/",
    "coverage report": "reports/coverage/",
}


@pytest.mark.parametrize("path", list(PAGE_KINDS.values()), ids=list(PAGE_KINDS))
def test_nothing_is_cut_off_at_the_right_edge_of_a_phone(open_session, path) -> None:
    session = open_session("phone")
    page = session.open(path)
    assert page.evaluate("() => document.documentElement.clientWidth") == 390
    assert overflow.spills(page) == []
    assert overflow.check_spills(page) == []
    assert session.errors == []


def test_every_tab_of_an_example_fits_a_phone(open_session) -> None:
    # An example with an Envoy tab (a long dump) and a deliberately wrong one (its 診断 tab).
    session = open_session("phone")
    page = session.open("traffic/virtual-service/")
    seen = set()
    for example in (page.locator(".inb-example:has(.inb-envoy)").first, page.locator(".inb-example--expected-error").first):
        example.scroll_into_view_if_needed()  # drawn once near the screen (test_page_work.py)
        labels = example.locator(":scope > .tabbed-set > .tabbed-labels > label")
        for label in labels.all():
            name = label.text_content().strip()
            if name == "図":
                continue  # a diagram is drawn at its own size and scrolls in its box
            label.click()
            seen.add(name)
            assert overflow.spills(page) == [], name
    assert {"YAML", "Envoy", "診断"} <= seen
    assert session.errors == []


def test_checks_are_cards_with_the_outcome_in_view(open_session) -> None:
    session = open_session("phone")
    page = session.open("security/authorization/")
    row = page.locator(".inb-check-table tbody tr >> visible=true").first
    assert row.evaluate("r => getComputedStyle(r).display") == "block"  # a card, not a table row
    assert page.locator(".inb-check-table thead >> visible=true").count() == 0
    mark = row.locator(".inb-mark").bounding_box()
    card = row.bounding_box()
    assert mark["y"] < card["y"] + 30  # the ✔ sits at the card's top, beside the request
    label = "cell => getComputedStyle(cell, '::before').content"
    # The expectation is shown only where it differs from the result ("ALLOW" vs "ALLOW by <policy>").
    differs = page.locator(".inb-check-table tr:not(.inb-check--same) >> visible=true").first
    assert [differs.locator("td").nth(i).evaluate(label) for i in (1, 2)] == ['"期待 "', '"結果 "']
    same = page.locator(".inb-check-table tr.inb-check--same >> visible=true").first
    assert not same.locator("td").nth(1).is_visible() and same.locator("td").nth(2).evaluate(label) == '"結果 "'
    session.screenshot("authorization-checks-phone", element=page.locator(".inb-check-table >> visible=true").first)
    assert session.errors == []


def test_a_check_card_says_its_outcome_in_a_japanese_sentence(open_session) -> None:
    # examples/sentence.py: the header the matched rule looks at, the destination, the rule
    # (istio.io request-routing: end-user jason goes to v2 by the first rule).
    session = open_session("phone")
    page = session.open("traffic/virtual-service/")
    row = page.locator(".inb-check-table tr:has(.inb-check__sentence:text-is('end-user: jason なら reviews v2 へ（rule 0）')) >> visible=true").first
    sentence, clauses, card = (row.locator(".inb-check__sentence").bounding_box(), row.locator(".inb-check__clauses").bounding_box(),
                               row.bounding_box())
    assert card["x"] <= sentence["x"] and sentence["x"] + sentence["width"] <= card["x"] + card["width"]  # inside the card
    assert sentence["y"] < clauses["y"]  # the sentence first, the compared clauses under it
    size = row.locator(".inb-check__sentence").evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
    assert size >= 11
    session.screenshot("check-sentence-phone", element=row)
    assert session.errors == []


def test_the_detectors_see_what_does_not_fit(open_session) -> None:
    session = open_session("phone")
    page = session.open("traffic/virtual-service/")
    assert overflow.spills(page) == [] and overflow.check_spills(page) == []
    page.evaluate("""() => {
      const wide = document.createElement("p");
      wide.className = "too-wide";
      wide.style.width = "600px";
      wide.textContent = "wide";
      document.querySelector("article").appendChild(wide);
    }""")
    assert any(found.startswith("p.too-wide right=") for found in overflow.spills(page))
    # A check table that scrolls sideways (as the plain table did before the cards).
    page.evaluate("""() => {
      const rows = document.querySelector(".inb-check-table tbody");
      const cell = rows.querySelector("td code");
      cell.style.whiteSpace = "nowrap";
      cell.style.wordBreak = "normal";
      cell.style.overflowWrap = "normal";
      cell.textContent = "curl http://reviews:9080/" + "x".repeat(120);
      rows.closest("table").style.overflowX = "auto";
    }""")
    assert any(found.startswith("scrolls ") for found in overflow.check_spills(page))
