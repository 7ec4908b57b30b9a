"""What spills past the right edge of a phone's screen, measured on the laid-out page.

Material sets ``overflow-x: hidden`` on ``<html>``, so a too-wide element does not make the page
scroll: it is cut off, and ``scrollWidth`` of the document stays at the viewport's width. The
detector therefore looks at every element's box instead. An element past the edge is fine only
when an ancestor that lies inside the screen scrolls or clips it (a code block, a wide reference
table in Material's scroll wrapper): the reader can swipe that ancestor, and the page itself holds.
Check results must not even scroll: the whole request → outcome ✔ is in view (issue 18).
"""

from __future__ import annotations

# Elements whose right edge is past the viewport with no on-screen scrolling/clipping ancestor.
SPILLS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const held = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (/(auto|scroll|hidden|clip)/.test(getComputedStyle(p).overflowX)
          && p.getBoundingClientRect().right <= width + 1) return true;
    }
    return false;
  };
  const found = [];
  for (const el of document.body.querySelectorAll("*")) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || box.right <= width + 1 || held(el)) continue;
    found.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} right=${Math.round(box.right)}`);
  }
  return found;
}"""

# Check results that scroll sideways or whose ✔/✘ mark is off the screen.
CHECKS_JS = """() => {
  const width = document.documentElement.clientWidth;
  const found = [];
  for (const table of document.querySelectorAll(".inb-check-table")) {
    if (table.getBoundingClientRect().width === 0) continue;  // in a closed tab
    for (const el of [table, ...table.querySelectorAll("*")]) {
      if (el.clientWidth > 0 && el.scrollWidth > el.clientWidth + 1) {
        found.push(`scrolls ${el.scrollWidth}>${el.clientWidth}: ${table.textContent.trim().slice(0, 40)}`);
        break;
      }
    }
    for (const mark of table.querySelectorAll(".inb-mark")) {
      const box = mark.getBoundingClientRect();
      if (box.left < 0 || box.right > width + 1) found.push(`mark at ${Math.round(box.left)}: ${mark.closest("tr").id}`);
    }
  }
  return found;
}"""


def spills(page: object) -> list[str]:
    """Elements of ``page`` cut off at the right edge; empty when the page fits its screen."""
    return page.evaluate(SPILLS_JS)


def check_spills(page: object) -> list[str]:
    """Visible check results that do not fit the screen; empty when every card fits."""
    return page.evaluate(CHECKS_JS)
