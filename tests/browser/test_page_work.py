"""What the browser does not have to do on a long page (issue 18: the VirtualService page's main-thread
work; the figures themselves are benchmarks/page_weight.py's).

- Off-screen widgets are skipped: ``content-visibility: auto`` on each example and check block
  (istio-notebook.css) lets Chromium leave their style and layout until the reader comes near, and
  ``checkVisibility({contentVisibilityAuto: true})`` says which ones it skipped.
- The widgets' tabs are plain radio tabs (render.tabs): Material's content-tabs script, which
  rewrote and measured every tab set on load, does not mount on them, and the chosen tab is
  underlined by the stylesheet instead.
What a reader relies on is pinned with it: a link into the page still lands on its target, and the
chosen tab is still marked.
"""

from __future__ import annotations

import colors
import pytest

VIRTUAL_SERVICE = "traffic/virtual-service/"
WIDGETS = ".inb-example, .inb-checks"

# Per widget: its contents skipped by content-visibility (not rendered now) or drawn. The widget's
# own box is always there (as tall as its size hint): what is skipped is inside it.
SKIPPED_JS = f"""() => [...document.querySelectorAll("{WIDGETS}")]
  .map(w => !w.firstElementChild.checkVisibility({{ contentVisibilityAuto: true }}))"""


def test_widgets_off_screen_are_skipped_until_the_reader_comes_near(open_session) -> None:
    session = open_session("phone")
    page = session.open(VIRTUAL_SERVICE)
    page.wait_for_timeout(300)  # the first frames: what is on screen gets drawn
    skipped = page.evaluate(SKIPPED_JS)
    assert len(skipped) >= 30 and sum(skipped) >= len(skipped) - 3, skipped  # a phone screen shows one or two
    last = page.locator(WIDGETS).last
    last.scroll_into_view_if_needed()
    page.wait_for_function(f"() => !({SKIPPED_JS})().at(-1)")
    assert page.evaluate(SKIPPED_JS)[0]  # the first one, now far above, is skipped again
    assert session.errors == []


@pytest.mark.parametrize("viewport", ["desktop", "phone"])
def test_a_link_to_a_check_far_down_the_page_lands_on_it(open_session, viewport) -> None:
    # Heights of the widgets above it are estimates until drawn (--inb-lines/--inb-rows); the
    # browser must still bring the linked row into view and keep it there once those are drawn.
    session = open_session(viewport)
    page = session.open(VIRTUAL_SERVICE)
    row = page.evaluate("() => [...document.querySelectorAll('.inb-check-table tbody tr')].at(-1).id")
    page = session.open(f"{VIRTUAL_SERVICE}#{row}")
    page.wait_for_timeout(800)
    box = page.evaluate(f"() => document.getElementById('{row}').getBoundingClientRect().toJSON()")
    height = page.viewport_size["height"]
    assert 0 <= box["top"] < height and box["bottom"] > 0, box
    assert session.errors == []


def test_the_chosen_tab_is_underlined_without_materials_tab_script(shared_page) -> None:
    page = shared_page(VIRTUAL_SERVICE).page
    tab_set = page.locator(".inb-example > .tabbed-set").first
    assert tab_set.locator(".tabbed-control").count() == 0  # Material did not mount on it
    labels = tab_set.locator(":scope > .tabbed-labels > label")
    underline = "l => ({ color: getComputedStyle(l).borderBottomColor, width: parseFloat(getComputedStyle(l).borderBottomWidth) })"
    background = labels.first.evaluate(colors.COLORS_JS)["background"]

    def marked() -> list[bool]:
        seen = [labels.nth(i).evaluate(underline) for i in range(labels.count())]
        return [s["width"] >= 1 and colors.ratio(s["color"], background) >= 3.0 for s in seen]

    assert marked()[0] and not any(marked()[1:])
    labels.nth(1).click()
    assert marked()[1] and not marked()[0]
    assert page.evaluate("() => location.hash") == ""  # choosing a tab leaves the address alone
