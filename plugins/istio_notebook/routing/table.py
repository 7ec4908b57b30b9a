"""The route table Istio generates for one proxy: the shared model of simulator and Envoy translator.

Shape (mirrors Envoy's RDS as istiod writes it):
    RouteTable
      .route_configs: [RouteConfig(name "9080" | "http.80" | "https.443.<server>.<gw>.<ns>", port, ...)]
          .virtual_hosts: [VirtualHost(name "host:port", domains, routes, require_tls)]
              .routes: [Route(name, match: RouteMatch, action: RouteAction, origin: RouteOrigin)]
      .clusters: {"outbound|9080|v2|reviews.default.svc.cluster.local": Cluster}
      .fallback: "passthrough" | "blackhole" (sidecars: unknown hosts and ports) | None (gateways)

Matches are fully normalised (build-time filters such as sourceLabels and port already applied,
missing uri = prefix "/"), actions carry every field already resolved (cluster names, weights as
shares, Istio's default retry policy), so evaluating the table needs nothing but the request.
The dataclasses are plain and stable: the Envoy translator turns them into Envoy JSON 1:1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from istio_notebook.config.matchers import Matcher, Prefix
from istio_notebook.routing.outcome import Cors, Fault, HeaderChanges

PASSTHROUGH_CLUSTER = "PassthroughCluster"
BLACKHOLE_CLUSTER = "BlackHoleCluster"

# Istio's default retry policy for HTTP routes (pilot/pkg/networking/core/route/retry/retry.go
# DefaultPolicy): 2 attempts and these conditions. Since 1.24 no retriable status code: 503 is
# left out (EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY=true, istio.io 1.24 change notes).
DEFAULT_RETRY_ON = "connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes"
DEFAULT_RETRY_ATTEMPTS = 2


@dataclass(frozen=True)
class HeaderMatch:
    """A header (or pseudo-header :method, :authority, :scheme) condition. `invert` = withoutHeaders."""

    name: str  # lower case
    match: Matcher
    invert: bool = False
    treat_missing_as_empty: bool = False


@dataclass(frozen=True)
class QueryMatch:
    name: str
    match: Matcher


@dataclass(frozen=True)
class RouteMatch:
    path: Matcher = Prefix("/")
    headers: tuple[HeaderMatch, ...] = ()
    query: tuple[QueryMatch, ...] = ()

    @property
    def is_catch_all(self) -> bool:
        """Istio's isCatchAllRoute: prefix "/" (or regex matching everything), nothing else."""
        return self.path.matches_everything and not self.headers and not self.query


@dataclass(frozen=True)
class Destination:
    host: str  # FQDN
    port: int | None
    subset: str | None
    weight: int  # as written in the VirtualService (0 when unset)
    share: float  # percent of requests after Istio's normalisation
    cluster: str  # outbound|port|subset|host
    headers: HeaderChanges | None = None  # destination-level header operations
    item: int | None = None  # its index in the rule's route list (where the Envoy tab points back to)


@dataclass(frozen=True)
class Mirror:
    host: str
    port: int | None
    subset: str | None
    cluster: str
    percentage: float


@dataclass(frozen=True)
class Redirect:
    uri: str | None = None
    prefix_rewrite: str | None = None
    authority: str | None = None
    port: int | None = None
    derive_port: bool = False
    scheme: str | None = None
    status: int = 301


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int
    per_try_timeout: str | None
    retry_on: str  # Envoy's retry_on: conditions only (status codes moved to retriable_status_codes)
    retriable_status_codes: tuple[int, ...] = ()


@dataclass
class RouteAction:
    """kind: route | redirect | direct_response | passthrough | blackhole."""

    kind: str
    destinations: list[Destination] = field(default_factory=list)
    prefix_rewrite: str | None = None
    regex_rewrite: tuple[str, str] | None = None  # (RE2 pattern, substitution)
    authority_rewrite: str | None = None
    redirect: Redirect | None = None
    direct_status: int | None = None
    direct_body: str | None = None
    fault: Fault | None = None
    timeout: str | None = None  # normalised duration, None = disabled
    retries: RetryPolicy | None = None
    mirrors: list[Mirror] = field(default_factory=list)
    headers: HeaderChanges | None = None
    cors: Cors | None = None
    # The rule had several route[] entries: Envoy weighted_clusters, each destination's header
    # operations on its cluster, even when one is left (route.go: only len(route) == 1 is single).
    weighted: bool = False

    @property
    def single_destination(self) -> bool:
        """One cluster on the route itself (route.go: only a rule with one route[] entry), its
        destination's header operations appended to the route's."""
        return len(self.destinations) == 1 and not self.weighted


