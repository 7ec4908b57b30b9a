"""What a reader sees in a real browser: the home page, Japanese search, diagrams, badges, checks."""

from __future__ import annotations

import time

import pytest

# Pages the tests look at, by the path the site serves them under.
HOME = ""
VIRTUAL_SERVICE = "traffic/virtual-service/"
FAULT_INJECTION = "traffic/fault-injection/"

# The only third party the site may call: Material's repository widget (stars/forks).
# Fonts and Mermaid are served from the site itself, so readers offline see everything.
ALLOWED_EXTERNAL_HOSTS = {"api.github.com"}


def test_home_page_renders_without_console_errors(session) -> None:
    page = session.open(HOME)
    assert "Istio Notebook" in page.title()
    assert page.locator("article h1").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    session.screenshot("home")
    assert session.errors == []
    assert session.external_hosts <= ALLOWED_EXTERNAL_HOSTS


def search_for(page, query: str, timeout_s: float = 20.0):
    """Type into Material's search box until the worker (which builds the index after load) answers."""
    search = page.locator("input.md-search__input")
    search.click()
    search.fill(query)
    results = page.locator(".md-search-result__item > a")
    deadline = time.monotonic() + timeout_s
    while results.count() == 0 and time.monotonic() < deadline:
        # Queries typed before the index is ready are dropped: ask again on the next key event.
        search.dispatch_event("keyup")
        page.wait_for_timeout(250)
    return results


@pytest.mark.parametrize(
    ("query", "expected_page"),
    [
        ("仮想サービス", VIRTUAL_SERVICE),  # Japanese term, found through the ja segmenter
        ("フォールト", FAULT_INJECTION),  # katakana word inside フォールトインジェクション
        ("VirtualService", VIRTUAL_SERVICE),  # English resource name
    ],
    ids=["japanese-term", "katakana-prefix", "english-kind"],
)
def test_japanese_search_finds_the_page(session, query: str, expected_page: str) -> None:
    page = session.open(HOME)
    results = search_for(page, query)
    top = [results.nth(i).get_attribute("href") or "" for i in range(min(results.count(), 3))]
    session.screenshot(f"search-{expected_page.strip('/').replace('/', '-')}-{len(query)}")
    assert any(expected_page in href for href in top), f"{query!r}: top results {top}"
    assert session.errors == []


def test_routing_diagram_renders_as_svg(session) -> None:
    page = session.open(VIRTUAL_SERVICE)
    # The diagram sits in the "図" tab of the first VirtualService example.
    example = page.locator(".inb-example:has(div.mermaid)").first
    example.locator(".tabbed-labels label", has_text="図").click()
    diagram = example.locator("div.mermaid svg").first
    diagram.wait_for(state="visible", timeout=15_000)
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 20
    # The diagram is about routing: it names the VirtualService and a destination.
    html = diagram.inner_html()
    assert "VirtualService" in html and "reviews" in html
    session.screenshot("virtual-service-diagram")
    assert session.errors == []


def test_envoy_tab_shows_what_the_virtual_service_became(session) -> None:
    page = session.open(VIRTUAL_SERVICE)
    example = page.locator(".inb-example:has(div.inb-envoy)").first
    example.locator(".tabbed-labels label", has_text="Envoy").click()
    caption = example.locator(".inb-envoy__caption").first
    caption.wait_for(state="visible", timeout=15_000)
    # The proxy and the Envoy objects by Istio's names: route configuration 9080, cluster outbound|9080|subset|host.
    assert "サイドカー" in caption.inner_text() and "9080" in caption.inner_text()
    assert "outbound|9080|" in example.locator(".inb-envoy pre").first.inner_text()
    assert session.errors == []


def test_examples_show_their_verification_badges(session) -> None:
    page = session.open(VIRTUAL_SERVICE)
    verified = page.locator(".inb-example--verified .inb-badge--verified")
    expected_error = page.locator(".inb-example--expected-error .inb-badge--expected-error")
    assert verified.count() >= 1 and verified.first.is_visible()
    assert "検証済み" in verified.first.inner_text()
    # A deliberately wrong example shows the codes it is expected to produce.
    assert expected_error.count() >= 1
    assert "IST" in expected_error.first.inner_text()
    assert session.errors == []


def test_check_results_show_as_a_table(session) -> None:
    page = session.open(VIRTUAL_SERVICE)
    table = page.locator(".inb-check-table table >> visible=true").first
    table.wait_for(state="visible")
    headers = [h.inner_text().strip() for h in table.locator("thead th").all()]
    assert headers[:3] == ["リクエスト", "期待", "結果"]
    rows = table.locator("tbody tr")
    assert rows.count() >= 1
    first = rows.first
    assert "curl" in first.locator("td").first.inner_text()
    assert first.locator(".inb-mark--pass").count() == 1
    session.screenshot("virtual-service-checks")
    assert session.errors == []
