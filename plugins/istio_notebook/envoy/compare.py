"""Do the simulator and real Envoy agree? Field by field, on what Envoy can observe.

Rules (each one is a limit of observation, not a tolerance for wrong answers):
- a field Envoy reports as null (policy, cors, percentages of one request) is not compared;
- ``retries``: attempts, as replay.py observes them: counted on a probe the route retries (503 or a
  gRPC status), or read from the loaded route when no upstream answer can trigger its conditions
  (e.g. ``connect-failure`` alone); either way they must equal the simulated attempts;
- ``timeout`` and ``retries.per_try_timeout``: as replay.py reports them (see there);
- header operations: of the destination that served the request when the simulator gives it its
  own (a weighted destination with headers), else the outcome's;
- response header ``set`` and ``add`` look the same on the wire: compared merged, unless replay.py
  probed them (``envoy.response_probed``: the upstream sent each header; envoy/response_probe.py),
  then set, add and remove are compared apart;
- ``fault``: as replay.py reports it (the loaded fault, checked against what the request saw);
  a partial abort that fired makes the abort status the expected status;
- mirror percentages: the simulator's as Envoy holds them once Istio has written them (a
  FractionalPercent over a million, truncated: 2/3 → 66.6666%);
- weighted destinations: the observed shares must be within ``share_tolerance`` points;
- ``policy``: the TLS mode the upstream saw and the cluster's load balancer (not MUTUAL).
"""

from __future__ import annotations

import math
from collections.abc import Callable

from istio_notebook.config.durations import seconds
from istio_notebook.config.percent import as_loaded
from istio_notebook.diagnostics import Diagnostic, Position, report

SHARE_TOLERANCE = 10.0  # percentage points, for DEFAULT_SAMPLES=200 (about 4 standard deviations at 50/50)


def _merged(ops: dict | None) -> dict:
    out = {}
    for side, change in (ops or {}).items():
        if not change:
            continue
        values = {**change.get("set", {}), **change.get("add", {})}
        removed = sorted(change.get("remove", []))
        if values or removed:
            out[side] = {"values": values, "remove": removed}
    return out


def _served_headers(sim: dict, cluster: str | None) -> dict | None:
    """The simulator's header operations for a request ``cluster`` served: a weighted
    destination's own (its, then the rule's) when it has some, else the outcome's."""
    served = next((d for d in sim.get("destinations") or [] if d.get("cluster") == cluster), None)
    return (served or {}).get("headers") or sim.get("headers")


def _exact(ops: dict | None, side: str) -> dict:
    """One side's set, add and remove apart (the response side when replay.py probed it)."""
    change = (ops or {}).get(side) or {}
    out = {"set": change.get("set") or {}, "add": change.get("add") or {}, "remove": sorted(change.get("remove") or [])}
    return {k: v for k, v in out.items() if v}


def expected_attempts(retries: dict | None) -> int:
    return int((retries or {}).get("attempts") or 0)


def _share_limit(weight: float, samples: int, floor: float) -> float:
    """How far an observed share may be from its weight: ``floor`` points, or five binomial
    standard deviations for the number of requests actually sampled when that is wider (a run
    with 100 samples at 10/90 saw 23/77: 4.3 standard deviations, not a wrong answer)."""
    if samples <= 0:
        return floor
    p = min(max(weight / 100.0, 0.0), 1.0)
    return max(floor, 5 * 100.0 * math.sqrt(p * (1 - p) / samples) + 0.5)


Differ = Callable[[str, object, object], None]


