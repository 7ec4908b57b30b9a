"""Which security policies apply to a workload (istio.io docs/reference/config/security/).

AuthorizationPolicy / RequestAuthentication: looked up in the root namespace `istio-system` and
the workload's namespace (and, for a waypoint, the namespace of the Service the request is for),
then attached as istio's WorkloadPolicyMatcher.ShouldAttachPolicy does (pilot/pkg/model/
policyattachment.go, istio 1.30):
- a workload that is not a Gateway API gateway (no ``gateway.networking.k8s.io/gateway-name``
  label): policies with ``targetRef(s)`` never apply; the others by selector (none = all);
- a Gateway API gateway: policies without targetRefs by selector (ENABLE_SELECTOR_BASED_K8S_GATEWAY_POLICY,
  on by default), except on a waypoint, which never uses selectors; with targetRefs, one ref must
  name it: kind Gateway with the gateway's name, from the gateway's namespace (a ref naming another
  namespace never matches); on a waypoint also kind Service naming the Service the request is for
  (policy in that Service's namespace), and GatewayClass ``istio-waypoint`` from the root namespace.
PeerAuthentication: workload selector > namespace > mesh (root namespace), with port-level
overrides; UNSET inherits from the level above; default PERMISSIVE. Selector policies in the
root namespace apply nowhere, and gateways take no PeerAuthentication at all.
"""

from __future__ import annotations

from dataclasses import dataclass

from istio_notebook.authz.model import Workload
from istio_notebook.config import Mesh, Resource
from istio_notebook.config.labels import label_map, selects
from istio_notebook.config.mesh import ROOT_NAMESPACE
from istio_notebook.config.workloads import workload_labels
from istio_notebook.gatewayapi.listeners import WAYPOINT_CONTROLLER, controller_of
from istio_notebook.gatewayapi.model import GATEWAY_NAME_LABEL, GROUP, of_kind

WAYPOINT_CLASS = "istio-waypoint"  # constants.WaypointGatewayClassName


def _selector(resource: Resource) -> dict[str, str] | None:
    sel = resource.spec.get("selector")
    if isinstance(sel, dict):
        return label_map(sel.get("matchLabels"))
    return None


def target_refs(resource: Resource) -> list[dict]:
    """GetTargetRefs: ``targetRefs``, else the single ``targetRef``."""
    refs = [r for r in resource.spec.get("targetRefs") or [] if isinstance(r, dict)]
    single = resource.spec.get("targetRef")
    return refs or ([single] if isinstance(single, dict) else [])


@dataclass(frozen=True)
class Matcher:
    """istio's WorkloadPolicyMatcher: the workload, whether it is a Gateway API gateway or a waypoint,
    and (waypoints) the Service the request is for, as (namespace, name)."""

    workload: Workload
    gateway_name: str | None = None
    waypoint: bool = False
    service: tuple[str, str] | None = None

    @classmethod
    def of(cls, mesh: Mesh, workload: Workload, host: str | None = None) -> "Matcher":
        name = workload.labels.get(GATEWAY_NAME_LABEL)
        if name is None:
            return cls(workload)
        gateways = [g for g in of_kind(mesh, "Gateway") if g.namespace == workload.namespace and g.name == name]
        waypoint = bool(gateways) and controller_of(mesh, gateways[0]) == WAYPOINT_CONTROLLER
        return cls(workload, name, waypoint, _service_of(host, workload.namespace) if waypoint and host else None)

    def namespaces(self) -> list[str]:
        found = [ROOT_NAMESPACE, self.workload.namespace] + ([self.service[0]] if self.service else [])
        return list(dict.fromkeys(found))

    def attaches(self, resource: Resource) -> bool:
        refs = target_refs(resource)
        if self.gateway_name is None or not refs:
            if refs or (self.gateway_name is not None and self.waypoint):
                return False
            in_scope = resource.namespace in (self.workload.namespace, ROOT_NAMESPACE)
            return in_scope and selects(_selector(resource) or {}, self.workload.labels)
        return any(self._names_us(ref, resource.namespace) for ref in refs)

    def _names_us(self, ref: dict, policy_namespace: str) -> bool:
        group, kind, name = ref.get("group") or "", ref.get("kind"), ref.get("name")
        if self.waypoint and (group, kind) == ("", "Service") and self.service == (policy_namespace, name):
            return True
        if self.waypoint and (group, kind, name) == (GROUP, "GatewayClass", WAYPOINT_CLASS) and policy_namespace == ROOT_NAMESPACE:
            return True
        if policy_namespace != self.workload.namespace or ref.get("namespace") not in (None, "", self.workload.namespace):
            return False
        return (group, kind, name) == (GROUP, "Gateway", self.gateway_name)


