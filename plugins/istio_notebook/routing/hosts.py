"""What routing adds to host handling: virtual host naming and ``ns/host`` references.

Expansion, comparison, Service host names and exportTo are shared with analysis/ in ``config/hosts.py``.
"""

from __future__ import annotations

from istio_notebook.config.hosts import host_subset_of


def more_specific(a: str, b: str) -> str:
    """Of two intersecting hosts, the narrower one (what a gateway virtual host is named after)."""
    return b if host_subset_of(b, a) else a


def split_namespaced(ref: str, default_namespace: str) -> tuple[str, str]:
    """`ns/host` → (ns, host); `./host` → own namespace; bare `host` → any namespace (`*`)."""
    if "/" in ref:
        ns, _, host = ref.partition("/")
        return (default_namespace if ns == "." else ns), host.lower()
    return "*", ref.lower()