def differences(sim: dict, envoy: dict, *, share_tolerance: float = SHARE_TOLERANCE) -> list[str]:
    """Where the two outcomes disagree, one line per field; [] when they agree."""
    if envoy.get("envoy", {}).get("unsupported"):
        return []
    diffs: list[str] = []

    def differ(field: str, a, b) -> None:
        diffs.append(f"{field}: simulator {a!r} ≠ envoy {b!r}")

    observed_fault = envoy.get("envoy", {}).get("fault_observed") or {}
    sim_abort = (sim.get("fault") or {}).get("abort") or {}
    if observed_fault.get("abort") and 0 < sim_abort.get("percentage", 0) < 100:
        # A partial abort fired on this request: the simulator cannot know it would.
        sim = {**sim, "status": observed_fault["abort"]["http_status"]}
    for field in ("action", "status", "virtual_service", "route_index", "match_index", "redirect", "direct_response"):
        if sim.get(field) != envoy.get(field):
            differ(field, sim.get(field), envoy.get(field))
    if envoy.get("action") != sim.get("action") or envoy.get("status") not in (None, sim.get("status")):
        return diffs  # different decisions: the details below would only repeat it
    _destinations(sim, envoy, differ, share_tolerance)
    served = envoy.get("envoy", {}).get("details") == "via_upstream"
    sent = envoy.get("envoy", {}).get("sent") or {}
    received = envoy.get("envoy", {}).get("received")
    if served and received:
        _received(sim, envoy, sent, received, differ)
        _retries(sim, envoy, differ)
        _policy(sim.get("policy") or {}, envoy.get("policy") or {}, differ)
        if envoy.get("cors") is not None and _cors(sim.get("cors")) != _cors(envoy["cors"]):
            differ("cors", sim.get("cors"), envoy["cors"])
        _headers(sim, envoy, sent, differ)
    if served or envoy.get("mirrors"):
        _mirrors(sim, envoy, differ)
    # replay.py reports the fault as Envoy loaded it when the request was consistent with it.
    sim_fault, env_fault = sim.get("fault") or {}, envoy.get("fault") or {}
    for kind in ("abort", "delay"):
        want, got = _fault_part(sim_fault.get(kind)), _fault_part(env_fault.get(kind))
        if want != got:
            differ(f"fault.{kind}", sim_fault.get(kind), env_fault.get(kind))
    return diffs


def _destinations(sim: dict, envoy: dict, differ: Differ, share_tolerance: float) -> None:
    """The clusters served (a weighted route: each share within its limit); not under an abort."""
    sim_dest = {d["cluster"]: d["weight"] for d in sim.get("destinations") or []}
    env_dest = {d["cluster"]: d["weight"] for d in envoy.get("destinations") or []}
    faulted = (envoy.get("fault") or {}).get("abort") is not None
    if sim.get("action") != "route" or faulted:
        return
    live = {c: w for c, w in sim_dest.items() if w > 0}
    if set(env_dest) - set(live) or (len(live) == 1 and set(env_dest) != set(live)):
        differ("destinations", sim_dest, env_dest)
    elif len(live) > 1 and env_dest:
        total = sum((envoy.get("envoy", {}).get("samples") or {}).values())
        for cluster, weight in live.items():
            if abs(env_dest.get(cluster, 0.0) - weight) > _share_limit(weight, total, share_tolerance):
                differ("destinations (shares)", sim_dest, env_dest)
                break


def _received(sim: dict, envoy: dict, sent: dict, received: dict, differ: Differ) -> None:
    """What the upstream received: the simulator's rewrite, else the request's own; the timeout."""
    sim_uri = (sim.get("rewrite") or {}).get("uri") or sent.get("path")
    if sim_uri != received["path"]:
        differ("path received upstream", sim_uri, received["path"])
    sim_auth = (sim.get("rewrite") or {}).get("authority") or sent.get("authority")
    if sim_auth != received["authority"]:
        differ("authority received upstream", sim_auth, received["authority"])
    want_timeout = seconds(sim.get("timeout")) if sim.get("timeout") else None
    got_timeout = seconds(envoy.get("timeout")) if envoy.get("timeout") else None
    if want_timeout != got_timeout and not (want_timeout and got_timeout and abs(want_timeout - got_timeout) < 0.0015):
        differ("timeout", want_timeout, got_timeout)


