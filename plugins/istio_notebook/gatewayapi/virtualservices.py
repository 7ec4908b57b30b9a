"""Accepted routes → istiod's internal VirtualServices: one per parent and hostname, merged across routes.

As pilot/pkg/config/kube/gateway/route_collections.go HTTPRouteCollection / mergeHTTPRoutes do it:
- each rule is split so that a route has one match (a rule without matches stays one route);
- gateway parent: key ``<parent internal name>/<hostname>`` for each route hostname (``*`` when
  none), hostnames a more specific sibling listener claims left out; mesh parent (a Service or a
  ServiceEntry): key ``<route namespace>[/<port>]/<host>`` for the Service's FQDN or each host of
  the ServiceEntry, ``gateways: [mesh]``, a parentRef port added to every match;
- VirtualServices with one key merge: routes of the oldest HTTPRoute first (creation time, then
  namespace, then name), then the whole list stable-sorted by Gateway API precedence
  (sortHTTPRoutes: exact > prefix > regex, longer value first, then a method match, more
  headers, more query params; routes without match last);
- the VirtualService is named after its key (``/`` → ``~``), lives in the (first) route's
  namespace and carries ``internal.istio.io/route-semantics: gateway``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.config.resource import Resource
from istio_notebook.gatewayapi.attach import Attachment
from istio_notebook.gatewayapi.model import MESH, PARENTS, ROUTE_SEMANTICS, RouteRef
from istio_notebook.gatewayapi.synthetic import generated

_URI_RANK = {"exact": 3, "prefix": 2, "regex": 1}


@dataclass
class GeneratedRoute:
    route: dict  # Istio http route (one match at most)
    ref: RouteRef
    source: Resource
    path: tuple  # the rule (or match) it came from, for positions


@dataclass
class _Group:
    key: str
    hosts: list[str]
    gateways: list[str]
    namespace: str
    sources: list[tuple[Resource, list[GeneratedRoute]]] = field(default_factory=list)


def _uri(route: dict) -> tuple[int, int]:
    matches = route.get("match") or []
    uri = matches[0].get("uri") if matches else None
    if not isinstance(uri, dict) or not uri:
        return -1, 0
    kind, value = next(iter(uri.items()))
    return _URI_RANK.get(kind, -1), len(value) if isinstance(value, str) else 0


def precedence(route: dict) -> tuple:
    """Sort key of sortHTTPRoutes (smaller first); routes without match go last."""
    matches = route.get("match") or []
    if not matches:
        return (1,)
    m = matches[0]
    rank, length = _uri(route)
    return (0, -rank, -length, 0 if m.get("method") else 1, -len(m.get("headers") or {}), -len(m.get("queryParams") or {}))


def with_port(routes: list[GeneratedRoute], port: int) -> list[GeneratedRoute]:
    """augmentPortMatch: a mesh parentRef port becomes a match port on every route."""
    out = []
    for g in routes:
        route = dict(g.route)
        route["match"] = [{**m, "port": port} for m in route.get("match") or [{}]]
        out.append(GeneratedRoute(route, g.ref, g.source, g.path))
    return out


def groups_for(route: Resource, attachment: Attachment, routes: list[GeneratedRoute], groups: dict[str, _Group]) -> None:
    """Add ``route``'s converted rules to the VirtualService groups of one accepted parent."""
    hostnames = [h for h in route.spec.get("hostnames") or [] if isinstance(h, str)] or ["*"]
    if attachment.is_mesh:
        ref = attachment.ref
        key, hosts = route.namespace, attachment.parent.mesh_hosts
        if isinstance(ref.get("port"), int):
            routes = with_port(routes, ref["port"])
            key += f"/{ref['port']}"
        gateways = [MESH]
    else:
        key, hosts, gateways = attachment.parent.internal_name, hostnames, [attachment.parent.internal_name]
    for host in hosts:
        if not attachment.is_mesh and not attachment.allows_host(host):
            continue
        group = groups.setdefault(f"{key}/{host}", _Group(f"{key}/{host}", [host], gateways, route.namespace))
        group.sources.append((route, routes))


def _oldest_first(route: Resource) -> tuple:
    """sortRoutesByCreationTime: creation time, then namespace, then name. A file without
    creationTimestamp has its input order stand for the time; routes that do give one (equal
    times: one ``kubectl apply``) are ordered by namespace and name whatever their place."""
    stamp = str(route.metadata.get("creationTimestamp") or "")
    return (stamp, 0 if stamp else route.order, route.namespace, route.name)


def virtual_service(group: _Group, route_refs: dict) -> Resource:
    sources = sorted(group.sources, key=lambda s: _oldest_first(s[0]))
    merged = [g for _, routes in sources for g in routes]
    merged.sort(key=lambda g: precedence(g.route))  # stable: ties keep the oldest route's rules first
    first = sources[0][0]
    name = group.key.replace("/", "~")
    parents = ",".join(dict.fromkeys(f"{r.kind}/{r.name}.{r.namespace}" for r, _ in sources))
    spec = {"hosts": group.hosts, "gateways": group.gateways, "http": [g.route for g in merged]}
    resource, document = generated("VirtualService", name, first.namespace, spec, first, {ROUTE_SEMANTICS: "gateway", PARENTS: parents})
    for index, g in enumerate(merged):
        document.anchors[("spec", "http", index)] = (g.source, g.path)
        route_refs[(first.namespace, name, index)] = g.ref
    document.route_refs = [g.ref for g in merged]
    return resource
