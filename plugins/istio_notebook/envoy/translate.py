"""The routing table of one proxy → the Envoy configuration istiod would send it (as a bootstrap).

Input is ``istio_notebook.routing.table.RouteTable`` (the same table the simulator evaluates), so
the two engines can only disagree where Envoy and our reading of it disagree. Names follow
istiod: listeners ``0.0.0.0_<port>``, route configurations ``<port>`` (sidecar) or
``http.<port>`` (gateway), virtual hosts ``host:port``, clusters ``outbound|port|subset|host``,
``PassthroughCluster`` / ``BlackHoleCluster``, catch-all virtual hosts ``allow_any`` / ``block_all``
(pilot/pkg/networking/core/httproute.go, route/route.go; pilot/pkg/networking/util/util.go).

Two forms:
- display (``upstreams=None``): what istiod sends, clusters as EDS over ADS (the xDS server
  ``istiod.istio-system.svc:15012``), PassthroughCluster as ORIGINAL_DST. ``envoy --mode
  validate`` accepts it.
- run (``upstreams`` maps cluster name → loopback port): every cluster is STATIC on 127.0.0.1
  (the echo servers), so real Envoy can serve it here.
"""

from __future__ import annotations

from istio_notebook.config.decimal import decimal_value
from istio_notebook.config.durations import format_envoy, seconds
from istio_notebook.config.percent import to_fractional as fractional
from istio_notebook.gatewayapi import gateway_semantics
from istio_notebook.envoy import policy as cluster_policy
from istio_notebook.envoy import xds
from istio_notebook.envoy.translate_l4 import L4Translation, l4_credentials, server_credential, stats_config
from istio_notebook.routing.l4_table import l4_listeners
from istio_notebook.routing.outcome import Cors, Fault, HeaderChanges, HeaderOps
from istio_notebook.routing.table import (
    BLACKHOLE_CLUSTER,
    PASSTHROUGH_CLUSTER,
    HeaderMatch,
    Route,
    RouteAction,
    RouteConfig,
    RouteTable,
    VirtualHost,
)

XDS_CLUSTER = "xds-grpc"
VIRTUAL_OUTBOUND = "virtualOutbound"
_REDIRECT_CODES = {
    301: "MOVED_PERMANENTLY", 302: "FOUND", 303: "SEE_OTHER", 307: "TEMPORARY_REDIRECT", 308: "PERMANENT_REDIRECT",
}


def duration(value: str | None) -> str | None:
    """Table duration ("0.1s", "1e-05s") → Envoy JSON duration, None when unset."""
    return format_envoy(seconds(value)) if value else None


# -- matches -------------------------------------------------------------------------------------


def header_matcher(header: HeaderMatch) -> dict:
    out: dict = {"name": header.name}
    if header.match.presence:
        out["present_match"] = True
    else:
        out["string_match"] = header.match.envoy()
    if header.invert:
        out["invert_match"] = True
    if header.treat_missing_as_empty and not header.match.presence:
        out["treat_missing_header_as_empty"] = True
    return out


def route_match(route: Route) -> dict:
    match = route.match
    out = match.path.envoy_path()
    if match.headers:
        out["headers"] = [header_matcher(h) for h in match.headers]
    if match.query:
        out["query_parameters"] = [
            {"name": q.name, "present_match": True}
            if q.match.presence
            else {"name": q.name, "string_match": q.match.envoy()}
            for q in match.query
        ]
    return out


# -- actions -------------------------------------------------------------------------------------


def _header_options(ops: HeaderOps | None) -> tuple[list[dict], list[str]]:
    if not ops:
        return [], []
    add = [
        {"header": {"key": k, "value": v}, "append_action": "OVERWRITE_IF_EXISTS_OR_ADD"}
        for k, v in ops.set
    ] + [
        {"header": {"key": k, "value": v}, "append_action": "APPEND_IF_EXISTS_OR_ADD"}
        for k, v in ops.add
    ]
    return add, list(ops.remove)


