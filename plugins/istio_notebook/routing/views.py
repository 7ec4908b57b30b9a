"""What one proxy sees of the mesh: its Gateway servers or its Sidecar scope, and the
VirtualServices bound to it in Istio's order.

Gateway: every Gateway whose selector matches the workload of the named Gateway is merged
(istio/istio pilot/pkg/model/gateway.go MergeGateways). Sidecar: the Sidecar resource that
applies (workload selector, then namespace-wide, then root namespace), its egress hosts and
outbound traffic policy, else the mesh default ALLOW_ANY (or an IstioOperator meshConfig).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.config import Mesh, Resource
from istio_notebook.config.hosts import export_targets, exported_to, fqdn, host_subset_of, hosts_overlap
from istio_notebook.config.labels import label_map, selects, service_selects
from istio_notebook.config.mesh import ROOT_NAMESPACE
from istio_notebook.config.meshconfig import mesh_setting
from istio_notebook.gatewayapi.convert import effective_mesh
from istio_notebook.gatewayapi.model import GATEWAY_NAME_LABEL, PARENTS
from istio_notebook.routing.hosts import split_namespaced
from istio_notebook.routing.proxy import Proxy
from istio_notebook.config.protocol import declared as declared_protocol
from istio_notebook.config.shape import items


@dataclass
class Server:
    gateway: Resource
    index: int
    port: int
    port_name: str
    protocol: str
    hosts: list[tuple[str, str]]  # (namespace or "*", host)
    tls_mode: str | None
    https_redirect: bool

    @property
    def label(self) -> str:
        return f"{self.gateway.namespace}/{self.gateway.name} servers[{self.index}]"

    @property
    def is_http(self) -> bool:
        return self.protocol in ("HTTP", "HTTP2", "GRPC", "GRPC-Web") or (
            self.protocol == "HTTPS" and self.tls_mode not in (None, "PASSTHROUGH", "AUTO_PASSTHROUGH")
        )


@dataclass
class GatewayView:
    proxy: Proxy
    gateway: Resource | None  # the named Gateway (None: not found)
    workload_namespace: str
    workload_labels: dict[str, str]
    gateways: list[Resource] = field(default_factory=list)  # all merged Gateways
    servers: list[Server] = field(default_factory=list)
    port_map: dict[int, int] = field(default_factory=dict)  # Service port → container (target) port

    def listener_port(self, server_port: int) -> int:
        """The port Envoy listens on for a server: the targetPort when the server names a Service port."""
        return self.port_map.get(server_port, server_port)

def gateway_api_view(mesh: Mesh, proxy: Proxy) -> GatewayView | None:
    """The proxy istiod deploys for a Gateway API Gateway: its servers are the internal Gateways
    generated from its listeners (gatewayapi.listeners); its pods carry the gateway-name label."""
    parent = f"Gateway/{proxy.name}/"
    generated = [gw for gw in mesh.of_kind("Gateway") if gw.namespace == proxy.namespace
                 and gw.annotations.get(PARENTS, "").startswith(parent)
                 and gw.annotations.get(PARENTS, "").endswith(f".{proxy.namespace}")]
    if not generated:
        return None
    labels = {GATEWAY_NAME_LABEL: proxy.name or ""}
    view = GatewayView(proxy, generated[0], proxy.namespace, labels, gateways=generated)
    view.port_map = _service_ports(mesh, labels)
    for gw in generated:
        view.servers.extend(_servers(gw))
    return view


def gateway_view(mesh: Mesh, proxy: Proxy) -> GatewayView:
    """The gateway's servers and workload, as istiod sees them: a Gateway API Gateway's come from
    the internal Gateways it is converted to, so the view reads the effective mesh."""
    mesh = effective_mesh(mesh)
    named = mesh.get("Gateway", proxy.namespace, proxy.name or "")
    if named is None:
        return gateway_api_view(mesh, proxy) or GatewayView(proxy, None, proxy.namespace, {})
    selector = label_map(named.spec.get("selector"))
    workload_ns, labels = named.namespace, dict(selector)
    # The pods the selector picks stand for the gateway workload (first Deployment, else Pod).
    picked = mesh.workloads.select(selector) if selector else []
    for kind in ("Deployment", "Pod"):
        found = [w for w in picked if w.kind == kind]
        if found:
            workload_ns, labels = found[0].namespace, found[0].labels
            break
    view = GatewayView(proxy, named, workload_ns, labels)
    view.port_map = _service_ports(mesh, labels)
    for gw in sorted(mesh.of_kind("Gateway"), key=lambda r: r.creation_key):
        # A Gateway without selector applies to every gateway workload (push_context.go
        # gatewaysForWorkload: "no selector. Applies to all workloads asking for the gateway").
        # Gateways generated from a Gateway API Gateway serve only its own proxy (gateway_api_view).
        if gw is not named and gw.annotations.get(PARENTS):
            continue
        if gw is named or selects(label_map(gw.spec.get("selector")), labels):
            view.gateways.append(gw)
            view.servers.extend(_servers(gw))
    return view


def _service_ports(mesh: Mesh, labels: dict[str, str]) -> dict[int, int]:
    """Ports of the Services in front of the gateway pods: clients use the Service port, Envoy
    listens on the targetPort (a Gateway server may name either)."""
    ports: dict[int, int] = {}
    for svc in mesh.of_kind("Service"):
        if not service_selects(label_map(svc.spec.get("selector")), labels):
            continue
        for item in items(svc.spec.get("ports")):
            if isinstance(item, dict) and isinstance(item.get("port"), int) and isinstance(item.get("targetPort"), int):
                ports.setdefault(item["port"], item["targetPort"])
    return ports


def _servers(gw: Resource) -> list[Server]:
    servers = []
    for index, item in enumerate(items(gw.spec.get("servers"))):
        if not isinstance(item, dict) or not isinstance(item.get("port"), dict):
            continue
        number = item["port"].get("number")
        if not isinstance(number, int) or isinstance(number, bool):
            continue
        tls = item.get("tls") if isinstance(item.get("tls"), dict) else {}
        hosts = [split_namespaced(str(h), gw.namespace) for h in items(item.get("hosts")) if isinstance(h, str)]
        servers.append(
            Server(
                gateway=gw,
                index=index,
                port=number,
                port_name=str(item["port"].get("name") or ""),
                protocol=declared_protocol(item["port"].get("protocol")).protocol.value,
                hosts=hosts,
                tls_mode=str(tls.get("mode") or "SIMPLE") if tls and tls.keys() - {"httpsRedirect"} else None,
                https_redirect=bool(tls.get("httpsRedirect")),
            )
        )
    return servers


@dataclass
class SidecarView:
    proxy: Proxy
    sidecar: Resource | None
    egress_hosts: list[tuple[str, str]] | None  # None: no Sidecar egress, everything visible
    outbound_policy: str  # ALLOW_ANY | REGISTRY_ONLY
    policy_source: str  # where the policy came from, for the trace

    def sees(self, namespace: str, host: str) -> bool:
        """Sidecar egress `hosts: [ns/host]` filter (istio.io Sidecar reference, IstioEgressListener.hosts)."""
        if self.egress_hosts is None:
            return True
        for ns, pattern in self.egress_hosts:
            # "~/host" imports nothing; "*/host" any namespace; "./host" was resolved to the proxy's.
            if ns in ("*", namespace) and (pattern == "*" or hosts_overlap(pattern, host)):
                return True
        return False


def mesh_outbound_policy(mesh: Mesh) -> tuple[str, str]:
    mode, source = mesh_setting(mesh, "outboundTrafficPolicy", "mode")
    if isinstance(mode, str) and mode and source:
        return mode.upper(), source
    return "ALLOW_ANY", "mesh default"


def applicable_sidecar(mesh: Mesh, proxy: Proxy) -> Resource | None:
    """Sidecar with a matching workloadSelector, else the namespace's selector-less one, else the root's.

    A present workloadSelector selects by ``SubsetOf`` (one without labels selects every workload of
    the namespace); only an absent one makes the Sidecar namespace-wide (push_context.go
    initSidecarScopes, sidecarScopeForProxy)."""
    candidates = sorted(mesh.of_kind("Sidecar"), key=lambda r: r.creation_key)
    for sc in candidates:
        selector = sc.spec.get("workloadSelector")
        if sc.namespace == proxy.namespace and isinstance(selector, dict) and selects(label_map(selector.get("labels")), proxy.labels):
            return sc
    for namespace in (proxy.namespace, ROOT_NAMESPACE):
        for sc in candidates:
            if sc.namespace == namespace and sc.spec.get("workloadSelector") is None:
                return sc
    return None


def sidecar_view(mesh: Mesh, proxy: Proxy) -> SidecarView:
    sc = applicable_sidecar(mesh, proxy)
    mode, source = mesh_outbound_policy(mesh)
    egress: list[tuple[str, str]] | None = None
    if sc is not None:
        sc_mode = sc.get("spec", "outboundTrafficPolicy", "mode")
        if isinstance(sc_mode, str) and sc_mode:
            mode, source = sc_mode.upper(), f"Sidecar {sc.key}"
        listeners = sc.spec.get("egress")
        if isinstance(listeners, list) and listeners:
            egress = []
            for listener in listeners:
                if isinstance(listener, dict):
                    egress.extend(split_namespaced(str(h), proxy.namespace) for h in items(listener.get("hosts")))
    return SidecarView(proxy, sc, egress, mode, source)


# --- VirtualServices in Istio's order -------------------------------------------------------------


def vs_gateways(vs: Resource) -> list[str]:
    """The VS's gateways as `ns/name` or `mesh`; unset means mesh only."""
    raw = vs.spec.get("gateways")
    if not isinstance(raw, list) or not raw:
        return ["mesh"]
    out = []
    for g in raw:
        g = str(g)
        out.append(g if g == "mesh" or "/" in g else f"{vs.namespace}/{g}")
    return out


