"""Where each part of translated Envoy config came from: Envoy JSON path → the Istio resource field.

The translator (routes.envoy_route) writes a route from a table route (routing/table.py);
this module follows the same steps over the same table route and says, for each Envoy JSON path
that was written, which field of the source VirtualService produced it, or None where Istio
writes a value of its own (the timeout "0s" when none is set, the retry policy's host predicate,
the route metadata's fixed prefix...). Field paths are the resource's own
(``("spec", "http", 0, "route", 1)``), so the config loader turns them into lines.

A DestinationRule's clusters follow envoy/policy.py the same way, over the merge levels the
simulator reads (routing/policy.py policy_layers): each field from the level that won it, when
that level is in this DestinationRule; a ServiceEntry's cluster names come from its host and port.
A Gateway's HTTP listeners follow translate.listeners, a VirtualService's tcp and tls rules
translate_l4.chain_json.

The Envoy tab's parallel view (markdown/parallel.py) is built from it. Only routes translated
one to one from a VirtualService rule are attributed (not delegated ones, nor Gateway API
routes, whose fields live in another resource's shape): ``route_sources`` answers None there.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from istio_notebook.envoy.routes import envoy_route
from istio_notebook.gatewayapi import gateway_semantics
from istio_notebook.routing.actions import header_authority
from istio_notebook.routing.policy import PolicyLayer, policy_layers
from istio_notebook.routing.table import HeaderMatch, Route, RouteTable

Path = tuple[Any, ...]
PSEUDO_FIELDS = {":method": "method", ":authority": "authority", ":scheme": "scheme"}
RETRY_FIELDS = {"num_retries": "attempts", "retry_on": "retryOn", "per_try_timeout": "perTryTimeout",
                "retriable_status_codes": "retryOn"}


@dataclass(frozen=True)
class Source:
    """``envoy``: a path in the route's JSON; ``field``: the resource field it came from (None: Istio's own)."""

    envoy: Path
    field: Path | None


def virtual_service_routes(table: RouteTable, resource) -> tuple[dict, list[Source]] | None:
    """The routes ``resource`` (a VirtualService) became in ``table``'s proxy, as the Envoy tab shows
    them (``{"route_configs": {config: {virtual host: {"domains", "routes"}}}}``, each route written by
    routes.envoy_route as in the display form), with the sources of their paths in that document.
    None when a route is not attributable (see the module docstring)."""
    key = f"{resource.namespace}/{resource.name}"
    part: dict = {}
    sources: list[Source] = []
    for config in table.route_configs:
        for vhost in config.virtual_hosts:
            routes = [r for r in vhost.routes if r.origin.virtual_service == key]
            if not routes:
                continue
            at: Path = ("route_configs", config.name, vhost.name)
            written = [envoy_route(r) for r in routes]
            sources.append(Source(at + ("domains",), ("spec", "hosts")))
            for i, (route, out) in enumerate(zip(routes, written)):
                found = route_sources(route, out)
                if found is None:
                    return None
                sources.extend(Source(at + ("routes", i) + s.envoy, s.field) for s in found)
            part.setdefault(config.name, {})[vhost.name] = {"domains": list(vhost.domains), "routes": written}
    return {"route_configs": part}, sources


def route_sources(route: Route, written: dict) -> list[Source] | None:
    """The sources of the paths ``written`` (routes.envoy_route(route)) has, most specific last."""
    origin = route.origin
    resource = origin.source
    if resource is None or origin.delegate or origin.rule_index is None or resource.kind != "VirtualService" or gateway_semantics(resource):
        return None
    rule: Path = ("spec", "http", origin.rule_index)
    spec = resource.get(*rule)
    if not isinstance(spec, dict):
        return None
    found = [Source(("metadata",), ("metadata", "name")), Source(("name",), rule + ("name",) if "name" in spec else None)]
    found += _match(route, rule, spec)
    found += _action(route, rule, spec, written)
    return [Source(s.envoy, s.field if s.field is not None and resource.get(*s.field) is not None else None)
            for s in found if _present(written, s.envoy)]


def _match(route: Route, rule: Path, spec: dict) -> Iterator[Source]:
    m = route.origin.match_index
    match = (spec.get("match") or [None])[m] if m is not None and isinstance(spec.get("match"), list) else None
    at: Path = rule + ("match", m)
    uri = at + ("uri",) if isinstance(match, dict) and match.get("uri") else None
    for key in route.match.path.envoy_path():
        yield Source(("match", key), at + ("ignoreUriCase",) if key == "case_sensitive" else uri)
    for k, header in enumerate(route.match.headers):
        yield Source(("match", "headers", k), _header_field(header, at, match if isinstance(match, dict) else {}))
    for k, query in enumerate(route.match.query):
        yield Source(("match", "query_parameters", k), at + ("queryParams", query.name))


def _header_field(header: HeaderMatch, at: Path, match: dict) -> Path | None:
    if header.name in PSEUDO_FIELDS:
        return at + (PSEUDO_FIELDS[header.name],)
    section = "withoutHeaders" if header.invert else "headers"
    names = match.get(section) if isinstance(match.get(section), dict) else {}
    written = next((n for n in names if str(n).lower() == header.name), None)
    return at + (section, written) if written is not None else None


def _action(route: Route, rule: Path, spec: dict, written: dict) -> Iterator[Source]:
    action = route.action
    yield Source(("redirect",), rule + ("redirect",))
    yield Source(("direct_response",), rule + ("directResponse",))
    for side in ("request", "response"):
        for op in ("headers_to_add", "headers_to_remove"):
            yield Source((f"{side}_{op}",), _headers_field(rule, spec, side, action.single_destination))
    yield Source(("typed_per_filter_config", "envoy.filters.http.fault"), rule + ("fault",))
    yield Source(("typed_per_filter_config", "envoy.filters.http.cors"), rule + ("corsPolicy",))
    if action.kind != "route":
        return
    body: Path = ("route",)
    if action.single_destination:
        yield Source(body + ("cluster",), _item(rule, action.destinations[0].item, "destination"))
    for k, dest in enumerate(() if action.single_destination else action.destinations):
        yield Source(body + ("weighted_clusters", "clusters", k), _item(rule, dest.item))
        yield Source(body + ("weighted_clusters", "clusters", k, "weight"), _item(rule, dest.item, "weight"))
    for key in ("timeout", "max_grpc_timeout"):
        yield Source(body + (key,), rule + ("timeout",))
    yield Source(body + ("prefix_rewrite",), rule + ("rewrite", "uri"))
    yield Source(body + ("regex_rewrite",), rule + ("rewrite", "uriRegexRewrite"))
    yield Source(body + ("host_rewrite_literal",), _authority_field(rule, spec))
    yield from _retries(rule, spec, written)
    yield from _mirrors(rule, spec, written)
    yield Source(body + ("cluster_not_found_response_code",), None)


def _item(rule: Path, index: int | None, *rest: str) -> Path | None:
    return rule + ("route", index, *rest) if index is not None else None


def _headers_field(rule: Path, spec: dict, side: str, single: bool) -> Path:
    """Rule headers, else (one destination: istiod moves its operations onto the route) the destination's."""
    if isinstance(spec.get("headers"), dict) and side in spec["headers"]:
        return rule + ("headers", side)
    return rule + ("route", 0, "headers", side) if single else rule + ("headers", side)