def _apply_headers(target: dict, headers: HeaderChanges | None) -> None:
    if headers is None:
        return
    for side, ops in (("request", headers.request), ("response", headers.response)):
        add, remove = _header_options(ops)
        if add:
            target.setdefault(f"{side}_headers_to_add", []).extend(add)
        if remove:
            target.setdefault(f"{side}_headers_to_remove", []).extend(remove)


def retry_policy(action: RouteAction) -> dict | None:
    retries = action.retries
    if retries is None:
        return None
    policy = {
        "retry_on": retries.retry_on,
        "num_retries": retries.attempts,
        "retry_host_predicate": [
            {
                "name": "envoy.retry_host_predicates.previous_hosts",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate"
                },
            }
        ],
        "host_selection_retry_max_attempts": "5",
    }
    if retries.per_try_timeout:
        policy["per_try_timeout"] = duration(retries.per_try_timeout)
    # Status codes only when retryOn names some: Istio's default has none since 1.24
    # (pilot/pkg/networking/core/route/retry/retry.go, EXCLUDE_UNSAFE_503_FROM_DEFAULT_RETRY).
    if retries.retriable_status_codes:
        policy["retriable_status_codes"] = list(retries.retriable_status_codes)
    return policy


def fault_config(fault: Fault) -> dict:
    out: dict = {"@type": xds.FAULT_TYPE}
    delay = fault.delay
    if delay and delay.fixed_delay:
        out["delay"] = {"fixed_delay": duration(delay.fixed_delay), "percentage": fractional(delay.percentage or 0)}
    abort = fault.abort
    if abort:
        entry: dict = {"percentage": fractional(abort.percentage or 0)}
        if abort.http_status is not None:
            entry["http_status"] = abort.http_status
        elif abort.grpc_status is not None:
            entry["grpc_status"] = _grpc_code(abort.grpc_status)
        out["abort"] = entry
    return out


_GRPC_CODES = [
    "OK", "CANCELLED", "UNKNOWN", "INVALID_ARGUMENT", "DEADLINE_EXCEEDED", "NOT_FOUND", "ALREADY_EXISTS",
    "PERMISSION_DENIED", "RESOURCE_EXHAUSTED", "FAILED_PRECONDITION", "ABORTED", "OUT_OF_RANGE",
    "UNIMPLEMENTED", "INTERNAL", "UNAVAILABLE", "DATA_LOSS", "UNAUTHENTICATED",
]


def grpc_name(code: int) -> str:
    return _GRPC_CODES[code] if 0 <= code < len(_GRPC_CODES) else str(code)


def _grpc_code(value: str) -> int:
    text = str(value).upper()
    return number if (number := decimal_value(text)) is not None else (_GRPC_CODES.index(text) if text in _GRPC_CODES else 2)


def cors_policy(cors: Cors) -> dict:
    out: dict = {"@type": xds.CORS_POLICY_TYPE}
    origins = []
    for item in cors.allow_origins:
        if item.kind == "present":
            origins.append({"safe_regex": {"regex": ".*"}})
        elif item.kind == "regex":
            origins.append({"safe_regex": {"regex": item.value}})
        else:
            origins.append({item.kind: item.value})
    if origins:
        out["allow_origin_string_match"] = origins
    for key, values in (("allow_methods", cors.allow_methods), ("allow_headers", cors.allow_headers),
                        ("expose_headers", cors.expose_headers)):
        if values:
            out[key] = ",".join(values)
    if cors.max_age:
        secs = seconds(cors.max_age)
        if secs is not None:
            out["max_age"] = str(int(secs))
    if cors.allow_credentials is not None:
        out["allow_credentials"] = cors.allow_credentials
    return out | {"forward_not_matching_preflights": cors.forward_unmatched_preflights}  # Istio always writes it


