"""Ask real Envoy: send a request through the translated config and report what really happened.

``route(mesh, request, proxy)`` and ``authorize(mesh, request, to, source)`` answer in the
DESIGN.md JSON contract of the simulator; what Envoy cannot show is null (``policy`` scope,
percentages of a single request). What is observed, and how:
- the serving destination: the echo server that answered names its cluster;
- status, Location, direct response body: the response itself;
- the route Envoy chose, response flags and details: headers added by ``instrument.py``
  (``%ROUTE_NAME%`` names the table route, so VirtualService / rule / match are known);
- path and authority received upstream, request header changes: the echo's copy of the request;
- timeout: ``x-envoy-expected-rq-timeout-ms`` that Envoy announces upstream (the per-try timeout
  when one is set, else the route timeout). That header cannot tell the two apart, so when the
  route Envoy chose has a per-try timeout, ``timeout`` and ``retries.per_try_timeout`` are read
  from that route as Envoy loaded it (and the header is checked against it);
- retries: a second probe request whose upstream answers 503; attempts counted upstream;
  ``retry_on`` is read from the chosen route (no probe can enumerate conditions). A route that
  delays every request (fault delay) is not probed: its retries are read from the route;
- mirrors: copies of the request (same ``x-inb-request`` id, authority ``<host>-shadow``),
  with the percentages of the route as loaded when the copies fit them (see ``_mirrors``);
- fault: Envoy's flags FI (abort) and DI (delay) and the measured delay (``envoy.fault_observed``).
  One request cannot measure a percentage, so ``fault`` is the fault of the route as Envoy
  loaded it, as long as the request is consistent with it (a 100% abort aborted, a 100% delay
  delayed by at least its length, nothing injected without a fault); otherwise the observation;
- CORS: a preflight from an origin the route allows; the access-control-* headers Envoy answers;
- weighted routes: ``samples`` requests, shares counted upstream. When every observed share is
  within 4 standard deviations (binomial) of the weight Envoy was given, the configured shares
  are reported (the observation confirmed them) and the raw counts go to ``envoy.samples``;
  otherwise the observed shares are reported, and disagree.

Envoy starts once per scenario (mesh + proxy view), not per request: ``Scenario`` keeps one
Envoy and its echo servers; the module functions reuse open scenarios (closed at exit).
"""

from __future__ import annotations

import itertools
import math
import shutil
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from istio_notebook.config import durations
from istio_notebook.config.durations import format_seconds
from istio_notebook.config.percent import from_fractional
from istio_notebook.envoy import client
from istio_notebook.envoy.certs import MeshCA
from istio_notebook.envoy.echo import (
    GRPC_STATUS_HEADER,
    REQUEST_ID_HEADER,
    STATUS_HEADER,
    EchoFleet,
    EchoIdentity,
    EchoTls,
)
from istio_notebook.envoy.instrument import (
    CLUSTER_HEADER,
    DETAILS_HEADER,
    FLAGS_HEADER,
    INSTRUMENT_HEADERS,
    ROUTE_HEADER,
    instrument,
)
from istio_notebook.envoy.open_scenarios import OpenScenarios
from istio_notebook.envoy.policy import LB_NAMES, cluster_policies
from istio_notebook.envoy.runner import EnvoyProcess, localize
from istio_notebook.envoy.translate import (
    VIRTUAL_OUTBOUND,
    grpc_name,
    listener_name,
    route_table,
    translate,
)
from istio_notebook.gatewayapi import route_ref
from istio_notebook.routing.table import (
    BLACKHOLE_CLUSTER,
    PASSTHROUGH_CLUSTER,
    Route,
    RouteTable,
)

DEFAULT_SAMPLES = 200  # requests sent to measure the shares of a weighted route
MIRROR_WAIT = 0.3  # seconds to wait for mirrored copies (they are sent asynchronously)

