"""WCAG 2.2 contrast, measured on what the browser actually paints (computed styles)."""

from __future__ import annotations

import re

# The element's colour and the first opaque background behind it (walking up the ancestors).
COLORS_JS = """
(el) => {
  const style = getComputedStyle(el);
  let node = el, bg = "rgba(0, 0, 0, 0)";
  while (node) {
    const b = getComputedStyle(node).backgroundColor;
    if (b && !/rgba\\(\\s*0,\\s*0,\\s*0,\\s*0\\s*\\)|transparent/.test(b)) { bg = b; break; }
    node = node.parentElement;
  }
  if (bg === "rgba(0, 0, 0, 0)") bg = getComputedStyle(document.body).backgroundColor;
  return { color: style.color, background: bg, outlineColor: style.outlineColor,
           outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth };
}
"""


def parse(css: str) -> tuple[float, float, float, float]:
    """``rgb(1, 2, 3)`` / ``rgba(1, 2, 3, 0.5)`` / ``color(srgb 0.1 0.2 0.3 / 0.5)`` → (r, g, b, alpha), 0-255."""
    numbers = [float(n) for n in re.findall(r"[\d.]+", css)]
    if css.startswith("color(srgb"):
        r, g, b = (n * 255 for n in numbers[:3])
        return r, g, b, numbers[3] if len(numbers) > 3 else 1.0
    r, g, b = numbers[:3]
    return r, g, b, numbers[3] if len(numbers) > 3 else 1.0


def blend(fg: str, bg: str) -> tuple[float, float, float]:
    """``fg`` painted over the opaque ``bg`` (alpha compositing)."""
    r, g, b, a = parse(fg)
    br, bgg, bb, _ = parse(bg)
    return (r * a + br * (1 - a), g * a + bgg * (1 - a), b * a + bb * (1 - a))


def luminance(rgb: tuple[float, float, float]) -> float:
    def channel(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def ratio(fg: str, bg: str) -> float:
    """WCAG contrast ratio of colour ``fg`` (possibly translucent) on background ``bg``."""
    back = blend(bg, "rgb(255, 255, 255)") if parse(bg)[3] < 1 else parse(bg)[:3]
    front = blend(fg, f"rgb({back[0]}, {back[1]}, {back[2]})")
    lighter, darker = sorted((luminance(front), luminance(back)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