def _route_body(action: RouteAction) -> dict:
    body: dict = {}
    destinations = action.destinations
    if len(destinations) == 1:
        body["cluster"] = destinations[0].cluster
        # Istio moves a lone destination's header operations onto the route (route.go).
    else:
        body["weighted_clusters"] = {"clusters": []}
        for dest in destinations:
            entry: dict = {"name": dest.cluster, "weight": max(int(dest.weight), 0) or 1}
            _apply_headers(entry, dest.headers)
            body["weighted_clusters"]["clusters"].append(entry)
    # Istio: an unset timeout disables Envoy's 15 s default ("0s"); Istio also sets
    # max_grpc_timeout to the same value.
    timeout = duration(action.timeout) or "0s"
    body["timeout"] = timeout
    body["max_grpc_timeout"] = timeout
    if action.prefix_rewrite is not None:
        body["prefix_rewrite"] = action.prefix_rewrite
    if action.regex_rewrite is not None:
        pattern, substitution = action.regex_rewrite
        body["regex_rewrite"] = {"pattern": {"regex": pattern}, "substitution": substitution}
    if action.authority_rewrite is not None:
        body["host_rewrite_literal"] = action.authority_rewrite
    policy = retry_policy(action)
    if policy:
        body["retry_policy"] = policy
    if action.mirrors:
        body["request_mirror_policies"] = [
            {"cluster": m.cluster, "runtime_fraction": {"default_value": fractional(m.percentage)}, "trace_sampled": False}
            for m in action.mirrors
        ]
    return body


def _redirect(action: RouteAction) -> dict:
    redirect = action.redirect
    assert redirect is not None
    out: dict = {"response_code": _REDIRECT_CODES.get(redirect.status, "MOVED_PERMANENTLY")}
    if redirect.uri is not None:
        out["path_redirect"] = redirect.uri
    elif redirect.prefix_rewrite is not None:
        out["prefix_rewrite"] = redirect.prefix_rewrite
    if redirect.authority:
        out["host_redirect"] = redirect.authority
    if redirect.port:
        # Also for derivePort FROM_REQUEST_PORT (the listener port, as istiod writes it): Envoy
        # then omits the port only when it is the scheme's default (443 for https, 80 for http).
        out["port_redirect"] = redirect.port
    if redirect.scheme:
        out["scheme_redirect"] = redirect.scheme
    return out


def envoy_route(route: Route, name: str | None = None) -> dict:
    action = route.action
    out: dict = {"match": route_match(route)}
    if name or route.name:
        out["name"] = name or route.name
    origin = route.origin
    if origin.virtual_service:
        namespace, _, vs_name = origin.virtual_service.partition("/")
        # Istio's route metadata names the VirtualService the route came from.
        out["metadata"] = {
            "filter_metadata": {
                "istio": {"config": f"/apis/networking.istio.io/v1/namespaces/{namespace}/virtual-service/{vs_name}"}
            }
        }
    if action.kind == "route":
        out["route"] = _route_body(action)
        if gateway_semantics(origin.source):
            # Gateway API: an unknown backend answers 500, not 503 (route.go applyHTTPRouteDestination).
            out["route"]["cluster_not_found_response_code"] = "INTERNAL_SERVER_ERROR"
    elif action.kind == "redirect":
        out["redirect"] = _redirect(action)
    elif action.kind == "direct_response":
        response: dict = {"status": action.direct_status or 200}
        if action.direct_body is not None:
            response["body"] = {"inline_string": action.direct_body}
        out["direct_response"] = response
    elif action.kind == "passthrough":
        out["route"] = {"cluster": PASSTHROUGH_CLUSTER, "timeout": "0s", "max_grpc_timeout": "0s"}
    elif action.kind == "blackhole":
        # REGISTRY_ONLY: istiod answers unknown hosts itself with 502 (httproute.go, block_all).
        out["direct_response"] = {"status": action.direct_status or 502}
    else:
        raise ValueError(f"unknown route action {action.kind!r}")
    _apply_headers(out, action.headers)
    if action.kind == "route" and len(action.destinations) == 1:
        _apply_headers(out, action.destinations[0].headers)
    per_filter: dict = {}
    if action.fault:
        per_filter["envoy.filters.http.fault"] = fault_config(action.fault)
    if action.cors:
        per_filter["envoy.filters.http.cors"] = cors_policy(action.cors)
    if per_filter:
        out["typed_per_filter_config"] = per_filter
    return out


