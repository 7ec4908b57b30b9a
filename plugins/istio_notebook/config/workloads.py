"""Workloads (Pods, Deployments' pod templates, WorkloadEntries) indexed by namespace and labels.

Built once per mesh (``Mesh.workloads``). Each (namespace, key, value) maps to the set of
workloads carrying it; a selector intersects the sets of its pairs, smallest first, so a lookup
costs the size of its rarest label, never a scan of every workload. Matching follows
``config.labels``: :meth:`WorkloadIndex.select` is ``SubsetOf`` (an empty selector selects every
workload), :meth:`WorkloadIndex.service_endpoints` is ``Match`` (an empty one selects none).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from istio_notebook.config.labels import label_map
from istio_notebook.config.resource import Resource

ANY_NAMESPACE = None
POD_KINDS = ("Pod", "Deployment")  # what istioctl's analyzers count as workloads
ALL_KINDS = ("Pod", "Deployment", "WorkloadEntry")  # what a Service or ServiceEntry selects endpoints from


@dataclass(frozen=True, eq=False)
class Workload:
    resource: Resource
    namespace: str
    labels: dict[str, str]

    @property
    def kind(self) -> str:
        return self.resource.kind


def workload_labels(resource: Resource) -> dict[str, str]:
    """The labels a workload resource gives its pods (a Deployment: its pod template's)."""
    if resource.kind == "Deployment":
        return label_map(resource.get("spec", "template", "metadata", "labels"))
    if resource.kind == "WorkloadEntry":
        return label_map(resource.get("spec", "labels"))
    return resource.labels


class WorkloadIndex:
    def __init__(self, resources: Iterable[Resource]):
        self.workloads: list[Workload] = [Workload(r, r.namespace, workload_labels(r)) for r in resources]
        self._by_namespace: dict[str, list[Workload]] = defaultdict(list)
        self._by_label: dict[tuple, set[int]] = defaultdict(set)
        for number, workload in enumerate(self.workloads):
            self._by_namespace[workload.namespace].append(workload)
            for key, value in workload.labels.items():
                self._by_label[(workload.namespace, key, value)].add(number)
                self._by_label[(ANY_NAMESPACE, key, value)].add(number)

    def __bool__(self) -> bool:
        return bool(self.workloads)

    def in_namespace(self, namespace: str) -> list[Workload]:
        return self._by_namespace.get(namespace, [])

    def _numbers(self, labels: dict[str, str], namespace: str | None) -> list[int]:
        sets = sorted((self._by_label.get((namespace, k, v), set()) for k, v in labels.items()), key=len)
        found = set(sets[0])
        for other in sets[1:]:
            if not found:
                break
            found &= other
        return sorted(found)

    def select(self, labels: dict[str, str], namespace: str | None = ANY_NAMESPACE) -> list[Workload]:
        """Workloads whose labels include ``labels`` (all of them when ``labels`` is empty)."""
        if not labels:
            return list(self.workloads) if namespace is ANY_NAMESPACE else list(self.in_namespace(namespace))
        return [self.workloads[n] for n in self._numbers(labels, namespace)]

    def service_endpoints(self, selector: dict[str, str], namespace: str) -> list[Workload]:
        """The workloads of ``namespace`` a Kubernetes Service ``selector`` picks (none when empty)."""
        return self.select(selector, namespace) if selector else []

    def any_selected(self, labels: dict[str, str], namespace: str | None = ANY_NAMESPACE) -> bool:
        if not labels:
            return bool(self.workloads) if namespace is ANY_NAMESPACE else bool(self.in_namespace(namespace))
        sets = sorted((self._by_label.get((namespace, k, v), set()) for k, v in labels.items()), key=len)
        if not sets[0]:
            return False
        return any(all(n in other for other in sets[1:]) for n in sets[0])
