"""TCP/TLS listeners (routing/l4_table.py) → Envoy listeners with tcp_proxy filter chains.

The JSON follows what istiod writes (pilot/pkg/networking/core listener.go buildListenerFromEntry,
toFilterChainMatch; networkfilter.go buildOutboundNetworkFilters: one cluster, or
``weighted_clusters`` for several destinations): server names sorted, destination CIDRs as
``prefix_ranges``, a match-all chain as the listener's ``default_filter_chain`` when other chains
exist, ``tls_inspector`` when a chain matches SNI or ALPN. A listener that shares its name with an
HTTP listener (a sidecar port with TCP and HTTP services, a gateway port with HTTPS and TLS
PASSTHROUGH servers) gets the L4 chains added to it; on a sidecar the HTTP chain then matches
plaintext HTTP only (application protocols found by ``http_inspector``), as istiod merges them.

Run form (``run=True``): every listener also accepts a PROXY protocol line (optional), which gives
Envoy the address the client dialled so prefix ranges decide as they would; each chain's tcp_proxy
gets its own stat prefix ``inb_l4_<n>`` so the replay can read from Envoy which chain took a
connection (envoy/replay_l4.py), and only those counters are kept.
"""

from __future__ import annotations

import ipaddress

from istio_notebook.envoy import xds
from istio_notebook.routing.l4_table import PLAINTEXT_HTTP_ALPNS, L4Chain, L4Listener, sni_dnat_destinations
from istio_notebook.routing.table import cluster_name

STAT_PREFIX = "inb_l4_"
TLS_INSPECTOR = {
    "name": "envoy.filters.listener.tls_inspector",
    "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.listener.tls_inspector.v3.TlsInspector"},
}
HTTP_INSPECTOR = {
    "name": "envoy.filters.listener.http_inspector",
    "typed_config": {"@type": "type.googleapis.com/envoy.extensions.filters.listener.http_inspector.v3.HttpInspector"},
}
PROXY_PROTOCOL = {
    "name": "envoy.filters.listener.proxy_protocol",
    "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.filters.listener.proxy_protocol.v3.ProxyProtocol",
        "allow_requests_without_proxy_protocol": True,
    },
}


def prefix_range(cidr: str) -> dict | None:
    """util.ConvertAddressToCidr: `10.0.0.0/16` or a bare address (/32, /128); 0.0.0.0 is left out."""
    try:
        network = ipaddress.ip_network(cidr.strip(), strict=False)
    except ValueError:
        return None
    if str(network.network_address) == "0.0.0.0":
        return None
    return {"address_prefix": str(network.network_address), "prefix_len": network.prefixlen}


def chain_match(chain: L4Chain) -> dict | None:
    """listener.go toFilterChainMatch (None for a match-all chain)."""
    if chain.matches_all:
        return None
    match: dict = {}
    if chain.sni_hosts and "*" not in chain.sni_hosts:
        match["server_names"] = sorted(chain.sni_hosts)
    if chain.alpn:
        match["application_protocols"] = list(chain.alpn)
    ranges = [r for r in (prefix_range(c) for c in sorted(chain.destination_cidrs)) if r]
    if ranges:
        match["prefix_ranges"] = ranges
    return match


def tcp_proxy(chain: L4Chain, stat_prefix: str) -> dict:
    """networkfilter.go buildOutboundNetworkFilters: one destination → cluster, several → weighted."""
    config: dict = {"@type": xds.TCP_PROXY_TYPE, "stat_prefix": stat_prefix}
    if len(chain.destinations) == 1:
        config["cluster"] = chain.destinations[0].cluster
    else:
        config["weighted_clusters"] = {"clusters": [
            {"name": d.cluster, "weight": max(int(round(d.share * 100)), 1)} for d in chain.destinations]}
    return {"name": "envoy.filters.network.tcp_proxy", "typed_config": config}