def _retries(sim: dict, envoy: dict, differ: Differ) -> None:
    if envoy.get("retries") is not None:
        got = envoy["retries"]["attempts"]
        if expected_attempts(sim.get("retries")) != got:
            differ("retries.attempts", sim.get("retries"), got)
        for key in ("per_try_timeout", "retry_on"):
            if envoy["retries"].get(key) is not None and (sim.get("retries") or {}).get(key) != envoy["retries"][key]:
                differ(f"retries.{key}", (sim.get("retries") or {}).get(key), envoy["retries"][key])
    elif expected_attempts(sim.get("retries")):
        differ("retries", sim.get("retries"), None)


def _policy(sim_policy: dict, env_policy: dict, differ: Differ) -> None:
    if not (sim_policy and env_policy):
        return
    # MUTUAL needs the user's client certificate, which the run does not have: skipped.
    want_tls = (sim_policy.get("tls") or {}).get("mode")
    if want_tls in ("ISTIO_MUTUAL", "SIMPLE", "DISABLE") and want_tls != env_policy["tls"]["mode"]:
        differ("policy.tls", want_tls, env_policy["tls"]["mode"])
    want_lb = (sim_policy.get("load_balancer") or {}).get("simple")
    want_lb = "LEAST_REQUEST" if want_lb == "LEAST_CONN" else want_lb
    if want_lb and want_lb != env_policy["load_balancer"]["simple"]:
        differ("policy.load_balancer", want_lb, env_policy["load_balancer"]["simple"])


def _headers(sim: dict, envoy: dict, sent: dict, differ: Differ) -> None:
    expected = _served_headers(sim, envoy.get("envoy", {}).get("upstream_cluster"))
    sim_headers, env_headers = _merged(expected), _merged(envoy.get("headers"))
    # A removal shows only for a header the request carried.
    for side in sim_headers.values():
        side["remove"] = [h for h in side["remove"] if h.lower() in sent.get("headers", [])]
    for merged in (sim_headers, env_headers):
        for key in [k for k, v in merged.items() if not v["values"] and not v["remove"]]:
            del merged[key]
    if sim_headers.get("request") != env_headers.get("request"):
        differ("headers.request", sim_headers.get("request"), env_headers.get("request"))
    if envoy.get("envoy", {}).get("response_probed"):
        sim_response, env_response = _exact(expected, "response"), _exact(envoy.get("headers"), "response")
    else:
        sim_response = (sim_headers.get("response") or {}).get("values") or {}
        env_response = (env_headers.get("response") or {}).get("values") or {}
    if sim_response != env_response:
        differ("headers.response", sim_response, env_response)


def _mirrors(sim: dict, envoy: dict, differ: Differ) -> None:
    got_mirrors = envoy.get("mirrors") or []
    if any(m.get("percentage") is None for m in got_mirrors):
        want_clusters = sorted(m["cluster"] for m in sim.get("mirrors") or [])
        if sorted(m["cluster"] for m in got_mirrors) != want_clusters:
            differ("mirrors", sim.get("mirrors"), got_mirrors)
    elif (sorted((m["cluster"], as_loaded(m["percentage"])) for m in sim.get("mirrors") or [])
          != sorted((m["cluster"], m.get("percentage")) for m in got_mirrors)):
        differ("mirrors", sim.get("mirrors"), got_mirrors)


def _fault_part(part: dict | None) -> tuple | None:
    if not part:
        return None
    delay = seconds(part.get("fixed_delay")) if part.get("fixed_delay") else None
    return (part.get("http_status"), str(part.get("grpc_status")) if part.get("grpc_status") is not None else None,
            round(delay, 3) if delay is not None else None, part.get("percentage"))


def disagreement(position: Position, request: str, diffs: list[str]) -> Diagnostic:
    """INB5002 for a check whose two outcomes differ."""
    return report("INB5002", position, request=request, differences="; ".join(diffs))


def _cors(cors: dict | None) -> dict | None:
    if not cors:
        return None
    out = dict(cors)
    out["allow_credentials"] = True if cors.get("allow_credentials") else None  # false sends no header
    max_age = seconds(cors.get("max_age")) if cors.get("max_age") else None
    out["max_age"] = int(max_age) if max_age is not None else None
    return out
