"""What every analyzer receives: the mesh and indexes built once per run, on first use."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from istio_notebook.analysis.services import ServiceRegistry
from istio_notebook.analysis.util import as_str, enumerate_dicts
from istio_notebook.config import Mesh, Resource
from istio_notebook.config.hosts import fqdn
from istio_notebook.config.workloads import WorkloadIndex


@dataclass(frozen=True)
class Metadata:
    """An analyzer's identity, as istioctl's ``analysis.Metadata``."""

    name: str  # "<kind>.<Check>"
    description: str  # one line
    inputs: tuple[str, ...]  # the kinds it reads


class Context:
    def __init__(self, mesh: Mesh):
        self.mesh = mesh
        self._unique: dict[str, list[Resource]] = {}

    def of_kind(self, kind: str) -> list[Resource]:
        """Resources of ``kind``; of a duplicated kind/namespace/name only the first (INB2001 flags the rest)."""
        unique = self._unique.get(kind)
        if unique is None:
            unique = [r for r in self.mesh.of_kind(kind) if self.mesh.get(kind, r.namespace, r.name) is r]
            self._unique[kind] = unique
        return unique

    def has(self, *kinds: str) -> bool:
        return any(self.mesh.of_kind(kind) for kind in kinds)

    @cached_property
    def services(self) -> ServiceRegistry:
        return ServiceRegistry(self.mesh)

    @cached_property
    def workloads(self) -> WorkloadIndex:
        return self.mesh.pod_workloads

    @cached_property
    def subsets_by_host(self) -> dict[str, set[str]]:
        """``fqdn`` → subset names defined by any DestinationRule for it (istioctl ignores exportTo here)."""
        found: dict[str, set[str]] = {}
        for rule in self.mesh.of_kind("DestinationRule"):
            host = as_str(rule.get("spec", "host"))
            names = found.setdefault(fqdn(host, rule.namespace), set())
            for _, subset in enumerate_dicts(rule.get("spec", "subsets")):
                names.add(as_str(subset.get("name")))
        return found