def _authority_field(rule: Path, spec: dict) -> Path:
    rewrite = spec.get("rewrite")
    if isinstance(rewrite, dict) and rewrite.get("authority"):
        return rule + ("rewrite", "authority")
    if header_authority(spec.get("headers")) is not None:
        return rule + ("headers", "request")
    return rule + ("route", 0, "headers", "request")


def _retries(rule: Path, spec: dict, written: dict) -> Iterator[Source]:
    at: Path = ("route", "retry_policy")
    if "retries" not in spec:
        yield Source(at, None)  # Istio's default policy (routing/table.py DEFAULT_RETRY_ON)
        return
    yield Source(at, None)  # what retries does not say (host predicate, selection attempts) is Istio's
    for key in (written.get("route", {}).get("retry_policy") or {}):
        if key in RETRY_FIELDS:
            yield Source(at + (key,), rule + ("retries", RETRY_FIELDS[key]))


def _mirrors(rule: Path, spec: dict, written: dict) -> Iterator[Source]:
    policies = written.get("route", {}).get("request_mirror_policies") or []
    candidates = ([rule + ("mirror",)] if isinstance(spec.get("mirror"), dict) else []) + [
        rule + ("mirrors", j) for j in range(len(spec.get("mirrors") or []))]
    if len(candidates) == len(policies):  # none was dropped for a zero percentage: one to one
        for k, field in enumerate(candidates):
            yield Source(("route", "request_mirror_policies", k), field)
    elif candidates:
        yield Source(("route", "request_mirror_policies"), candidates[0][:-1] if candidates[0][-1] != "mirror" else candidates[0])


def _present(data: Any, path: Path) -> bool:
    for step in path:
        if isinstance(data, dict) and step in data:
            data = data[step]
        elif isinstance(data, list) and isinstance(step, int) and 0 <= step < len(data):
            data = data[step]
        else:
            return False
    return True



