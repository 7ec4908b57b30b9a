"""Workloads (Pods and the pod templates of Deployments) indexed by labels, for selectors.

A selector ``{k1: v1, k2: v2}`` matches a workload whose labels contain every pair. Each
(namespace, key, value) maps to the set of workloads carrying it; a selector intersects the
sets of its pairs, smallest first, so a lookup costs the size of its rarest label, never a
scan of every workload.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from istio_notebook.analysis.util import as_dict, string_map
from istio_notebook.config import Mesh, Resource

ANY_NAMESPACE = None


@dataclass(frozen=True, eq=False)
class Workload:
    resource: Resource
    namespace: str
    labels: dict[str, str]


def workloads_of(mesh: Mesh) -> list[Workload]:
    found = [Workload(pod, pod.namespace, pod.labels) for pod in mesh.of_kind("Pod")]
    for deployment in mesh.of_kind("Deployment"):
        template = as_dict(deployment.get("spec", "template", "metadata"))
        found.append(Workload(deployment, deployment.namespace, string_map(template.get("labels"))))
    return found


class WorkloadIndex:
    def __init__(self, workloads: list[Workload]):
        self.workloads = workloads
        self._by_namespace: dict[str, list[Workload]] = defaultdict(list)
        self._by_label: dict[tuple, set[int]] = defaultdict(set)
        for number, workload in enumerate(workloads):
            self._by_namespace[workload.namespace].append(workload)
            for key, value in workload.labels.items():
                self._by_label[(workload.namespace, key, value)].add(number)
                self._by_label[(ANY_NAMESPACE, key, value)].add(number)

    def __bool__(self) -> bool:
        return bool(self.workloads)

    def in_namespace(self, namespace: str) -> list[Workload]:
        return self._by_namespace.get(namespace, [])

    def select(self, labels: dict[str, str], namespace: str | None = ANY_NAMESPACE) -> list[Workload]:
        """Workloads whose labels include ``labels`` (all of them when ``labels`` is empty)."""
        if not labels:
            return list(self.workloads) if namespace is ANY_NAMESPACE else list(self.in_namespace(namespace))
        sets = sorted((self._by_label.get((namespace, k, v), set()) for k, v in labels.items()), key=len)
        found = set(sets[0])
        for other in sets[1:]:
            if not found:
                break
            found &= other
        return [self.workloads[n] for n in sorted(found)]

    def any_selected(self, labels: dict[str, str], namespace: str | None = ANY_NAMESPACE) -> bool:
        if not labels:
            return bool(self.workloads) if namespace is ANY_NAMESPACE else bool(self.in_namespace(namespace))
        sets = sorted((self._by_label.get((namespace, k, v), set()) for k, v in labels.items()), key=len)
        if not sets[0]:
            return False
        return any(all(n in other for other in sets[1:]) for n in sets[0])
