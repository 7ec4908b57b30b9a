"""Safe YAML reading that can give a position for every node.

PyYAML's C composer builds the node tree (with line/column marks); we turn it into plain
Python values ourselves so that we can refuse what Kubernetes refuses or what is dangerous:
duplicate keys, tags outside the core schema, recursive aliases and alias bombs. Nothing is
ever constructed from a tag. Each document is converted as soon as it is composed; its node
tree is kept or left to be composed again as yaml_positions.py decides.
"""

from __future__ import annotations

import atexit
import gc
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from istio_notebook.config.yaml_size import DOCUMENT_NODE_LIMIT, oversized_document
from istio_notebook.config.yaml_positions import NodeTree, field_node, item_starts, locate_node, node_lines, tree_maker
from istio_notebook.config.yaml_scalars import NotANumber, NotFinite, scalar_value
from istio_notebook.diagnostics import Diagnostic, Position, report
from istio_notebook.libyaml import SafeLoader

# How many nodes aliases may add beyond the document's own nodes before it is refused.
ALIAS_EXPANSION_LIMIT = 100_000

# Keys and short texts ("apiVersion", "v1", "Service", "http") repeat in every document of a
# large mesh: one shared copy each (about a sixth of a small Service's loaded memory).
_SHARED_TEXT = 24
_STR = "tag:yaml.org,2002:str"
_CORE_SCALARS = {
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    # Kept as text: Kubernetes reads timestamps and binary as strings.
    "tag:yaml.org,2002:timestamp",
    "tag:yaml.org,2002:binary",
}
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
_MERGE = "tag:yaml.org,2002:merge"


@dataclass(frozen=True)
class Origin:
    """Where a piece of YAML text sits in its file (Markdown fences are offset and indented)."""

    file: str
    line_offset: int = 0  # file line of the text's first line, minus one
    column_offset: int = 0

    def position(self, node: Node | None) -> Position:
        if node is None:
            return Position(self.file, self.line_offset + 1, self.column_offset + 1)
        mark = node.start_mark
        return Position(self.file, self.line_offset + mark.line + 1, self.column_offset + mark.column + 1)

    def at(self, line0: int, column0: int = 0) -> Position:
        return Position(self.file, self.line_offset + line0 + 1, self.column_offset + column0 + 1)


@dataclass(slots=True)
class YamlDocument:
    """One YAML document: its plain value, its node tree (composed on demand), where it came from."""

    data: Any
    tree: NodeTree
    origin: Origin
    index: int  # 0-based position in the stream
    # Problems inside a document that was still read (duplicate keys): the loader names the
    # resource in them once it knows which one the document is.
    diagnostics: list[Diagnostic] = field(default_factory=list)
    # 0-based (line, column) of each item of an ``items`` list, read while the tree was at hand
    # (a List's items become documents of their own: listing.py).
    item_starts: tuple[tuple[int, int], ...] = ()

    @property
    def position(self) -> Position:
        return self.origin.at(self.tree.line, self.tree.column)

    def locate(self, *path: str | int) -> Position:
        """Position of the deepest existing node along ``path`` (the key, for a mapping field)."""
        mark = locate_node(self.tree.node(), path).start_mark
        return self.origin.at(self.tree.base + mark.line, mark.column)

    def span(self, *path: str | int) -> tuple[int, int] | None:
        """File lines (first, last) of the field at exactly ``path``, key included; None when absent."""
        found = field_node(self.tree.node(), path)
        if found is None:
            return None
        first, last = node_lines(*found)
        lines = self.origin.line_offset + self.tree.base
        return lines + first + 1, lines + last + 1


class _Refused(Exception):
    def __init__(self, diagnostic: Diagnostic):
        self.diagnostic = diagnostic


@dataclass
class GcPause:
    freeze: bool = False  # set inside the block: move survivors to the permanent generation on exit