def _downstream_tls(chain: L4Chain, cert_files: dict | None, credentials: dict | None) -> dict:
    """A gateway TLS server that terminates (SIMPLE/MUTUAL) before the tcp_proxy."""
    if cert_files is not None and chain.terminate in cert_files:
        files = cert_files[chain.terminate]
        certificates = {"tls_certificates": [{"certificate_chain": {"filename": str(files.cert)},
                                              "private_key": {"filename": str(files.key)}}]}
    else:
        credential = (credentials or {}).get(chain.terminate or "", "unknown")
        certificates = {"tls_certificate_sds_secret_configs": [
            {"name": f"kubernetes://{credential}", "sds_config": {"ads": {}, "resource_api_version": "V3"}}]}
    return {"name": "envoy.transport_sockets.tls", "typed_config": {
        "@type": "type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext",
        "common_tls_context": certificates}}


def chain_json(chain: L4Chain, stat_prefix: str, *, cert_files: dict | None = None, credentials: dict | None = None) -> dict:
    out: dict = {"filters": [tcp_proxy(chain, stat_prefix)]}
    match = chain_match(chain)
    if match:
        out["filter_chain_match"] = match
    if chain.origin.section == "catch_all":
        out["name"] = "PassthroughFilterChain"  # util.PassthroughFilterChain
    vs = chain.origin.virtual_service
    if vs:
        namespace, _, name = vs.partition("/")
        out["metadata"] = {"filter_metadata": {"istio": {
            "config": f"/apis/networking.istio.io/v1/namespaces/{namespace}/virtual-service/{name}"}}}
    if chain.terminate:
        out["transport_socket"] = _downstream_tls(chain, cert_files, credentials)
    return out


