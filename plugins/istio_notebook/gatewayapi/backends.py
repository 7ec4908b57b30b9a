"""backendRefs → Istio destinations, as istiod's buildDestination does it (pilot/pkg/config/kube/gateway/conversion.go).

- ``Service`` (the default kind): ``<name>.<namespace>.svc.cluster.local`` and the ref's port; a
  name with a dot is a hard error ("the name of the Service must be used, not the hostname");
- ``multicluster.x-k8s.io/ServiceImport``: the Service of that name (istiod 1.30.3 with
  ENABLE_MCS_HOST off, the default: "we can just treat it as Service"), the same checks;
- ``networking.istio.io/Hostname``: the name as host (a ServiceEntry host); no namespace allowed;
- any other kind: InvalidKind; the destination stays, empty, so requests get 500 (cluster not found);
- a Service the input does not hold: BackendNotFound (the destination stays: 500 at run time);
- another namespace without a ReferenceGrant (gateway parents only: istiod does not enforce grants
  for mesh routes): RefNotPermitted, empty destination.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from istio_notebook.config import Mesh
from istio_notebook.config.resource import Resource
from istio_notebook.gatewayapi import grants
from istio_notebook.gatewayapi.deployment import MANAGED_CONTROLLER, deployment_name, is_managed
from istio_notebook.gatewayapi.listeners import controller_of
from istio_notebook.gatewayapi.model import DOMAIN_SUFFIX, GROUP, ISTIO_GROUP, Problem, of_kind

MCS_GROUP = "multicluster.x-k8s.io"  # features.MCSAPIGroup's default
INVALID_HOST = ""  # istiod's empty Destination{}: Envoy finds no cluster and answers 500


class BackendError(Exception):
    """A reference istiod refuses outright (InvalidDestination): the whole rule is dropped."""

    def __init__(self, message: str, path: tuple):
        super().__init__(message)
        self.message, self.path = message, path


@dataclass(frozen=True)
class Backend:
    host: str | None  # None: nothing to route to (a mirror is dropped); INVALID_HOST: routes fail with 500
    port: int | None
    problem: Problem | None = None

    def destination(self) -> dict:
        out: dict = {"host": self.host or INVALID_HOST}
        if self.port is not None:
            out["port"] = {"number": self.port}
        return out


_SERVICES: "weakref.WeakKeyDictionary[Mesh, dict[str, set[str]]]" = weakref.WeakKeyDictionary()


def services_by_namespace(mesh: Mesh) -> dict[str, set[str]]:
    """Service names per namespace, indexed once per mesh: the input's, and those istiod's
    deployment controller creates for managed Gateways (gatewayapi/deployment.py)."""
    index = _SERVICES.get(mesh)
    if index is None:
        index = {}
        for service in mesh.of_kind("Service"):
            index.setdefault(service.namespace, set()).add(service.name)
        for gateway in of_kind(mesh, "Gateway"):
            if controller_of(mesh, gateway) == MANAGED_CONTROLLER and is_managed(gateway):
                index.setdefault(gateway.namespace, set()).add(deployment_name(gateway))
        _SERVICES[mesh] = index
    return index


def service_known(mesh: Mesh, namespace: str, name: str) -> bool | None:
    """True/False when the input shows that namespace's Services, None when it shows none (not judged)."""
    names = services_by_namespace(mesh).get(namespace)
    return name in names if names else None


def resolve_backend(mesh: Mesh, route: Resource, ref: dict, at: tuple, *, enforce_grant: bool = True) -> Backend:
    group, kind = ref.get("group") or "", ref.get("kind") or "Service"
    name, port = str(ref.get("name")), ref.get("port") if isinstance(ref.get("port"), int) else None
    namespace = ref.get("namespace") or route.namespace
    if (
        enforce_grant
        and namespace != route.namespace
        and not grants.allowed(mesh, (GROUP, route.kind, route.namespace), (group, kind, namespace, name))
    ):
        message = (
            f"backendRef {name}/{namespace} not accessible to a {route.kind} in namespace {route.namespace!r} (missing a ReferenceGrant?)"
        )
        return Backend(INVALID_HOST, port, Problem(route, "ResolvedRefs", "RefNotPermitted", message, at))
    if (group, kind) in (("", "Service"), (MCS_GROUP, "ServiceImport")):
        if "." in name and kind == "Service":
            raise BackendError("service name invalid; the name of the Service must be used, not the hostname.", at + ("name",))
        host = f"{name}.{namespace}.svc.{DOMAIN_SUFFIX}"
        problem = None
        if service_known(mesh, namespace, name) is False:
            problem = Problem(route, "ResolvedRefs", "BackendNotFound", f"backend({host}) not found", at + ("name",))
    elif (group, kind) == (ISTIO_GROUP, "Hostname"):
        if ref.get("namespace"):
            raise BackendError("namespace may not be set with Hostname type", at + ("namespace",))
        host, problem = name, None
    else:
        message = f"referencing unsupported backendRef: group {group!r} kind {kind!r}"
        return Backend(INVALID_HOST, port, Problem(route, "ResolvedRefs", "InvalidKind", message, at + ("kind",)))
    if port is None:
        raise BackendError("port is required in backendRef", at)
    return Backend(host, port, problem)
