"""Which parents a route attaches to, and why not: istiod's extractParentReferenceInfo / referenceAllowed.

(pilot/pkg/config/kube/gateway/conversion.go, conditions.go createRouteStatus.) A parentRef to a
Gateway is tried against every listener of it: ``port`` and ``sectionName`` must fit (else
NoMatchingParent), one route hostname must match the listener's hostname both ways (else
NoMatchingListenerHostname) from a namespace allowedRoutes admits (else NotAllowedByListeners),
and the route's kind must be allowed (NotAllowedByListeners). A ref is Accepted when one listener
takes it; else the most telling reason is reported (NotAllowedByListeners, then
NoMatchingListenerHostname, then NoMatchingParent). A parentRef to a Service or to an Istio
ServiceEntry is mesh routing (GAMMA; allowedParentReferences in conversion.go): the route's
VirtualServices are for the Service's FQDN, or for every host of the ServiceEntry
(route_collections.go, ``parent.InternalKind == gvk.ServiceEntry``: ``vsHosts = ses.Spec.Hosts``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.config import Mesh
from istio_notebook.config.shape import items
from istio_notebook.config.hosts import host_subset_of, hosts_overlap
from istio_notebook.config.resource import Resource
from istio_notebook.gatewayapi.backends import service_known
from istio_notebook.gatewayapi.model import DOMAIN_SUFFIX, GROUP, ISTIO_GROUP, MESH, Parent, Problem, of_kind

_RANK = {"NotAllowedByListeners": 1, "NoMatchingListenerHostname": 2, "NoMatchingParent": 4}  # conditions.go: lower = reported


@dataclass
class Attachment:
    """One accepted (route, parent) pair: istiod's routeParentReference without a DeniedReason."""

    parent: Parent
    ref: dict  # the parentRef as written
    ref_index: int
    banned: set[str] = field(default_factory=set)  # more specific hostnames of sibling listeners

    @property
    def is_mesh(self) -> bool:
        return self.parent.internal_name == MESH

    def allows_host(self, route_host: str) -> bool:
        """istiod's hostnameAllowedByIsolation: a wildcard listener leaves to a sibling listener
        the hostnames that sibling matches more exactly."""
        ours = self.parent.hostname
        if ours and not ours.startswith("*"):
            return True
        if ours and not hosts_overlap(route_host, ours):
            return False
        for other in self.banned:
            if len(ours) > len(other):
                continue
            if host_subset_of(route_host, other):
                return False
        return True


def _denied(parent: Parent, ref: dict, route: Resource, hostnames: list[str]) -> tuple[str, str] | None:
    port, section = ref.get("port"), ref.get("sectionName")
    if isinstance(port, int) and port != parent.port:
        return "NoMatchingParent", f"port {port} not found"
    if section and section != parent.section_name:
        return "NoMatchingParent", f"sectionName {section!r} not found"
    if parent.hostnames:
        matched = host_matched = False
        for route_host in hostnames or ["*"]:
            for entry in parent.hostnames:
                namespace, _, host = entry.rpartition("/")
                hit = hosts_overlap(host, route_host)
                host_matched = host_matched or hit
                if hit and (namespace or "*") in ("*", route.namespace):
                    matched = True
        if not matched and host_matched:
            return (
                "NotAllowedByListeners",
                f"hostnames matched parent hostname {parent.hostname!r}, but namespace {route.namespace!r} is not allowed by the parent",
            )
        if not matched:
            return "NoMatchingListenerHostname", f"no hostnames matched parent hostname {parent.hostname!r}"
    if (GROUP, route.kind) not in parent.allowed_kinds:
        return "NotAllowedByListeners", f"kind {GROUP}/{route.kind} is not allowed"
    return None


_MESH_KINDS = [(GROUP, k) for k in ("HTTPRoute", "GRPCRoute", "TCPRoute", "TLSRoute")]


def _mesh_parent(mesh: Mesh, route: Resource, ref: dict, kind: str) -> tuple[Parent | None, tuple[str, str] | None]:
    """referenceAllowed for a Service or ServiceEntry parent: it must exist (else NoMatchingParent)."""
    namespace, name = ref.get("namespace") or route.namespace, str(ref.get("name"))
    if kind == "ServiceEntry":
        entry = mesh.get("ServiceEntry", namespace, name)
        if entry is None:
            return None, ("NoMatchingParent", f"parent service entry: {name!r} not found")
        hosts = [h for h in entry.spec.get("hosts") or [] if isinstance(h, str)]
        return Parent(MESH, None, allowed_kinds=_MESH_KINDS, mesh_hosts=hosts), None
    if service_known(mesh, namespace, name) is False:
        return None, ("NoMatchingParent", f"parent service: {name!r} not found")
    return Parent(MESH, None, allowed_kinds=_MESH_KINDS, mesh_hosts=[f"{name}.{namespace}.svc.{DOMAIN_SUFFIX}"]), None


def attachments(mesh: Mesh, route: Resource, parents: dict[tuple[str, str], list[Parent]], problems: list[Problem]) -> list[Attachment]:
    """The accepted parents of ``route``; one Problem (Accepted=False) per parentRef that attached nowhere."""
    hostnames = [h for h in items(route.spec.get("hostnames")) if isinstance(h, str)]
    out: list[Attachment] = []
    known_gateways = bool(of_kind(mesh, "Gateway"))
    for index, ref in enumerate(r for r in items(route.spec.get("parentRefs")) if isinstance(r, dict)):
        at = ("spec", "parentRefs", index)
        group, kind = ref.get("group", GROUP), ref.get("kind") or "Gateway"
        if ((group or ""), kind) in (("", "Service"), (ISTIO_GROUP, "ServiceEntry")):
            parent, denied = _mesh_parent(mesh, route, ref, kind)
            if parent is not None:
                out.append(Attachment(parent, ref, index))
            else:
                problems.append(Problem(route, "Accepted", denied[0], denied[1], at))
            continue
        if (group, kind) != (GROUP, "Gateway"):
            continue  # a parent for another controller: istiod ignores it (toInternalParentReference)
        listeners = parents.get((ref.get("namespace") or route.namespace, str(ref.get("name"))))
        if listeners is None:
            if known_gateways:
                problems.append(
                    Problem(
                        route,
                        "Accepted",
                        "NoMatchingParent",
                        f"Gateway {ref.get('namespace') or route.namespace}/{ref.get('name')} not found",
                        at,
                    )
                )
            continue
        denials: list[tuple[str, str]] = []
        for parent in listeners:
            denied = _denied(parent, ref, route, hostnames)
            if denied is not None:
                denials.append(denied)
                continue
            siblings = {p.hostname for p in listeners if p is not parent and p.port == parent.port and p.protocol == parent.protocol}
            out.append(Attachment(parent, ref, index, siblings - {parent.hostname}))
        if denials and len(denials) == len(listeners):
            reason = min((d[0] for d in denials), key=lambda r: _RANK.get(r, 3))
            message = "; ".join(dict.fromkeys(d[1] for d in denials if d[0] == reason))
            problems.append(Problem(route, "Accepted", reason, message, at))
        elif not listeners:
            problems.append(Problem(route, "Accepted", "NoMatchingParent", "the Gateway has no usable listener", at))
    return out
