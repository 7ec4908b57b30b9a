"""Where a document's nodes are: node trees kept, or composed again from the document's slice.

The node tree is not kept for a large stream: it weighs about 65 times its text (PyYAML's nodes
and marks; 85,000 small Services took 1 GB, issue 13), while positions are asked for only where
there is something to report. A document then keeps where its text sits in the stream
(``NodeTree``) and is composed again, from that slice alone, when a position inside it is asked
for; the last few trees stay in a small cache, since the findings of one resource come together.
The navigation over a tree (``locate_node``, ``field_node``, ``node_lines``) lives here too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from istio_notebook.libyaml import SafeLoader

# Node trees composed again for positions, most recent first (one resource's findings come together).
RECOMPOSED_TREES = 16
# Below this many characters a stream keeps its trees (at most ~65 MB of them). Composing again
# costs ~28 µs for each document with a finding (85,000 Services with a finding each: 7.4 s ->
# 10.8 s of CPU), so it is paid only where memory is at stake (benchmarks/hostile.py).
LIVE_TREES_BELOW = 1 << 20


@dataclass(eq=False, frozen=True, slots=True)
class _Slice:
    """Where a document's root node is in its stream: the text from the root's first character to
    its end, and the root's 0-based line and column there. Compared by identity (the cache key)."""

    text: str
    start: int
    end: int
    line: int
    column: int


@dataclass(frozen=True, slots=True)
class NodeTree:
    """A node of a document (its root, or the node at ``path`` below it), composed on demand.

    ``line`` and ``column`` (0-based, in the stream) are the node's start, known without composing.
    A tree composed again from its slice counts lines from the slice's first line: ``base`` lines
    are added to its marks' lines (columns are the stream's). A tree made from a live node
    (``NodeTree.of``) keeps it, with marks in the stream's lines.
    """

    line: int
    column: int
    source: _Slice | None = None
    path: tuple[str | int, ...] = ()
    live: Node | None = None

    @staticmethod
    def of(node: Node) -> NodeTree:
        return NodeTree(node.start_mark.line, node.start_mark.column, live=node)

    @property
    def base(self) -> int:
        return self.source.line if self.source is not None else 0

    def node(self) -> Node:
        if self.live is not None:
            return self.live
        assert self.source is not None
        root = _recompose(self.source)
        return locate_node(root, self.path) if self.path else root

    def child(self, path: tuple[str | int, ...], line: int, column: int) -> NodeTree:
        if self.live is not None:
            return NodeTree.of(locate_node(self.live, path))
        return NodeTree(line, column, self.source, self.path + path)


@functools.lru_cache(maxsize=RECOMPOSED_TREES)
def _recompose(source: _Slice) -> Node:
    """The root node of ``source`` composed again: spaces before the slice keep the first line's
    columns and the indentation of the lines after it; lines count from the slice's first. (The
    cyclic GC stays on: one document's nodes are few, and pausing it costs more than it saves.)"""
    return yaml.compose(" " * source.column + source.text[source.start : source.end], Loader=SafeLoader)


def field_node(node: Node, path: tuple[str | int, ...] | list[str | int]) -> tuple[Node | None, Node] | None:
    """(key node or None for a list item, value node) of the field at exactly ``path``; None when absent."""
    key: Node | None = None
    current = node
    for step in path:
        if isinstance(current, MappingNode) and isinstance(step, str):
            pair = next(((k, v) for k, v in current.value if isinstance(k, ScalarNode) and k.value == step), None)
            if pair is None:
                return None
            key, current = pair
        elif isinstance(current, SequenceNode) and isinstance(step, int) and 0 <= step < len(current.value):
            key, current = None, current.value[step]
        else:
            return None
    return key, current


def node_lines(key: Node | None, value: Node) -> tuple[int, int]:
    """0-based first and last line a field takes: its key's line through its value's last scalar."""
    last, stack = value.start_mark.line, [value]
    while stack:
        node = stack.pop()
        if isinstance(node, ScalarNode):
            end = node.end_mark
            last = max(last, end.line - 1 if end.column == 0 and end.line > node.start_mark.line else end.line)
        elif isinstance(node, MappingNode):
            stack.extend(n for pair in node.value for n in pair)
        elif isinstance(node, SequenceNode):
            stack.extend(node.value)
    return (key or value).start_mark.line, last


def locate_node(node: Node, path: tuple[str | int, ...] | list[str | int]) -> Node:
    current = node
    last = len(path) - 1
    for depth, step in enumerate(path):
        if isinstance(current, MappingNode) and isinstance(step, str):
            for key, value in current.value:
                if isinstance(key, ScalarNode) and key.value == step:
                    current = key if depth == last else value
                    break
            else:
                return current
        elif isinstance(current, SequenceNode) and isinstance(step, int) and 0 <= step < len(current.value):
            current = current.value[step]
        else:
            return current
    return current


def tree_maker(text: str) -> Callable[[Node], NodeTree]:
    """How the documents of ``text`` keep their trees: as slices to compose again, or alive when
    the stream is small or has directives (``%YAML``, ``%TAG``: they change how a slice would read)."""
    if len(text) < LIVE_TREES_BELOW or text.startswith("%") or "\n%" in text:
        return NodeTree.of

    def sliced(node: Node) -> NodeTree:
        start, end = node.start_mark, node.end_mark
        return NodeTree(start.line, start.column, _Slice(text, start.index, end.index, start.line, start.column))

    return sliced


def item_starts(node: Node) -> tuple[tuple[int, int], ...]:
    if not isinstance(node, MappingNode):
        return ()
    for key, value in node.value:
        if isinstance(key, ScalarNode) and key.value == "items" and isinstance(value, SequenceNode):
            return tuple((item.start_mark.line, item.start_mark.column) for item in value.value)
    return ()
