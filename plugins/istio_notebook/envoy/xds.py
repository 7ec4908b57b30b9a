"""Small builders for the Envoy v3 objects every translation needs (typed_config @types in one place)."""

from __future__ import annotations

HCM_TYPE = "type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager"
ROUTER_TYPE = "type.googleapis.com/envoy.extensions.filters.http.router.v3.Router"
FAULT_TYPE = "type.googleapis.com/envoy.extensions.filters.http.fault.v3.HTTPFault"
CORS_TYPE = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.Cors"
CORS_POLICY_TYPE = "type.googleapis.com/envoy.extensions.filters.http.cors.v3.CorsPolicy"


def istio_runtime() -> dict:
    """The static runtime layer of Istio's bootstrap that changes what Envoy accepts
    (pkg/bootstrap/config.go extractRuntimeFlags at 1.30.3): regexes compiled to RE2 programs of
    up to 32768 instructions (Envoy's own default limit is 100: ``a{200}`` would be refused), and
    a path's fragment stripped rather than refused."""
    return {"layers": [{"name": "global config", "static_layer": {
        "re2.max_program_size.error_level": "32768",
        "envoy.reloadable_features.http_reject_path_with_fragment": False,
    }}]}


def router_filter() -> dict:
    return {"name": "envoy.filters.http.router", "typed_config": {"@type": ROUTER_TYPE}}


def fault_filter() -> dict:
    return {"name": "envoy.filters.http.fault", "typed_config": {"@type": FAULT_TYPE}}


def cors_filter() -> dict:
    return {"name": "envoy.filters.http.cors", "typed_config": {"@type": CORS_TYPE}}


def hcm(stat_prefix: str, route_config: dict, http_filters: list[dict], **extra: object) -> dict:
    """The HTTP connection manager network filter with an inline route configuration."""
    config = {
        "@type": HCM_TYPE,
        "stat_prefix": stat_prefix,
        "route_config": route_config,
        "http_filters": http_filters,
        # Istio sets these on every HCM (pilot/pkg/networking/core/listener_builder.go).
        "normalize_path": True,
        "path_with_escaped_slashes_action": "KEEP_UNCHANGED",
        "use_remote_address": False,
    }
    config.update(extra)
    return {"name": "envoy.filters.network.http_connection_manager", "typed_config": config}


def static_cluster(name: str, address: str, port: int, *, connect_timeout: str = "10s") -> dict:
    return {
        "name": name,
        "type": "STATIC",
        "connect_timeout": connect_timeout,
        "load_assignment": {
            "cluster_name": name,
            "endpoints": [
                {"lb_endpoints": [{"endpoint": {"address": {"socket_address": {"address": address, "port_value": port}}}}]}
            ],
        },
    }



TCP_PROXY_TYPE = "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy"


def tcp_proxy(stat_prefix: str, cluster: str) -> dict:
    """The tcp_proxy network filter to one cluster (istiod's inbound/outbound TCP filter chains)."""
    return {"name": "envoy.filters.network.tcp_proxy",
            "typed_config": {"@type": TCP_PROXY_TYPE, "stat_prefix": stat_prefix, "cluster": cluster}}