def vs_hosts(vs: Resource) -> list[str]:
    return [fqdn(str(h), vs.namespace, fold_case=True) for h in items(vs.spec.get("hosts")) if isinstance(h, (str, int))]


def ordered_virtual_services(mesh: Mesh, client_namespace: str) -> list[Resource]:
    """Root VirtualServices visible in `client_namespace`: private to it first, then exported to
    it by name, then public; each oldest first (pilot/pkg/model/push_context.go virtualServiceIndex)."""
    private, named, public = [], [], []
    for vs in sorted(mesh.of_kind("VirtualService"), key=lambda r: r.creation_key):
        if not vs.spec.get("hosts"):
            continue  # a delegate: only reachable through its root
        targets = export_targets(vs.spec.get("exportTo"))
        if not exported_to(targets, vs.namespace, client_namespace):
            continue
        if targets is None or "*" in targets:
            public.append(vs)
        elif set(targets) in ({"."}, {vs.namespace}):
            private.append(vs)
        else:
            named.append(vs)
    return private + named + public


# --- DestinationRules ------------------------------------------------------------------------------


@dataclass
class DestinationRuleSet:
    """The DestinationRules that apply to one host for one client, merged as Istio merges them."""

    host: str
    rules: list[Resource]  # in merge order (first wins)
    scope: str | None  # "client namespace" | "service namespace" | "root namespace"

    def subset(self, name: str) -> dict | None:
        for dr in self.rules:
            for item in items(dr.spec.get("subsets")):
                if isinstance(item, dict) and item.get("name") == name:
                    return item
        return None

    def subset_names(self) -> list[str]:
        names: list[str] = []
        for dr in self.rules:
            for item in items(dr.spec.get("subsets")):
                if isinstance(item, dict) and isinstance(item.get("name"), str) and item["name"] not in names:
                    names.append(item["name"])
        return names

    def traffic_policy(self) -> dict | None:
        for dr in self.rules:
            policy = dr.spec.get("trafficPolicy")
            if isinstance(policy, dict):
                return policy
        return None


