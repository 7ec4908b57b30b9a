"""A workload's inbound side as Envoy config: mTLS (or plaintext) listener, RBAC filters, local app.

Shape follows istiod's sidecar inbound (listener ``virtualInbound``, route configuration
``inbound|<port>||``, cluster ``inbound|<port>||``): a TLS filter chain that requires a client
certificate signed by the mesh CA (Istio mutual TLS; PERMISSIVE also keeps a plaintext chain),
then the HTTP connection manager with the RBAC filters from ``rbac.py`` before the router.
"""

from __future__ import annotations

from istio_notebook.envoy import xds
from istio_notebook.envoy.certs import CertFiles
from istio_notebook.envoy.rbac import RbacFilters

INBOUND_LISTENER = "virtualInbound"


def inbound_cluster(port: int) -> str:
    return f"inbound|{port}||"


def inbound_bootstrap(
    port: int,
    rbac: RbacFilters,
    *,
    server: CertFiles | None = None,
    ca_cert: str | None = None,
    upstream_port: int = 0,  # the local app's port; 0 ⇒ the workload port itself
    plaintext: bool = True,  # False for STRICT mTLS: no plaintext chain
    tcp: bool = False,  # a port Istio treats as TCP: network RBAC + tcp_proxy, no HTTP connection manager
    hcm_options: dict | None = None,  # connection manager fields a gateway sets (authz_replay.gateway_hcm_options)
) -> dict:
    """Inbound config for one workload port. ``server``/``ca_cert`` given ⇒ an mTLS chain is added."""
    hcm_filters = [*rbac.filters, xds.router_filter()]
    route_config = _route_config(port)
    if tcp:
        chain_filters = lambda: [*rbac.filters, xds.tcp_proxy(inbound_cluster(port), inbound_cluster(port))]
    else:
        chain_filters = lambda: [xds.hcm(f"inbound_0.0.0.0_{port}", route_config, hcm_filters, **(hcm_options or {}))]
    chains = []
    if server is not None and ca_cert is not None:
        chains.append(_mtls_chain(port, chain_filters(), server, ca_cert))
    if plaintext:
        chains.append(
            {
                "name": f"0.0.0.0_{port}_plaintext",
                "filter_chain_match": {"transport_protocol": "raw_buffer"},
                "filters": chain_filters(),
            }
        )
    listener = {
        "name": INBOUND_LISTENER,
        "address": {"socket_address": {"address": "0.0.0.0", "port_value": 15006}},
        "listener_filters": [
            {
                "name": "envoy.filters.listener.tls_inspector",
                "typed_config": {
                    "@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"
                },
            }
        ],
        "filter_chains": chains,
    }
    cluster = xds.static_cluster(inbound_cluster(port), "127.0.0.1", upstream_port or port)
    return {"static_resources": {"listeners": [listener], "clusters": [cluster]}}


def _route_config(port: int) -> dict:
    """Everything to the local app: one virtual host, no timeout (istiod's inbound route)."""
    return {
        "name": inbound_cluster(port),
        "validate_clusters": False,
        "virtual_hosts": [
            {
                "name": f"inbound|http|{port}",
                "domains": ["*"],
                "routes": [
                    {
                        "name": "default",
                        "match": {"prefix": "/"},
                        "route": {"cluster": inbound_cluster(port), "timeout": "0s"},
                    }
                ],
            }
        ],
    }


def _mtls_chain(port: int, filters: list[dict], server: CertFiles, ca_cert: str) -> dict:
    """The mTLS filter chain: the workload's certificate, a client certificate signed by the run's CA required."""
    return {
        "name": f"0.0.0.0_{port}_mtls",
        "filter_chain_match": {"transport_protocol": "tls"},
        "filters": filters,
        "transport_socket": {
            "name": "envoy.transport_sockets.tls",
            "typed_config": {
                "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
                "require_client_certificate": True,
                "common_tls_context": {
                    "tls_certificates": [
                        {
                            "certificate_chain": {"filename": str(server.cert)},
                            "private_key": {"filename": str(server.key)},
                        }
                    ],
                    "validation_context": {"trusted_ca": {"filename": ca_cert}},
                },
            },
        },
    }


def termination_log(path: str) -> dict:
    """A listener access log of why each connection ended: network RBAC's denial names the policy
    there (``rbac_access_denied_matched_policy[...]``, %CONNECTION_TERMINATION_DETAILS%), as HTTP
    RBAC names it in the response details."""
    return {"name": "envoy.access_loggers.file", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog", "path": path,
        "log_format": {"text_format_source": {"inline_string": "%CONNECTION_TERMINATION_DETAILS%\n"}}}}

