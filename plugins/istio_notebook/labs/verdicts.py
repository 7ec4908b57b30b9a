"""Judging a check's expectations from what really happened on the cluster.

The simulator answers with a routing outcome; on kind we only see what a client sees: status,
timing, redirect target, response headers, and — thanks to the echo server — which service
and version answered and the path and headers it received. Each clause is judged from those;
clauses no request can observe (Envoy cluster names, load-balancer policy...) are "skipped"
with a note, never silently passed.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from istio_notebook.config import Mesh
from istio_notebook.config.durations import format_human
from istio_notebook.config.labels import label_map
from istio_notebook.config.mesh import ROOT_NAMESPACE
from istio_notebook.examples.model import Expectation
from istio_notebook.labs.connections import judge_connection
from istio_notebook.labs.curl import Transfer

PASS, FAIL, SKIP = "passed", "failed", "skipped"
WEIGHT_SAMPLES = 40  # requests sent for a weighted expectation
WEIGHT_TOLERANCE = 20.0  # percentage points; 40 samples of a 50/50 split have a standard deviation of ~8
DELAY_TOLERANCE = 0.9  # a delay fault of D seconds must show at least 0.9 × D
TIMEOUT_SLACK = 2.0  # the upstream is told to wait this much longer than the route timeout
UNOBSERVABLE = {"cluster", "tls", "lb", "virtual-service"}


@dataclass
class Observation:
    transfers: list[Transfer]
    upstream_hits: dict[str, int] = field(default_factory=dict)  # "host subset" → requests seen in logs with the probe id


def short_name(host: str) -> str:
    return host.split(":")[0].split(".")[0]


def subset_version(mesh: Mesh, host: str, subset: str) -> str | None:
    """The ``version`` label a DestinationRule subset selects (our echo pods report their version label)."""
    name = short_name(host)
    for rule in mesh.of_kind("DestinationRule"):
        if short_name(str(rule.get("spec", "host", default=""))) != name:
            continue
        for item in rule.get("spec", "subsets", default=[]) or []:
            if isinstance(item, dict) and item.get("name") == subset:
                return (item.get("labels") or {}).get("version")
    return None


def _served(transfer: Transfer) -> str:
    if transfer.echo is None:
        return f"status {transfer.status}" + (f" ({transfer.error})" if transfer.error else "")
    return f"{transfer.echo.service} {transfer.echo.version}".strip()


def repeat_for(expectations: list[Expectation]) -> int:
    weighted = any(e.clause == "destination" and len(e.args["targets"]) > 1 for e in expectations)
    return WEIGHT_SAMPLES if weighted else 1


def extra_headers(expectations: list[Expectation]) -> tuple[str, ...]:
    """Headers that make the echo server misbehave on purpose, so timeouts and retries show."""
    headers: list[str] = []
    for e in expectations:
        if e.clause == "timeout" and e.args["seconds"]:
            headers.append(f"x-set-response-delay-ms: {int((e.args['seconds'] + TIMEOUT_SLACK) * 1000)}")
        if e.clause == "retries" and _retries_observable(e):
            headers.append("x-set-response-status-code: 503")
    return tuple(headers)


def _retries_observable(e: Expectation) -> bool:
    # A 503 from the upstream is retried only when retry_on names it (5xx, gateway-error).
    return bool(e.args["on"]) and bool({"5xx", "gateway-error"} & set(e.args["on"]))


def judge(e: Expectation, obs: Observation, mesh: Mesh) -> tuple[str, str]:
    """(PASS | FAIL | SKIP, what actually happened, in clause words)."""
    transfers = obs.transfers
    if not transfers:
        return FAIL, "no response"
    first = transfers[0]
    clause, args = e.clause, e.args
    if clause in UNOBSERVABLE:
        return SKIP, f"'{clause}' is not observable from a client on kind (the sim and envoy backends check it)"
    if clause == "destination":
        return _judge_destination(args["targets"], transfers, mesh)
    if clause == "status":
        return (PASS if first.status == args["status"] else FAIL), f"status {first.status}"
    if first.connection and clause in ("no-route", "blackhole", "passthrough"):
        ok, said = judge_connection(clause, first)
        return (PASS if ok else FAIL), clause if ok else said
    if clause == "no-route":
        ok = first.status == 404 and first.echo is None
        return (PASS if ok else FAIL), "no-route" if ok else _served(first)
    if clause == "blackhole":
        ok = first.status == 502 or (first.status == 0 and first.exit_code != 0)
        return (PASS if ok else FAIL), "blackhole" if ok else _served(first)
    if clause == "passthrough":
        ok = first.status not in (0, 502) and first.echo is None
        return (PASS if ok else FAIL), f"status {first.status} from outside the mesh" if ok else _served(first)
    if clause == "redirect":
        ok = first.status == args["status"] and first.redirect_url == args["location"]
        return (PASS if ok else FAIL), f"redirect {first.status} {first.redirect_url}"
    if clause == "direct-response":
        ok = first.status == args["status"] and (args["body"] is None or first.body.strip() == args["body"])
        return (PASS if ok else FAIL), f"direct-response {first.status} {first.body.strip()[:60]}"
    if clause == "path":
        if first.echo is None:
            return FAIL, _served(first)
        actual = first.echo.path if "?" in args["value"] else first.echo.path.split("?", 1)[0]
        return (PASS if actual == args["value"] else FAIL), f"path {actual}"
    if clause == "authority":
        if first.echo is None:
            return FAIL, _served(first)
        actual = first.echo.headers.get("host", "")
        return (PASS if actual.lower() == args["value"].lower() else FAIL), f"authority {actual}"
    if clause == "header":
        return _judge_header(args, first)
    if clause == "fault":
        return _judge_fault(args, first)
    if clause == "timeout":
        return _judge_timeout(args, first)
    if clause == "retries":
        return _judge_retries(e, obs)
    if clause == "mirror":
        return _judge_mirror(args, obs)
    if clause == "authz":
        return _judge_authz(args, first)
    return SKIP, f"'{clause}' has no kind judge"


def echo_served(mesh: Mesh, host: str) -> bool:
    """Whether our echo pods answer for ``host``: a Kubernetes Service outside istio-system that selects a Deployment."""
    name = short_name(host)
    for service in mesh.of_kind("Service"):
        selector = label_map(service.get("spec", "selector"))
        if service.name == name and service.namespace != ROOT_NAMESPACE and selector:
            if any(w.kind == "Deployment" for w in mesh.workloads.select(selector)):
                return True
    return False


def _judge_destination(targets, transfers: list[Transfer], mesh: Mesh) -> tuple[str, str]:
    if not all(echo_served(mesh, host) for host, _, _ in targets):
        # A gateway or a host outside the mesh answers itself: all a client can tell is that it was reached.
        first = transfers[0]
        reached = first.status != 0 and first.status < 500 and first.status != 404
        return (PASS if reached else FAIL), f"reached a server outside the echo workloads (status {first.status})" if reached else _served(first)
    seen = Counter(_served(t) for t in transfers)
    actual = " | ".join(f"{name} {round(100 * n / len(transfers))}%" if len(transfers) > 1 else name for name, n in seen.most_common())
    wanted: dict[str, float] = {}
    for host, subset, weight in targets:
        version = subset_version(mesh, host, subset) if subset else None
        if subset and version is None:
            return SKIP, f"subset {subset} of {host} selects no version label; cannot tell it apart on kind"
        key = f"{short_name(host)} {version}" if subset else short_name(host)
        wanted[key] = 100.0 if weight is None else weight
    if len(targets) == 1:
        key = next(iter(wanted))
        first = transfers[0]
        if first.echo is None:
            return FAIL, actual
        got = f"{first.echo.service} {first.echo.version}" if " " in key else first.echo.service
        return (PASS if got == key else FAIL), actual
    total = len(transfers)
    for key, share in wanted.items():
        observed = 100.0 * seen.get(key, 0) / total
        if abs(observed - share) > WEIGHT_TOLERANCE:
            return FAIL, actual
    unexpected = set(seen) - set(wanted)
    return (FAIL if unexpected else PASS), actual


def _judge_header(args: dict, first: Transfer) -> tuple[str, str]:
    name, value = args["name"], args["value"]
    if args["side"] == "request":
        if first.echo is None:
            return FAIL, _served(first)
        actual = first.echo.headers.get(name)
    else:
        actual = first.response_headers.get(name)
    ok = actual is not None if value is None else actual == value
    return (PASS if ok else FAIL), f"header {args['side']} {name}: {actual if actual is not None else '(absent)'}"


def _judge_fault(args: dict, first: Transfer) -> tuple[str, str]:
    if args["percent"] < 100:
        return SKIP, f"a {args['percent']:g}% fault is statistical; the kind backend checks 100% faults only"
    if args["type"] == "abort":
        return (PASS if first.status == args["status"] else FAIL), f"status {first.status}"
    ok = first.seconds >= args["seconds"] * DELAY_TOLERANCE
    return (PASS if ok else FAIL), f"answered after {first.seconds:.2f}s"


def _judge_timeout(args: dict, first: Transfer) -> tuple[str, str]:
    if args["seconds"] is None:
        return SKIP, "'timeout none' cannot be told apart from a slow upstream"
    ok = first.status == 504 and first.seconds < args["seconds"] + TIMEOUT_SLACK / 2
    return (PASS if ok else FAIL), f"status {first.status} after {first.seconds:.2f}s (route timeout {format_human(args['seconds'])} expected)"


def _judge_retries(e: Expectation, obs: Observation) -> tuple[str, str]:
    if not _retries_observable(e):
        return SKIP, "retries are observable on kind only with on=5xx or on=gateway-error (the upstream answers 503)"
    attempts = sum(obs.upstream_hits.values())
    wanted = e.args["attempts"] + 1
    return (PASS if attempts == wanted else FAIL), f"upstream saw {attempts} attempts (1 + {e.args['attempts']} retries expected)"


def _judge_mirror(args: dict, obs: Observation) -> tuple[str, str]:
    host, subset, weight = args["target"]
    if weight is not None and weight < 100:
        return SKIP, "a partial mirror is statistical; the kind backend checks 100% mirrors only"
    key = f"{host} {subset}".strip()
    hits = obs.upstream_hits.get(key, 0)
    return (PASS if hits > 0 else FAIL), f"mirror target {key} saw {hits} copies"


def _judge_authz(args: dict, first: Transfer) -> tuple[str, str]:
    denied = (first.status == 403 and "RBAC: access denied" in first.body) or (first.status == 0 and first.exit_code in (7, 35, 52, 56))
    actual = "DENY" if denied else ("ALLOW" if first.status else f"no response ({first.error})")
    ok = (args["decision"] == "DENY") == denied and (denied or first.status != 0)
    note = " (the deciding policy is not observable on kind)" if args.get("policy") else ""
    return (PASS if ok else FAIL), actual + note