class DestinationRuleIndex:
    """DestinationRules by namespace: exact hosts in a dict, wildcards as a short list, so a
    lookup does not scan every rule of the mesh."""

    def __init__(self, mesh: Mesh):
        self.exact: dict[str, dict[str, list[Resource]]] = {}
        self.wildcard: dict[str, dict[str, list[Resource]]] = {}
        for dr in sorted(mesh.of_kind("DestinationRule"), key=lambda r: r.creation_key):
            host = dr.spec.get("host")
            if not isinstance(host, str) or not host.strip() or dr.spec.get("workloadSelector"):
                continue  # workload-scoped DRs apply to the sidecars they select; not modelled for clients
            pattern = fqdn(host, dr.namespace, fold_case=True)
            table = self.wildcard if pattern.startswith("*") else self.exact
            table.setdefault(dr.namespace, {}).setdefault(pattern, []).append(dr)

    def lookup(self, namespace: str, host: str, client_namespace: str) -> tuple[str, list[Resource]] | None:
        """The most specific pattern in `namespace` covering `host`, and its rules visible to the client."""
        def visible(rules: list[Resource]) -> list[Resource]:
            return [r for r in rules if exported_to(export_targets(r.spec.get("exportTo")), r.namespace, client_namespace)]

        rules = visible(self.exact.get(namespace, {}).get(host, []))
        if rules:
            return host, rules
        candidates = [(p, visible(rs)) for p, rs in self.wildcard.get(namespace, {}).items() if host_subset_of(host, p)]
        candidates = [(p, rs) for p, rs in candidates if rs]
        if not candidates:
            return None
        return min(candidates, key=lambda item: -len(item[0]))


def destination_rules(mesh: Mesh, host: str, client_namespace: str, service_namespace: str | None,
                      index: DestinationRuleIndex | None = None) -> DestinationRuleSet:
    """Istio's DR lookup (pilot/pkg/model/push_context.go destinationRule): the client's namespace,
    then the service's namespace, then the root namespace; in each, an exact host beats the
    most specific wildcard; same-host rules merge, oldest first; exportTo must admit the client."""
    index = index or DestinationRuleIndex(mesh)
    scopes = [(client_namespace, "client namespace")]
    if service_namespace and service_namespace != client_namespace:
        scopes.append((service_namespace, "service namespace"))
    if ROOT_NAMESPACE not in (client_namespace, service_namespace):
        scopes.append((ROOT_NAMESPACE, "root namespace"))
    for namespace, scope in scopes:
        found = index.lookup(namespace, host, client_namespace)
        if found:
            return DestinationRuleSet(host, found[1], scope)
    return DestinationRuleSet(host, [], None)
