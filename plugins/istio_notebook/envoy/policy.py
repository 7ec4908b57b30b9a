"""DestinationRule traffic policy → Envoy Cluster fields (a DestinationRule is a Cluster, not a Route).

The policy per cluster is the routing simulator's (``routing.policy.traffic_policy``: rule,
port level, subset, subset port level; auto mTLS), so both engines start from one reading.
Mapping as in istiod (pilot/pkg/networking/core/cluster_builder.go, cluster_traffic_policy.go):
``loadBalancer.simple`` → ``lb_policy`` (LEAST_CONN is LEAST_REQUEST); ``connectionPool`` →
``circuit_breakers.thresholds``; ``outlierDetection`` → ``outlier_detection``; ``tls`` →
an ``UpstreamTlsContext`` transport socket (ISTIO_MUTUAL: the workload certificate and root CA
from istio-agent over SDS; SIMPLE/MUTUAL: ``sni``; DISABLE: none).
"""

from __future__ import annotations

from istio_notebook.config.durations import format_envoy, seconds
from istio_notebook.envoy.certs import CertFiles
from istio_notebook.routing.outcome import TrafficPolicy

_LB = {"ROUND_ROBIN": "ROUND_ROBIN", "LEAST_REQUEST": "LEAST_REQUEST", "LEAST_CONN": "LEAST_REQUEST",
       "RANDOM": "RANDOM", "PASSTHROUGH": "CLUSTER_PROVIDED"}
LB_NAMES = {"ROUND_ROBIN": "ROUND_ROBIN", "LEAST_REQUEST": "LEAST_REQUEST", "RANDOM": "RANDOM",
            "CLUSTER_PROVIDED": "PASSTHROUGH", "RING_HASH": "CONSISTENT_HASH", "MAGLEV": "CONSISTENT_HASH"}
TLS_TYPE = "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext"


def cluster_policies(mesh, table) -> dict[str, TrafficPolicy]:
    """Cluster name → the traffic policy the simulator applies to that destination."""
    from istio_notebook.routing.build import dr_set, registry_of
    from istio_notebook.routing.policy import traffic_policy

    registry = registry_of(mesh)
    client_ns = table.proxy.namespace
    out = {}
    for name, cluster in table.clusters.items():
        service = registry.lookup(cluster.host, client_ns)
        out[name] = traffic_policy(dr_set(mesh, cluster.host, client_ns), service, cluster.port, cluster.subset)
    return out


def _duration(value: object) -> str | None:
    return format_envoy(seconds(value))


def lb_fields(policy: TrafficPolicy) -> dict:
    lb = policy.load_balancer or {}
    if isinstance(lb.get("consistentHash"), dict):
        return {"lb_policy": "MAGLEV" if "maglev" in lb["consistentHash"] else "RING_HASH"}
    simple = str(lb.get("simple") or "LEAST_REQUEST").upper()
    return {"lb_policy": _LB.get(simple, "LEAST_REQUEST")}


def circuit_breakers(policy: TrafficPolicy) -> dict | None:
    pool = policy.connection_pool or {}
    tcp, http = pool.get("tcp") or {}, pool.get("http") or {}
    threshold: dict = {}
    for source, key, target in ((tcp, "maxConnections", "max_connections"),
                                (http, "http1MaxPendingRequests", "max_pending_requests"),
                                (http, "http2MaxRequests", "max_requests"),
                                (http, "maxRetries", "max_retries")):
        if isinstance(source.get(key), int):
            threshold[target] = source[key]
    return {"thresholds": [threshold]} if threshold else None


def outlier_detection(policy: TrafficPolicy) -> dict | None:
    spec = policy.outlier_detection or {}
    out: dict = {}
    errors = spec.get("consecutive5xxErrors", spec.get("consecutiveErrors"))
    if isinstance(errors, int):
        out["consecutive_5xx"] = errors
    if isinstance(spec.get("consecutiveGatewayErrors"), int):
        out["consecutive_gateway_failure"] = spec["consecutiveGatewayErrors"]
    for key, target in (("interval", "interval"), ("baseEjectionTime", "base_ejection_time")):
        if _duration(spec.get(key)):
            out[target] = _duration(spec.get(key))
    if isinstance(spec.get("maxEjectionPercent"), int):
        out["max_ejection_percent"] = spec["maxEjectionPercent"]
    return out or None


def tls_socket(policy: TrafficPolicy, host: str, *, client: CertFiles | None = None, ca_file: str | None = None,
               run: bool = False) -> dict | None:
    """The upstream transport socket; ``run``: certificates from files made for the run."""
    mode = str(policy.tls.mode or "DISABLE").upper()
    if mode == "DISABLE":
        return None
    context: dict = {"@type": TLS_TYPE, "common_tls_context": {}}
    common = context["common_tls_context"]
    if mode == "ISTIO_MUTUAL":
        if run and client is not None:
            common["tls_certificates"] = [{"certificate_chain": {"filename": str(client.cert)},
                                           "private_key": {"filename": str(client.key)}}]
        else:
            common["tls_certificate_sds_secret_configs"] = [{"name": "default", "sds_config": {"ads": {}, "resource_api_version": "V3"}}]
            common["combined_validation_context"] = {
                "default_validation_context": {},
                "validation_context_sds_secret_config": {"name": "ROOTCA", "sds_config": {"ads": {}, "resource_api_version": "V3"}},
            }
        common["alpn_protocols"] = ["istio-peer-exchange", "istio"]
        context["sni"] = f"outbound_.{host}"
    else:  # SIMPLE / MUTUAL: origination to the host's own certificate
        context["sni"] = host
    if run:
        common.pop("combined_validation_context", None)  # the run's echo certificates are not verified
    return {"name": "envoy.transport_sockets.tls", "typed_config": context}


def apply(cluster: dict, policy: TrafficPolicy | None, host: str, *, client: CertFiles | None = None, run: bool = False) -> dict:
    """Adds the policy's fields to an Envoy cluster (in place) and returns it."""
    if not policy:
        return cluster
    cluster.update(lb_fields(policy))
    breakers = circuit_breakers(policy)
    if breakers:
        cluster["circuit_breakers"] = breakers
    outlier = outlier_detection(policy)
    if outlier:
        cluster["outlier_detection"] = outlier
    socket = tls_socket(policy, host, client=client, run=run)
    if socket:
        cluster["transport_socket"] = socket
    return cluster
