"""A set of loaded resources with the lookups every consumer needs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from istio_notebook.config.resource import Resource


GATEWAY_API = "gateway.networking.k8s.io"


def index_kind(resource: Resource) -> str:
    """The bare kind, except Gateway API kinds: ``Kind.gateway.networking.k8s.io`` (its Gateway is not Istio's)."""
    return f"{resource.kind}.{GATEWAY_API}" if resource.group == GATEWAY_API else resource.kind


class Mesh:
    """Resources indexed by kind and by (kind, namespace, name). Read-only once built."""

    def __init__(self, resources: Iterable[Resource] = ()):
        self.resources: list[Resource] = list(resources)
        self._by_kind: dict[str, list[Resource]] = defaultdict(list)
        self._by_key: dict[tuple[str, str, str], Resource] = {}
        for resource in self.resources:
            kind = index_kind(resource)
            self._by_kind[kind].append(resource)
            # The first definition wins, as a later `kubectl apply` of the same name would
            # replace it: duplicates are reported by an analyzer, not hidden here.
            self._by_key.setdefault((kind, resource.namespace, resource.name), resource)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def of_kind(self, kind: str) -> list[Resource]:
        return self._by_kind.get(kind, [])

    def get(self, kind: str, namespace: str, name: str) -> Resource | None:
        return self._by_key.get((kind, namespace, name))

    @property
    def namespaces(self) -> set[str]:
        found = {r.namespace for r in self.resources if r.namespace}
        found.update(r.name for r in self.of_kind("Namespace"))
        return found
