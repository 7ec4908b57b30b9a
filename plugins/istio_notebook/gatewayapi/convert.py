"""The front-end's one entry: Gateway API resources of a mesh → istiod's internal Gateways and VirtualServices.

``convert(mesh)`` returns a :class:`Conversion`; ``effective_mesh(mesh)`` is the mesh plus what
was generated (cached per mesh), which the routing core builds route tables from, so Gateway API
routes go through the same simulator and Envoy translator as VirtualServices
(docs/contributing/architecture.md, "API front-ends").
"""

from __future__ import annotations

import weakref

from istio_notebook.config import Mesh
from istio_notebook.config.resource import Resource
from istio_notebook.gatewayapi.attach import attachments
from istio_notebook.gatewayapi.deployment import MANAGED_CONTROLLER, deployed_resources
from istio_notebook.gatewayapi.l4 import convert_l4_rules, l4_virtual_services
from istio_notebook.gatewayapi.listeners import ISTIO_CONTROLLERS, controller_of, convert_gateway
from istio_notebook.gatewayapi.model import PARENTS, ROUTE_SEMANTICS, Conversion, Parent, Problem, RouteRef, of_kind
from istio_notebook.gatewayapi.rules import HardError, convert_rule
from istio_notebook.gatewayapi.virtualservices import GeneratedRoute, groups_for, virtual_service

_CACHE: "weakref.WeakKeyDictionary[Mesh, tuple[Conversion, Mesh]]" = weakref.WeakKeyDictionary()
_EFFECTIVE: weakref.WeakSet[Mesh] = weakref.WeakSet()  # meshes effective_mesh made
HTTP_KINDS = ("HTTPRoute", "GRPCRoute")
L4_KINDS = ("TLSRoute", "TCPRoute")


def _rules(mesh: Mesh, route: Resource, grant: bool) -> tuple[list[GeneratedRoute], list[Problem]]:
    """Every rule split to one match each; a hard error anywhere leaves the route without config."""
    out: list[GeneratedRoute] = []
    problems: list[Problem] = []
    rules = [r for r in route.spec.get("rules") or [] if isinstance(r, dict)] or []
    try:
        for r_index, rule in enumerate(rules):
            matches = [m for m in rule.get("matches") or [] if isinstance(m, dict)]
            for m_index, match in enumerate(matches or [None]):
                converted = convert_rule(mesh, route, r_index, rule, match, grant=grant)
                problems.extend(converted.problems)
                path = ("spec", "rules", r_index) + (("matches", m_index) if match is not None else ())
                ref = RouteRef(route.kind, route.namespace, route.name, r_index, m_index if match is not None else None)
                out.append(GeneratedRoute(converted.route, ref, route, path))
    except HardError as error:
        return [], [Problem(route, "ResolvedRefs", error.reason, error.message, error.path)]
    return out, problems


def convert(mesh: Mesh) -> Conversion:
    result = Conversion()
    parents: dict[tuple[str, str], list[Parent]] = {}
    for gateway in of_kind(mesh, "Gateway"):
        if controller_of(mesh, gateway) not in ISTIO_CONTROLLERS:
            continue
        listeners, generated = convert_gateway(mesh, gateway, result.problems)
        parents[(gateway.namespace, gateway.name)] = listeners
        result.resources.extend(generated)
        if controller_of(mesh, gateway) == MANAGED_CONTROLLER:
            result.resources.extend(deployed_resources(mesh, gateway))
    groups: dict = {}
    for kind in HTTP_KINDS:
        for route in of_kind(mesh, kind):
            accepted = attachments(mesh, route, parents, result.problems)
            if not accepted:
                continue
            converted: dict[bool, tuple[list[GeneratedRoute], list[Problem]]] = {}
            for attachment in accepted:
                grant = not attachment.is_mesh
                if grant not in converted:
                    converted[grant] = _rules(mesh, route, grant)
                groups_for(route, attachment, converted[grant][0], groups)
            seen = set()
            for _, problems in converted.values():
                for problem in problems:
                    if (problem.reason, problem.path) not in seen:
                        seen.add((problem.reason, problem.path))
                        result.problems.append(problem)
    _l4_routes(mesh, parents, result)
    for group in groups.values():
        result.resources.append(virtual_service(group, result.route_refs))
    return result


def _l4_routes(mesh: Mesh, parents: dict, result: Conversion) -> None:
    """TLSRoute / TCPRoute → VirtualServices with tls / tcp routes (gatewayapi/l4.py)."""
    for kind in L4_KINDS:
        for route in of_kind(mesh, kind):
            accepted = attachments(mesh, route, parents, result.problems)
            converted: dict[bool, list] = {}
            seen = set()
            for grant in dict.fromkeys(not a.is_mesh for a in accepted):
                converted[grant], problems = convert_l4_rules(mesh, route, grant)
                for problem in problems:
                    if (problem.reason, problem.path) not in seen:
                        seen.add((problem.reason, problem.path))
                        result.problems.append(problem)
            result.resources.extend(l4_virtual_services(route, accepted, converted))


def effective_mesh(mesh: Mesh) -> Mesh:
    """``mesh`` with istiod's internal resources for its Gateway API resources (``mesh`` itself when
    it has none, or when it is already an effective mesh: converting again would double them)."""
    if mesh in _EFFECTIVE:
        return mesh
    cached = _CACHE.get(mesh)
    if cached is None:
        if not any(r.group == "gateway.networking.k8s.io" for r in mesh):
            cached = (Conversion(), mesh)
        else:
            conversion = convert(mesh)
            cached = (conversion, Mesh(list(mesh) + conversion.resources))
            _EFFECTIVE.add(cached[1])
        _CACHE[mesh] = cached
    return cached[1]


def conversion_of(mesh: Mesh) -> Conversion:
    effective_mesh(mesh)
    return _CACHE[mesh][0]


def route_ref(source: Resource | None, index: int | None) -> RouteRef | None:
    """The Gateway API rule/match behind http route ``index`` of a generated VirtualService, else None."""
    refs = getattr(getattr(source, "document", None), "route_refs", None)
    if refs and index is not None and 0 <= index < len(refs):
        return refs[index]
    return None


def gateways_named(mesh: Mesh, namespace: str, name: str) -> list[Resource]:
    """The Istio Gateway and the Gateway API Gateway called ``namespace/name`` that the input holds (0, 1 or 2)."""
    found = [mesh.get("Gateway", namespace, name)]
    found += [gw for gw in of_kind(mesh, "Gateway") if gw.namespace == namespace and gw.name == name][:1]
    return [gw for gw in found if gw is not None]


def gateway_semantics(resource: Resource | None) -> bool:
    """istiod's model.UseGatewaySemantics: a VirtualService generated from Gateway API routes."""
    return resource is not None and resource.annotations.get(ROUTE_SEMANTICS) == "gateway"


def from_tls_route(resource: Resource) -> bool:
    """A VirtualService converted from a TLSRoute (internal.istio.io/parents ``TLSRoute/...``): on a
    server that terminates TLS, istiod forwards by its tls rules too (gateway.go
    buildGatewayNetworkFiltersFromTCPRoutes, "Fallback to TLS blocks for TLSRoute with TLS termination")."""
    return str(resource.annotations.get(PARENTS, "")).startswith("TLSRoute/")
