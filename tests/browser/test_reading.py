"""How the site reads in a real browser (issue 18): per-example tabs, diagrams loaded only when seen,
the task-first home page, glossary tooltips, the offline feedback widget, contrast and focus, at a
laptop's and a phone's size, in the light and the dark scheme."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

import colors
from screens import SCHEMES, VIEWPORTS

HOME = ""
VIRTUAL_SERVICE = "traffic/virtual-service/"
GLOSSARY = "glossary/"
LAB = "labs/request-routing/"
MERMAID = "vendor/mermaid.min.js"

BOTH_SIZES = pytest.mark.parametrize("viewport", list(VIEWPORTS))
BOTH_SCHEMES = pytest.mark.parametrize("scheme", SCHEMES)


def _checked_labels(page) -> list[str]:
    """The label text of the checked tab of every example tab set on the page, in page order
    (textContent: innerText is empty in a widget the browser has not drawn yet, test_page_work.py)."""
    return page.eval_on_selector_all(
        ".inb-example > .tabbed-set",
        "sets => sets.map(s => { const i = s.querySelector(':scope > input:checked');"
        " return s.querySelector(`label[for='${i.id}']`).textContent.trim(); })",
    )


@BOTH_SIZES
def test_a_tab_switches_only_its_own_example_and_is_not_remembered(open_session, viewport) -> None:
    session = open_session(viewport)
    page = session.open(VIRTUAL_SERVICE)
    assert set(_checked_labels(page)) == {"YAML"}
    examples = page.locator(".inb-example:has(.inb-envoy)")
    assert examples.count() >= 2
    examples.first.locator(".tabbed-labels label", has_text="Envoy").click()
    labels = _checked_labels(page)
    assert labels.count("Envoy") == 1, labels  # the other examples stay on their YAML
    assert page.evaluate("() => Object.keys(localStorage).filter(k => k.includes('__tabs'))") == []
    page.goto(session.base_url + "traffic/destination-rule/", wait_until="load")
    assert set(_checked_labels(page)) == {"YAML"}  # the next page opens on YAML, not on a wall of Envoy config
    assert session.errors == []


def test_tabs_work_from_the_keyboard_with_a_visible_focus_ring(shared_page) -> None:
    for scheme in SCHEMES:
        session = shared_page(VIRTUAL_SERVICE, "desktop", scheme)
        page = session.page
        tab_set = page.locator(".inb-example > .tabbed-set").first
        first = tab_set.locator(":scope > input").first
        first.focus()
        page.keyboard.press("ArrowRight")  # radio group: the arrow key moves to and selects the next tab
        second = tab_set.locator(":scope > input").nth(1)
        assert second.is_checked()
        label = tab_set.locator(f"label[for='{second.get_attribute('id')}']")
        style = label.evaluate(colors.COLORS_JS)
        assert style["outlineStyle"] != "none" and float(style["outlineWidth"].rstrip("px")) >= 2, style
        # WCAG 2.2 SC 1.4.11: the focus indicator at 3:1 against what is around it.
        assert colors.ratio(style["outlineColor"], style["background"]) >= 3.0, (scheme, style)
        assert session.errors == []


def test_mermaid_loads_only_when_a_diagram_is_about_to_be_seen(open_session) -> None:
    session = open_session()
    page = session.open(GLOSSARY)  # no diagrams at all
    assert not any(MERMAID in url for url in session.requested)
    page = session.open(VIRTUAL_SERVICE)  # 18 diagrams, all in closed 図 tabs
    assert not any(MERMAID in url for url in session.requested)
    example = page.locator(".inb-example:has(.mermaid)").first  # pre.mermaid, then div.mermaid once drawn
    example.locator(".tabbed-labels label", has_text="図").click()
    diagram = example.locator("div.mermaid svg").first
    diagram.wait_for(state="visible", timeout=15_000)
    assert any(MERMAID in url for url in session.requested)
    # Only the opened diagram was rendered; the others wait in their closed tabs.
    assert page.locator("div.mermaid").count() == 1
    assert page.locator("pre.mermaid").count() >= 10
    assert session.errors == []


@BOTH_SIZES
def test_home_page_starts_with_three_tasks_and_a_learning_path(open_session, viewport) -> None:
    session = open_session(viewport)
    page = session.open(HOME)
    cards = page.locator(".inb-entries > ul > li")
    assert [c.locator("strong").first.inner_text() for c in cards.all()] == ["初めての VirtualService", "503 を直したい", "手を動かす: ラボ"]
    # The first entry point is on the first screen, not 2,850 px down.
    assert cards.first.bounding_box()["y"] < VIEWPORTS[viewport]["height"]
    steps = page.locator("article ol").first.locator(":scope > li")
    assert steps.count() >= 8
    assert all(re.search(r"約 \d+ 分|\d+〜\d+ 分", s.inner_text()) and "前提" in s.inner_text() for s in steps.all())
    assert session.errors == []


def test_reader_and_contributor_material_are_separate_sections(session) -> None:
    page = session.open(HOME)
    tabs = [t.inner_text().strip() for t in page.locator(".md-tabs__link").all()]
    assert "貢献" in tabs and tabs.index("貢献") == len(tabs) - 1
    page = session.open("contributing/syntax/")
    assert page.locator(".md-tabs__item--active").inner_text().strip() == "貢献"
    page = session.open("traffic/sidecar/")
    footer = page.locator(".md-footer__link")
    assert footer.count() == 2  # previous and next page
    assert session.errors == []


def test_glossary_terms_link_to_their_entry_and_explain_on_hover(session) -> None:
    page = session.open("traffic/destination-rule/")
    term = page.locator("article a.inb-term", has_text="サイドカー").first
    title = term.get_attribute("title")
    assert title and "Pod" in title  # the glossary's first sentence about サイドカー
    href = term.get_attribute("href")
    assert href.startswith("../../glossary/#term-")
    # Only the first use on the page is marked.
    assert page.locator("article a.inb-term", has_text=re.compile("^サイドカー$")).count() == 1
    term.hover()
    tooltip = page.locator(".md-tooltip2--active, .md-tooltip--active")
    tooltip.first.wait_for(state="visible", timeout=5_000)
    term.click()
    page.wait_for_load_state()
    anchor = unquote(page.url.split("#", 1)[1])
    assert page.locator(f"dt[id='{anchor}']").count() == 1
    assert session.errors == []


def test_feedback_is_kept_in_the_browser_without_an_analytics_provider(session) -> None:
    page = session.open("traffic/sidecar/")
    form = page.locator("form.md-feedback")
    form.wait_for(state="visible")
    assert "このページは役に立ちましたか" in form.inner_text()
    form.locator("button[data-md-value='0']").click()
    note = form.locator(".md-feedback__note [data-md-value='0']")
    assert note.is_visible() and "issue" in note.inner_text()
    page.reload(wait_until="load")
    assert page.locator("form.md-feedback button").first.is_disabled()  # already answered on this page
    assert session.external_hosts == set()
    assert session.errors == []


@BOTH_SCHEMES
def test_check_marks_and_text_meet_aa_contrast(shared_page, scheme) -> None:
    session = shared_page(VIRTUAL_SERVICE, "desktop", scheme)
    page = session.page
    mark = page.locator(".inb-mark--pass >> visible=true").first
    style = mark.evaluate(colors.COLORS_JS)
    assert colors.ratio(style["color"], style["background"]) >= 4.5, style
    for selector in ("article p", ".inb-check__context", ".md-footer__direction", ".inb-badge"):
        element = page.locator(f"{selector} >> visible=true").first
        style = element.evaluate(colors.COLORS_JS)
        assert colors.ratio(style["color"], style["background"]) >= 4.5, (selector, style)
    assert session.errors == []


@BOTH_SIZES
@BOTH_SCHEMES
def test_pages_load_offline_without_console_errors(open_session, viewport, scheme) -> None:
    session = open_session(viewport, scheme)
    for path, name in ((HOME, "home"), (VIRTUAL_SERVICE, "traffic"), (LAB, "lab")):
        session.open(path, wait_until="networkidle")  # every request, the search index's too
        if scheme == "light":  # the kept artifacts (issue 18); the long traffic page by its first screen
            shot = session.screenshot(f"{name}-{viewport}", full_page=name != "traffic").read_bytes()
            # A PNG of the page at that size (IHDR: width and height, big-endian, at bytes 16-24).
            width, height = int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")
            assert shot[:8] == b"\x89PNG\r\n\x1a\n" and width == VIEWPORTS[viewport]["width"], (name, width)
            assert height >= VIEWPORTS[viewport]["height"], (name, height)
    assert session.errors == []
    assert session.external_hosts == set()  # nothing leaves the site: no fonts, no CDN, no GitHub API


def test_contrast_ratio_formula() -> None:
    # Reference values from WCAG 2.2's definition: black on white 21:1, #767676 on white 4.54:1.
    assert round(colors.ratio("rgb(0, 0, 0)", "rgb(255, 255, 255)"), 1) == 21.0
    assert round(colors.ratio("rgb(118, 118, 118)", "rgb(255, 255, 255)"), 2) == 4.54
    assert colors.ratio("rgba(0, 0, 0, 0)", "rgb(255, 255, 255)") == 1.0


def test_no_placeholder_host_in_any_link(site_dir: Path) -> None:
    pages = list(site_dir.rglob("*.html")) + [site_dir / "sitemap.xml"]
    bad = []
    for page in pages:
        for url in re.findall(r'(?:href|content)="(https?://[^"]+)"|<loc>([^<]+)</loc>', page.read_text(encoding="utf-8")):
            link = url[0] or url[1]
            if re.search(r"\bexample\.(?:org|com|net)\b|localhost", link):
                bad.append(f"{page.relative_to(site_dir)}: {link}")
    assert bad == []
    not_found = (site_dir / "404.html").read_text(encoding="utf-8")
    assert 'href="https://istio-notebook.github.io/istio-notebook/"' in not_found
