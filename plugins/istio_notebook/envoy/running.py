"""A running Envoy for one proxy view of one mesh: route table, echo upstreams, certificates, process.

``EnvoyRun`` is the lifecycle every scenario shares (this module's RunningEnvoy and
envoy/authz_replay.py's InboundScenario): a temporary directory with a CA made for the run, an
echo fleet, the Envoy process, all torn down by close() or when start() fails.
envoy/replay.py's Scenario builds on RunningEnvoy to observe where requests go. Lifecycle only: translate the
table (envoy/translate.py) and the TCP/TLS listeners (envoy/translate_l4.py, run form), start an
echo server per cluster (TLS where the DestinationRule originates it or a client's TLS passes
through, with a CA made for the run), start Envoy, send requests, and tear all of it down.
"""

from __future__ import annotations

import itertools
import time
from pathlib import Path

from istio_notebook.config.yaml_reader import gc_paused
from istio_notebook.envoy import client
from istio_notebook.envoy.blame import responsible
from istio_notebook.envoy.certs import MeshCA
from istio_notebook.envoy.echo import (
    REQUEST_ID_HEADER,
    EchoFleet,
    EchoIdentity,
    EchoTls,
)
from istio_notebook.envoy.focus import focused, without_unnamed_clusters
from istio_notebook.envoy.instrument import instrument
from istio_notebook.envoy.policy import cluster_policies
from istio_notebook.envoy.runner import EnvoyError, EnvoyProcess, localize
from istio_notebook.envoy.tempdirs import GuardedDir
from istio_notebook.envoy.translate import (
    VIRTUAL_OUTBOUND,
    listener_name,
    route_table,
    translate,
)
from istio_notebook.envoy.translate_l4 import L4Translation
from istio_notebook.routing.l4_table import L4Listener, l4_listeners, sni_dnat_destinations, tls_upstreams
from istio_notebook.routing.outcome import TrafficPolicy, Upstream
from istio_notebook.routing.table import PASSTHROUGH_CLUSTER, Route, RouteTable, cluster_name, parse_sni_dnat

DEFAULT_SAMPLES = 200  # requests sent to measure the shares of a weighted route

_ids = itertools.count(1)


def new_id() -> str:
    return f"r{next(_ids)}-{time.monotonic_ns()}"


class EnvoyRun:
    """The lifecycle of one Envoy run: what start() makes (certificates, echo servers, the
    process) close() takes down, and so does a start() that fails half-way."""

    def __init__(self, keep_logs_in=None):
        self.keep_logs_in = keep_logs_in
        self.fleet: EchoFleet | None = None
        self.envoy: EnvoyProcess | None = None
        self._certdir: Path | None = None
        self._certguard: GuardedDir | None = None
        self._mesh_ca: MeshCA | None = None

    def start(self):
        # The cyclic GC finds nothing to free in the tables and configuration built here, and
        # scanning them again and again tripled the start-up of a 5,000-service mesh.
        with gc_paused():
            try:
                self._start()
            except BaseException:
                self.close()
                raise
        return self

    def _start(self) -> None:
        raise NotImplementedError

    @property
    def workdir(self) -> Path | None:
        """The run's temporary directory (made with the CA, on first use)."""
        return self._certdir

    def _ca(self) -> MeshCA:
        if self._mesh_ca is None:
            self._certguard = GuardedDir("istio-notebook-certs-")
            self._certdir = self._certguard.path
            self._mesh_ca = MeshCA(self._certdir)
        return self._mesh_ca

    def _launch(self, config: dict, **options) -> None:
        """Start Envoy on a run-form configuration (runner.localize)."""
        self.envoy = EnvoyProcess(config, keep_logs_in=self.keep_logs_in, **options)
        self.envoy.__enter__()

    def close(self, failed: bool = False) -> None:
        if self.envoy is not None:
            self.envoy.stop(failed=failed)
            self.envoy = None
        if self.fleet is not None:
            self.fleet.close()
            self.fleet = None
        if self._certdir is not None:
            assert self._certguard is not None
            self._certguard.remove()
            self._certdir, self._mesh_ca = None, None

    def __enter__(self):
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(failed=exc_type is not None)