@dataclass(frozen=True)
class RouteOrigin:
    """Where a route came from: VirtualService ns/name, its http rule and match index (None: no match)."""

    virtual_service: str | None
    rule_index: int | None
    match_index: int | None
    delegate: str | None = None  # the delegate VirtualService, when the rule came from one
    source: Any = None  # the Resource, for file:line


@dataclass
class Route:
    name: str | None
    match: RouteMatch
    action: RouteAction
    origin: RouteOrigin


@dataclass
class VirtualHost:
    name: str
    domains: list[str]
    routes: list[Route]
    require_tls: bool = False  # gateway server with tls.httpsRedirect: Envoy answers 301 to https
    service: str | None = None  # the registry host this virtual host serves, if any


@dataclass
class RouteConfig:
    name: str
    port: int
    virtual_hosts: list[VirtualHost]
    ignore_port_in_host_matching: bool = False  # sidecars: Host's :port is ignored
    tls: bool = False  # gateway HTTPS server (TLS terminated)
    sni_hosts: list[str] | None = None  # for tls: the server's hosts (filter chain match)
    server: str | None = None  # gateway: "ns/name servers[i]"
    # A table focused on one request (envoy/focus.py): each virtual host's position in the whole
    # table, which its Envoy route names keep; empty: the virtual hosts are all there, in order.
    vhost_positions: tuple[int, ...] = ()


@dataclass(frozen=True)
class Cluster:
    name: str
    host: str
    port: int
    subset: str | None
    labels: dict | None = None  # subset labels
    has_endpoints: bool = True


@dataclass
class RouteTable:
    proxy: Any  # routing.proxy.Proxy
    route_configs: list[RouteConfig]
    clusters: dict[str, Cluster]
    fallback: str | None  # sidecar catch-all: "passthrough" (ALLOW_ANY) | "blackhole" (REGISTRY_ONLY)
    notes: list[str] = field(default_factory=list)  # what was skipped while building, and why
    tcp_ports: dict[int, list[str]] = field(default_factory=dict)  # sidecar: non-HTTP service ports → hosts
    port_map: dict[int, int] = field(default_factory=dict)  # gateway: Service port → listener (target) port
    namespace: str | None = None  # the proxy's own namespace (a gateway's workload namespace): DR lookups start here
    # What the simulator derives from this table alone, made once: trace lines per language
    # (Trace.add_fixed), a route's outcome destinations (routing/decide.py).
    memo: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def configs_for_port(self, port: int) -> list[RouteConfig]:
        """The route configs on ``port``, in table order (indexed once: a sidecar has one per HTTP port)."""
        by_port = self.memo.get("configs_by_port")
        if by_port is None:
            by_port = self.memo["configs_by_port"] = {}
            for config in self.route_configs:
                by_port.setdefault(config.port, []).append(config)
        return list(by_port.get(port, ()))


def cluster_name(port: int | None, subset: str | None, host: str) -> str:
    return f"outbound|{port if port is not None else ''}|{subset or ''}|{host}"


def sni_dnat_cluster_name(port: int, subset: str | None, host: str) -> str:
    """model.BuildDNSSrvSubsetKey: ``outbound_.9080_.v1_.reviews.default.svc.cluster.local``, the SNI an
    Istio mTLS client sends and the name of the cluster an AUTO_PASSTHROUGH gateway forwards it to
    (cluster_builder.go buildOutboundSniDnatClusters: SniDnatClusterMode, no TLS origination)."""
    return f"outbound_.{port}_.{subset or ''}_.{host}"


def parse_sni_dnat(name: str) -> tuple[int, str | None, str] | None:
    """(port, subset, host) of a BuildDNSSrvSubsetKey name, else None."""
    parts = name.split("_.", 3)
    if len(parts) != 4 or parts[0] != "outbound" or not parts[1].isdigit():
        return None
    return int(parts[1]), parts[2] or None, parts[3]
