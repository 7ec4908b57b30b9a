"""Positions without keeping node trees (config/yaml_positions.py, issue 13's memory bound).

A document keeps only where its text is; a position inside it composes that slice again. The
trees composed again must give every node the line and column the first composition gave it, on
every shape of stream: several documents, CRLF line ends, non-ASCII text, a root that starts in
the middle of a line (``--- {a: 1}``), indented block scalars, anchors and aliases, comments,
a byte-order mark, kubectl's Lists and JSON. The real-world corpus (../shared, skipped when
absent) and every YAML fence of our docs are compared node by node as well.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from istio_notebook.config import Origin, load_text
from istio_notebook.config.listing import unpack_lists
from istio_notebook.config import yaml_positions, yaml_reader
from istio_notebook.config.yaml_reader import read_documents
from istio_notebook.libyaml import SafeLoader

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus" / "author-notes" / "istio-yaml-blocks.yaml"

SHAPES = {
    "documents": "a: 1\n---\nb:\n  c: [x, y]\n---\n# a comment\nd: 'e'\n",
    "crlf": "a: 1\r\n---\r\nb:\r\n  - c\r\n  - d: e\r\n",
    "non-ascii": "name: ü日本語\n---\nkey: 値\nlist:\n- 😀\n- ほか\n",
    "root mid-line": "--- {a: 1, b: [2, 3]}\n--- [x, {y: z}]\n---   \n  k: v\n  l: w\n",
    "block scalars": "a: |\n  line 1\n   line 2\nb: >-\n  folded\n  text\nc: end\n---\nd: |+\n  kept\n\n",
    "anchors": "base: &b {x: 1}\nuse: *b\nmerge:\n  <<: *b\n  y: 2\n",
    "bom": "\ufeffapiVersion: v1\nkind: Service\n---\nx: y\n",
    "list": "apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: Service\n  metadata: {name: a}\n"
            "- apiVersion: v1\n  kind: Service\n  metadata:\n    name: b\n",
    "json": '{"apiVersion": "v1", "kind": "List", "items": [\n {"kind": "Service", "apiVersion": "v1",\n'
            '  "metadata": {"name": "a"}},\n {"kind": "Service", "apiVersion": "v1", "metadata": {"name": "b"}}]}\n',
}


@pytest.fixture(autouse=True)
def _slices_at_any_size(monkeypatch):
    # Streams under LIVE_TREES_BELOW keep their trees; these tests are about the ones that do not.
    monkeypatch.setattr(yaml_positions, "LIVE_TREES_BELOW", 0)


def test_a_small_stream_keeps_its_trees_and_a_large_one_only_slices(monkeypatch) -> None:
    monkeypatch.setattr(yaml_positions, "LIVE_TREES_BELOW", 100)
    small, _ = read_documents("a: 1\n", Origin("x.yaml"))
    large, _ = read_documents("---\n".join(f"k{i}: v\n" for i in range(40)), Origin("x.yaml"))
    assert small[0].tree.live is not None
    assert all(d.tree.live is None and d.tree.source is not None for d in large)
    assert large[39].locate("k39").line == 2 * 39 + 1  # "k39: v" after 39 documents of two lines


def _marks(node: Node, base: int = 0, seen: set[int] | None = None) -> list[tuple]:
    """Every node of the tree in order: its type, value (scalars), start and end (line + ``base``, column)."""
    seen = set() if seen is None else seen
    if id(node) in seen:
        return [("alias",)]
    seen.add(id(node))
    row = (type(node).__name__, node.value if isinstance(node, ScalarNode) else None,
           node.start_mark.line + base, node.start_mark.column, node.end_mark.line + base, node.end_mark.column)
    rows = [row]
    if isinstance(node, MappingNode):
        for key, value in node.value:
            rows += _marks(key, base, seen) + _marks(value, base, seen)
    elif isinstance(node, SequenceNode):
        for item in node.value:
            rows += _marks(item, base, seen)
    return rows


def _assert_same_positions(text: str) -> int:
    """Compare each document's tree composed again with the first composition; the nodes compared."""
    first = [n for n in yaml.compose_all(text, Loader=SafeLoader)
             if not (isinstance(n, ScalarNode) and n.value in ("", "~", "null"))]
    documents, _ = read_documents(text, Origin("x.yaml"))
    assert len(documents) == len(first)
    compared = 0
    for document, node in zip(documents, first, strict=True):
        assert document.tree.live is None, "the tree is not kept"
        assert _marks(document.tree.node(), document.tree.base) == _marks(node)
        assert (document.tree.line, document.tree.column) == (node.start_mark.line, node.start_mark.column)
        compared += len(_marks(node))
    return compared


