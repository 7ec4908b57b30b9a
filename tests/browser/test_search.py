"""Search people can trust (issue 18): for each query a reader types, the page they mean comes first.

One browser page answers every query in turn (the search index loads once). Each query is the page's
subject in the words a Japanese engineer would use: the English kind, its Japanese name, a katakana
term, a status code. Contributor pages and build reports must not win; result links always carry the
terms to highlight (never an empty ``?h=``).
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

# query → the page expected as the first result
EXPECTED_FIRST = {
    "仮想サービス": "traffic/virtual-service/",  # Japanese name of the kind (was: Egress first)
    "VirtualService": "traffic/virtual-service/",
    "認可": "security/authorization/",  # was: a lab, then the Python API
    "ゲートウェイ": "traffic/ingress-gateway/",  # was: VirtualService
    "宛先ルール": "traffic/destination-rule/",
    "DestinationRule": "traffic/destination-rule/",
    "認証": "security/authentication/",
    "PeerAuthentication": "security/authentication/",
    "AuthorizationPolicy": "security/authorization/",
    "ServiceEntry": "traffic/egress/",  # was: the egress lab
    "サーキットブレーカー": "traffic/circuit-breaking/",
    "フォールト": "traffic/fault-injection/",  # katakana word inside フォールトインジェクション
    "ミラーリング": "traffic/mirroring/",
    "Sidecar": "traffic/sidecar/",
    "503": "operations/troubleshooting/",
    "IstioOperator": "operations/istio-operator/",
    "用語集": "glossary/",
    "Envoy": "concepts/envoy-mapping/",
}


# Material's Japanese strings (partials/languages/ja.html): "N件見つかりました", "1件見つかりました" and
# "何も見つかりませんでした" answer a query; the placeholder and "検索を初期化" mean no answer yet.
_ANSWERED = r"/見つかり(ました|ませんでした)$/"
_META = ".md-search-result__meta"


def _results(page, query: str, timeout_ms: float = 15_000) -> list[str]:
    """The result links for ``query``, once the search worker has answered this query (not the last one).

    The input is emptied first and the test waits until the list is back to its placeholder, so the
    next answer that appears can only be this query's. Material sends a query on ``keyup`` (and
    again when the index becomes ready), so one key event per value is enough; no fixed sleeps.
    """
    search = page.locator("input.md-search__input")
    search.click()
    search.fill("")
    search.dispatch_event("keyup")
    page.wait_for_function(f"() => !{_ANSWERED}.test(document.querySelector('{_META}').textContent.trim())",
                           timeout=timeout_ms)
    search.fill(query)
    search.dispatch_event("keyup")
    page.wait_for_function(f"() => {_ANSWERED}.test(document.querySelector('{_META}').textContent.trim())",
                           timeout=timeout_ms)
    return page.eval_on_selector_all(".md-search-result__item > a", "links => links.map(a => a.getAttribute('href') || '')")


def test_each_query_finds_its_page_first(session) -> None:
    page = session.open("")
    wrong = {}
    empty_highlight = []
    for query, expected in EXPECTED_FIRST.items():
        hrefs = _results(page, query)
        first = urlsplit(hrefs[0]).path.removeprefix(urlsplit(session.base_url).path) if hrefs else "(no result)"
        if first != expected:
            wrong[query] = (first, expected)
        empty_highlight += [h for h in hrefs if "h" in parse_qs(urlsplit(h).query, keep_blank_values=True)
                            and not parse_qs(urlsplit(h).query, keep_blank_values=True)["h"][0]]
    assert wrong == {}, wrong
    assert empty_highlight == []
    assert session.errors == []


def test_reports_and_yaml_are_not_in_the_index(site_dir) -> None:
    index = json.loads((site_dir / "search" / "search_index.json").read_text(encoding="utf-8"))
    locations = {doc["location"].split("#")[0] for doc in index["docs"]}
    assert "reports/coverage/" not in locations
    assert "traffic/virtual-service/" in locations
    # The YAML of examples is left out (it was 42% of the indexed text); their prose stays.
    assert not [doc["location"] for doc in index["docs"] if "apiVersion: networking.istio.io" in doc["text"]]
    # Contributor pages are out (every page loads the index); labs are in, ranked below the concept pages.
    assert not [page for page in locations if page.startswith("contributing/") or page in ("reference/check-syntax/", "reference/python-api/")]
    boosts = {doc["location"]: doc.get("boost") for doc in index["docs"] if "#" not in doc["location"]}
    assert boosts["labs/request-routing/"] < 1
    vs_tags = next(doc.get("tags", []) for doc in index["docs"] if doc["location"] == "traffic/virtual-service/")
    assert "仮想サービス" in vs_tags  # from the glossary's "VirtualService（仮想サービス）"


_FETCHED_INDEX = "() => performance.getEntriesByType('resource').some(e => e.name.includes('search/search_index.json'))"


def test_the_index_is_downloaded_when_search_opens_not_on_every_page(open_session) -> None:
    # search-on-demand.js holds back Material's request for the index (half of a page's bytes,
    # benchmarks/page_weight.py) until search is wanted; the "/" shortcut (Material's keyboard
    # handler focuses the search box) is enough, and the first query is answered once it arrives.
    session = open_session("phone")
    page = session.open("traffic/virtual-service/", wait_until="networkidle")
    assert page.evaluate(_FETCHED_INDEX) is False
    page.locator("article").first.click(position={"x": 5, "y": 5})  # the page has the keyboard
    page.keyboard.press("/")
    page.wait_for_function(_FETCHED_INDEX, timeout=15_000)
    hrefs = _results(page, "DestinationRule")
    assert hrefs and urlsplit(hrefs[0]).path.endswith("traffic/destination-rule/")
    assert session.errors == []


def test_a_shared_search_link_loads_the_index_at_once(open_session) -> None:
    session = open_session("desktop")
    page = session.open("?q=Sidecar", wait_until="networkidle")
    assert page.evaluate(_FETCHED_INDEX) is True
    assert session.errors == []


def test_under_zensical_too_the_index_waits_for_the_search_button(open_session) -> None:
    session = open_session(builder="zensical")
    page = session.open("", wait_until="networkidle")
    fetched = "() => performance.getEntriesByType('resource').some(e => e.name.endsWith('/search.json'))"
    assert page.evaluate(fetched) is False
    page.locator(".md-search__button").click()
    page.wait_for_function(fetched, timeout=15_000)
    assert session.errors == []
