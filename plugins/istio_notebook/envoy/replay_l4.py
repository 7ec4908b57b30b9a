"""Replay ``tcp://`` and ``tls://`` connections on real Envoy, in the route JSON contract.

The TCP/TLS listeners are those istiod builds (routing/l4_table.py), written in their run form by
envoy/translate_l4.py. One connection, and what shows where it went:
- the listener: a sidecar's ``virtualOutbound`` hands a connection to the listener of the address
  and port the client dialled (``<vip>_<port>``, then ``0.0.0.0_<port>``, else it keeps it:
  ``use_original_dst``); the address is what the client's DNS gives (the service VIP, a literal
  IP, or an address outside the mesh). On loopback every listener has its own port, so the replay
  connects to that listener and sends a PROXY protocol line naming the dialled address: Envoy then
  matches destination prefix ranges on it as it would on the original destination;
- the filter chain: each chain's tcp_proxy counts its connections under its own stat prefix
  (``tcp.inb_l4_<n>.downstream_cx_total``), read from the admin API before and after;
- the upstream: the echo server that answers the probe line names its cluster (envoy/echo.py).
  ``tls://`` connections do a TLS handshake with the SNI first (not verified: passthrough chains
  forward it to a TLS echo server, terminating chains to a plaintext one). A client that sends
  Istio's SNI form ``outbound_.<port>_.<subset>_.<host>`` is an Istio mTLS client and offers
  Istio's ALPNs, as AUTO_PASSTHROUGH chains require, unless the request names its own ALPN
  (routing.Request.offered_alpn: ``--alpn``, openssl's ``-alpn``).
Several destinations (weighted_clusters): ``samples`` connections, shares counted upstream and
reported as for HTTP (envoy/observe.py shares). A cluster without endpoints answers nothing:
Envoy closes the connection and counts it (``cluster.<name>.upstream_cx_none_healthy``), which
names that cluster.
"""

from __future__ import annotations

import ipaddress
import socket
import ssl
import urllib.parse
from collections import Counter
from dataclasses import dataclass

from istio_notebook.envoy.echo import L4_PROBE
from istio_notebook.envoy.observe import Draft, shares
from istio_notebook.envoy.running import RunningEnvoy, new_id
from istio_notebook.envoy.translate import VIRTUAL_OUTBOUND
from istio_notebook.envoy.translate_l4 import NONE_HEALTHY, STAT_PREFIX
from istio_notebook.routing.build import registry_of
from istio_notebook.routing.l4 import by_address, destination_address
from istio_notebook.routing.l4_table import WILDCARD, L4Chain
from istio_notebook.routing.outcome import RouteOutcome
from istio_notebook.routing.port_protocol import destination_service
from istio_notebook.routing.table import BLACKHOLE_CLUSTER, PASSTHROUGH_CLUSTER

OUTSIDE_ADDRESS = "198.51.100.10"  # RFC 5737: what DNS gives for a host the mesh has no address for
CLIENT_ADDRESS = "10.0.0.2"  # the sidecar's own pod address (translate.node)
PROBE_TIMEOUT = 3.0
HANDSHAKE_TIMEOUT = 1.0
SAMPLE_TRIES = 3  # connections made for one weighted sample that failed on the client's side
COUNTER = "downstream_cx_total"


@dataclass(frozen=True)
class Probe:
    """One connection: the chain that took it (stat prefix), the cluster that answered, if any."""

    prefix: str | None
    answered_by: str | None
    handshake: str | None = None  # why the TLS handshake failed, if it did
    empty: str | None = None  # the cluster Envoy found without a healthy endpoint


def dialled_address(mesh, request, proxy) -> str:
    """The IP the client connects to: a literal, the service VIP its DNS gives, else outside the mesh."""
    registry = registry_of(mesh)
    service = destination_service(registry, request.host, request.port, proxy.namespace)
    if service is None:
        service = by_address(registry.visible(proxy.namespace), request.host, request.port)
    return destination_address(request, service) or OUTSIDE_ADDRESS


def proxy_line(address: str, port: int) -> bytes:
    """PROXY protocol v1: the connection as the client made it (source: the client pod)."""
    family = "TCP6" if ipaddress.ip_address(address).version == 6 else "TCP4"
    source = CLIENT_ADDRESS if family == "TCP4" else "::1"
    return f"PROXY {family} {source} {address} 40000 {port}\r\n".encode()


