"""The same widgets under both builders (issue 17): `mkdocs build` and `zensical build` of the real
site, read in the browser, show the same badges, tabs, diagrams and check tables, and the
Zensical output works the same way (diagrams drawn when their tab opens, tabs per example,
search). Zensical runs our Markdown extension but not our MkDocs hooks (docs/contributing/builders.md).
"""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

# Pages with every kind of widget: diagrams, Envoy tabs, a deliberately wrong example, routing
# checks (the VirtualService page) and authorization checks.
PAGES = ("traffic/virtual-service/", "security/authorization/")

# Every widget the extension renders, in page order, as a reader sees it: the badges' text, the
# tab labels, each diagram's Mermaid source, each check row's pass mark, the diagnostics listed.
WIDGETS_JS = """() => [...document.querySelectorAll(".inb-example, .inb-checks")].map(w => ({
  kind: w.className,
  badges: [...w.querySelectorAll(".inb-badge")].map(b => b.textContent.trim()),
  tabs: [...w.querySelectorAll(":scope > .tabbed-set > .tabbed-labels > label")].map(l => l.textContent.trim()),
  diagrams: [...w.querySelectorAll("pre.mermaid")].map(d => d.textContent),
  rows: [...w.querySelectorAll(".inb-check-table tbody tr")].map(r =>
    r.id + (r.querySelector(".inb-mark--pass") ? " ✔" : "") + (r.querySelector(".inb-mark--fail") ? " ✘" : "")),
  diagnostics: [...w.querySelectorAll(".inb-diagnostic")].map(d => d.textContent.trim()),
}))"""


@pytest.mark.parametrize("path", PAGES)
def test_both_builders_show_the_same_widgets(shared_page, path) -> None:
    seen = {}
    for builder in ("mkdocs", "zensical"):
        session = shared_page(path, builder=builder)
        seen[builder] = session.page.evaluate(WIDGETS_JS)
        assert session.errors == [], builder
    mkdocs = seen["mkdocs"]
    assert len(mkdocs) >= 5 and any(w["rows"] for w in mkdocs) and any(w["tabs"] for w in mkdocs)
    if path == PAGES[0]:
        assert sum(len(w["diagrams"]) for w in mkdocs) >= 10
        assert any("想定どおりのエラー" in " ".join(w["badges"]) for w in mkdocs)
    assert seen["zensical"] == mkdocs


def test_zensical_output_draws_diagrams_and_keeps_tabs_per_example(open_session) -> None:
    session = open_session(builder="zensical")
    page = session.open("traffic/virtual-service/")
    example = page.locator(".inb-example:has(.mermaid)").first
    example.locator(".tabbed-labels label", has_text="図").click()
    diagram = example.locator("div.mermaid svg").first
    diagram.wait_for(state="visible", timeout=15_000)  # diagrams.js loaded Mermaid from the site
    assert "VirtualService" in diagram.inner_html()
    labels = page.eval_on_selector_all(
        ".inb-example > .tabbed-set",
        "sets => sets.map(s => s.querySelector(`label[for='${s.querySelector(':scope > input:checked').id}']`).textContent.trim())",
    )
    assert labels.count("図") == 1 and labels.count("YAML") == len(labels) - 1, labels
    table = page.locator(".inb-check-table table >> visible=true").first
    assert table.locator(".inb-mark--pass").count() >= 1
    session.screenshot("zensical-virtual-service-diagram", element=example)
    assert session.errors == []
    assert session.external_hosts == set()


# Zensical's own search (a dialog in a shadow root, its own index search.json): the kind names
# find their pages. Our ranking hooks (reading/search_hooks.py) are MkDocs hooks, so only the
# exact kind names are pinned here; the Japanese query table is test_search.py's, for MkDocs.
ZENSICAL_FIRST = {
    "VirtualService": "traffic/virtual-service/",
    "DestinationRule": "traffic/destination-rule/",
    "AuthorizationPolicy": "security/authorization/",
}


def _zensical_results(page, query: str) -> list[str]:
    dialog_input = page.locator("dialog input")
    dialog_input.fill(query)
    # Zensical's result links carry the query to highlight (?h=): wait for this query's list, and
    # read only its links (the previous query's can still be listed while the new list renders).
    page.wait_for_function(
        "q => [...document.querySelectorAll('*')].some(e => e.shadowRoot && e.shadowRoot.querySelector(`a[href*='h=${q}']`))",
        arg=quote(query),
        timeout=15_000,
    )
    hrefs = page.locator("dialog a").evaluate_all("links => links.map(a => a.href)")
    return [href for href in hrefs if f"h={quote(query)}" in href]


def test_zensical_search_finds_the_pages_of_the_kinds(open_session) -> None:
    session = open_session(builder="zensical")
    page = session.open("")
    page.locator(".md-search__button").click()
    wrong = {}
    for query, expected in ZENSICAL_FIRST.items():
        hrefs = _zensical_results(page, query)
        first = urlsplit(hrefs[0]).path.removeprefix(urlsplit(session.base_url).path) if hrefs else "(none)"
        if first != expected:
            wrong[query] = (first, expected)
    assert wrong == {}
    assert session.errors == []