# -- route configurations, listeners, clusters ---------------------------------------------------


def catch_all_virtual_host(fallback: str) -> dict:
    """Sidecar's last virtual host for hosts no service claims (httproute.go BuildCatchAllVirtualHost)."""
    if fallback == "passthrough":
        return {
            "name": "allow_any",
            "domains": ["*"],
            "routes": [
                {
                    "name": "allow_any",
                    "match": {"prefix": "/"},
                    "route": {"cluster": PASSTHROUGH_CLUSTER, "timeout": "0s", "max_grpc_timeout": "0s"},
                }
            ],
            "include_request_attempt_count": True,
        }
    return {
        "name": "block_all",
        "domains": ["*"],
        "routes": [{"name": "block_all", "match": {"prefix": "/"}, "direct_response": {"status": 502}}],
        "include_request_attempt_count": True,
    }


def virtual_host(vhost: VirtualHost, route_names: list[str] | None = None) -> dict:
    out = {
        "name": vhost.name,
        "domains": list(vhost.domains),
        "routes": [
            envoy_route(route, route_names[i] if route_names else None) for i, route in enumerate(vhost.routes)
        ],
        "include_request_attempt_count": True,
    }
    if vhost.require_tls:
        out["require_tls"] = "ALL"
    return out


def route_configuration(config: RouteConfig, fallback: str | None, run_names: bool = False) -> dict:
    hosts = []
    for v_index, vhost in enumerate(config.virtual_hosts):
        names = [route_id(config.name, v_index, r_index) for r_index in range(len(vhost.routes))] if run_names else None
        hosts.append(virtual_host(vhost, names))
    if fallback and not any("*" in v["domains"] for v in hosts):
        hosts.append(catch_all_virtual_host(fallback))
    out = {"name": config.name, "virtual_hosts": hosts, "validate_clusters": False}
    if config.ignore_port_in_host_matching:
        out["ignore_port_in_host_matching"] = True
    return out


def route_id(config_name: str, vhost_index: int, route_index: int) -> str:
    """Run form route name: which table route Envoy chose, read back from %ROUTE_NAME%."""
    return f"inb|{config_name}|{vhost_index}|{route_index}"


def http_filters(table: RouteTable) -> list[dict]:
    # Istio's order for HTTP listeners: ..., cors, fault, ..., router (listener_builder.go).
    return [xds.cors_filter(), xds.fault_filter(), xds.router_filter()]


def listener_name(port: int) -> str:
    return f"0.0.0.0_{port}"


def _tls_socket(config: RouteConfig, credential: str | None, cert_files: dict | None) -> dict:
    """Gateway TLS termination (SIMPLE): the server certificate by SDS from istiod in the display
    form (``kubernetes://<credentialName>``, gateway.go buildGatewayListenerTLSContext), from
    files made for the run in the run form."""
    if cert_files is not None:
        files = cert_files[config.name]
        certificates = {"tls_certificates": [{"certificate_chain": {"filename": str(files.cert)},
                                              "private_key": {"filename": str(files.key)}}]}
    else:
        certificates = {"tls_certificate_sds_secret_configs": [
            {"name": f"kubernetes://{credential or 'unknown'}", "sds_config": {"ads": {}, "resource_api_version": "V3"}}
        ]}
    return {
        "name": "envoy.transport_sockets.tls",
        "typed_config": {
            "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
            "common_tls_context": {"alpn_protocols": ["h2", "http/1.1"], **certificates},
        },
    }