def connect(port: int, preamble: bytes, request_id: str, *, tls: bool, sni: str | None,
            alpn: tuple[str, ...] = ()) -> tuple[str | None, str | None]:
    """Open one connection, send the probe; (cluster named by the answer, TLS failure)."""
    with socket.create_connection(("127.0.0.1", port), timeout=PROBE_TIMEOUT) as raw:
        stream: socket.socket = raw
        if preamble:
            raw.sendall(preamble)
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
            context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
            if alpn:
                context.set_alpn_protocols(list(alpn))
            raw.settimeout(HANDSHAKE_TIMEOUT)  # loopback: milliseconds, unless a plaintext server got the ClientHello
            try:
                stream = context.wrap_socket(raw, server_hostname=sni)  # an IP literal sends no SNI (RFC 6066)
            except (ssl.SSLError, OSError) as error:
                return None, type(error).__name__
            stream.settimeout(PROBE_TIMEOUT)
        try:
            stream.sendall(L4_PROBE + request_id.encode() + b"\r\n\r\n")
            answer = _read_line(stream)
        except (ssl.SSLError, OSError):
            answer = b""
    if answer.startswith(L4_PROBE):
        return answer[len(L4_PROBE):].decode("ascii", "replace").strip(), None
    return None, None


def _read_line(stream: socket.socket) -> bytes:
    data = b""
    while b"\n" not in data and len(data) < 4096:
        chunk = stream.recv(4096)
        if not chunk:
            break
        data += chunk
    return data