@contextmanager
def gc_paused() -> Iterator[GcPause]:
    # Composing creates many small container objects: the cyclic GC makes it several times
    # slower (measured: 19.6 s vs 3.8 s for 20,000 documents) and finds nothing to free.
    # A caller that has just built a large input may set ``freeze``: the survivors (node trees
    # living as long as their resources) then go to the permanent generation (gc.freeze), so
    # the first collections after re-enabling do not scan them all again (measured: 3.7 s of a
    # 4,000-service load). gc.freeze() freezes every object of the process, so it is for large
    # batch loads (the CLI), not for the many small loads of a long-running `mkdocs serve`.
    pause = GcPause()
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield pause
    finally:
        if pause.freeze:
            gc.freeze()
        if enabled:
            gc.enable()


_freeze_at_exit = [False]  # registered once per process


def freeze_at_exit() -> None:
    """When the interpreter exits, move everything still alive to the permanent generation first.

    The collections of the interpreter's finalization then skip it all: after a checked build they
    rescanned the checked pages' objects, 0.6 s of CPU more than a plain build's exit (measured
    with an atexit probe; benchmarks/build_phases.py times the build itself). The memory goes back
    to the system with the process; only cyclic garbage is affected, and atexit work (logging,
    weakref.finalize, temporary directories) runs as before. For one-shot processes: a caller
    that runs on (`mkdocs serve`) does not call it.
    """
    if not _freeze_at_exit[0]:
        _freeze_at_exit[0] = True
        atexit.register(gc.freeze)


class _Converter:
    def __init__(self, origin: Origin):
        self.origin = origin
        self.memo: dict[int, Any] = {}
        self.active: set[int] = set()
        self.alias_hits = 0
        self.diagnostics: list[Diagnostic] = []

    def refuse(self, code: str, node: Node | None, **args: object) -> _Refused:
        return _Refused(report(code, self.origin.position(node), **args))

    def convert(self, node: Node) -> Any:
        key = id(node)
        if key in self.memo:
            self.alias_hits += 1
            return self.memo[key]
        if key in self.active:
            raise self.refuse("INB1001", node, detail="recursive alias (a node contains itself)")
        tag = node.tag
        if isinstance(node, ScalarNode):
            if tag == _STR:
                value: Any = node.value
                if len(value) <= _SHARED_TEXT:
                    value = sys.intern(value)
            elif tag in _CORE_SCALARS:
                if tag.endswith(("timestamp", "binary")):
                    value = node.value
                else:
                    value = self.scalar(tag, node)
            else:
                raise self.refuse("INB1013", node, tag=tag)
        elif isinstance(node, SequenceNode):
            if tag != _SEQ:
                raise self.refuse("INB1013", node, tag=tag)
            self.active.add(key)
            value = [self.convert(item) for item in node.value]
            self.active.discard(key)
        else:
            if tag != _MAP:
                raise self.refuse("INB1013", node, tag=tag)
            self.active.add(key)
            value = self.mapping(node)
            self.active.discard(key)
        self.memo[key] = value
        return value

    def scalar(self, tag: str, node: ScalarNode) -> Any:
        try:
            return scalar_value(tag, node)
        except NotFinite:
            raise self.refuse("INB1016", node, value=node.value) from None
        except NotANumber:
            raise self.refuse("INB1001", node, detail=f"{node.value!r} is not a valid {tag.rsplit(':', 1)[-1]}") from None

    def mapping(self, node: MappingNode) -> dict:
        result: dict = {}
        first_key: dict = {}  # key → its first key node (positions are computed only for duplicates)
        merged: list[dict] = []
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE:
                merged.extend(self.merge_sources(value_node))
                continue
            if not isinstance(key_node, ScalarNode):
                raise self.refuse("INB1001", key_node, detail="a mapping key must be a scalar")
            # Keys are text in Kubernetes (JSON objects); keep the literal spelling.
            key = sys.intern(key_node.value)
            if key in first_key:
                first_line = self.origin.position(first_key[key]).line
                self.diagnostics.append(report("INB1002", self.origin.position(key_node), key=key, first_line=first_line))
            else:
                first_key[key] = key_node
            result[key] = self.convert(value_node)
        for source in merged:
            for k, v in source.items():
                result.setdefault(k, v)
        return result

    def merge_sources(self, node: Node) -> list[dict]:
        items = node.value if isinstance(node, SequenceNode) else [node]
        sources = []
        for item in items:
            value = self.convert(item)
            if not isinstance(value, dict):
                raise self.refuse("INB1001", item, detail="'<<' merge needs a mapping or a list of mappings")
            sources.append(value)
        return sources


