"""Unpack ``kind: List`` documents (kubectl's dumps) into one document per item, with positions.

``kubectl get ... -o yaml|json`` prints ``apiVersion: v1, kind: List, items: [...]``; a list
saved from the API server itself is typed (``ServiceList``) and its items may leave out
``apiVersion`` and ``kind``: the list's apiVersion and its kind without ``List`` then stand for
them. Every item keeps its place in the list's node tree, so every field of every item is located
in the dump (line and column of the item's field, not of the list).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from istio_notebook.config.yaml_positions import locate_node
from istio_notebook.config.yaml_reader import YamlDocument

_LIST = "List"


def is_list(data: object) -> bool:
    """A ``v1 List`` or a typed ``<Kind>List`` with an ``items`` sequence."""
    if not isinstance(data, dict) or not isinstance(data.get("items"), list):
        return False
    kind, api_version = data.get("kind"), data.get("apiVersion")
    if not isinstance(kind, str) or not isinstance(api_version, str):
        return False
    return (kind == _LIST and api_version == "v1") or (kind.endswith(_LIST) and len(kind) > len(_LIST))


def _item_kind(data: dict) -> tuple[str, str] | None:
    """(apiVersion, kind) an item of a typed list stands for when it names neither; None for ``v1 List``."""
    kind = data["kind"]
    if kind == _LIST:
        return None
    return data["apiVersion"], kind[: -len(_LIST)]


def _items(document: YamlDocument) -> Iterator[YamlDocument]:
    data = document.data
    implied = _item_kind(data)
    starts = document.item_starts
    for index, item in enumerate(data["items"]):
        if index < len(starts):
            tree = document.tree.child(("items", index), *starts[index])
        else:  # a List inside a List, or JSON's values differing from YAML's: find the item's node
            found = locate_node(document.tree.node(), ("items", index)).start_mark
            tree = document.tree.child(("items", index), document.tree.base + found.line, found.column)
        if implied is not None and isinstance(item, dict):
            item.setdefault("apiVersion", implied[0])
            item.setdefault("kind", implied[1])
        yield YamlDocument(data=item, tree=tree, origin=document.origin, index=document.index)


def unpack_lists(documents: Iterable[YamlDocument]) -> list[YamlDocument]:
    """``documents`` with every List replaced by its items (Lists inside Lists too), in order.

    Problems found while reading a List (duplicate keys) stay with its first item, or with the
    List itself when it has no items, so that none is lost.
    """
    result: list[YamlDocument] = []
    pending = list(documents)[::-1]
    while pending:
        document = pending.pop()
        if not is_list(document.data):
            result.append(document)
            continue
        items = list(_items(document))
        if not items:
            if document.diagnostics:
                result.append(document)
            continue
        items[0].diagnostics.extend(document.diagnostics)
        pending.extend(reversed(items))
    return result
