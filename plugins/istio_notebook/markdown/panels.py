"""Generated panels (badges, tabs, diagrams, Envoy excerpts, check tables, diagnostics) are attached
to a page after the search plugin has indexed it.

Why: search should index a page as it was written, its prose and its examples' code, as it does
without the plugin. The panels are derived from that code; indexed, they would put Mermaid source,
Envoy YAML and result tables in the results, and parsing them was most of what the plugin added to
a warm build (benchmarks/build.py). So a fence formatter leaves the example's code in the page
content between two markers and keeps the HTML around it here; the plugin puts it back into the
rendered page in ``on_post_page``. Without the plugin nothing is deferred (the formatters render
plain code then).
"""

from __future__ import annotations

import re

_MARKER = "<!--inb-panel:{}-->"
_MARKER_RE = re.compile(r"<!--inb-panel:(\d+)-->")


def defer(panels: dict[str, str], html: str, keep: str) -> str:
    """``html`` with everything but ``keep`` (the example's code, which ``html`` contains) moved into
    ``panels``, leaving markers; ``html`` unchanged if ``keep`` is not in it."""
    before, found, after = html.partition(keep)
    if not found:
        return html
    opening, closing = str(len(panels)), str(len(panels) + 1)
    panels[opening], panels[closing] = before, after
    return _MARKER.format(opening) + keep + _MARKER.format(closing)


def attach(output: str, panels: dict[str, str]) -> str:
    """Put the deferred HTML back in place of its markers (an unknown marker is dropped)."""
    if not panels:
        return output
    return _MARKER_RE.sub(lambda m: panels.get(m.group(1), ""), output)