def _expanded_size(node: Node, sizes: dict[int, int]) -> int:
    key = id(node)
    if key in sizes:
        return sizes[key]
    sizes[key] = 1  # provisional; recursion is refused before this is called
    total = 1
    if isinstance(node, SequenceNode):
        total += sum(_expanded_size(child, sizes) for child in node.value)
    elif isinstance(node, MappingNode):
        total += sum(_expanded_size(k, sizes) + _expanded_size(v, sizes) for k, v in node.value)
    sizes[key] = total
    return total


def _syntax_diagnostic(error: yaml.YAMLError, origin: Origin, text: str) -> Diagnostic:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    position = origin.at(mark.line, mark.column) if mark is not None else origin.position(None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    if "cannot start any token" in problem and mark is not None and _char_at(text, mark) == "\t":
        return report("INB1004", position)
    context = getattr(error, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return report("INB1001", position, detail=detail)


def _char_at(text: str, mark: Any) -> str:
    # The C parser's marks carry no buffer: find the character from the line and column.
    try:
        return text.split("\n", mark.line + 1)[mark.line][mark.column]
    except (IndexError, TypeError):
        return ""


def read_documents(
    text: str, origin: Origin, max_documents: int | None = None, *, run_limit: int | None = None
) -> tuple[list[YamlDocument], list[Diagnostic]]:
    """Parse every document of ``text``. Documents before a syntax error are kept.

    More than ``max_documents`` documents (what is left of the run's limit of ``run_limit``
    resources: loader.py) and the stream is refused whole (INB1019): memory stays bounded,
    and no partial mesh is analysed.

    Each document is converted as soon as it is composed, and its node tree dropped, so that only
    one tree is alive at a time (the peak memory of a stream of many documents)."""
    documents: list[YamlDocument] = []
    syntax: list[Diagnostic] = []
    refused: list[Diagnostic] = []
    # A leading byte-order mark is not content. Without it both loaders count marks' indexes in
    # ``text`` itself (libyaml leaves the mark out of them, PyYAML's Python reader counts it).
    text = text.removeprefix("\ufeff")
    tree = tree_maker(text)
    oversized = oversized_document(text)
    if oversized is not None:
        return [], [report("INB1017", origin.at(oversized), limit=f"{DOCUMENT_NODE_LIMIT:,}")]
    with gc_paused():
        try:
            for index, node in enumerate(yaml.compose_all(text, Loader=SafeLoader)):
                document = _document(node, index, origin, tree, refused)
                if document is None:
                    continue
                if max_documents is not None and len(documents) >= max_documents:
                    limit = run_limit if run_limit is not None else max_documents
                    return [], [report("INB1019", document.position, limit=f"{limit:,}")]
                documents.append(document)
        except yaml.YAMLError as error:
            syntax.append(_syntax_diagnostic(error, origin, text))
    return documents, syntax + refused


def _document(node: Node, index: int, origin: Origin, tree: Callable[[Node], NodeTree],
              refused: list[Diagnostic]) -> YamlDocument | None:
    """The document of the composed ``node``; None (with its problems in ``refused``) when refused or empty."""
    if isinstance(node, ScalarNode) and node.tag == "tag:yaml.org,2002:null" and node.value in ("", "~", "null"):
        return None  # an empty document between '---' separators
    converter = _Converter(origin)
    try:
        data = converter.convert(node)
        if converter.alias_hits:
            distinct = len(converter.memo)
            expanded = _expanded_size(node, {})
            if expanded - distinct > ALIAS_EXPANSION_LIMIT:
                raise converter.refuse("INB1003", node, limit=ALIAS_EXPANSION_LIMIT)
    except _Refused as error:
        refused.extend(converter.diagnostics)
        refused.append(error.diagnostic)
        return None
    except RecursionError:
        refused.append(report("INB1001", origin.position(node), detail="nesting too deep"))
        return None
    return YamlDocument(data=data, tree=tree(node), origin=origin, index=index,
                        diagnostics=converter.diagnostics, item_starts=item_starts(node))
