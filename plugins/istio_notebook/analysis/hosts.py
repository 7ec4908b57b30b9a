"""Host names as istioctl's analyzers treat them (pkg/config/analysis/analyzers/util/hosts.go).

Short names expand in the namespace of the resource that names them; names with a dot and
wildcards are kept. A "scoped" host is ``scope/fqdn`` where scope is ``*`` (every namespace)
or a namespace the host is visible in.
"""

from __future__ import annotations

CLUSTER_DOMAIN = "svc.cluster.local"
EXPORT_ALL = "*"
EXPORT_LOCAL = "."
MESH_GATEWAY = "mesh"

_SERVICE_SUFFIX = "." + CLUSTER_DOMAIN


def to_fqdn(namespace: str, host: str) -> str:
    """``reviews`` in ``default`` → ``reviews.default.svc.cluster.local``; dotted and ``*`` hosts kept."""
    if host.startswith("*") or "." in host:
        return host
    return f"{host}.{namespace}.{CLUSTER_DOMAIN}"


def service_namespace(fqdn: str) -> str | None:
    """The namespace of a ``name.ns.svc.cluster.local`` host, else None.

    istioctl matches ``^(.+)\\.(.+)\\.svc\\.cluster\\.local$`` (greedy: the namespace is the last
    label before the suffix); string splitting gives the same answer without backtracking.
    """
    if not fqdn.endswith(_SERVICE_SUFFIX):
        return None
    name, dot, namespace = fqdn[: -len(_SERVICE_SUFFIX)].rpartition(".")
    return namespace if dot and name and namespace else None


def is_wildcard(host: str) -> bool:
    return host.startswith("*")


def host_subset_of(a: str, b: str) -> bool:
    """istio's ``host.Name.SubsetOf``: every name ``a`` matches is matched by ``b``."""
    if is_wildcard(b):
        return a[1:].endswith(b[1:]) if is_wildcard(a) else a.endswith(b[1:])
    return not is_wildcard(a) and a == b


def hosts_overlap(a: str, b: str) -> bool:
    """istio's ``host.Name.Matches``: equal, or one wildcard covers the other (either way)."""
    return host_subset_of(a, b) or host_subset_of(b, a)


def export_scopes(export_to: object, namespace: str) -> list[str]:
    """Namespaces a resource's ``exportTo`` makes it visible in; ``["*"]`` when unset or public."""
    if not isinstance(export_to, list) or not export_to:
        return [EXPORT_ALL]
    if EXPORT_ALL in export_to:
        return [EXPORT_ALL]
    scopes: list[str] = []
    for entry in export_to:
        scope = namespace if entry == EXPORT_LOCAL else str(entry)
        if scope not in scopes:
            scopes.append(scope)
    return scopes


def split_gateway_ref(ref: str, namespace: str) -> tuple[str, str]:
    """A VirtualService gateway reference: ``ns/name``, or a bare name in the VS namespace."""
    if "/" in ref:
        ns, _, name = ref.partition("/")
        return ns, name
    return namespace, ref