@pytest.mark.parametrize("text", list(SHAPES.values()), ids=list(SHAPES))
def test_a_tree_composed_again_has_every_mark_of_the_first(text) -> None:
    assert _assert_same_positions(text) > 0


@pytest.mark.parametrize("text", list(SHAPES.values()), ids=list(SHAPES))
def test_the_pure_python_loader_composes_the_same_positions_again(text, monkeypatch) -> None:
    # The browser playground's PyYAML has no libyaml: its reader counts a byte-order mark in the
    # marks' indexes, libyaml does not; both must land on the same lines.
    monkeypatch.setattr(yaml_reader, "SafeLoader", yaml.SafeLoader)
    monkeypatch.setattr(yaml_positions, "SafeLoader", yaml.SafeLoader)
    yaml_positions._recompose.cache_clear()
    try:
        assert _assert_same_positions(text) > 0
    finally:
        yaml_positions._recompose.cache_clear()


def test_list_items_are_located_in_the_dump_without_their_trees_kept() -> None:
    documents, _ = read_documents(SHAPES["list"], Origin("dump.yaml"))
    items = unpack_lists(documents)
    assert [d.position.line for d in items] == [4, 7]
    assert items[1].locate("metadata", "name").line == 10
    assert items[0].span("metadata") == (6, 6)


def test_a_stream_with_directives_keeps_its_trees() -> None:
    # %YAML / %TAG apply to the whole stream: a slice composed alone would read differently.
    documents, _ = read_documents("%YAML 1.1\n---\na: 1\n", Origin("x.yaml"))
    assert documents[0].tree.live is not None
    assert documents[0].locate("a").line == 3


def test_findings_name_the_same_lines_as_before_on_a_long_stream() -> None:
    # 300 documents: positions deep in the stream, after the cache of composed trees has turned over.
    text = "---\n".join(f"apiVersion: v1\nkind: Service\nmetadata:\n  name: s{i}\nspec:\n  ports:\n  - port: {80 + i}\n"
                        for i in range(300))
    loaded = load_text(text, Origin("many.yaml"))
    for number, resource in enumerate(loaded.resources):
        assert resource.locate("spec", "ports", 0, "port").line == number * 8 + 7
        assert resource.position.line == number * 8 + 1


def test_every_yaml_fence_of_the_docs_keeps_its_positions() -> None:
    fence = re.compile(r"^```ya?ml[^\n]*\n(.*?)^```", re.S | re.M)
    compared = 0
    for page in sorted((ROOT / "docs").rglob("*.md")):
        for block in fence.findall(page.read_text(encoding="utf-8")):
            try:
                compared += _assert_same_positions(block)
            except yaml.YAMLError:
                continue  # deliberately broken examples
    assert compared > 5_000


@pytest.mark.skipif(not CORPUS.is_file(), reason="the shared corpus is not next to the repository")
def test_every_block_of_the_real_world_corpus_keeps_its_positions() -> None:
    blocks = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))["blocks"]
    compared = 0
    for block in blocks:
        try:
            compared += _assert_same_positions(block["yaml"])
        except yaml.YAMLError:
            continue
    assert compared > 1_000
