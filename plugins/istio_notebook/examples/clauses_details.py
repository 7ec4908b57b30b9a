"""Expectation clauses on a route's details: fault, timeout, retries, mirror, cluster, headers, TLS and load balancer."""

from __future__ import annotations

from istio_notebook.config.durations import format_human
from istio_notebook.config.percent import format_percent, parse_percent, percent_value
from istio_notebook.examples.clauses_destination import (
    destination_matches,
    parse_destination,
)
from istio_notebook.examples.observed import (
    Observed,
    Verdict,
    live_destinations,
    route_of,
    suffix_words,
)
from istio_notebook.examples.values import duration_seconds, short_host
from istio_notebook.routing.outcome import (
    Abort,
    Delay,
    Fault,
    RouteOutcome,
)


def parse_fault(words: list[str], text: str) -> dict:
    if len(words) not in (3, 4) or words[1] not in ("abort", "delay"):
        raise ValueError("write 'fault abort STATUS [P%]' or 'fault delay DURATION [P%]'")
    share = parse_percent(words[3]) if len(words) == 4 else 100.0
    if words[1] == "abort":
        if not words[2].isdigit():
            raise ValueError(f"{words[2]!r} is not a status code")
        return {"type": "abort", "status": int(words[2]), "percent": share}
    return {"type": "delay", "seconds": duration_seconds(words[2]), "percent": share}


def _fault_part(fault: Fault | None, kind: str) -> Abort | Delay | None:
    if fault is None:
        return None
    return fault.abort if kind == "abort" else fault.delay


def _describe_fault(part: Abort | Delay | None, kind: str) -> str:
    if part is None:
        return f"no {kind} fault"
    share = format_percent(percent_value(part.percentage, 100.0))
    if isinstance(part, Abort):
        return f"fault abort {part.status} {share}"
    return f"fault delay {format_human(duration_seconds(part.fixed_delay))} {share}"


def check_fault(args: dict, obs: Observed) -> Verdict:
    part = _fault_part(route_of(obs).fault, args["type"])
    actual = _describe_fault(part, args["type"])
    if part is None:
        return False, actual
    if abs((percent_value(part.percentage, 100.0) or 0) - args["percent"]) > 0.001:
        return False, actual
    if isinstance(part, Abort):
        return part.status == args["status"], actual
    return duration_seconds(part.fixed_delay) == args["seconds"], actual


def parse_timeout(words: list[str], text: str) -> dict:
    if len(words) != 2:
        raise ValueError("write 'timeout DURATION' (or 'timeout none')")
    return {"seconds": None if words[1] in ("none", "0s", "0") else duration_seconds(words[1])}


def check_timeout(args: dict, obs: Observed) -> Verdict:
    actual = duration_seconds(route_of(obs).timeout) or None
    return actual == args["seconds"], f"timeout {format_human(actual)}"


def parse_retries(words: list[str], text: str) -> dict:
    plain = [w for w in words[1:] if "=" not in w]
    extra = suffix_words(words[1:])
    if not plain or not plain[0].isdigit() or len(plain) > 2 or set(extra) - {"on"}:
        raise ValueError("write 'retries ATTEMPTS [PER_TRY_TIMEOUT] [on=5xx,connect-failure]'")
    return {
        "attempts": int(plain[0]),
        "per_try": duration_seconds(plain[1]) if len(plain) == 2 else None,
        "on": sorted(extra["on"].split(",")) if "on" in extra else None,
    }


def _retry_on(value: str | None) -> list[str]:
    return sorted(i.strip() for i in (value or "").split(",") if i.strip())


def check_retries(args: dict, obs: Observed) -> Verdict:
    retries = route_of(obs).retries
    attempts = retries.attempts if retries else 0
    per_try = duration_seconds(retries.per_try_timeout if retries else None) or None
    on = _retry_on(retries.retry_on if retries else None)
    words = ["retries", str(attempts)]
    if args["per_try"] is not None or per_try:
        words.append(format_human(per_try))
    if args["on"] is not None:
        words.append("on=" + ",".join(on))
    ok = attempts == args["attempts"]
    if args["per_try"] is not None:
        ok = ok and per_try == args["per_try"]
    if args["on"] is not None:
        ok = ok and on == args["on"]
    return ok, " ".join(words)


def parse_mirror(words: list[str], text: str) -> dict:
    if len(words) < 2:
        raise ValueError("write 'mirror HOST [SUBSET] [P%]'")
    target = parse_destination(words[1:], text.split(None, 1)[1])["targets"]
    if len(target) != 1:
        raise ValueError("one mirror per line")
    return {"target": target[0]}


def check_mirror(args: dict, obs: Observed) -> Verdict:
    mirrors = route_of(obs).mirrors
    host, subset, weight = args["target"]
    target = (host, subset, weight if weight is not None else None)
    ok = any(destination_matches(target, m) for m in mirrors)
    if not mirrors:
        return ok, "no mirror"
    described = []
    for m in mirrors:
        words = [short_host(str(m.host), host.split(":")[0])] + ([m.subset] if m.subset else [])
        described.append("mirror " + " ".join(words + [format_percent(percent_value(m.percentage, 100.0))]))
    return ok, " | ".join(described)


def check_cluster(args: dict, obs: Observed) -> Verdict:
    clusters = [d.cluster for d in live_destinations(route_of(obs))]
    return args["value"] in clusters, "cluster " + (" | ".join(str(c) for c in clusters) if clusters else "none")


def parse_header(words: list[str], text: str) -> dict:
    if len(words) < 3 or words[1] not in ("request", "response"):
        raise ValueError("write 'header request NAME: VALUE' or 'header response NAME: VALUE'")
    rest = text.split(None, 2)[2]
    name, sep, value = rest.partition(":")
    return {"side": words[1], "name": name.strip().lower(), "value": value.strip() if sep else None}


def _header_values(route: RouteOutcome, side: str) -> dict[str, str]:
    """Headers set or added for one side (the outcome already merges a single destination's)."""
    ops = getattr(route.headers, side) if route.headers is not None else None
    if ops is None:
        return {}
    return {str(k).lower(): str(v) for k, v in ops.set + ops.add}


def check_header(args: dict, obs: Observed) -> Verdict:
    values = _header_values(route_of(obs), args["side"])
    name = args["name"]
    if name not in values:
        return False, f"no header {args['side']} {name}"
    ok = args["value"] is None or values[name] == args["value"]
    return ok, f"header {args['side']} {name}: {values[name]}"


def check_tls(args: dict, obs: Observed) -> Verdict:
    policy = route_of(obs).policy
    mode = policy.tls.mode if policy is not None else None
    return (mode or "").upper() == args["value"].upper(), f"tls {mode or 'none'}"


def check_lb(args: dict, obs: Observed) -> Verdict:
    policy = route_of(obs).policy
    simple = policy.load_balancer_simple if policy is not None else None
    return (simple or "").upper() == args["value"].upper(), f"lb {simple or 'default'}"