class L4Replay:
    """tcp:// and tls:// connections through one running Envoy (a replay.Scenario)."""

    def __init__(self, running: RunningEnvoy):
        self.running = running
        assert running.bootstrap is not None and running.l4_translation is not None
        self.listeners = {item["name"]: item for item in running.bootstrap["static_resources"]["listeners"]}
        self.chains = running.l4_translation.stat_prefixes
        self.l4 = {item.name: item for item in running.l4}

    def listener(self, address: str, port: int) -> str | None:
        """The listener that gets the connection (see the module docstring)."""
        running = self.running
        assert running.envoy is not None and running.table is not None
        bound = running.envoy.listener_ports
        if running.proxy.kind != "sidecar":
            mapped = running.table.port_map.get(port, port)
            return next((n for n in (f"{WILDCARD}_{port}", f"{WILDCARD}_{mapped}") if n in bound), None)
        for name in (f"{address}_{port}", f"{WILDCARD}_{port}", VIRTUAL_OUTBOUND):
            if name in bound:
                return name
        return None

    def tcp_only(self, request) -> bool:
        """Whether the listener that gets ``request`` has TCP chains only (no HTTP connection manager)."""
        name = self.listener(dialled_address(self.running.mesh, request, self.running.proxy), request.port)
        if name not in self.l4:
            return False
        listener = self.listeners[name]
        chains = [*listener.get("filter_chains", []), *([listener["default_filter_chain"]] if "default_filter_chain" in listener else [])]
        return all(f["name"] == "envoy.filters.network.tcp_proxy" for c in chains for f in c.get("filters", []))

    def _stats(self, pattern: str) -> dict[str, int]:
        assert self.running.envoy is not None
        out: dict[str, int] = {}
        for line in self.running.envoy.admin(f"/stats?filter={urllib.parse.quote(pattern)}").splitlines():
            name, _, value = line.rpartition(":")
            if value.strip().isdigit():
                out[name.strip()] = int(value)
        return out

    def counters(self) -> Counter[str]:
        """Connections per chain stat prefix, as Envoy counted them."""
        found = self._stats(rf"^tcp\.{STAT_PREFIX}[0-9]+\.{COUNTER}$")
        return Counter({name.split(".")[1]: count for name, count in found.items()})

    def empty_hits(self) -> Counter[str]:
        """Connections per cluster that Envoy closed for want of a healthy endpoint."""
        found = self._stats(rf"^cluster\..*\.{NONE_HEALTHY}$")
        return Counter({name[len("cluster."):-len(NONE_HEALTHY) - 1]: count for name, count in found.items()})

    def probe(self, listener: str, address: str, request) -> Probe:
        """One connection, the chain Envoy counted it on, and the cluster it found empty (if any)."""
        before, empty_before = self.counters(), self.empty_hits()
        answered, failure = self._connect(listener, address, request)
        taken = [prefix for prefix, count in (self.counters() - before).items() if count > 0]
        empty = list(self.empty_hits() - empty_before)
        return Probe(taken[0] if taken else None, answered, failure, empty[0] if empty else None)

    def _connect(self, listener: str, address: str, request) -> tuple[str | None, str | None]:
        assert self.running.envoy is not None
        filters = self.listeners[listener].get("listener_filters", [])
        has_proxy_protocol = any(f["name"] == "envoy.filters.listener.proxy_protocol" for f in filters)
        preamble = proxy_line(address, request.port) if has_proxy_protocol else b""
        return connect(self.running.envoy.listener_port(listener), preamble, new_id(),
                       tls=request.scheme == "tls", sni=request.sni, alpn=request.offered_alpn)

    def outcome(self, request) -> RouteOutcome:
        running = self.running
        draft = Draft()
        address = dialled_address(running.mesh, request, running.proxy)
        listener = self.listener(address, request.port)
        draft.envoy.update(sent={"address": address, "port": request.port, "sni": request.sni}, listener=listener)
        if listener is None:
            draft.trace.append(f"envoy: no listener for port {request.port}: connection refused")
            draft.fields["action"] = "no_route"
            return draft.done()
        first = self.probe(listener, address, request)
        draft.envoy.update(chain=first.prefix, upstream_cluster=first.answered_by)
        draft.trace.append(f"envoy: {request.scheme}://{address}:{request.port} on {listener}: chain "
                           f"{self._chain_label(first.prefix)}, answered by {first.answered_by or 'nobody'}"
                           + (f" (TLS handshake failed: {first.handshake})" if first.handshake else ""))
        if first.prefix is None:
            # No filter chain took it: a gateway has no server (or SNI) for it; a sidecar's HTTP port.
            draft.fields["action"] = "no_route" if running.proxy.kind == "gateway" else "blackhole"
            return draft.done()
        self._decide(first, self._chain(first.prefix), listener, address, request, draft)
        return draft.done()

    def _chain(self, prefix: str) -> L4Chain | None:
        name, index = self.chains[prefix]
        return self.l4[name].chains[index] if name in self.l4 and index >= 0 else None

    def _chain_label(self, prefix: str | None) -> str:
        if prefix is None:
            return "none"
        name, index = self.chains[prefix]
        return f"{name}[{index}]" if index >= 0 else f"{name} catch-all"

    def _decide(self, first: Probe, chain: L4Chain | None, listener: str, address: str, request, draft: Draft) -> None:
        """The action and destinations of a connection a chain took."""
        fields = draft.fields
        clusters = [d.cluster for d in chain.destinations] if chain is not None else []
        if chain is None or chain.origin.section == "catch_all":
            passthrough = first.answered_by == PASSTHROUGH_CLUSTER or clusters == [PASSTHROUGH_CLUSTER]
            fields["action"] = "passthrough" if passthrough else "blackhole"
            return
        if clusters == [BLACKHOLE_CLUSTER]:
            fields["action"] = "blackhole"
            return
        origin = chain.origin
        fields["action"] = "route"
        if origin.section in ("tcp", "tls"):
            fields.update(virtual_service=origin.virtual_service, route_index=origin.rule_index,
                          match_index=origin.match_index)
        if len(clusters) > 1 and self.running.samples > 1:
            counts = self._sample(listener, address, request)
            draft.envoy["samples"] = dict(counts)
            weights = {d.cluster: d.share for d in chain.destinations}
            found = shares(counts, weights)
            fields["destinations"] = tuple(self.running._destination(c, s) for c, s in found.items())
            return
        cluster = first.answered_by or clusters[0]
        if first.answered_by is None:
            why = "Envoy found no healthy endpoint" if first.empty == cluster else "no answer to the probe"
            draft.trace.append(f"envoy: no upstream answered on {cluster} ({why}); the chain names it")
        fields["destinations"] = (self.running._destination(cluster, 100.0),)

    def _sample(self, listener: str, address: str, request) -> Counter[str]:
        """Connections per cluster: named by the echo that answered, or by Envoy's count of
        connections it closed for a cluster without endpoints."""
        counts: Counter[str] = Counter()
        seen = [self.empty_hits()]  # Envoy's empty-cluster closes so far (read again only after an unanswered try)
        for _ in range(self.running.samples):
            counts[self._one_sample(listener, address, request, seen)] += 1
        return +counts

    def _one_sample(self, listener: str, address: str, request, seen: list[Counter[str]]) -> str:
        """The cluster one connection reached. A connection neither answered nor closed by Envoy
        for an empty cluster failed on our side (a handshake or read timeout on a loaded machine):
        it says nothing about Envoy's pick, so it is made again, a fresh pick (no bias), up to
        SAMPLE_TRIES times; '-' when every try failed so."""
        for _ in range(SAMPLE_TRIES):
            answered, _ = self._connect(listener, address, request)
            if answered:
                return answered
            now = self.empty_hits()
            empty, seen[0] = list(now - seen[0]), now
            if empty:
                return empty[0]
        return "-"
