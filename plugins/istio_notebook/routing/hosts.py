"""What routing adds to host handling: Envoy-side normalisation, virtual host naming, visibility.

Expansion, comparison and the exportTo parser are shared with analysis/ in ``config/hosts.py``.
"""

from __future__ import annotations

from istio_notebook.config.hosts import (
    EXPORT_ALL,
    EXPORT_LOCAL,
    SERVICE_SUFFIX,
    host_subset_of,
    to_fqdn,
)


def fqdn(host: str, namespace: str) -> str:
    """A host as Envoy compares it (domains are case-insensitive), short names expanded (config.hosts.to_fqdn)."""
    return to_fqdn(namespace, host.strip().lower())


def more_specific(a: str, b: str) -> str:
    """Of two intersecting hosts, the narrower one (what a gateway virtual host is named after)."""
    return b if host_subset_of(b, a) else a


def split_namespaced(ref: str, default_namespace: str) -> tuple[str, str]:
    """`ns/host` → (ns, host); `./host` → own namespace; bare `host` → any namespace (`*`)."""
    if "/" in ref:
        ns, _, host = ref.partition("/")
        return (default_namespace if ns == "." else ns), host.lower()
    return "*", ref.lower()


def short_kube_name(hostname: str) -> tuple[str, str] | None:
    """`name.ns.svc.cluster.local` → (name, ns); None for other hosts."""
    if not hostname.endswith(SERVICE_SUFFIX):
        return None
    parts = hostname[: -len(SERVICE_SUFFIX)].split(".")
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def exported_to(targets: tuple[str, ...] | None, owner_namespace: str, client_namespace: str) -> bool:
    """Is a resource of `owner_namespace` with these exportTo targets (config.hosts.export_targets) visible in `client_namespace`?"""
    if targets is None or EXPORT_ALL in targets:
        return True
    if "~" in targets:
        return False
    if EXPORT_LOCAL in targets and client_namespace == owner_namespace:
        return True
    return client_namespace in targets
