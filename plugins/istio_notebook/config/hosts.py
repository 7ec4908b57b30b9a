"""Host names and exportTo as Istio reads them; shared by analysis/ and routing/.

Hosts are DNS names, optionally with a leading ``*`` (``*.example.com``, ``*`` alone). Short names
expand in the namespace of the resource that names them. Comparison follows istio/istio
pkg/config/host/name.go (``Name.SubsetOf``, ``Name.Matches``).
"""

from __future__ import annotations

CLUSTER_DOMAIN = "cluster.local"
SERVICE_SUFFIX = f".svc.{CLUSTER_DOMAIN}"
EXPORT_ALL = "*"
EXPORT_LOCAL = "."
EXPORT_NONE = "~"
EXPORT_TO_ANNOTATION = "networking.istio.io/exportTo"  # a Service's exportTo (comma-separated)


def fqdn(host: str, namespace: str, *, fold_case: bool = False) -> str:
    """``reviews`` in ``default`` → ``reviews.default.svc.cluster.local``; dotted, ``*``-led and empty hosts kept.

    Istio's ResolveShortnameToFQDN (pilot/pkg/model/config.go) returns an empty name and any
    name starting with ``*`` unchanged, and expands only names without a dot. ``fold_case``:
    strip and lower-case first, as Envoy compares domains (routing does; analyzers compare as written).
    """
    if fold_case:
        host = host.strip().lower()
    if not host or host.startswith("*") or "." in host:
        return host
    return f"{host}.{namespace}{SERVICE_SUFFIX}"


def split_service_host(hostname: str) -> tuple[str, str] | None:
    """``name.ns.svc.cluster.local`` → (name, ns) when the name has no dot (a Kubernetes Service), else None."""
    if not hostname.endswith(SERVICE_SUFFIX):
        return None
    parts = hostname[: -len(SERVICE_SUFFIX)].split(".")
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def service_namespace(fqdn: str) -> str | None:
    """The namespace of a ``name.ns.svc.cluster.local`` host (``name`` may hold dots), else None.

    istioctl matches ``^(.+)\\.(.+)\\.svc\\.cluster\\.local$`` (greedy: the namespace is the last
    label before the suffix); string splitting gives the same answer without backtracking.
    """
    if not fqdn.endswith(SERVICE_SUFFIX):
        return None
    name, dot, namespace = fqdn[: -len(SERVICE_SUFFIX)].rpartition(".")
    return namespace if dot and name and namespace else None


def truncated_service_namespace(host: str) -> str | None:
    """The ``ns`` of a cluster-local name cut short: ``name.ns``, ``name.ns.svc``, ``name.ns.svc.cluster``.

    Istio expands only names without a dot (ResolveShortnameToFQDN), so such a host stays as
    written and names no Kubernetes service.
    """
    labels = host.split(".")
    if 2 <= len(labels) <= 4 and all(labels[:2]) and labels[2:] == ["svc", "cluster"][: len(labels) - 2]:
        return labels[1]
    return None


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


def export_targets(value: object) -> tuple[str, ...] | None:
    """exportTo as its namespaces in order, once each (``.`` kept, resolved by the caller); None = unset.

    Takes the ``spec.exportTo`` list or the comma-separated ``networking.istio.io/exportTo``
    annotation of a Service. Entries are stripped; an empty list or one of blanks counts as unset.
    """
    if isinstance(value, str):
        entries = value.split(",")
    elif isinstance(value, list):
        entries = [str(v) for v in value]
    else:
        return None
    targets = tuple(dict.fromkeys(e.strip() for e in entries if e.strip()))
    return targets or None


def exported_to(targets: tuple[str, ...] | None, owner_namespace: str, client_namespace: str) -> bool:
    """Is a resource of ``owner_namespace`` with these exportTo targets (:func:`export_targets`)
    visible in ``client_namespace``? Unset and ``*`` are public, ``~`` hides, ``.`` is the owner's."""
    if targets is None or EXPORT_ALL in targets:
        return True
    if EXPORT_NONE in targets:
        return False
    if EXPORT_LOCAL in targets and client_namespace == owner_namespace:
        return True
    return client_namespace in targets
