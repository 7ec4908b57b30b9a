"""The second requests of a replay: what one request through Envoy cannot show.

envoy/replay.py's Scenario sends the request itself; for a route with retries, CORS, weights or
mirrors it asks these probes (the module docstring of envoy/replay.py says what each observes):
- retries: a probe whose upstream answers as the route's ``retry_on`` retries; tries counted upstream;
- CORS: a preflight from an origin the route allows; the access-control-* headers Envoy answers;
- weighted routes: ``scenario.samples`` requests, shares counted upstream (observe.shares);
- mirrors: the copies the echo servers received (authority ``<host>-shadow``).
"""

from __future__ import annotations

import time
from collections import Counter
from typing import TYPE_CHECKING

from istio_notebook.config import durations
from istio_notebook.config.percent import from_fractional
from istio_notebook.envoy import client
from istio_notebook.envoy.echo import REQUEST_ID_HEADER
from istio_notebook.envoy.instrument import CLUSTER_HEADER, FLAGS_HEADER, ROUTE_HEADER
from istio_notebook.envoy.observe import (
    cors_answer,
    cors_origins,
    is_shadow,
    preflight_origin,
    retriable_failure,
    shares,
)
from istio_notebook.envoy.running import new_id
from istio_notebook.routing.outcome import Cors, MirrorTo, Retries, Upstream

if TYPE_CHECKING:  # pragma: no cover
    from istio_notebook.envoy.replay import Scenario, _Exchange

MIRROR_WAIT = 0.3  # seconds to wait for mirrored copies (they are sent asynchronously)
# A retry probe taken by a partial fault is sent again; with "10%" faults, 6 tries all faulted is 1e-6.
RETRY_PROBE_TRIES = 6


def retries(scenario: Scenario, x: _Exchange, policy: dict, trace: list[str]) -> Retries:
    """The route's retries: attempts counted on a probe whose upstream fails as ``retry_on`` retries
    (read from the route when no probe can trigger it, or when every request is delayed)."""
    if "DI" in x.flag_list:
        attempts = int(policy.get("num_retries", 0))
        trace.append("envoy: retries not probed (every request is delayed); read from the route")
    else:
        failure = retriable_failure(policy)
        attempts = None if failure is None else _probe_retries(scenario, x.request, x.listener, x.upstream_cluster, failure)
        if attempts is None:
            attempts = int(policy.get("num_retries", 0))
            why = (f"no upstream answer meets the route's retry_on {policy.get('retry_on')!r}" if failure is None
                   else f"each of {RETRY_PROBE_TRIES} probes was taken by an injected fault")
            trace.append(f"envoy: retries not probed ({why}); read from the route")
    per_try = policy.get("per_try_timeout")
    return Retries(attempts, durations.normalize(per_try) if per_try else None, policy.get("retry_on"))


def cors_preflight(scenario: Scenario, request, listener: str, route_name: str, cors: dict, trace: list[str]) -> Cors | None:
    """A CORS preflight from an origin the policy allows; the answer's access-control-* headers.

    The allowed origins themselves cannot be enumerated by probing: they are the route's as
    loaded, reported when Envoy accepted the probe origin drawn from them."""
    origins = cors_origins(cors)
    probe = preflight_origin(origins)
    if probe is None:
        trace.append("envoy: CORS not probed (no origin the policy allows could be drawn)")
        return None
    assert scenario.envoy is not None
    headers = [("host", request.authority), ("origin", probe), ("access-control-request-method", "GET")]
    response = client.send(scenario.envoy.listener_port(listener), "OPTIONS", request.path_with_query, headers)
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
    return cors_answer(origins, probe, answered)


def sample_shares(scenario: Scenario, request, listener: str, weighted: dict) -> tuple[tuple[Upstream, ...], dict[str, int]]:
    assert scenario.envoy is not None
    counts: Counter[str] = Counter()
    headers = [("host", request.authority)]
    headers += request.sent_lines()
    headers.append((REQUEST_ID_HEADER, new_id()))
    responses = client.send_many(
        scenario.envoy.listener_port(listener), request.method, request.path_with_query, headers, scenario.samples,
        sni=request.host if request.scheme == "https" else None,
    )
    for response in responses:
        counts[response.headers.get(CLUSTER_HEADER) or response.headers.get("x-echo-server") or "-"] += 1
    given = {c["name"]: c["weight"] for c in weighted.get("clusters", [])}
    found = shares(counts, given)
    return tuple(scenario._destination(name, share) for name, share in found.items()), dict(counts)


def _probe_retries(scenario: Scenario, request, listener: str, cluster: str | None,
                   failure: list[tuple[str, str]]) -> int | None:
    """Make the upstream fail as ``failure`` (one the route retries) and count how often Envoy
    tries it (retries = tries - 1). ``None`` when every probe was taken by a fault."""
    assert scenario.fleet is not None
    for _ in range(RETRY_PROBE_TRIES):
        request_id, response = scenario._send(request, listener, failure)
        # Mirrors of the probe are not attempts: count only the serving cluster.
        tries = [r for r in scenario.fleet.log.of(request_id) if not is_shadow(r)]
        tries = [r for r in tries if r.server == cluster] or tries
        # A partial fault (abort or delay "10%") can take the probe itself: an injected abort never
        # reaches the upstream (Envoy's response flag FI) and says nothing about retries; pick again.
        faulted = {"FI", "DI"} & set(response.headers.get(FLAGS_HEADER, "-").split(","))
        if tries and not faulted:
            return len(tries) - 1
    return None


def mirrors(scenario: Scenario, request_id: str, envoy_route: dict) -> tuple[MirrorTo, ...]:
    """Copies received (authority ``<host>-shadow``); percentages as loaded when consistent.

    Waits (bounded) for every 100% mirror of the route to arrive; partial mirrors get a short
    grace period. The loaded policies are reported when the copies fit them (every 100% mirror
    seen, no copy without a policy); otherwise what was seen, with unknown percentages.
    """
    assert scenario.fleet is not None
    policies = envoy_route.get("route", {}).get("request_mirror_policies", [])
    loaded = [(p["cluster"], from_fractional(p.get("runtime_fraction", {}).get("default_value"))) for p in policies]
    sure = {cluster for cluster, share in loaded if share >= 100}
    partial = any(share < 100 for _, share in loaded)
    def shadows(received: list) -> set[str]:
        return {r.server for r in received if is_shadow(r)}

    seen = shadows(scenario.fleet.log.wait_until(request_id, lambda received: sure <= shadows(received), MIRROR_WAIT))
    if partial:
        time.sleep(0.05)
        seen = {r.server for r in scenario.fleet.log.of(request_id) if is_shadow(r)}

    def entry(cluster: str, share: float | None) -> MirrorTo:
        dest = scenario._destination(cluster, 100.0)
        return MirrorTo(dest.host, dest.subset, dest.port, cluster, share)

    if sure <= seen <= {cluster for cluster, _ in loaded}:
        return tuple(entry(cluster, share) for cluster, share in loaded)
    return tuple(entry(cluster, None) for cluster in sorted(seen))