# -- DestinationRule → clusters (envoy/policy.py apply) ------------------------------------------

THRESHOLDS = {"max_connections": ("tcp", "maxConnections"), "max_pending_requests": ("http", "http1MaxPendingRequests"),
              "max_requests": ("http", "http2MaxRequests"), "max_retries": ("http", "maxRetries")}
OUTLIER = {"consecutive_5xx": ("consecutive5xxErrors", "consecutiveErrors"), "consecutive_gateway_failure": ("consecutiveGatewayErrors",),
           "interval": ("interval",), "base_ejection_time": ("baseEjectionTime",), "max_ejection_percent": ("maxEjectionPercent",)}


def destination_rule_sources(mesh, table: RouteTable, resource, part: dict) -> list[Source]:
    """The sources of the clusters ``part`` shows (``{"clusters": [...]}``, cut from the proxy's
    configuration) in that document: names from ``host`` and the subset's ``name``, policy fields
    from the level that won them (None when it is Istio's: auto mTLS, LEAST_REQUEST, EDS...)."""
    from istio_notebook.routing.build import dr_set

    found: list[Source] = []
    for k, cluster in enumerate(part.get("clusters", [])):
        _, port, subset, host = cluster["name"].split("|")
        at: Path = ("clusters", k)
        layers = policy_layers(dr_set(mesh, host, table.proxy.namespace), int(port) if port.isdigit() else None, subset or None)
        named = _subset_field(resource, subset) if subset else ("spec", "host")
        found += [Source(at, None), Source(at + ("name",), named), Source(at + ("eds_cluster_config", "service_name"), named)]
        found.append(Source(at + ("lb_policy",), _won(layers, resource, "loadBalancer")))
        pool = _won(layers, resource, "connectionPool")
        for key, field in THRESHOLDS.items():
            found.append(Source(at + ("circuit_breakers", "thresholds", 0, key), pool + field if pool else None))
        outlier = _won(layers, resource, "outlierDetection")
        spec = resource.get(*outlier) if outlier else None
        for key, names in OUTLIER.items():
            name = next((n for n in names if isinstance(spec, dict) and n in spec), None)
            found.append(Source(at + ("outlier_detection", key), outlier + (name,) if outlier and name else None))
        found.append(Source(at + ("transport_socket",), _won(layers, resource, "tls")))
    return [s for s in found if _present(part, s.envoy)]


def service_entry_sources(resource, part: dict) -> list[Source]:
    """A ServiceEntry's clusters (``outbound|port||host``): each name from the host and the port it
    joins; the rest (EDS, timeouts, load balancer) is Istio's (cluster_builder.go buildOutboundClusters)."""
    from istio_notebook.config.hosts import fqdn

    hosts = [fqdn(str(h), resource.namespace, fold_case=True) for h in resource.spec.get("hosts") or []]
    ports = [p.get("number") if isinstance(p, dict) else None for p in resource.spec.get("ports") or []]
    found: list[Source] = []
    for k, cluster in enumerate(part.get("clusters", [])):
        _, port, _, host = cluster["name"].split("|")
        fields = ([("spec", "hosts", hosts.index(host))] if host in hosts else []) + (
            [("spec", "ports", ports.index(int(port)))] if port.isdigit() and int(port) in ports else [])
        for path in (("clusters", k, "name"), ("clusters", k, "eds_cluster_config", "service_name")):
            found += [Source(path, field) for field in fields]
    return [s for s in found if _present(part, s.envoy)]


def _won(layers: list[PolicyLayer], resource, key: str) -> Path | None:
    """The field of the level whose ``key`` applies, when that level is in ``resource``."""
    winner = next((layer for layer in reversed(layers) if isinstance(layer.spec.get(key), dict)), None)
    return winner.path + (key,) if winner is not None and winner.rule.document is resource.document else None


def _subset_field(resource, subset: str) -> Path | None:
    for j, item in enumerate(resource.spec.get("subsets") or []):
        if isinstance(item, dict) and item.get("name") == subset:
            return ("spec", "subsets", j, "name")
    return None


# -- Gateway → listeners (translate.listeners) ---------------------------------------------------


