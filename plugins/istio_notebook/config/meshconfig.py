"""MeshConfig as the input gives it: the one place that finds it.

The input carries MeshConfig as an IstioOperator's `spec.meshConfig` (what `istioctl install`
writes into ConfigMap `istio`; ConfigMaps themselves are read-only kinds here, not loaded). Several
IstioOperators: the first (input order) that sets a field wins. With none, Istio's defaults
apply: no extension providers, outbound policy ALLOW_ANY (istio/api mesh/v1alpha1/config.proto).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from istio_notebook.config.mesh import Mesh


@dataclass(frozen=True)
class MeshConfigSource:
    """One MeshConfig document and where it came from (for traces: "IstioOperator ns/name meshConfig")."""

    body: dict[str, Any]
    label: str

    def get(self, *path: str) -> Any:
        value: Any = self.body
        for step in path:
            if not isinstance(value, dict) or step not in value:
                return None
            value = value[step]
        return value


def mesh_configs(mesh: Mesh) -> list[MeshConfigSource]:
    """Every MeshConfig the input carries, in the order they are consulted."""
    found: list[MeshConfigSource] = []
    for op in mesh.of_kind("IstioOperator"):
        body = op.get("spec", "meshConfig")
        if isinstance(body, dict):
            found.append(MeshConfigSource(body, f"IstioOperator {op.key} meshConfig"))
    return found


def mesh_setting(mesh: Mesh, *path: str) -> tuple[Any, str | None]:
    """(value, where it came from) of the first MeshConfig that sets `path`; (None, None) when none does."""
    for source in mesh_configs(mesh):
        value = source.get(*path)
        if value is not None:
            return value, source.label
    return None, None


def extension_providers(mesh: Mesh) -> tuple[list[dict[str, Any]], str | None]:
    """`extensionProviders` of the MeshConfig that declares them ([] by default), and its label."""
    value, label = mesh_setting(mesh, "extensionProviders")
    if not isinstance(value, list):
        return [], None
    return [p for p in value if isinstance(p, dict)], label