class L4Translation:
    """Adds the L4 listeners of one proxy to its HTTP listeners; remembers each chain's stat prefix."""

    def __init__(self, l4: list[L4Listener], *, run: bool, sidecar: bool, cert_files: dict | None = None,
                 credentials: dict | None = None):
        self.l4, self.run, self.sidecar = l4, run, sidecar
        self.cert_files, self.credentials = cert_files, credentials
        self.stat_prefixes: dict[str, tuple[str, int]] = {}  # stat prefix → (listener name, chain index)

    def clusters(self, table, upstreams: dict[str, int] | None) -> list[dict]:
        """The SNI-DNAT clusters (gateways with AUTO_PASSTHROUGH): the endpoints of the service or
        subset cluster of the same host, port and subset, and no transport socket."""
        out = []
        for name, dest in sorted(sni_dnat_destinations(self.l4).items()):
            twin = table.clusters.get(cluster_name(dest.port, dest.subset, dest.host))
            if upstreams is None:
                out.append({"name": name, "type": "EDS", "connect_timeout": "10s", "lb_policy": "LEAST_REQUEST",
                            "eds_cluster_config": {"eds_config": {"ads": {}, "resource_api_version": "V3"}, "service_name": name}})
            elif twin is not None and twin.has_endpoints and name in upstreams:
                out.append(xds.static_cluster(name, "127.0.0.1", upstreams[name]))
            else:
                out.append({"name": name, "type": "STATIC", "connect_timeout": "10s", "load_assignment": {"cluster_name": name}})
        return out

    def _prefix(self, listener: L4Listener, index: int) -> str:
        if not self.run:
            chain = listener.chains[index]
            return chain.destinations[0].cluster if chain.destinations else listener.name
        prefix = f"{STAT_PREFIX}{len(self.stat_prefixes)}"
        self.stat_prefixes[prefix] = (listener.name, index)
        return prefix

    def merge(self, listeners: list[dict]) -> list[dict]:
        by_name = {item["name"]: item for item in listeners}
        out = list(listeners)
        for listener in self.l4:
            existing = by_name.get(listener.name)
            if existing is None:
                existing = {"name": listener.name, "traffic_direction": "OUTBOUND", "filter_chains": [],
                            "address": {"socket_address": {"address": listener.address, "port_value": listener.port}}}
                if self.sidecar:
                    existing["bind_to_port"] = False  # reached through virtualOutbound's original destination
                http = by_name.get(f"0.0.0.0_{listener.port}") if listener.sniffed else None
                if http is not None:  # a sniffed port on a VIP: the port's HTTP chain too
                    existing["filter_chains"] = [dict(c) for c in http["filter_chains"]]
                out.insert(self._position(out, listener.port), existing)
            self._add_chains(existing, listener)
        if self.run:
            for item in out:
                self._observable(item)
        return out

    @staticmethod
    def _position(listeners: list[dict], port: int) -> int:
        for index, item in enumerate(listeners):
            value = item.get("address", {}).get("socket_address", {}).get("port_value", 0)
            if item["name"] == "virtualOutbound" or value > port:
                return index
        return len(listeners)

    def _add_chains(self, target: dict, listener: L4Listener) -> None:
        http_chains = target["filter_chains"]
        if self.sidecar and http_chains:
            for chain in http_chains:
                chain["filter_chain_match"] = {"transport_protocol": "raw_buffer",
                                               "application_protocols": list(PLAINTEXT_HTTP_ALPNS)}
        chains = [chain_json(c, self._prefix(listener, i), cert_files=self.cert_files, credentials=self.credentials)
                  for i, c in enumerate(listener.chains)]
        default = [c for c in chains if "filter_chain_match" not in c]
        others = [c for c in chains if "filter_chain_match" in c]
        if default and (others or http_chains):
            target["default_filter_chain"] = default[0]
        else:
            others = default + others
        target["filter_chains"] = http_chains + others
        filters = target.setdefault("listener_filters", [])
        if listener.needs_tls_inspector and TLS_INSPECTOR not in filters:
            filters.append(TLS_INSPECTOR)
        if self.sidecar and http_chains and HTTP_INSPECTOR not in filters:
            filters.append(HTTP_INSPECTOR)
        if not filters:
            del target["listener_filters"]

    def _observable(self, listener: dict) -> None:
        """Run form: the PROXY line first; virtualOutbound's tcp_proxy also counted."""
        if listener["name"] == "virtualOutbound":
            for chain in listener.get("filter_chains", []):
                for network_filter in chain.get("filters", []):
                    if network_filter["name"] == "envoy.filters.network.tcp_proxy":
                        prefix = f"{STAT_PREFIX}{len(self.stat_prefixes)}"
                        self.stat_prefixes[prefix] = ("virtualOutbound", -1)
                        network_filter["typed_config"] = {**network_filter["typed_config"], "stat_prefix": prefix}
        elif not any(c.get("filters", [{}])[0].get("name") == "envoy.filters.network.tcp_proxy"
                     for c in [*listener.get("filter_chains", []), listener.get("default_filter_chain", {"filters": [{}]})]):
            return
        filters = listener.setdefault("listener_filters", [])
        if PROXY_PROTOCOL not in filters:
            filters.insert(0, PROXY_PROTOCOL)


def server_credential(mesh, label: str) -> str | None:
    """The credentialName of gateway server ``ns/name servers[i]`` (display form: SDS by that name)."""
    try:
        key, _, index = label.partition(" servers[")
        namespace, _, name = key.partition("/")
        gateway = mesh.get("Gateway", namespace, name)
        credential = gateway.get("spec", "servers", int(index.rstrip("]")), "tls", "credentialName") if gateway else None
    except ValueError:
        credential = None
    return credential if isinstance(credential, str) else None


def l4_credentials(mesh, listeners: list[L4Listener]) -> dict[str, str]:
    """Server label → credentialName, for the chains that terminate TLS."""
    labels = {c.terminate for item in listeners for c in item.chains if c.terminate}
    return {label: credential for label in labels if (credential := server_credential(mesh, label))}


NONE_HEALTHY = "upstream_cx_none_healthy"  # a connection to a cluster without a healthy host (Envoy cluster stats)


def stats_config() -> dict:
    """Run form: keep only the counters the replay reads (every other stat stays off): each chain's
    connections, and per cluster the connections Envoy closed because it had no endpoint."""
    return {"stats_matcher": {"inclusion_list": {"patterns": [
        {"prefix": f"tcp.{STAT_PREFIX}"}, {"safe_regex": {"regex": rf"^cluster\..*\.{NONE_HEALTHY}$"}}]}}}