def gateway_sources(table: RouteTable, resource, shown: dict) -> list[Source] | None:
    """The sources of the listeners ``shown`` (the Gateway tab's listeners, route configurations by
    name): port and name from the server's ``port``, a TLS chain's SNI and certificate from its
    ``hosts`` and ``tls``. None when a listener is not an HTTP one built from this Gateway's
    servers (TCP/TLS passthrough listeners, servers of another Gateway merged on the same proxy)."""
    by_port: dict[int, list] = {}
    for config in table.route_configs:
        by_port.setdefault(config.port, []).append(config)
    found: list[Source] = []
    for index, listener in enumerate(shown.get("listeners", [])):
        configs = by_port.get(listener.get("address", {}).get("socket_address", {}).get("port_value"))
        if not configs:
            return None
        chained = configs if any(c.tls for c in configs) else configs[:1]  # as translate.listeners
        servers = [_server_field(resource, c.server or "") for c in chained]
        if len(listener.get("filter_chains", [])) != len(chained) or None in servers:
            return None
        at: Path = ("listeners", index)
        port = servers[0] + ("port", "number")
        found += [Source(at + ("name",), port), Source(at + ("address", "socket_address", "port_value"), port),
                  Source(at + ("listener_filters",), servers[0] + ("tls",))]
        for k, server in enumerate(servers):
            chain: Path = at + ("filter_chains", k)
            manager: Path = chain + ("filters", 0, "typed_config")
            found += [Source(chain + ("filter_chain_match", "server_names"), server + ("hosts",)),
                      Source(chain + ("transport_socket",), server + ("tls",)),
                      Source(manager + ("stat_prefix",), server + ("port",)),
                      Source(manager + ("route_config", "name"), server + ("port",))]
    return [Source(s.envoy, s.field if resource.get(*s.field) is not None else None) for s in found if _present(shown, s.envoy)]


def _server_field(resource, labels: str) -> Path | None:
    """("spec", "servers", i) of the first server of ``resource`` in a route configuration's ``server`` label."""
    for label in labels.split(", "):
        key, _, rest = label.partition(" servers[")
        if key == f"{resource.namespace}/{resource.name}" and rest.rstrip("]").isdigit():
            return ("spec", "servers", int(rest.rstrip("]")))
    return None


# -- tcp / tls rules → filter chains (translate_l4.chain_json) ----------------------------------


def l4_sources(mesh, proxy, resource, shown: dict) -> list[Source] | None:
    """The sources of the filter chains ``shown["filter_chains"]`` (listener → chains the
    VirtualService's tcp and tls rules became): the tcp_proxy's cluster from the rule's route,
    server names from the match's sniHosts, prefix ranges from its destinationSubnets. None when a
    chain is not one of the proxy's L4 chains of this VirtualService (then the plain excerpt)."""
    from istio_notebook.envoy.translate_l4 import chain_json
    from istio_notebook.routing.l4_table import l4_listeners

    key = f"{resource.namespace}/{resource.name}"
    own = [(listener.name, chain) for listener in l4_listeners(mesh, proxy) for chain in listener.chains
           if chain.origin.virtual_service == key]
    found: list[Source] = []
    for name, chains in shown.get("filter_chains", {}).items():
        for k, written in enumerate(chains):
            chain = next((c for n, c in own if n == name and _same_chain(chain_json(c, _display_prefix(c, name)), written)), None)
            if chain is None or chain.origin.rule_index is None:
                return None
            found += _chain_sources(("filter_chains", name, k), chain, written)
    return [Source(s.envoy, s.field if s.field is not None and resource.get(*s.field) is not None else None)
            for s in found if _present(shown, s.envoy)]


def _display_prefix(chain, listener: str) -> str:
    return chain.destinations[0].cluster if chain.destinations else listener  # as L4Translation in the display form


def _same_chain(a: dict, b: dict) -> bool:
    return all(a.get(k) == b.get(k) for k in ("filters", "filter_chain_match", "metadata"))


def _chain_sources(at: Path, chain, written: dict) -> list[Source]:
    origin = chain.origin
    rule: Path = ("spec", origin.section, origin.rule_index)
    match: Path | None = rule + ("match", origin.match_index) if origin.match_index is not None else None
    proxy_at: Path = at + ("filters", 0, "typed_config")
    found = [Source(at + ("metadata",), ("metadata", "name"))]
    if len(chain.destinations) == 1:
        found.append(Source(proxy_at + ("cluster",), _item(rule, chain.destinations[0].item, "destination")))
    for k, dest in enumerate(chain.destinations if len(chain.destinations) > 1 else ()):
        found.append(Source(proxy_at + ("weighted_clusters", "clusters", k), _item(rule, dest.item)))
    if match is not None:
        found += [Source(at + ("filter_chain_match", "server_names"), match + ("sniHosts",)),
                  Source(at + ("filter_chain_match", "prefix_ranges"), match + ("destinationSubnets",))]
    return found
