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


def to_fqdn(namespace: str, host: str) -> str:
    """``reviews`` in ``default`` → ``reviews.default.svc.cluster.local``; dotted, ``*``-led and empty hosts kept.

    Istio's ResolveShortnameToFQDN (pilot/pkg/model/config.go) returns an empty name and any
    name starting with ``*`` unchanged, and expands only names without a dot.
    """
    if not host or host.startswith("*") or "." in host:
        return host
    return f"{host}.{namespace}{SERVICE_SUFFIX}"


def service_namespace(fqdn: str) -> str | None:
    """The namespace of a ``name.ns.svc.cluster.local`` host (``name`` may hold dots), else None.

    istioctl matches ``^(.+)\\.(.+)\\.svc\\.cluster\\.local$`` (greedy: the namespace is the last
    label before the suffix); string splitting gives the same answer without backtracking.
    """
    if not fqdn.endswith(SERVICE_SUFFIX):
        return None
    name, dot, namespace = fqdn[: -len(SERVICE_SUFFIX)].rpartition(".")
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
