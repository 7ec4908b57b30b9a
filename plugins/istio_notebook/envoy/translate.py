"""The routing table of one proxy → the Envoy configuration istiod would send it (as a bootstrap).

Input is ``istio_notebook.routing.table.RouteTable`` (the same table the simulator evaluates), so
the two engines can only disagree where Envoy and our reading of it disagree. Each route
configuration is written by envoy/routes.py; this module puts them in listeners, beside the
clusters, the node and the bootstrap. Names follow
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

from istio_notebook.config.gateway_topology import trusted_hops
from istio_notebook.envoy import policy as cluster_policy
from istio_notebook.envoy import xds
from istio_notebook.envoy.routes import route_configuration
from istio_notebook.envoy.translate_l4 import (
    L4Translation,
    l4_credentials,
    server_credential,
    stats_config,
)
from istio_notebook.routing.l4_table import l4_listeners
from istio_notebook.routing.views import gateway_view
from istio_notebook.routing.table import (
    BLACKHOLE_CLUSTER,
    PASSTHROUGH_CLUSTER,
    RouteConfig,
    RouteTable,
)

XDS_CLUSTER = "xds-grpc"
VIRTUAL_OUTBOUND = "virtualOutbound"


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
    hcm_options: dict | None = None,
) -> list[dict]:
    """``hcm_options``: fields every HTTP connection manager of the proxy gets (gateway_hcm_options)."""
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
                        **(hcm_options or {}),
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
    hcm_options: dict | None = None,
) -> dict:
    """The bootstrap for ``table``'s proxy; with ``upstreams``, the runnable loopback form.

    ``credentials``: route configuration name → credentialName (display form of TLS servers);
    ``cert_files``: route configuration name → certs.CertFiles (run form of TLS servers);
    ``policies``: cluster name → DestinationRule traffic policy (policy.cluster_policies);
    ``client_cert``: the proxy's own workload certificate for ISTIO_MUTUAL clusters (run form);
    ``l4``: the proxy's TCP/TLS listeners (envoy/translate_l4.py), added to the HTTP ones;
    ``hcm_options``: fields for every HTTP connection manager (gateway_hcm_options).
    """
    run = upstreams is not None
    found = listeners(table, run_names=run, credentials=credentials, cert_files=cert_files, hcm_options=hcm_options)
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


def gateway_hcm_options(mesh, proxy) -> dict | None:
    """A gateway's HTTP connection managers: use_remote_address true and xff_num_trusted_hops from
    its pods' ProxyConfig gatewayTopology.numTrustedProxies (istio 1.30 gateway.go
    buildGatewayConnectionManager; config/gateway_topology.py). Display form only: the route
    replay keeps use_remote_address false (its callers are all on loopback); what the setting does
    to remote.ip is replayed by envoy/authz_replay.py."""
    if proxy.kind != "gateway":
        return None
    view = gateway_view(mesh, proxy)
    return gateway_hcm_fields(mesh, view.workload_namespace, view.workload_labels)


def gateway_hcm_fields(mesh, namespace: str, labels: dict[str, str]) -> dict:
    """The connection manager fields of the gateway whose pods are ``labels`` in ``namespace``."""
    return {"use_remote_address": True, "xff_num_trusted_hops": trusted_hops(mesh, namespace, labels).count}


def envoy_config(mesh, proxy) -> dict:
    """Public API: the Envoy bootstrap (display form) for ``proxy`` in ``mesh``."""
    table = route_table(mesh, proxy)
    found = l4_listeners(mesh, proxy)
    l4 = L4Translation(found, run=False, sidecar=proxy.kind == "sidecar", credentials=l4_credentials(mesh, found))
    credentials = gateway_credentials(mesh, table)
    return translate(table, credentials=credentials, policies=cluster_policy.cluster_policies(mesh, table), l4=l4,
                     hcm_options=gateway_hcm_options(mesh, proxy))
