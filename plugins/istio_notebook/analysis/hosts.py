"""What istioctl's analyzers add to host handling (pkg/config/analysis/analyzers/util/hosts.go).

Host expansion and comparison are shared with routing/ in ``config/hosts.py``. A "scoped" host is
``scope/fqdn`` where scope is ``*`` (every namespace) or a namespace the host is visible in.
"""

from __future__ import annotations

from istio_notebook.config.hosts import EXPORT_ALL, EXPORT_LOCAL, export_targets

MESH_GATEWAY = "mesh"


def export_namespaces(export_to: object, namespace: str) -> list[str] | None:
    """An exportTo list or annotation (config.hosts.export_targets) with ``.`` read as ``namespace``; None when unset."""
    targets = export_targets(export_to)
    if targets is None:
        return None
    return list(dict.fromkeys(namespace if target == EXPORT_LOCAL else target for target in targets))


def export_scopes(export_to: object, namespace: str) -> list[str]:
    """Namespaces a resource's ``spec.exportTo`` list makes it visible in; ``["*"]`` when unset or public."""
    scopes = export_namespaces(export_to, namespace) if isinstance(export_to, list) else None
    if scopes is None or EXPORT_ALL in scopes:
        return [EXPORT_ALL]
    return scopes


def split_gateway_ref(ref: str, namespace: str) -> tuple[str, str]:
    """A VirtualService gateway reference: ``ns/name``, or a bare name in the VS namespace."""
    if "/" in ref:
        ns, _, name = ref.partition("/")
        return ns, name
    return namespace, ref
