"""The Envoy tab as a parallel view (対訳): which Envoy lines each YAML field of an example produced.

Input: an excerpt document (what a resource became, as the Envoy tab shows it) and the sources
of its paths as the translator records them (envoy/translate_sources.py: Envoy JSON path → the
resource field, or None where Istio writes a value of its own). Every leaf of the document takes
the source of its nearest recorded ancestor. The leaves some field produced are dumped as the
tab's main text; the others, Istio's defaults, as a second text the tab folds away. Lines on both
sides come from the YAML nodes: the example's through the config loader's node tree
(``YamlDocument.span``), the Envoy text's by composing the dump. Data only (no HTML): the page
renders it (render.envoy_panel) and docs/assets/javascripts/parallel.js links the lines.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from istio_notebook.config.yaml_positions import field_node, node_lines

Path = tuple[Any, ...]
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class LinePair:
    """One field of the example: its lines (1 = the code's first line) and the Envoy lines it produced."""

    yaml: tuple[int, int]  # first, last
    envoy: tuple[int, ...]


@dataclass(frozen=True)
class Parallel:
    text: str  # the Envoy lines the example's fields produced
    defaults: str  # what Istio wrote of its own ("" when nothing)
    pairs: tuple[LinePair, ...]


def parallel(document: dict, sources: list, resource, first_line: int) -> Parallel:
    """``sources``: translate_sources.Source items (path in ``document``, resource field or None);
    ``first_line``: the file line of the example code's first line."""
    by_path: dict[Path, Path | None] = {}
    also: list[tuple[Path, Path]] = []  # a second field behind a path (a cluster name: host and port)
    for s in sources:
        if s.field is not None and by_path.get(s.envoy) is not None:
            also.append((s.envoy, s.field))
        else:
            by_path[s.envoy] = s.field
    own: list[tuple[Path, Any, Path]] = []
    folded: set[Path] = set()
    everything = list(leaves(document))
    for path, value in everything:
        field = _nearest(by_path, path)
        if field is None:
            folded.add(path)
            folded.update(_names_above(document, path))  # which cluster or route a default belongs to
        else:
            own.append((path, value, field))
    defaults = [(path, value) for path, value in everything if path in folded]
    tree, moved = rebuild([(p, v) for p, v, _ in own])
    text = dump(tree) if own else ""
    # Each recorded path the example's fields produced, as a whole node of the text (a header
    # matcher's three lines, a route's metadata block); a node holds only leaves of its own field
    # or of more specific ones inside it (a weighted cluster and its weight).
    attributed = [(moved[path], field) for path, field in [*by_path.items(), *also] if field is not None and path in moved]
    produced: dict[Path, set[int]] = {}
    for lines, (_, field) in zip(_lines(text, [p for p, _ in attributed]) if text else [], attributed):
        produced.setdefault(field, set()).update(lines)
    pairs = []
    for field, lines in produced.items():
        span = resource.document.span(*field)
        if span is not None and lines:
            pairs.append(LinePair((span[0] - first_line + 1, span[1] - first_line + 1), tuple(sorted(lines))))
    pairs.sort(key=lambda p: (p.yaml, p.envoy))
    return Parallel(text, dump(rebuild(defaults)[0]) if defaults else "", tuple(pairs))


def leaves(value: Any, path: Path = ()) -> Iterator[tuple[Path, Any]]:
    """Scalars and empty containers of a JSON document, in document order, with their paths."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from leaves(item, path + (key,))
    elif isinstance(value, list) and value:
        for index, item in enumerate(value):
            yield from leaves(item, path + (index,))
    else:
        yield path, value


def _names_above(document: Any, path: Path) -> Iterator[Path]:
    """The ``name`` of each list item above ``path`` that has one (a cluster's, a route's)."""
    node = document
    for depth, step in enumerate(path):
        node = node[step]
        if isinstance(step, int) and isinstance(node, dict) and isinstance(node.get("name"), str):
            yield path[: depth + 1] + ("name",)


def _nearest(by_path: dict[Path, Path | None], path: Path) -> Path | None:
    for depth in range(len(path), 0, -1):
        if path[:depth] in by_path:
            return by_path[path[:depth]]
    return None


def rebuild(items: list[tuple[Path, Any]]) -> tuple[Any, dict[Path, Path]]:
    """The document holding only ``items`` (lists closed up), and each old path's place in it."""
    root: dict = {}
    for path, value in items:
        node = root
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = value
    moved: dict[Path, Path] = {}

    def close(node: Any, old: Path, new: Path) -> Any:
        moved[old] = new
        if not isinstance(node, dict) or not node:
            return node
        listed = all(isinstance(k, int) for k in node)
        keys = list(node)
        out = [close(node[k], old + (k,), new + (i,)) for i, k in enumerate(keys)] if listed else {
            k: close(node[k], old + (k,), new + (k,)) for k in keys}
        return out

    return close(root, (), ()), moved


def dump(document: Any) -> str:
    return yaml.dump(document, Dumper=_DUMPER, sort_keys=False, allow_unicode=True, width=120)


def _lines(text: str, paths: list[Path]) -> list[set[int]]:
    """1-based lines of each path's node in the YAML ``text``."""
    root = yaml.compose(text, Loader=_LOADER)
    out = []
    for path in paths:
        found = field_node(root, [str(p) if not isinstance(p, int) else p for p in path]) if root is not None else None
        if found is None:
            out.append(set())
            continue
        first, last = node_lines(*found)
        out.append(set(range(first + 1, last + 2)))
    return out