class RunningEnvoy(EnvoyRun):
    """One running Envoy (+ echo upstreams) for one proxy view of one mesh."""

    def __init__(self, mesh, proxy, *, samples: int = DEFAULT_SAMPLES, keep_logs_in=None,
                 focus: frozenset[str] | None = None):
        """``focus``: the Host forms of the only requests to come (envoy/focus.py); None: any request."""
        super().__init__(keep_logs_in)
        self.mesh, self.proxy, self.samples, self.focus = mesh, proxy, samples, focus
        self.table: RouteTable | None = None
        self.bootstrap: dict | None = None
        self.policies: dict[str, TrafficPolicy] = {}
        self._envoy_routes: dict[str, dict] = {}
        self.l4: list[L4Listener] = []
        self.l4_translation: L4Translation | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def _start(self) -> None:
        self.table = route_table(self.mesh, self.proxy)
        if self.focus is not None:
            self.table = focused(self.table, self.focus)
        self.l4 = l4_listeners(self.mesh, self.proxy)
        self.fleet = EchoFleet()
        try:
            self.policies = cluster_policies(self.mesh, self.table)
            upstreams: dict[str, int] = {}
            passthrough = tls_upstreams(self.l4)
            for name, cluster in self.table.clusters.items():
                if not cluster.has_endpoints:
                    continue  # Envoy answers 503 (no healthy upstream) itself: no server to stand for it
                identity = EchoIdentity(name, cluster.host, cluster.subset or "", cluster.port)
                tls, inner = self._upstream_tls(name), self._echo_tls() if name in passthrough else None
                upstreams[name] = self.fleet.add(identity, tls=tls or inner, inner_tls=inner if tls else None)
            for name, dest in sni_dnat_destinations(self.l4).items():  # the client's own mTLS arrives there
                twin = self.table.clusters.get(cluster_name(dest.port, dest.subset, dest.host))
                if twin is not None and twin.has_endpoints:
                    upstreams[name] = self.fleet.add(EchoIdentity(name, dest.host, dest.subset or "", dest.port), tls=self._echo_tls())
            upstreams[PASSTHROUGH_CLUSTER] = self.fleet.add(EchoIdentity(PASSTHROUGH_CLUSTER))
            cert_files = self._server_certificates()
            client_cert = None
            if any(self._tls_mode(name) != "DISABLE" for name in self.table.clusters):
                client_cert = self._ca().workload(f"cluster.local/ns/{self.table.proxy.namespace}/sa/default")
            self.l4_translation = L4Translation(self.l4, run=True, sidecar=self.proxy.kind == "sidecar",
                                                cert_files=self._l4_certificates())
            self.bootstrap = instrument(translate(self.table, upstreams=upstreams, cert_files=cert_files,
                                                  policies=self.policies, client_cert=client_cert,
                                                  l4=self.l4_translation))
            if self.focus is not None:
                self.bootstrap = without_unnamed_clusters(self.bootstrap)
            self._index_routes()
            self._launch(localize(self.bootstrap))
        except EnvoyError as error:
            if error.rejection is not None:  # which input made the configuration Envoy refused
                error.position = responsible(self.mesh, self.proxy, error.rejection)
            raise

    def _tls_mode(self, cluster_name: str) -> str:
        policy = self.policies.get(cluster_name)
        return str((policy.tls.mode if policy is not None else None) or "DISABLE").upper()

    def _upstream_tls(self, cluster_name: str) -> EchoTls | None:
        """A TLS echo server for clusters whose policy originates TLS (ISTIO_MUTUAL, SIMPLE, MUTUAL)."""
        if self._tls_mode(cluster_name) == "DISABLE":
            return None
        return self._echo_tls()

    def _echo_tls(self) -> EchoTls:
        """The TLS of an echo upstream: Envoy originating it, or a client's TLS passed through."""
        # One certificate for every TLS upstream: the translation does not verify an upstream's
        # SAN, and one certificate (one SSL context) per host cost seconds in a mesh of thousands.
        files = self._ca().workload("cluster.local/ns/upstream/sa/echo")
        return EchoTls(str(files.cert), str(files.key), str(self._ca().files.cert))

    def _server_certificates(self) -> dict:
        """Gateway TLS servers: a certificate for their hosts, signed by a CA made for the run."""
        assert self.table is not None
        tls_configs = [c for c in self.table.route_configs if c.tls]
        return {
            c.name: self._ca().workload(f"cluster.local/ns/{self.table.proxy.namespace}/sa/gateway",
                                        dns_names=tuple(h for h in c.sni_hosts or () if h != "*"))
            for c in tls_configs
        }

    def _l4_certificates(self) -> dict:
        """Gateway TCP servers that terminate TLS (SIMPLE, MUTUAL): a certificate for their hosts."""
        servers = {c.terminate: c.sni_hosts for item in self.l4 for c in item.chains if c.terminate}
        return {
            label: self._ca().workload(f"cluster.local/ns/{self.proxy.namespace}/sa/gateway",
                                       dns_names=tuple(h for h in hosts if h != "*"))
            for label, hosts in servers.items()
        }

    def _index_routes(self) -> None:
        assert self.bootstrap is not None
        for listener in self.bootstrap["static_resources"]["listeners"]:
            for chain in listener.get("filter_chains", []):
                for network_filter in chain.get("filters", []):
                    route_config = network_filter.get("typed_config", {}).get("route_config")
                    for vhost in (route_config or {}).get("virtual_hosts", []):
                        for route in vhost.get("routes", []):
                            if route.get("name"):
                                self._envoy_routes[route["name"]] = route

    def _table_route(self, route_name: str) -> Route | None:
        """``inb|<config>|<vhost>|<route>`` (see routes.route_id) → the table route."""
        assert self.table is not None
        parts = route_name.split("|")
        if len(parts) < 4 or parts[0] != "inb":
            return None
        name = "|".join(parts[1:-2])  # a waypoint's config name has "|" itself: inbound-vip|9080|http|host
        for config in self.table.route_configs:
            if config.name == name:
                try:
                    position = int(parts[-2])
                    index = config.vhost_positions.index(position) if config.vhost_positions else position
                    return config.virtual_hosts[index].routes[int(parts[-1])]
                except (IndexError, ValueError):
                    return None
        return None

    def _destination(self, name: str, share: float) -> Upstream:
        """The Upstream a cluster name stands for (the table's cluster, else its name's parts)."""
        assert self.table is not None
        cluster = self.table.clusters.get(name)
        parts = name.split("|")
        sni_dnat = parse_sni_dnat(name)
        if cluster is not None:
            host, port, subset = cluster.host, cluster.port, cluster.subset
        elif sni_dnat is not None:
            port, subset, host = sni_dnat
        elif len(parts) == 4:
            host, port, subset = parts[3], int(parts[1]) if parts[1].isdigit() else None, parts[2] or None
        else:
            host, port, subset = name, None, None
        return Upstream(host, subset, port, share, name)

    # -- sending -------------------------------------------------------------------------------

    def _listener_for(self, port: int) -> str | None:
        assert self.envoy is not None and self.table is not None
        ports = self.envoy.listener_ports
        if listener_name(port) in ports:
            return listener_name(port)
        mapped = getattr(self.table, "port_map", {}).get(port)
        if mapped is not None and listener_name(mapped) in ports:
            return listener_name(mapped)
        if self.table.proxy.kind == "sidecar" and VIRTUAL_OUTBOUND in ports:
            return VIRTUAL_OUTBOUND
        return None

    def _send(self, request, listener: str, extra: list[tuple[str, str]] = ()) -> tuple[str, client.Response]:
        assert self.envoy is not None
        request_id = new_id()
        headers = [("host", request.authority)]
        headers += request.sent_lines()
        headers += [(REQUEST_ID_HEADER, request_id), *extra]
        response = client.send(
            self.envoy.listener_port(listener), request.method, request.path_with_query, headers,
            sni=request.host if request.scheme == "https" else None,
        )
        return request_id, response

    # -- route ---------------------------------------------------------------------------------
