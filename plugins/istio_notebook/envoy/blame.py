"""Which input a rejection by Envoy is about, so the error can name its file:line.

Envoy names neither the Istio resource nor the field. Two ways back, cheapest first:
- the value: many rejections end with the offending value (``missing ): /a(b`` for a bad regex),
  looked up among the string fields of the input's specs; the longest one the reason ends with
  wins (``culprit``);
- the resource: otherwise the mesh is translated again with the resources before each point of
  a binary search, and ``envoy --mode validate`` says from which resource on it is refused
  (``responsible``: about log2(n) runs, only on the error path). Within that resource, a string
  field holding the reason's last word (``FOO`` of "Not supported field in StreamInfo: FOO" in
  ``%FOO%``) gives the line; else the resource's own line does.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable, Iterator

from istio_notebook.config import Mesh, Resource
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


def _last_word(reason: str) -> str:
    words = [w.strip("`'\"()[]{}.,:;") for w in reason.split()]
    return next((w for w in reversed(words) if len(w) >= _SHORTEST), "")


def _within(resource: Resource, reason: str) -> Position:
    word = _last_word(reason)
    for path, text in _strings(resource.spec, ("spec",)):
        if word and word in text:
            return resource.locate(*path)
    return resource.position


def first_refused(resources: list[Resource], refused: Callable[[list[Resource]], bool]) -> Resource | None:
    """The resource from which on the prefixes of ``resources`` are refused (``refused(all)`` is
    assumed, ``refused([])`` checked): binary search over the prefix length."""
    if refused([]):
        return None  # refused without any input resource: the translation itself is at fault
    low, high = 0, len(resources)  # prefix of `low` accepted, of `high` refused
    while high - low > 1:
        middle = (low + high) // 2
        if refused(resources[:middle]):
            high = middle
        else:
            low = middle
    return resources[high - 1] if resources else None


def responsible(mesh: Mesh, proxy, reason: str) -> Position | None:
    """Where the input Envoy refused for ``proxy`` is: the value, else the resource (module docstring)."""
    found = culprit(mesh, reason)
    if found is not None:
        return found
    from istio_notebook.envoy.runner import validate
    from istio_notebook.envoy.translate import envoy_config

    def refused(resources: list[Resource]) -> bool:
        try:
            return not validate(envoy_config(Mesh(resources), proxy))[0]
        except (OSError, subprocess.TimeoutExpired):  # Envoy could not be run again: no sign either way
            return False

    resource = first_refused(list(mesh), refused)
    return None if resource is None else _within(resource, reason)
