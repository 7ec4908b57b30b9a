"""Which security policies apply to a workload (istio.io docs/reference/config/security/).

AuthorizationPolicy / RequestAuthentication: the workload's namespace (narrowed by selector),
plus the root namespace `istio-system` (mesh-wide; with a selector, matching workloads of any
namespace). PeerAuthentication: workload selector > namespace > mesh (root namespace), with
port-level overrides; UNSET inherits from the level above; default PERMISSIVE.
"""

from __future__ import annotations

from istio_notebook.authz.model import Workload
from istio_notebook.config import Mesh, Resource
from istio_notebook.config.labels import label_map, selects
from istio_notebook.config.mesh import ROOT_NAMESPACE


def _selector(resource: Resource) -> dict[str, str] | None:
    sel = resource.spec.get("selector")
    if isinstance(sel, dict):
        return label_map(sel.get("matchLabels"))
    return None


def applies(resource: Resource, workload: Workload) -> bool:
    if resource.spec.get("targetRef") or resource.spec.get("targetRefs"):
        return False  # targetRef policies bind gateways/waypoints, not sidecar workloads
    if resource.namespace not in (workload.namespace, ROOT_NAMESPACE):
        return False
    return selects(_selector(resource) or {}, workload.labels)


def policies(mesh: Mesh, kind: str, workload: Workload) -> list[Resource]:
    return [r for r in sorted(mesh.of_kind(kind), key=lambda r: r.creation_key) if applies(r, workload)]


def skipped_target_ref(mesh: Mesh, workload: Workload) -> list[Resource]:
    return [r for r in mesh.of_kind("AuthorizationPolicy")
            if (r.spec.get("targetRef") or r.spec.get("targetRefs")) and r.namespace in (workload.namespace, ROOT_NAMESPACE)]


def peer_authentication(mesh: Mesh, workload: Workload, port: int) -> tuple[str, Resource | None]:
    """The effective mTLS mode on `port` and the PeerAuthentication that set it."""
    candidates = sorted(mesh.of_kind("PeerAuthentication"), key=lambda r: r.creation_key)
    levels: list[Resource] = []
    for r in candidates:  # workload level
        selector = _selector(r)
        if r.namespace == workload.namespace and selector and selects(selector, workload.labels):
            levels.append(r)
            break
    for namespace in (workload.namespace, ROOT_NAMESPACE):  # namespace, then mesh level
        for r in candidates:
            if r.namespace == namespace and not _selector(r):
                levels.append(r)
                break
    for r in levels:
        port_level = r.spec.get("portLevelMtls")
        if isinstance(port_level, dict):
            entry = port_level.get(port, port_level.get(str(port)))
            if isinstance(entry, dict) and entry.get("mode") not in (None, "UNSET"):
                return str(entry["mode"]), r
        mode = r.spec.get("mtls", {}).get("mode") if isinstance(r.spec.get("mtls"), dict) else None
        if mode not in (None, "UNSET"):
            return str(mode), r
    return "PERMISSIVE", None
