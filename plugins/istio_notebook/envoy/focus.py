"""The part of a route table one request can reach: what a single-request replay gives Envoy.

Envoy picks the virtual host of a route configuration by the request's Host among the virtual
hosts whose domains match it (exactly, by a ``*.`` suffix or ``.*`` prefix wildcard, or ``*``:
config.route.v3.VirtualHost.domains); a virtual host none of whose domains matches cannot be
chosen, and a cluster only such virtual hosts name cannot be reached. Dropping both leaves the
request's outcome as it was and spares Envoy loading them (a 5,000-service mesh: 16,669 clusters
and 10,000 virtual hosts per listener, most of Envoy's start-up; benchmarks/envoy_scale.py).

The match kept here is a superset of Envoy's: every form of the Host (with and without its port),
case-insensitive, wildcards without Envoy's "at least one character" rule. Listeners, routes
within a kept virtual host, and clusters no virtual host names (TCP ports, passthrough) are kept
whole; a kept virtual host's routes keep the names its position in the whole table gave them. tests/envoy/test_envoy_focus.py replays requests with and without the focus.
"""

from __future__ import annotations

from dataclasses import replace

from istio_notebook.routing.table import RouteTable, VirtualHost


def host_forms(authority: str, host: str, port: int | None) -> frozenset[str]:
    """The Host forms a domain could be matched against: as sent, without a port, with the URL's port."""
    authority = authority.lower()
    bare = authority.rsplit(":", 1)[0] if authority.rsplit(":", 1)[-1].isdigit() else authority
    names = {bare, host.lower()}
    names |= {name.rstrip(".") for name in names}  # as if a trailing dot were stripped (it is not, today)
    forms = {authority} | names
    if port is not None:
        forms |= {f"{name}:{port}" for name in names}
    return frozenset(forms)


def domain_could_match(domain: str, hosts: frozenset[str]) -> bool:
    domain = domain.lower()
    if domain == "*" or domain in hosts:
        return True
    if domain.startswith("*"):
        return any(h.endswith(domain[1:]) for h in hosts)
    if domain.endswith("*"):
        return any(h.startswith(domain[:-1]) for h in hosts)
    return False


def _clusters_of(vhost: VirtualHost) -> set[str]:
    names: set[str] = set()
    for route in vhost.routes:
        names.update(d.cluster for d in route.action.destinations)
        names.update(m.cluster for m in route.action.mirrors)
    return names


def focused(table: RouteTable, hosts: frozenset[str]) -> RouteTable:
    """``table`` with only the virtual hosts that could match one of ``hosts``, and without the
    clusters that only the dropped virtual hosts name."""
    kept_configs, kept, dropped = [], set(), set()
    for config in table.route_configs:
        vhosts, positions = [], []
        for position, vhost in enumerate(config.virtual_hosts):
            if any(domain_could_match(d, hosts) for d in vhost.domains):
                vhosts.append(vhost)
                positions.append(position)
                kept |= _clusters_of(vhost)
            else:
                dropped |= _clusters_of(vhost)
        kept_configs.append(replace(config, virtual_hosts=vhosts, vhost_positions=tuple(positions)))
    unreachable = dropped - kept
    clusters = {name: c for name, c in table.clusters.items() if name not in unreachable}
    return replace(table, route_configs=kept_configs, clusters=clusters)


def _named_clusters(node: object, into: set[str]) -> None:
    """Every cluster a piece of Envoy configuration names: ``cluster`` and ``cluster_name`` values
    (routes, mirrors, tcp_proxy, gRPC services) and the clusters of ``weighted_clusters``."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("cluster", "cluster_name") and isinstance(value, str):
                into.add(value)
            elif key == "weighted_clusters" and isinstance(value, dict):
                into.update(c["name"] for c in value.get("clusters", []) if isinstance(c, dict) and "name" in c)
            _named_clusters(value, into)
    elif isinstance(node, list):
        for item in node:
            _named_clusters(item, into)


def without_unnamed_clusters(bootstrap: dict) -> dict:
    """``bootstrap`` without the static clusters nothing else in it names (no listener, route or
    other part of the configuration can send a request there)."""
    static = bootstrap.get("static_resources", {})
    named: set[str] = set()
    _named_clusters({k: v for k, v in bootstrap.items() if k != "static_resources"}, named)
    _named_clusters({k: v for k, v in static.items() if k != "clusters"}, named)
    for cluster in static.get("clusters", []):  # a cluster may name another (e.g. an aggregate's)
        _named_clusters({k: v for k, v in cluster.items() if k not in ("name", "load_assignment")}, named)
    clusters = [c for c in static.get("clusters", []) if c.get("name") in named]
    return {**bootstrap, "static_resources": {**static, "clusters": clusters}}
