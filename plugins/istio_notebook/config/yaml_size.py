"""How many nodes a YAML text builds, bounded before the node tree is built.

PyYAML's composer keeps about 300 bytes per node (node, marks, value), and YAML's flow style
spends 2 bytes per node: a 31 MB flow list took 5.9 GB. No Kubernetes object comes near a million
nodes (the API server refuses requests over 3 MiB), so a document with more is refused before it
is composed. A cheap upper bound from the text's separators spares the exact count (an event
pass, which keeps no nodes) for every ordinary input.
"""

from __future__ import annotations

import yaml

from istio_notebook.libyaml import SafeLoader

DOCUMENT_NODE_LIMIT = 1_000_000
# Below this bound for the whole text no exact count is made; then one document holds at most
# this many nodes (about 900 MB of node tree).
CHEAP_BOUND_LIMIT = 3_000_000
_NODES = (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)


def node_bound(text: str) -> int:
    """An upper bound of the nodes in ``text``: a node starts a line, follows a ``,``/``[``/``{``
    (a mapping pair two nodes, hence the factors), a ``- `` or a ``: ``."""
    return (2 * (text.count("\n") + 1) + 2 * text.count(",") + 2 * text.count("[") + 3 * text.count("{")
            + text.count("- ") + text.count(": "))


def oversized_document(text: str, limit: int = DOCUMENT_NODE_LIMIT) -> int | None:
    """The 0-based line of the first document with more than ``limit`` nodes, or None.

    Stops counting at the first such document; a syntax error ends the count (the composer
    reports it).
    """
    if node_bound(text) <= max(limit, CHEAP_BOUND_LIMIT):
        return None
    count = 0
    start_line = 0
    try:
        for event in yaml.parse(text, Loader=SafeLoader):
            if isinstance(event, _NODES):
                count += 1
                if count > limit:
                    return start_line
            elif isinstance(event, yaml.DocumentStartEvent):
                count, start_line = 0, event.start_mark.line
    except yaml.YAMLError:
        return None
    return None
