"""What a reader sees in a real browser: the home page, diagrams, badges, checks (search: test_search.py)."""

from __future__ import annotations


# Pages the tests look at, by the path the site serves them under.
HOME = ""
VIRTUAL_SERVICE = "traffic/virtual-service/"

# No third party at all: the repository link shows no live facts (partials/source.html).
# Fonts and Mermaid are served from the site itself, so readers offline see everything.
ALLOWED_EXTERNAL_HOSTS: set[str] = set()


def test_home_page_renders_without_console_errors(session) -> None:
    page = session.open(HOME)
    assert "Istio Notebook" in page.title()
    assert page.locator("article h1").first.is_visible()
    assert page.locator("html").get_attribute("lang") == "ja"
    assert session.errors == []
    assert session.external_hosts <= ALLOWED_EXTERNAL_HOSTS


def test_routing_diagram_renders_as_svg(shared_page) -> None:
    session = shared_page(VIRTUAL_SERVICE)
    page = session.page
    # The diagram sits in the "図" tab of the first VirtualService example.
    example = page.locator(".inb-example:has(.mermaid)").first
    example.locator(".tabbed-labels label", has_text="図").click()
    diagram = example.locator("div.mermaid svg").first
    diagram.wait_for(state="visible", timeout=15_000)
    box = diagram.bounding_box()
    assert box is not None and box["width"] > 50 and box["height"] > 20
    # The diagram is about routing: it names the VirtualService and a destination.
    html = diagram.inner_html()
    assert "VirtualService" in html and "reviews" in html
    session.screenshot("virtual-service-diagram", element=example)
    assert session.errors == []


def test_envoy_tab_shows_what_the_virtual_service_became(shared_page) -> None:
    session = shared_page(VIRTUAL_SERVICE)
    page = session.page
    example = page.locator(".inb-example:has(div.inb-envoy)").first
    example.locator(".tabbed-labels label", has_text="Envoy").click()
    caption = example.locator(".inb-envoy__caption").first
    caption.wait_for(state="visible", timeout=15_000)
    # The proxy and the Envoy objects by Istio's names: route configuration 9080, cluster outbound|9080|subset|host.
    assert "サイドカー" in caption.inner_text() and "9080" in caption.inner_text()
    # The Envoy lines (in the parallel view, beside the YAML that parallel.js sets before them).
    assert "outbound|9080|" in example.locator(".inb-envoy .highlight:not(.inb-parallel__yaml) pre").first.inner_text()
    assert session.errors == []


def test_examples_show_their_verification_badges(shared_page) -> None:
    session = shared_page(VIRTUAL_SERVICE)
    page = session.page
    verified = page.locator(".inb-example--verified .inb-badge--verified")
    expected_error = page.locator(".inb-example--expected-error .inb-badge--expected-error")
    assert verified.count() >= 1 and verified.first.is_visible()
    # textContent: innerText is empty in a widget the browser has not drawn yet (test_page_work.py).
    assert "検証済み" in verified.first.text_content()
    # A deliberately wrong example shows the codes it is expected to produce.
    assert expected_error.count() >= 1
    assert "IST" in expected_error.first.text_content()
    assert session.errors == []


def test_check_results_show_as_a_table(shared_page) -> None:
    session = shared_page(VIRTUAL_SERVICE)
    page = session.page
    table = page.locator(".inb-check-table table >> visible=true").first
    table.wait_for(state="visible")
    # textContent: innerText is empty in a widget the browser has not drawn yet (test_page_work.py).
    headers = [h.text_content().strip() for h in table.locator("thead th").all()]
    assert headers[:3] == ["リクエスト", "期待", "結果"]
    rows = table.locator("tbody tr")
    assert rows.count() >= 1
    first = rows.first
    assert "curl" in first.locator("td").first.text_content()
    assert first.locator(".inb-mark--pass").count() == 1
    session.screenshot("virtual-service-checks", element=table)
    assert session.errors == []


def test_a_deliberately_wrong_example_is_marked_with_its_line_and_linked_code(shared_page) -> None:
    session = shared_page(VIRTUAL_SERVICE)
    page = session.page
    wrong = page.locator(".inb-example--expected-error").first
    # textContent: innerText is empty in a widget the browser has not drawn yet (test_page_work.py).
    assert "わざと間違えた例" in wrong.locator(".inb-wrong-note").text_content()
    # Material's copy button skips code inside .no-copy (components/content/code); the button
    # itself is not asserted: headless Chromium shows none on any page of this site.
    assert "no-copy" in (wrong.get_attribute("class") or "")
    assert wrong.locator(".highlight .hll").count() >= 1  # the line its expected code points at
    # Its code links to the code's entry on the code reference page, which exists.
    wrong.locator(".tabbed-labels label", has_text="診断").click()
    link = wrong.locator(".inb-diagnostic code a").first
    href = link.get_attribute("href")
    assert href.startswith("../../reference/diagnostics/#ist")
    anchor = href.split("#", 1)[1]
    link.click()
    page.wait_for_load_state()
    assert page.locator(f"[id='{anchor}']").count() == 1
    assert session.errors == []