# Headers Envoy itself adds upstream or downstream; not part of the configured header changes.
_ENVOY_REQUEST_HEADERS = frozenset({
    "host", "content-length", "x-forwarded-proto", "x-request-id", "x-envoy-expected-rq-timeout-ms",
    "x-envoy-attempt-count", "x-forwarded-client-cert", "x-envoy-internal", "x-forwarded-for",
    "x-envoy-original-path", "x-envoy-original-host", "x-envoy-decorator-operation", "x-envoy-peer-metadata", "x-envoy-peer-metadata-id",
    "transfer-encoding", "connection", REQUEST_ID_HEADER,
})
_BASE_RESPONSE_HEADERS = frozenset({
    "content-type", "content-length", "date", "server", "x-echo-server", "x-envoy-upstream-service-time",
    "connection", "transfer-encoding", *INSTRUMENT_HEADERS,
})

_ids = itertools.count(1)


def _new_id() -> str:
    return f"r{next(_ids)}-{time.monotonic_ns()}"


def _is_shadow(received) -> bool:
    host = received.headers.get("host", "")
    return host.split(":")[0].endswith("-shadow")


def _empty_outcome() -> dict[str, Any]:
    return {
        "action": None, "status": None, "virtual_service": None, "route_index": None, "match_index": None,
        "route_name": None, "route_ref": None, "destinations": [], "rewrite": None, "redirect": None, "direct_response": None,
        "fault": None, "timeout": None, "retries": None, "mirrors": [], "headers": None, "cors": None,
        "policy": None, "protocol": None, "trace": [], "envoy": {},
    }