def listeners(
    table: RouteTable,
    run_names: bool = False,
    *,
    credentials: dict[str, str] | None = None,
    cert_files: dict | None = None,
) -> list[dict]:
    by_port: dict[int, list[RouteConfig]] = {}
    for config in table.route_configs:
        by_port.setdefault(config.port, []).append(config)
    out = []
    for port, configs in sorted(by_port.items()):
        chains = []
        for config in configs:
            route_config = route_configuration(config, table.fallback, run_names)
            chain: dict = {
                "filters": [
                    xds.hcm(
                        f"outbound_0.0.0.0_{port}" if table.proxy.kind == "sidecar" else config.name,
                        route_config,
                        http_filters(table),
                    )
                ]
            }
            if config.tls:
                hosts = [h for h in config.sni_hosts or [] if h != "*"]
                if hosts:
                    chain["filter_chain_match"] = {"server_names": hosts}
                chain["transport_socket"] = _tls_socket(config, (credentials or {}).get(config.name), cert_files)
            chains.append(chain)
        listener: dict = {
            "name": listener_name(port),
            "address": {"socket_address": {"address": "0.0.0.0", "port_value": port}},
            "filter_chains": chains if any(c.tls for c in configs) else chains[:1],
            "traffic_direction": "OUTBOUND",
        }
        if any(c.tls for c in configs):
            listener["listener_filters"] = [{
                "name": "envoy.filters.listener.tls_inspector",
                "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"},
            }]
        out.append(listener)
    if table.proxy.kind == "sidecar":
        out.append(virtual_outbound(table))
    return out


def gateway_credentials(mesh, table: RouteTable) -> dict[str, str]:
    """Route configuration name → the credentialName of the gateway server it terminates TLS for."""
    found: dict[str, str] = {}
    for config in table.route_configs:
        if not config.tls or not config.server:
            continue
        credential = server_credential(mesh, config.server.split(", ")[0])
        if credential is not None:
            found[config.name] = credential
    return found


def virtual_outbound(table: RouteTable) -> dict:
    """Port 15001: traffic to ports no HTTP listener claims goes out as TCP (or is dropped)."""
    cluster = BLACKHOLE_CLUSTER if table.fallback == "blackhole" else PASSTHROUGH_CLUSTER
    return {
        "name": VIRTUAL_OUTBOUND,
        "address": {"socket_address": {"address": "0.0.0.0", "port_value": 15001}},
        "filter_chains": [
            {
                "name": VIRTUAL_OUTBOUND + "-catchall-tcp",
                "filters": [
                    {
                        "name": "envoy.filters.network.tcp_proxy",
                        "typed_config": {
                            "@type": "type.googleapis.com/envoy.extensions.filters.network.tcp_proxy.v3.TcpProxy",
                            "stat_prefix": cluster,
                            "cluster": cluster,
                        },
                    }
                ],
            }
        ],
        "traffic_direction": "OUTBOUND",
    }


def clusters(
    table: RouteTable,
    upstreams: dict[str, int] | None,
    policies: dict[str, dict] | None = None,
    client_cert=None,
) -> list[dict]:
    """Clusters Istio would have: the table's (services, subsets) plus Passthrough/BlackHole.

    A cluster the routes name but the table lacks (an undefined subset) is left out on
    purpose: Envoy then answers 503 (NC, cluster_not_found), as with Istio.
    """
    out = []
    for name, cluster in table.clusters.items():
        if upstreams is not None:
            entry = xds.static_cluster(name, "127.0.0.1", upstreams[name]) if cluster.has_endpoints else {
                "name": name, "type": "STATIC", "connect_timeout": "10s", "load_assignment": {"cluster_name": name}}
        else:
            entry = {
                "name": name,
                "type": "EDS",
                "eds_cluster_config": {"eds_config": {"ads": {}, "initial_fetch_timeout": "0s", "resource_api_version": "V3"}, "service_name": name},
                "connect_timeout": "10s",
                "lb_policy": "LEAST_REQUEST",  # Istio's default load balancer since 1.14
            }
        out.append(cluster_policy.apply(entry, (policies or {}).get(name), cluster.host,
                                        client=client_cert, run=upstreams is not None))
    if upstreams is not None:
        out.append(xds.static_cluster(PASSTHROUGH_CLUSTER, "127.0.0.1", upstreams[PASSTHROUGH_CLUSTER]))
    else:
        out.append(
            {"name": PASSTHROUGH_CLUSTER, "type": "ORIGINAL_DST", "lb_policy": "CLUSTER_PROVIDED", "connect_timeout": "10s"}
        )
    out.append({"name": BLACKHOLE_CLUSTER, "type": "STATIC", "connect_timeout": "10s"})
    if upstreams is None:
        out.append(_xds_cluster())
    return out


