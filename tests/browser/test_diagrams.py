"""Routing diagrams that can be read on a phone (issue 18: "diagram text ≥ 11 px on a phone").

Below 600 px diagrams.js draws each flowchart top to bottom at its natural size (Mermaid's
``useMaxWidth: false``) instead of shrinking a 710-865 px drawing into a 358 px column (6-8 px
text); what is still wider than the column scrolls in its own box. On a laptop the diagram keeps
Mermaid's default: left to right, scaled to fit the column.

The rendered size of a label is its CSS font size times the scale the SVG is drawn at (its
on-screen width over its viewBox width), which is what the reader's eye gets.
"""

from __future__ import annotations

import overflow
import pytest

VIRTUAL_SERVICE = "traffic/virtual-service/"
READABLE_PX = 11

# Rendered label sizes, the SVG's scale and layout, and the diagram box's scrolling.
MEASURE_JS = """(host) => {
  const svg = host.shadowRoot.querySelector("svg");
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  const labels = [...svg.querySelectorAll(".nodeLabel, .edgeLabel span, text")].filter(e => e.textContent.trim());
  const place = (name) => {
    const node = svg.querySelector(`g.node[id*="-flowchart-${name}-"]`).getBoundingClientRect();
    return { x: node.x, y: node.y, right: node.right, bottom: node.bottom };
  };
  return {
    scale,
    sizes: labels.map(e => parseFloat(getComputedStyle(e).fontSize) * scale),
    svgWidth: box.width,
    boxWidth: host.clientWidth,
    scrolls: host.scrollWidth > host.clientWidth,
    overflowX: getComputedStyle(host).overflowX,
    vs: place("vs"),
    rule: place("r0m0"),
  };
}"""


def _open_diagrams(page, count: int) -> list[object]:
    """The drawn diagram boxes (div.mermaid) of the first ``count`` examples with a 図 tab."""
    hosts = []
    for i in range(count):
        example = page.locator(".inb-example:has(.mermaid)").nth(i)
        example.locator(".tabbed-labels label", has_text="図").click()
        host = example.locator("div.mermaid").first
        host.locator("svg").first.wait_for(state="visible", timeout=20_000)
        hosts.append(host)
    return hosts


def test_diagram_text_is_at_least_11px_on_a_phone_and_drawn_top_to_bottom(open_session) -> None:
    session = open_session("phone")
    page = session.open(VIRTUAL_SERVICE)
    for host in _open_diagrams(page, 4):
        seen = host.evaluate(MEASURE_JS)
        assert seen["sizes"] and min(seen["sizes"]) >= READABLE_PX, seen
        assert seen["scale"] == pytest.approx(1.0)  # natural size, not shrunk to the column
        assert seen["rule"]["y"] >= seen["vs"]["bottom"]  # the VirtualService above its rules
        if seen["svgWidth"] > seen["boxWidth"]:
            assert seen["scrolls"] and seen["overflowX"] in ("auto", "scroll"), seen
    session.screenshot("virtual-service-diagram-phone", element=page.locator(".inb-example:has(div.mermaid)").first)
    assert overflow.spills(page) == []  # a wide diagram scrolls in its box; the page holds
    assert session.errors == []


def test_on_a_laptop_the_diagram_fits_its_column_left_to_right(shared_page) -> None:
    session = shared_page(VIRTUAL_SERVICE)
    (host,) = _open_diagrams(session.page, 1)
    seen = host.evaluate(MEASURE_JS)
    assert seen["svgWidth"] <= seen["boxWidth"] + 1 and not seen["scrolls"]
    assert min(seen["sizes"]) >= READABLE_PX, seen
    assert seen["rule"]["x"] >= seen["vs"]["right"]  # the rules to the right of the VirtualService
    text = host.evaluate("h => h.shadowRoot.querySelector('svg').textContent")
    assert "ホスト: reviews" in text and "ルール 0" in text  # labelled in Japanese (markdown/mermaid.py)
    assert session.errors == []