def _service_of(host: str, namespace: str) -> tuple[str, str]:
    """The Service a request host names: ``name[.namespace[.svc.cluster.local]]`` (short names: the workload's namespace)."""
    parts = host.split(".")
    return (parts[1] if len(parts) > 1 else namespace, parts[0])


def policies(mesh: Mesh, kind: str, workload: Workload, host: str | None = None) -> list[Resource]:
    """The policies of ``kind`` that attach to ``workload`` (``host``: the request's, for a waypoint's Service targetRefs)."""
    matcher = Matcher.of(mesh, workload, host)
    lookup = set(matcher.namespaces())
    return [r for r in sorted(mesh.of_kind(kind), key=lambda r: r.creation_key) if r.namespace in lookup and matcher.attaches(r)]


def skipped_target_ref(mesh: Mesh, workload: Workload, host: str | None = None) -> tuple[Matcher, list[Resource]]:
    """The matcher, and the targetRef policies of the looked-up namespaces that do not attach to ``workload``."""
    matcher = Matcher.of(mesh, workload, host)
    lookup = set(matcher.namespaces())
    skipped = [r for r in mesh.of_kind("AuthorizationPolicy") if target_refs(r) and r.namespace in lookup and not matcher.attaches(r)]
    return matcher, skipped


def is_gateway(mesh: Mesh, workload: Workload) -> bool:
    """A gateway proxy (not a waypoint): the pods of a Gateway API gateway, or pods an Istio Gateway selects.

    PeerAuthentication does not shape a gateway's listeners: istiod builds them from the Gateway's
    servers or listeners (pilot/pkg/networking/core/gateway.go, 1.30), so STRICT never refuses a
    gateway's plaintext clients."""
    matcher = Matcher.of(mesh, workload)
    if matcher.gateway_name is not None:
        return not matcher.waypoint
    pods = (r for kind in ("Deployment", "Pod") for r in mesh.of_kind(kind) if r.namespace == workload.namespace)
    if any(_runs_router(r) for r in pods if selects(workload.labels, workload_labels(r))):
        return True
    selectors = (label_map(g.spec.get("selector")) for g in mesh.of_kind("Gateway"))
    return any(sel and selects(sel, workload.labels) for sel in selectors)


def _runs_router(resource: Resource) -> bool:
    """A pod (or Deployment template) whose istio-proxy runs ``pilot-agent proxy router``, as gateway pods do."""
    spec = resource.spec.get("template", {}).get("spec", {}) if resource.kind == "Deployment" else resource.spec
    containers = spec.get("containers") if isinstance(spec, dict) else None
    for container in containers if isinstance(containers, list) else []:
        args = container.get("args") if isinstance(container, dict) else None
        if isinstance(args, list) and [str(a) for a in args[:2]] == ["proxy", "router"]:
            return True
    return False


def peer_authentication(mesh: Mesh, workload: Workload, port: int) -> tuple[str, Resource | None]:
    """The effective mTLS mode on `port` and the PeerAuthentication that set it.

    A gateway takes what its servers accept, plaintext included: PERMISSIVE, set by no policy.
    Workload-level policies (with a selector) in the root namespace apply nowhere
    (ComposePeerAuthentication in pilot/pkg/security/authn/policy_applier.go skips them)."""
    if is_gateway(mesh, workload):
        return "PERMISSIVE", None
    candidates = sorted(mesh.of_kind("PeerAuthentication"), key=lambda r: r.creation_key)
    levels: list[Resource] = []
    for r in candidates:  # workload level
        selector = _selector(r)
        if r.namespace == workload.namespace != ROOT_NAMESPACE and selector and selects(selector, workload.labels):
            levels.append(r)
            break
    for namespace in (workload.namespace, ROOT_NAMESPACE):  # namespace, then mesh level
        for r in candidates:
            if r.namespace == namespace and not _selector(r):
                levels.append(r)
                break
    for r in levels:
        port_level = r.spec.get("portLevelMtls")
        if isinstance(port_level, dict):
            entry = port_level.get(port, port_level.get(str(port)))
            if isinstance(entry, dict) and entry.get("mode") not in (None, "UNSET"):
                return str(entry["mode"]), r
        mode = r.spec.get("mtls", {}).get("mode") if isinstance(r.spec.get("mtls"), dict) else None
        if mode not in (None, "UNSET"):
            return str(mode), r
    return "PERMISSIVE", None
