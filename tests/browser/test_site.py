"""What a reader sees in a real browser: the home page, Japanese search, diagrams, badges, checks."""

from __future__ import annotations

import pytest

# Pages the tests look at, by the path the site serves them under.
HOME = ""
VIRTUAL_SERVICE = "traffic/virtual-service/"
FAULT_INJECTION = "traffic/fault-injection/"


def test_home_page_renders_without_console_errors(session) -> None:
    page = session.open(HOME)
    assert "Istio Notebook" in page.title()
    assert page.locator("article h1").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    session.screenshot("home")
    assert session.errors == []


@pytest.mark.parametrize(
    ("query", "expected_page"),
    [
        ("仮想サービス", VIRTUAL_SERVICE),  # Japanese term, found through the ja segmenter
        ("フォールト", FAULT_INJECTION),  # katakana word inside フォールトインジェクション
        ("VirtualService", VIRTUAL_SERVICE),  # English resource name
    ],
)
def test_japanese_search_finds_the_page(session, query: str, expected_page: str) -> None:
    page = session.open(HOME)
    page.locator("label.md-header__button[for='__search']").first.click()
    page.locator("input.md-search__input").fill(query)
    results = page.locator(".md-search-result__item > a")
    results.first.wait_for(timeout=10_000)
    top = [results.nth(i).get_attribute("href") or "" for i in range(min(results.count(), 3))]
    session.screenshot(f"search-{expected_page.strip('/').replace('/', '-')}-{len(query)}")
    assert any(expected_page in href for href in top), f"{query!r}: top results {top}"
    assert session.errors == []


def test_routing_diagram_renders_as_svg(session) -> None:
    page = session.open(VIRTUAL_SERVICE)
    diagram = page.locator("div.mermaid svg").first
    diagram.wait_for(timeout=15_000)
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 50
    # The diagram is about routing: it names at least one destination host.
    assert "reviews" in diagram.inner_html() or "productpage" in diagram.inner_html()
    session.screenshot("virtual-service")
    assert session.errors == []