def _xds_cluster() -> dict:
    cluster = xds.static_cluster(XDS_CLUSTER, "istiod.istio-system.svc", 15012)
    cluster["type"] = "STRICT_DNS"
    cluster["typed_extension_protocol_options"] = {
        "envoy.extensions.upstreams.http.v3.HttpProtocolOptions": {
            "@type": "type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions",
            "explicit_http_config": {"http2_protocol_options": {}},
        }
    }
    return cluster


def node(table: RouteTable) -> dict:
    proxy = table.proxy
    if proxy.kind == "gateway":
        node_id = f"router~10.0.0.1~{proxy.name}.{proxy.namespace}~{proxy.namespace}.svc.cluster.local"
    elif proxy.kind == "waypoint":  # pilot/pkg/model NodeType Waypoint ("waypoint")
        node_id = f"waypoint~10.0.0.3~{proxy.name}.{proxy.namespace}~{proxy.namespace}.svc.cluster.local"
    else:
        node_id = f"sidecar~10.0.0.2~client.{proxy.namespace}~{proxy.namespace}.svc.cluster.local"
    return {"id": node_id, "cluster": f"{proxy.name or 'client'}.{proxy.namespace}"}


def translate(
    table: RouteTable,
    *,
    upstreams: dict[str, int] | None = None,
    credentials: dict[str, str] | None = None,
    cert_files: dict | None = None,
    policies: dict[str, dict] | None = None,
    client_cert=None,
    l4: L4Translation | None = None,
) -> dict:
    """The bootstrap for ``table``'s proxy; with ``upstreams``, the runnable loopback form.

    ``credentials``: route configuration name → credentialName (display form of TLS servers);
    ``cert_files``: route configuration name → certs.CertFiles (run form of TLS servers);
    ``policies``: cluster name → DestinationRule traffic policy (policy.cluster_policies);
    ``client_cert``: the proxy's own workload certificate for ISTIO_MUTUAL clusters (run form);
    ``l4``: the proxy's TCP/TLS listeners (envoy/translate_l4.py), added to the HTTP ones.
    """
    run = upstreams is not None
    found = listeners(table, run_names=run, credentials=credentials, cert_files=cert_files)
    bootstrap: dict = {
        "node": node(table),
        "layered_runtime": xds.istio_runtime(),
        "static_resources": {
            "listeners": l4.merge(found) if l4 is not None else found,
            "clusters": clusters(table, upstreams, policies, client_cert) + (l4.clusters(table, upstreams) if l4 else []),
        },
    }
    if run and l4 is not None:
        bootstrap["stats_config"] = stats_config()
    if not run:
        bootstrap["dynamic_resources"] = {
            "ads_config": {
                "api_type": "GRPC",
                "transport_api_version": "V3",
                "grpc_services": [{"envoy_grpc": {"cluster_name": XDS_CLUSTER}}],
            }
        }
    return bootstrap


def route_table(mesh, proxy) -> RouteTable:
    """The routing helper's table for this proxy."""
    from istio_notebook.routing import table as table_module

    build = getattr(table_module, "build_table", None)
    if build is None:
        from istio_notebook.routing.build import build_table as build  # type: ignore[no-redef]
    return build(mesh, proxy)


def envoy_config(mesh, proxy) -> dict:
    """Public API: the Envoy bootstrap (display form) for ``proxy`` in ``mesh``."""
    table = route_table(mesh, proxy)
    found = l4_listeners(mesh, proxy)
    l4 = L4Translation(found, run=False, sidecar=proxy.kind == "sidecar", credentials=l4_credentials(mesh, found))
    credentials = gateway_credentials(mesh, table)
    return translate(table, credentials=credentials, policies=cluster_policy.cluster_policies(mesh, table), l4=l4)
