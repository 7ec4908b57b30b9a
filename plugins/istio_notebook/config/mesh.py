"""A set of loaded resources with the lookups every consumer needs.

Resources are keyed by (API group, kind) (``config.kinds.GroupKind``): Gateway API's ``Gateway``
and Istio's ``Gateway`` are different kinds. A bare kind name given to :meth:`Mesh.of_kind` or
:meth:`Mesh.get` means the kind of Istio's or Kubernetes' own groups (``"Gateway"`` is
networking.istio.io's); other groups' kinds are asked for with a ``GroupKind``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from functools import cached_property

from istio_notebook.config.kinds import GroupKind, group_kind
from istio_notebook.config.resource import Resource
from istio_notebook.config.workloads import ALL_KINDS, POD_KINDS, WorkloadIndex

# The namespace whose policies and Sidecars apply mesh-wide (meshConfig.rootNamespace, default).
ROOT_NAMESPACE = "istio-system"


GATEWAY_API = "gateway.networking.k8s.io"


def index_kind(resource: Resource) -> str:
    """The bare kind, except Gateway API kinds: ``Kind.gateway.networking.k8s.io`` (its Gateway is not Istio's)."""
    return f"{resource.kind}.{GATEWAY_API}" if resource.group == GATEWAY_API else resource.kind


class Mesh:
    """Resources indexed by (group, kind) and by (group, kind, namespace, name). Read-only once built."""

    def __init__(self, resources: Iterable[Resource] = ()):
        self.resources: list[Resource] = list(resources)
        self._by_kind: dict[GroupKind, list[Resource]] = defaultdict(list)
        self._by_key: dict[tuple[GroupKind, str, str], Resource] = {}
        for resource in self.resources:
            key = resource.group_kind
            self._by_kind[key].append(resource)
            # The first definition wins, as a later `kubectl apply` of the same name would
            # replace it: duplicates are reported by an analyzer, not hidden here.
            self._by_key.setdefault((key, resource.namespace, resource.name), resource)

    def __iter__(self) -> Iterator[Resource]:
        return iter(self.resources)

    def __len__(self) -> int:
        return len(self.resources)

    def of_kind(self, kind: str | GroupKind) -> list[Resource]:
        return self._by_kind.get(group_kind(kind), [])

    def get(self, kind: str | GroupKind, namespace: str, name: str) -> Resource | None:
        return self._by_key.get((group_kind(kind), namespace, name))

    @property
    def namespaces(self) -> set[str]:
        found = {r.namespace for r in self.resources if r.namespace}
        found.update(r.name for r in self.of_kind("Namespace"))
        return found

    @cached_property
    def workloads(self) -> WorkloadIndex:
        """Pods, Deployments and WorkloadEntries by namespace and labels (what Services select)."""
        return WorkloadIndex(r for kind in ALL_KINDS for r in self.of_kind(kind))

    @cached_property
    def pod_workloads(self) -> WorkloadIndex:
        """Pods and Deployments only: the workloads istioctl's analyzers count."""
        return WorkloadIndex(r for kind in POD_KINDS for r in self.of_kind(kind))