class Scenario:
    """One running Envoy (+ echo upstreams) for one proxy view of one mesh."""

    def __init__(self, mesh, proxy, *, samples: int = DEFAULT_SAMPLES, keep_logs_in=None):
        self.mesh, self.proxy, self.samples = mesh, proxy, samples
        self.keep_logs_in = keep_logs_in
        self.table: RouteTable | None = None
        self.fleet: EchoFleet | None = None
        self.envoy: EnvoyProcess | None = None
        self.bootstrap: dict | None = None
        self._certdir: Path | None = None
        self._mesh_ca: MeshCA | None = None
        self.policies: dict[str, dict] = {}
        self._envoy_routes: dict[str, dict] = {}

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> Scenario:
        self.table = route_table(self.mesh, self.proxy)
        self.fleet = EchoFleet()
        try:
            self.policies = cluster_policies(self.mesh, self.table)
            upstreams: dict[str, int] = {}
            for name, cluster in self.table.clusters.items():
                identity = EchoIdentity(name, cluster.host, cluster.subset or "", cluster.port)
                upstreams[name] = self.fleet.add(identity, tls=self._upstream_tls(name, cluster.host))
            upstreams[PASSTHROUGH_CLUSTER] = self.fleet.add(EchoIdentity(PASSTHROUGH_CLUSTER))
            cert_files = self._server_certificates()
            client_cert = None
            if any(self._tls_mode(name) != "DISABLE" for name in self.table.clusters):
                client_cert = self._ca().workload(f"cluster.local/ns/{self.table.proxy.namespace}/sa/default")
            self.bootstrap = instrument(translate(self.table, upstreams=upstreams, cert_files=cert_files,
                                                  policies=self.policies, client_cert=client_cert))
            self._index_routes()
            self.envoy = EnvoyProcess(localize(self.bootstrap), keep_logs_in=self.keep_logs_in)
            self.envoy.__enter__()
        except BaseException:
            self.close()
            raise
        return self

    def _ca(self) -> MeshCA:
        if self._mesh_ca is None:
            self._certdir = Path(tempfile.mkdtemp(prefix="istio-notebook-certs-"))
            self._mesh_ca = MeshCA(self._certdir)
        return self._mesh_ca

    def _tls_mode(self, cluster_name: str) -> str:
        return str(((self.policies.get(cluster_name) or {}).get("tls") or {}).get("mode") or "DISABLE").upper()

    def _upstream_tls(self, cluster_name: str, host: str) -> EchoTls | None:
        """A TLS echo server for clusters whose policy originates TLS (ISTIO_MUTUAL, SIMPLE, MUTUAL)."""
        if self._tls_mode(cluster_name) == "DISABLE":
            return None
        files = self._ca().workload(f"cluster.local/ns/upstream/sa/{host.split('.')[0]}", dns_names=(host,))
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

    def close(self, failed: bool = False) -> None:
        if self.envoy is not None:
            self.envoy.stop(failed=failed)
            self.envoy = None
        if self.fleet is not None:
            self.fleet.close()
            self.fleet = None
        if self._certdir is not None:
            shutil.rmtree(self._certdir, ignore_errors=True)
            self._certdir, self._mesh_ca = None, None

    def __enter__(self) -> Scenario:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.close(failed=exc_type is not None)

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
        """``inb|<config>|<vhost>|<route>`` (see translate.route_id) → the table route."""
        assert self.table is not None
        parts = route_name.split("|")
        if len(parts) != 4 or parts[0] != "inb":
            return None
        for config in self.table.route_configs:
            if config.name == parts[1]:
                try:
                    return config.virtual_hosts[int(parts[2])].routes[int(parts[3])]
                except (IndexError, ValueError):
                    return None
        return None

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
        request_id = _new_id()
        headers = [("host", request.authority)]
        headers += request.sent_lines()
        headers += [(REQUEST_ID_HEADER, request_id), *extra]
        response = client.send(
            self.envoy.listener_port(listener), request.method, request.path_with_query, headers,
            sni=request.host if request.scheme == "https" else None,
        )
        return request_id, response

    # -- route ---------------------------------------------------------------------------------

    def route(self, request) -> dict:
        """The outcome of ``request`` (a routing.Request) on real Envoy, in the route JSON contract."""
        assert self.fleet is not None
        out = _empty_outcome()
        trace = out["trace"]
        if request.scheme == "https" and self.table.proxy.kind == "sidecar":
            # A sidecar passes TLS from the app through untouched (TCP): nothing HTTP to route.
            out["trace"].append("envoy: https from a sidecar is TLS passthrough, not replayed as HTTP")
            out["envoy"]["unsupported"] = "scheme"
            return out
        listener = self._listener_for(request.port)
        if listener is None:
            trace.append(f"envoy: no listener for port {request.port}: connection refused")
            out["action"] = "no_route"
            return out
        try:
            request_id, response = self._send(request, listener)
        except (ConnectionError, OSError) as error:
            trace.append(f"envoy: connection closed by {listener} ({type(error).__name__})")
            # A sidecar drops it (BlackHoleCluster); a gateway has no server for it (no filter chain).
            out["action"] = "blackhole" if self.table.proxy.kind == "sidecar" else "no_route"
            return out
        headers = response.headers
        route_name = headers.get(ROUTE_HEADER) or ""
        details = headers.get(DETAILS_HEADER, "")
        flags = headers.get(FLAGS_HEADER, "-")
        upstream_cluster = headers.get(CLUSTER_HEADER) or headers.get("x-echo-server")
        out["envoy"] = {
            "listener": listener, "route": route_name or None, "response_flags": flags, "details": details,
            "upstream_cluster": upstream_cluster, "status": response.status,
            "elapsed": round(response.elapsed, 4),
            "sent": {"path": request.path_with_query, "authority": request.authority,
                     "headers": sorted(k for k in request.headers if k != "host")},
        }
        trace.append(
            f"envoy: {listener} route {route_name or '-'} → HTTP {response.status} "
            f"(flags {flags}, details {details or '-'}, cluster {upstream_cluster or '-'})"
        )
        table_route = self._table_route(route_name)
        if table_route is not None:
            origin = table_route.origin
            out["virtual_service"] = origin.virtual_service
            out["route_index"] = origin.rule_index
            out["match_index"] = origin.match_index
            out["route_name"] = table_route.name
            ref = route_ref(origin.source, origin.rule_index)
            out["route_ref"] = ref.to_json() if ref is not None else None
        # Envoy marks mirrored copies by appending "-shadow" to the authority.
        received = [r for r in self.fleet.log.of(request_id) if not _is_shadow(r)]
        served = [r for r in received if r.server == upstream_cluster] or received[:1]

        if listener == VIRTUAL_OUTBOUND:
            out["action"] = "passthrough" if response.headers.get("x-echo-server") == PASSTHROUGH_CLUSTER else "blackhole"
            return out
        if details == "route_not_found" or "NR" in flags.split(","):
            out["action"], out["status"] = "no_route", response.status
            return out
        if route_name == "allow_any":
            out["action"] = "passthrough"
            return out
        if route_name == "block_all" or (table_route is not None and table_route.action.kind == "blackhole"):
            out["action"], out["status"] = "blackhole", response.status
            return out
        if details == "direct_response":
            location = headers.get("location")
            if location is not None and 300 <= response.status < 400:
                out["action"], out["status"] = "redirect", response.status
                out["redirect"] = {"location": location, "status": response.status}
            else:
                out["action"], out["status"] = "direct_response", response.status
                out["direct_response"] = {"status": response.status, "body": response.body.decode("utf-8", "replace") or None}
            out["headers"] = self._header_changes(request, None, headers)
            return out

        out["action"] = "route"
        if upstream_cluster == PASSTHROUGH_CLUSTER:
            out["action"] = "passthrough"
        elif upstream_cluster == BLACKHOLE_CLUSTER:
            out["action"] = "blackhole"
        if details != "via_upstream":
            out["status"] = response.status  # decided by Envoy: fault abort, 503 NC/UH, ...
        envoy_route = self._envoy_routes.get(route_name, {})
        out["fault"] = self._fault(envoy_route, flags, response, out["envoy"])
        weighted = envoy_route.get("route", {}).get("weighted_clusters")
        if weighted and details == "via_upstream" and self.samples > 1 and "DI" not in flags.split(","):
            out["destinations"], out["envoy"]["samples"] = self._sample_shares(request, listener, weighted)
        elif upstream_cluster and upstream_cluster not in (PASSTHROUGH_CLUSTER, BLACKHOLE_CLUSTER):
            out["destinations"] = [self._destination(upstream_cluster, 100.0)]
        elif details == "cluster_not_found" and envoy_route.get("route", {}).get("cluster"):
            # Envoy chose this route and found no cluster of that name (503 NC): name it.
            out["destinations"] = [self._destination(envoy_route["route"]["cluster"], 100.0)]
        if served:
            first = served[0]
            out["envoy"]["received"] = {"path": first.path, "authority": first.headers.get("host")}
            out["policy"] = self._policy(first, upstream_cluster)
            timeout_ms = first.headers.get("x-envoy-expected-rq-timeout-ms")
            announced = format_seconds(int(timeout_ms) / 1000) if timeout_ms else None
            out["timeout"] = announced
            policy = envoy_route.get("route", {}).get("retry_policy") or {}
            if policy.get("per_try_timeout"):
                route_timeout = envoy_route["route"].get("timeout", "0s")
                out["timeout"] = None if route_timeout in ("0s", None) else durations.normalize(route_timeout)
                trace.append(f"envoy: announced upstream timeout {announced} (per-try {policy['per_try_timeout']}, "
                             f"route timeout {route_timeout} as loaded)")
            # As the simulator: null when the upstream got the request's own path and authority.
            authority = first.headers.get("host")
            if first.path != request.path_with_query or authority != request.authority:
                out["rewrite"] = {
                    "uri": first.path,
                    "authority": authority if authority != request.authority else None,
                }
            out["headers"] = self._header_changes(request, first.headers, headers)
            if policy:
                if "DI" in flags.split(","):
                    attempts = int(policy.get("num_retries", 0))
                    trace.append("envoy: retries not probed (every request is delayed); read from the route")
                else:
                    attempts = self._probe_retries(request, listener, upstream_cluster, policy)
                    if attempts is None:
                        attempts = int(policy.get("num_retries", 0))
                        trace.append("envoy: retries not probed (no upstream answer meets the route's "
                                     f"retry_on {policy.get('retry_on')!r}); read from the route")
                per_try = policy.get("per_try_timeout")
                out["retries"] = {
                    "attempts": attempts,
                    "per_try_timeout": durations.normalize(per_try) if per_try else None,
                    "retry_on": policy.get("retry_on"),
                }
        if envoy_route.get("route", {}).get("request_mirror_policies"):
            out["mirrors"] = self._mirrors(request_id, envoy_route)
        cors = envoy_route.get("typed_per_filter_config", {}).get("envoy.filters.http.cors")
        if cors:
            out["cors"] = self._preflight(request, listener, route_name, cors, trace)
        return out

    def _preflight(self, request, listener: str, route_name: str, cors: dict, trace: list[str]) -> dict | None:
        """A CORS preflight from an origin the policy allows; the answer's access-control-* headers.

        The allowed origins themselves cannot be enumerated by probing: they are the route's as
        loaded, reported when Envoy accepted the probe origin drawn from them."""
        origins = []
        for matcher in cors.get("allow_origin_string_match", []):
            if "safe_regex" in matcher:
                regex = matcher["safe_regex"]["regex"]
                origins.append({"present": True} if regex == ".*" else {"regex": regex})
            else:
                origins.append({k: v for k, v in matcher.items() if k != "ignore_case"})
        probe = next((o.get("exact") or (o["prefix"] + "example.com" if "prefix" in o else None)
                      for o in origins if "exact" in o or "prefix" in o), None)
        if probe is None and any("present" in o for o in origins):
            probe = "https://any.example.com"
        if probe is None:
            trace.append("envoy: CORS not probed (only regex origins)")
            return None
        assert self.envoy is not None
        headers = [("host", request.authority), ("origin", probe), ("access-control-request-method", "GET")]
        response = client.send(self.envoy.listener_port(listener), "OPTIONS", request.path_with_query, headers)
        answered = response.headers
        # Envoy's CORS filter answers a preflight itself, without the route's headers; a preflight
        # that another route (e.g. one matching OPTIONS) served instead does carry them.
        took_other_path = answered.get(ROUTE_HEADER) not in (None, route_name) or (
            answered.get(ROUTE_HEADER) is None and FLAGS_HEADER in answered)
        if took_other_path:
            trace.append(f"envoy: CORS preflight took another route ({answered.get(ROUTE_HEADER) or 'none'})")
            return None
        if answered.get("access-control-allow-origin") != probe:
            trace.append(f"envoy: CORS preflight from {probe} not allowed")
            return {"allow_origins": [], "allow_methods": [], "allow_headers": [], "expose_headers": [],
                    "max_age": None, "allow_credentials": None}
        split = lambda name: [v.strip() for v in answered.get(name, "").split(",") if v.strip()]
        max_age = answered.get("access-control-max-age")
        return {
            "allow_origins": origins,
            "allow_methods": split("access-control-allow-methods"),
            "allow_headers": split("access-control-allow-headers"),
            "expose_headers": split("access-control-expose-headers"),
            "max_age": f"{int(max_age)}s" if max_age and max_age.isdigit() else None,
            "allow_credentials": True if answered.get("access-control-allow-credentials") == "true" else None,
        }

    def _fault(self, envoy_route: dict, flags: str, response: client.Response, extra: dict) -> dict | None:
        observed: dict = {}
        if "FI" in flags.split(","):
            observed["abort"] = {"http_status": response.status, "percentage": None}
        if "DI" in flags.split(","):
            observed["delay"] = {"fixed_delay": format_seconds(round(response.elapsed, 3)), "percentage": None}
        extra["fault_observed"] = observed or None
        loaded = envoy_route.get("typed_per_filter_config", {}).get("envoy.filters.http.fault")
        if not loaded:
            return observed or None
        fault: dict = {"delay": None, "abort": None}
        consistent = True
        if "abort" in loaded:
            abort = loaded["abort"]
            share = from_fractional(abort.get("percentage"))
            entry: dict = {"percentage": share}
            if "http_status" in abort:
                entry["http_status"] = abort["http_status"]
            elif "grpc_status" in abort:
                entry["grpc_status"] = grpc_name(abort["grpc_status"])
            fault["abort"] = entry
            if share >= 100 and "http_status" in abort and observed.get("abort", {}).get("http_status") != abort["http_status"]:
                consistent = False
        elif "abort" in observed:
            consistent = False
        if "delay" in loaded:
            delay = loaded["delay"]
            share = from_fractional(delay.get("percentage"))
            fault["delay"] = {"fixed_delay": durations.normalize(delay["fixed_delay"]), "percentage": share}
            if share >= 100 and not observed.get("abort") and (
                "delay" not in observed or response.elapsed + 0.01 < (durations.seconds(delay["fixed_delay"]) or 0.0)
            ):
                consistent = False
        elif "delay" in observed:
            consistent = False
        return fault if consistent else (observed or None)

    def _policy(self, received, cluster_name: str | None) -> dict:
        """TLS as the upstream saw it (plaintext, TLS, TLS with a SPIFFE client certificate);
        the load balancer as the cluster was loaded (one endpoint per cluster shows no balancing)."""
        if received.tls is None:
            mode = "DISABLE"
        else:
            mode = "ISTIO_MUTUAL" if (received.tls.get("peer") or "").startswith("spiffe://") else "SIMPLE"
        loaded = next((c for c in self.bootstrap["static_resources"]["clusters"] if c["name"] == cluster_name), {})
        lb = LB_NAMES.get(loaded.get("lb_policy", "ROUND_ROBIN"), loaded.get("lb_policy"))
        return {"destination_rules": None, "scope": None, "tls": {"mode": mode, "auto": None},
                "load_balancer": {"simple": lb}, "connection_pool": None, "outlier_detection": None}

    def _destination(self, cluster_name: str, share: float) -> dict:
        assert self.table is not None
        cluster = self.table.clusters.get(cluster_name)
        parts = cluster_name.split("|")
        if cluster is not None:
            host, port, subset = cluster.host, cluster.port, cluster.subset
        elif len(parts) == 4:
            host, port, subset = parts[3], int(parts[1]) if parts[1].isdigit() else None, parts[2] or None
        else:
            host, port, subset = cluster_name, None, None
        return {"host": host, "subset": subset, "port": port, "weight": share, "cluster": cluster_name}

    def _sample_shares(self, request, listener: str, weighted: dict) -> tuple[list[dict], dict[str, int]]:
        assert self.envoy is not None
        counts: Counter[str] = Counter()
        headers = [("host", request.authority)]
        headers += request.sent_lines()
        headers.append((REQUEST_ID_HEADER, _new_id()))
        responses = client.send_many(
            self.envoy.listener_port(listener), request.method, request.path_with_query, headers, self.samples,
            sni=request.host if request.scheme == "https" else None,
        )
        for response in responses:
            counts[response.headers.get(CLUSTER_HEADER) or response.headers.get("x-echo-server") or "-"] += 1
        total = sum(counts.values())
        given = {c["name"]: c["weight"] for c in weighted.get("clusters", [])}
        weight_sum = sum(given.values()) or 1
        expected = {name: 100.0 * w / weight_sum for name, w in given.items()}
        if set(counts) <= set(expected) and all(
            abs(100.0 * counts.get(name, 0) / total - share) <= 4 * 100.0 * math.sqrt(share / 100 * (1 - share / 100) / total) + 0.5
            for name, share in expected.items()
        ):
            shares = {name: round(share, 4) for name, share in expected.items()}
        else:
            shares = {name: round(100.0 * n / total, 1) for name, n in counts.items()}
        return [self._destination(name, share) for name, share in shares.items()], dict(counts)

    def _probe_retries(self, request, listener: str, cluster: str | None, policy: dict) -> int | None:
        """Make the upstream fail in a way the route retries and count how often Envoy tries it
        (retries = tries - 1). ``None`` when no upstream answer can trigger the route's conditions
        (e.g. only connect-failure): then the attempts are read from the route."""
        assert self.fleet is not None
        failure = _retriable_failure(policy)
        if failure is None:
            return None
        request_id, _ = self._send(request, listener, failure)
        # Mirrors of the probe are not attempts: count only the serving cluster.
        tries = [r for r in self.fleet.log.of(request_id) if not _is_shadow(r)]
        tries = [r for r in tries if r.server == cluster] or tries
        return max(len(tries) - 1, 0)

    def _mirrors(self, request_id: str, envoy_route: dict) -> list[dict]:
        """Copies received (authority ``<host>-shadow``); percentages as loaded when consistent.

        Waits (bounded) for every 100% mirror of the route to arrive; partial mirrors get a short
        grace period. The loaded policies are reported when the copies fit them (every 100% mirror
        seen, no copy without a policy); otherwise what was seen, with unknown percentages.
        """
        assert self.fleet is not None
        policies = envoy_route.get("route", {}).get("request_mirror_policies", [])
        loaded = [(p["cluster"], from_fractional(p.get("runtime_fraction", {}).get("default_value"))) for p in policies]
        sure = {cluster for cluster, share in loaded if share >= 100}
        partial = any(share < 100 for _, share in loaded)
        deadline = time.monotonic() + MIRROR_WAIT
        seen: set[str] = set()
        while time.monotonic() < deadline:
            seen = {r.server for r in self.fleet.log.of(request_id) if _is_shadow(r)}
            if sure <= seen:
                break
            time.sleep(0.005)
        if partial:
            time.sleep(0.05)
            seen = {r.server for r in self.fleet.log.of(request_id) if _is_shadow(r)}

        def entry(cluster: str, share: float | None) -> dict:
            dest = self._destination(cluster, 100.0)
            return {"host": dest["host"], "subset": dest["subset"], "port": dest["port"], "cluster": cluster,
                    "percentage": share}

        if sure <= seen <= {cluster for cluster, _ in loaded}:
            return [entry(cluster, share) for cluster, share in loaded]
        return [entry(cluster, None) for cluster in sorted(seen)]

    def _header_changes(self, request, upstream: dict[str, str] | None, response_headers: dict[str, str]) -> dict | None:
        sent = {k: v for k, v in request.headers.items() if k != "host"}
        changes: dict = {}
        if upstream is not None:
            set_ = {k: v for k, v in upstream.items() if k not in _ENVOY_REQUEST_HEADERS and sent.get(k) != v}
            removed = [k for k in sent if k not in upstream]
            if set_ or removed:
                changes["request"] = {"set": set_, "add": {}, "remove": removed}
        response_set = {k: v for k, v in response_headers.items() if k not in _BASE_RESPONSE_HEADERS and k != "location"}
        if response_set:
            changes["response"] = {"set": response_set, "add": {}, "remove": []}
        return changes or None


