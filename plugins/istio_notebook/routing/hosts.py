"""Host names as Istio compares them: FQDN expansion, wildcards, `ns/host` references.

Istio hosts are DNS names, optionally with one leading `*` label (`*.example.com`) or `*` alone.
"""

from __future__ import annotations

CLUSTER_DOMAIN = "cluster.local"


def fqdn(host: str, namespace: str) -> str:
    """A short name resolves in the referring resource's namespace; a dotted name is kept.

    Istio's ResolveShortnameToFQDN (pilot/pkg/model/config.go): `reviews` in namespace `default`
    becomes `reviews.default.svc.cluster.local`; `*` and names with a dot stay as they are.
    """
    host = host.strip().lower()
    if not host or host == "*" or "." in host:
        return host
    return f"{host}.{namespace}.svc.{CLUSTER_DOMAIN}"


def host_matches(pattern: str, host: str) -> bool:
    """Does `pattern` (maybe `*.x` or `*`) cover the concrete or wildcard `host`? (Istio's host.Name.Matches)."""
    if pattern == host or pattern == "*":
        return True
    if pattern.startswith("*"):
        suffix = pattern[1:]
        if host.startswith("*"):
            return host[1:].endswith(suffix)
        return host.endswith(suffix)
    return False


def hosts_intersect(a: str, b: str) -> bool:
    return host_matches(a, b) or host_matches(b, a)


def more_specific(a: str, b: str) -> str:
    """Of two intersecting hosts, the narrower one (what a gateway virtual host is named after)."""
    return b if host_matches(a, b) else a


def specificity(pattern: str) -> tuple[int, int]:
    """Sort key: exact names first, then longer wildcards (Istio's "most specific wildcard")."""
    return (1 if pattern.startswith("*") else 0, -len(pattern))


def split_namespaced(ref: str, default_namespace: str) -> tuple[str, str]:
    """`ns/host` → (ns, host); `./host` → own namespace; bare `host` → any namespace (`*`)."""
    if "/" in ref:
        ns, _, host = ref.partition("/")
        return (default_namespace if ns == "." else ns), host.lower()
    return "*", ref.lower()


def short_kube_name(hostname: str) -> tuple[str, str] | None:
    """`name.ns.svc.cluster.local` → (name, ns); None for other hosts."""
    suffix = f".svc.{CLUSTER_DOMAIN}"
    if not hostname.endswith(suffix):
        return None
    parts = hostname[: -len(suffix)].split(".")
    if len(parts) != 2:
        return None
    return parts[0], parts[1]


def export_targets(value: object) -> frozenset[str] | None:
    """exportTo as a set of namespaces ('.' kept, resolved by the caller); None = not set (public)."""
    if isinstance(value, str):
        items = [v.strip() for v in value.split(",") if v.strip()]
    elif isinstance(value, list):
        items = [str(v).strip() for v in value if str(v).strip()]
    else:
        return None
    return frozenset(items) if items else None


def exported_to(targets: frozenset[str] | None, owner_namespace: str, client_namespace: str) -> bool:
    """Is a resource of `owner_namespace` with these exportTo targets visible in `client_namespace`?"""
    if targets is None or "*" in targets:
        return True
    if "~" in targets:
        return False
    if "." in targets and client_namespace == owner_namespace:
        return True
    return client_namespace in targets
