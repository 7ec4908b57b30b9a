"""The Envoy tab as a parallel view (issue 18, point 4), in a real browser: the example's YAML
beside the Envoy lines it produced (docs/assets/javascripts/parallel.js, built on opening the tab
from the translator's record, envoy/translate_sources.py), linked both ways by pointer and by
keyboard, Istio's own values folded away; side by side on a laptop, stacked on a phone."""

from __future__ import annotations

import colors
import pytest

VIRTUAL_SERVICE = "traffic/virtual-service/"
V1_CLUSTER = "outbound|9080|v1|reviews.default.svc.cluster.local"


def _opened(page):
    example = page.locator(".inb-example:has(.inb-envoy__map)").first
    assert example.locator(".inb-parallel").count() == 0  # nothing is built before the tab is opened
    example.locator(".tabbed-labels label", has_text="Envoy").click()
    view = example.locator(".inb-parallel").first
    view.wait_for()
    return example, view


def _lit(view, side: str) -> list[str]:
    return [t.strip() for t in view.locator(f".inb-parallel__{side} .inb-line--on").all_inner_texts()]


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_pointing_at_a_yaml_line_highlights_the_envoy_lines_it_produced_and_back(open_session, viewport) -> None:
    session = open_session(viewport)
    page = session.open(VIRTUAL_SERVICE)
    example, view = _opened(page)
    # The first example routes every request to subset v1: its route item became the route's cluster.
    view.locator(".inb-parallel__yaml .inb-line--linked", has_text="subset: v1").first.hover()
    assert f"cluster: {V1_CLUSTER}" in _lit(view, "envoy")
    assert "subset: v1" in _lit(view, "yaml")
    # And back: the Envoy line lights the YAML lines it came from.
    view.locator(".inb-parallel__envoy .inb-line--linked", has_text=V1_CLUSTER).first.hover()
    assert {"host: reviews", "subset: v1"} <= set(_lit(view, "yaml"))
    # Istio's own values (the default retry policy here) are folded away, not shown as the example's.
    defaults = example.locator(".inb-envoy__defaults").first
    assert not defaults.evaluate("d => d.open") and "retry_host_predicate" in defaults.text_content()
    assert "retry_host_predicate" not in view.inner_text()
    yaml_box, envoy_box = view.locator(".inb-parallel__yaml").bounding_box(), view.locator(".inb-parallel__envoy").bounding_box()
    if viewport == "phone":
        assert envoy_box["y"] >= yaml_box["y"] + yaml_box["height"] - 1  # stacked
    else:
        assert envoy_box["x"] >= yaml_box["x"] + yaml_box["width"] - 1  # side by side
    session.screenshot(f"envoy-parallel-{viewport}", element=view)
    assert session.errors == []


def test_linked_lines_are_reached_with_the_keyboard_and_escape_clears(open_session) -> None:
    session = open_session("desktop")
    page = session.open(VIRTUAL_SERVICE)
    _, view = _opened(page)
    line = view.locator(".inb-parallel__yaml .inb-line--linked", has_text="subset: v1").first
    assert line.get_attribute("tabindex") == "0"
    line.focus()
    assert f"cluster: {V1_CLUSTER}" in _lit(view, "envoy")
    assert line.evaluate("e => getComputedStyle(e).outlineStyle") != "none"  # a visible focus ring
    page.keyboard.press("Escape")
    assert _lit(view, "envoy") == []
    assert session.errors == []


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_highlighted_lines_and_the_check_sentence_keep_aa_contrast(shared_page, scheme) -> None:
    session = shared_page(VIRTUAL_SERVICE, "desktop", scheme)
    page = session.page
    for selector in (".inb-check__sentence", ".inb-check__clauses"):
        style = page.locator(f"{selector} >> visible=true").first.evaluate(colors.COLORS_JS)
        assert colors.ratio(style["color"], style["background"]) >= 4.5, (selector, style)
    _, view = _opened(page)
    view.locator(".inb-parallel__yaml .inb-line--linked", has_text="subset: v1").first.hover()
    tokens = view.locator(".inb-line--on span").all()
    assert tokens
    for token in tokens:
        style = token.evaluate(colors.COLORS_JS)
        assert colors.ratio(style["color"], style["background"]) >= 4.5, (token.inner_text(), style)
    assert session.errors == []