# -- module API: scenarios reused across calls ---------------------------------------------------

_OPEN: OpenScenarios[Scenario] = OpenScenarios()
close_all = _OPEN.close_all


def _scenario(mesh, proxy) -> Scenario:
    return _OPEN.get((id(mesh), proxy.key), mesh, lambda: Scenario(mesh, proxy).start())


def route(mesh, request, proxy) -> dict:
    """Public API: ``request`` through ``proxy`` on real Envoy, in the route JSON contract."""
    return _scenario(mesh, proxy).route(request)


def authorize(mesh, request, to, source) -> dict:
    """Public API: the inbound RBAC decision of real Envoy, in the authz JSON contract."""
    from istio_notebook.envoy.authz_replay import authorize as replay_authorize

    return replay_authorize(mesh, request, to, source)


def replay_checks(mesh, items) -> list[dict]:
    """Batch API: many requests of one scenario, one Envoy per proxy view.

    ``items``: iterable of ``(request, proxy)`` pairs (routing.Request, routing.Proxy) for
    routing, or ``(request, to, source)`` triples for authorization. Answers in input order.
    """
    results: list[dict] = []
    scenarios: dict[tuple, Scenario] = {}
    try:
        for item in items:
            if len(item) == 2:
                request, proxy = item
                scenario = scenarios.get(proxy.key)
                if scenario is None:
                    scenario = scenarios[proxy.key] = Scenario(mesh, proxy).start()
                results.append(scenario.route(request))
            else:
                request, to, source = item
                results.append(authorize(mesh, request, to, source))
    finally:
        for scenario in scenarios.values():
            scenario.close()
    return results


def _retriable_failure(policy: dict) -> list[tuple[str, str]] | None:
    """Echo headers for an upstream answer that the loaded retry policy retries.

    Istio's default policy (since 1.24) retries no HTTP status: only connection failures and the
    gRPC statuses ``unavailable``/``cancelled``, which an answer's ``grpc-status`` triggers.
    """
    conditions = set(str(policy.get("retry_on", "")).split(","))
    if conditions & {"5xx", "gateway-error"} or 503 in policy.get("retriable_status_codes", []):
        return [(STATUS_HEADER, "503")]
    for condition, grpc_status in (("unavailable", "14"), ("cancelled", "1")):
        if condition in conditions:
            return [(GRPC_STATUS_HEADER, grpc_status)]
    return None