def test_the_measure_sees_a_shrunk_diagram_and_a_wide_one_scrolls(open_session) -> None:
    session = open_session("phone")
    page = session.open(VIRTUAL_SERVICE)
    (host,) = _open_diagrams(page, 1)
    # Drawn into 150 px, as Mermaid's useMaxWidth would into a small column: the text is too small.
    host.evaluate("h => { const svg = h.shadowRoot.querySelector('svg'); svg.removeAttribute('width'); svg.style.width = '150px'; }")
    assert min(host.evaluate(MEASURE_JS)["sizes"]) < READABLE_PX
    # Drawn at 900 px: its box scrolls and nothing else on the page is pushed past the edge.
    host.evaluate("h => { h.shadowRoot.querySelector('svg').style.width = '900px'; }")
    seen = host.evaluate(MEASURE_JS)
    assert seen["scrolls"] and seen["svgWidth"] == pytest.approx(900)
    assert overflow.spills(page) == []


def test_an_unreachable_rule_is_drawn_dead(shared_page) -> None:
    # virtual-service.md's "catch-all を先頭に置く" example (IST0130): its jason rule can never match.
    page = shared_page(VIRTUAL_SERVICE).page
    # By index: the pre.mermaid it is found by is replaced by the drawing.
    index = page.evaluate("""() => [...document.querySelectorAll(".inb-example")].findIndex(e =>
      [...e.querySelectorAll("pre.mermaid")].some(p => p.textContent.includes("到達しない")))""")
    assert index >= 0
    example = page.locator(".inb-example").nth(index)
    example.locator(".tabbed-labels label", has_text="図").click()
    host = example.locator("div.mermaid").first
    host.locator("svg").first.wait_for(state="visible", timeout=20_000)
    dead = host.evaluate("""h => [...h.shadowRoot.querySelectorAll("g.node.dead")].map(g => ({
      text: g.textContent, dash: getComputedStyle(g.querySelector("polygon, rect, path")).strokeDasharray,
      opacity: getComputedStyle(g.querySelector("polygon, rect, path")).opacity }))""")
    assert len(dead) == 1 and "ルール 1" in dead[0]["text"] and "到達しない" in dead[0]["text"], dead
    assert dead[0]["dash"] not in ("", "none") and float(dead[0]["opacity"]) < 1, dead
    assert host.evaluate("h => h.shadowRoot.querySelectorAll('g.node:not(.dead)').length") >= 2  # the live rule and the VirtualService


# Each rule node's centre, in the order the rules were written (r<rule>m<match>). Centres, not
# corners: Mermaid centres the nodes of one rank, so a taller label starts higher.
RULE_CENTRES_JS = """(host) => [...host.shadowRoot.querySelectorAll("g.node")]
  .map(g => ({ id: (g.id.match(/-flowchart-(r\\d+m\\d+)-/) || [])[1], box: g.getBoundingClientRect() }))
  .filter(n => n.id)
  .map(n => ({ id: n.id, x: n.box.x + n.box.width / 2, y: n.box.y + n.box.height / 2 }))
  .sort((a, b) => a.id.localeCompare(b.id, "en", { numeric: true }))"""


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_rules_are_drawn_in_the_order_istio_tries_them(open_session, viewport) -> None:
    # "First match wins": Istio tries the http rules in order (istio.io VirtualService reference,
    # HTTPRoute: "The first rule matching an incoming request is used"), so the drawing must read
    # rule 0, 1, 2 ... in order: top to bottom on a laptop (left to right), left to right on a phone
    # (top to bottom). The ratings example's rules 0 and 2 share a destination; drawn with one
    # shared node, Mermaid put rule 2 between 0 and 1 (markdown/mermaid.py draws a tree now).
    session = open_session(viewport)
    page = session.open(VIRTUAL_SERVICE)
    indexes = page.evaluate("""() => [...document.querySelectorAll(".inb-example")].flatMap((e, i) =>
      [...e.querySelectorAll("pre.mermaid")].some(p => p.textContent.includes("ルール 2")) ? [i] : [])""")
    assert len(indexes) >= 2, indexes  # the page has examples with three or more rules
    across = "y" if viewport == "desktop" else "x"
    for index in indexes:
        example = page.locator(".inb-example").nth(index)
        example.locator(".tabbed-labels label", has_text="図").click()
        host = example.locator("div.mermaid").first
        host.locator("svg").first.wait_for(state="visible", timeout=20_000)
        nodes = host.evaluate(RULE_CENTRES_JS)
        assert len({n["id"][: n["id"].index("m")] for n in nodes}) >= 3, nodes
        places = [n[across] for n in nodes]
        assert places == sorted(places), (index, nodes)
    assert session.errors == []
