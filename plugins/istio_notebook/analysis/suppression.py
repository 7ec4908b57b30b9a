"""istioctl's per-resource suppression annotation.

``galley.istio.io/analyze-suppress: "IST0101,IST0130"`` on a resource drops those codes for
messages about that resource; ``*`` drops all. As istioctl does
(pkg/config/analysis/local/istiod_analyze.go), the value is split on "," with no trimming, so
``"IST0101, IST0130"`` suppresses IST0101 only. Documented on istio.io
(docs/reference/config/analysis/: "Suppressing specific analyzer messages").
"""

from __future__ import annotations

from collections.abc import Iterable

from istio_notebook.config import Resource
from istio_notebook.diagnostics import Diagnostic

ANNOTATION = "galley.istio.io/analyze-suppress"
ALL = "*"


def suppressed_codes(resources: Iterable[Resource]) -> dict[str, set[str]]:
    """origin (``Kind ns/name``) → codes suppressed on it."""
    found: dict[str, set[str]] = {}
    for resource in resources:
        value = resource.annotations.get(ANNOTATION, "")
        if value:
            found.setdefault(resource.origin, set()).update(value.split(","))
    return found


def apply(diagnostics: Iterable[Diagnostic], suppressed: dict[str, set[str]]) -> list[Diagnostic]:
    kept = []
    for d in diagnostics:
        codes = suppressed.get(d.origin) if d.origin else None
        if codes and (ALL in codes or d.code in codes):
            continue
        kept.append(d)
    return kept
