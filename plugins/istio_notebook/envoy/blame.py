"""Which input value a rejection by Envoy is about, so the error can name its file:line.

Envoy ends many rejections with the offending value (``missing ): /a(b`` for a bad regex), but
names neither the Istio resource nor the field. The value is looked up among the string fields of
the input's specs; the longest one the reason ends with wins. None when no value fits.
"""

from __future__ import annotations

from collections.abc import Iterator

from istio_notebook.config import Mesh
from istio_notebook.diagnostics import Position

_SHORTEST = 3  # shorter values ("v1", "80") would match by accident


def _strings(value: object, path: tuple) -> Iterator[tuple[tuple, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(item, path + (key,))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _strings(item, path + (index,))


def culprit(mesh: Mesh, reason: str) -> Position | None:
    """The position of the spec value ``reason`` ends with, if any."""
    best: tuple[int, Position] | None = None
    for resource in mesh:
        for path, text in _strings(resource.spec, ("spec",)):
            if len(text) >= _SHORTEST and reason.rstrip().endswith(text) and (best is None or len(text) > best[0]):
                best = (len(text), resource.locate(*path))
    return best[1] if best else None
