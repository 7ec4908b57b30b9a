"""Make a runnable bootstrap tell us what it decided, without changing what it decides.

Every HTTP connection manager gets response headers carrying Envoy's own account of the request
(route name, response flags, response code details, upstream cluster), on proxied responses
(route configuration ``response_headers_to_add``) and on local replies (``local_reply_config``
mappers: 404 NR, fault aborts, 503 NC, RBAC 403). Retry back-off is shortened so that a retry
probe takes milliseconds; the number of attempts and the conditions are untouched.
"""

from __future__ import annotations

ROUTE_HEADER = "x-inb-route"
FLAGS_HEADER = "x-inb-flags"
DETAILS_HEADER = "x-inb-details"
CLUSTER_HEADER = "x-inb-cluster"
EXT_AUTHZ_HEADER = "x-inb-ext-authz"  # the CUSTOM policy rule whose ext_authz call Istio would make
INSTRUMENT_HEADERS = (ROUTE_HEADER, FLAGS_HEADER, DETAILS_HEADER, CLUSTER_HEADER, EXT_AUTHZ_HEADER)

_VALUES = {
    ROUTE_HEADER: "%ROUTE_NAME%",
    FLAGS_HEADER: "%RESPONSE_FLAGS%",
    DETAILS_HEADER: "%RESPONSE_CODE_DETAILS%",
    CLUSTER_HEADER: "%UPSTREAM_CLUSTER%",
    EXT_AUTHZ_HEADER: "%DYNAMIC_METADATA(envoy.filters.http.rbac:istio_ext_authz_shadow_effective_policy_id)%",
}


def _header_options() -> list[dict]:
    return [
        {"header": {"key": key, "value": value}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
        for key, value in _VALUES.items()
    ]


def _connection_managers(bootstrap: dict):
    for listener in bootstrap.get("static_resources", {}).get("listeners", []):
        for chain in listener.get("filter_chains", []):
            for network_filter in chain.get("filters", []):
                config = network_filter.get("typed_config", {})
                if "route_config" in config:
                    yield config


def instrument(bootstrap: dict) -> dict:
    """Adds the observation headers in place and returns ``bootstrap``."""
    for hcm in _connection_managers(bootstrap):
        route_config = hcm["route_config"]
        route_config["response_headers_to_add"] = _header_options() + route_config.get("response_headers_to_add", [])
        hcm["local_reply_config"] = {
            "mappers": [{"filter": {"not_health_check_filter": {}}, "headers_to_add": _header_options()}]
        }
        for vhost in route_config.get("virtual_hosts", []):
            for route in vhost.get("routes", []):
                policy = route.get("route", {}).get("retry_policy")
                if policy is not None:
                    policy["retry_back_off"] = {"base_interval": "0.001s", "max_interval": "0.002s"}
    return bootstrap
