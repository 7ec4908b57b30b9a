"""Expectation clauses on where a request goes: ``→ reviews v2``, ``→ 404``, ``→ redirect ...``, ``→ path ...``."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import urlsplit

from istio_notebook.config.percent import format_percent, parse_percent, percent_value
from istio_notebook.examples.observed import (
    Observed,
    Verdict,
    live_destinations,
    route_of,
)
from istio_notebook.examples.values import host_matches, short_host
from istio_notebook.routing.outcome import (
    MirrorTo,
    RouteOutcome,
    Upstream,
)


def action_word(route: RouteOutcome) -> str:
    action = route.action
    if action == "route":
        return describe_destinations(route, [("", "", None)], False) if route.destinations else "route"
    if action == "redirect":
        redirect = route.redirect
        return f"redirect {redirect.status} {redirect.location}" if redirect else "redirect None None"
    if action == "direct_response":
        direct = route.direct_response
        body = direct.body if direct else None
        return f"direct-response {direct.status if direct else None}" + (f" {body}" if body else "")
    return {"no_route": "no-route"}.get(str(action), str(action))


def describe_destinations(route: RouteOutcome, expected: list[tuple[str, str, float | None]], weighted: bool) -> str:
    dests = live_destinations(route)
    if route.action != "route" or not dests:
        return action_word(route) if route.action != "route" else "no destination"
    like = expected[0][0] if expected else ""
    show_port = any(":" in e[0] for e in expected)
    weighted = weighted or len(dests) > 1
    parts = []
    for dest in dests:
        host = short_host(str(dest.host), like.split(":")[0])
        if show_port and dest.port is not None:
            host = f"{host}:{dest.port}"
        words = [host] + ([str(dest.subset)] if dest.subset else [])
        if weighted:
            words.append(format_percent(percent_value(dest.weight, 100.0)))
        parts.append(" ".join(words))
    return " | ".join(parts)


_HOST = re.compile(r"^[A-Za-z0-9*][A-Za-z0-9.*_-]*(:\d+)?$")


def parse_destination(words: list[str], text: str) -> dict:
    parts = [p.split() for p in text.split("|")]
    targets = []
    for part in parts:
        if not part:
            raise ValueError("empty destination between '|'")
        host, rest = part[0], part[1:]
        if not _HOST.match(host):
            raise ValueError(f"{host!r} is not a host[:port]")
        subset, weight = "", None
        for word in rest:
            if word.endswith("%"):
                weight = parse_percent(word)
            elif not subset:
                subset = word
            else:
                raise ValueError(f"unexpected word {word!r} (destination is HOST[:PORT] [SUBSET] [WEIGHT%])")
        targets.append((host, subset, weight))
    if len(targets) > 1 and any(t[2] is None for t in targets):
        raise ValueError("several destinations need a weight each, e.g. reviews v1 75% | reviews v3 25%")
    return {"targets": targets}


def destination_matches(target: tuple[str, str, float | None], dest: Upstream | MirrorTo) -> bool:
    host, subset, weight = target
    name, _, port = host.partition(":")
    if not host_matches(name, dest.host):
        return False
    if port and str(dest.port) != port:
        return False
    if (dest.subset or "") != subset:
        return False
    share = dest.weight if isinstance(dest, Upstream) else dest.percentage
    return weight is None or abs((percent_value(share, 100.0) or 0) - weight) < 0.01


def check_destination(args: dict, obs: Observed) -> Verdict:
    route = route_of(obs)
    targets = args["targets"]
    weighted = any(t[2] is not None for t in targets)
    actual = describe_destinations(route, targets, weighted)
    if route.action != "route":
        return False, actual
    dests = live_destinations(route)
    if len(dests) != len(targets):
        return False, actual
    unmatched = list(dests)
    for target in targets:
        found = next((d for d in unmatched if destination_matches(target, d)), None)
        if found is None:
            return False, actual
        unmatched.remove(found)
    return True, actual


def parse_status(words: list[str], text: str) -> dict:
    code = words[1] if words[0] == "status" and len(words) == 2 else words[0] if len(words) == 1 else ""
    if not code.isdigit():
        raise ValueError("write a status as '404' or 'status 503'")
    return {"status": int(code)}


def check_status(args: dict, obs: Observed) -> Verdict:
    status = route_of(obs).status
    return status == args["status"], f"status {status}" if status is not None else f"no status ({action_word(route_of(obs))})"


def parse_redirect(words: list[str], text: str) -> dict:
    if len(words) != 3 or not words[1].isdigit():
        raise ValueError("write 'redirect STATUS LOCATION', e.g. redirect 301 https://example.com/new")
    return {"status": int(words[1]), "location": words[2]}


def check_redirect(args: dict, obs: Observed) -> Verdict:
    route = route_of(obs)
    redirect = route.redirect
    ok = route.action == "redirect" and redirect is not None and redirect.status == args["status"] and redirect.location == args["location"]
    return ok, action_word(route)


def parse_direct_response(words: list[str], text: str) -> dict:
    if len(words) < 2 or not words[1].isdigit():
        raise ValueError("write 'direct-response STATUS [BODY]'")
    body = text.split(None, 2)[2] if len(words) > 2 else None
    return {"status": int(words[1]), "body": body}


def check_direct_response(args: dict, obs: Observed) -> Verdict:
    route = route_of(obs)
    direct = route.direct_response
    ok = route.action == "direct_response" and direct is not None and direct.status == args["status"]
    if args["body"] is not None:
        ok = ok and ((direct.body if direct else None) or "").strip() == args["body"]
    return ok, action_word(route)


def parse_word(words: list[str], text: str) -> dict:
    if len(words) != 1:
        raise ValueError(f"'{words[0]}' takes no arguments")
    return {}


def check_action(action: str) -> Callable[[dict, Observed], Verdict]:
    def check(args: dict, obs: Observed) -> Verdict:
        return route_of(obs).action == action, action_word(route_of(obs))

    return check


def one_argument(words: list[str], text: str) -> dict:
    if len(words) != 2:
        raise ValueError(f"write '{words[0]} VALUE'")
    return {"value": words[1]}


def check_path(args: dict, obs: Observed) -> Verdict:
    rewrite = route_of(obs).rewrite
    url = urlsplit(obs.request.url)
    actual = (rewrite.uri if rewrite else None) or (url.path or "/") + (f"?{url.query}" if url.query else "")
    if "?" not in args["value"]:
        actual = actual.split("?", 1)[0]
    return actual == args["value"], f"path {actual}"


def check_authority(args: dict, obs: Observed) -> Verdict:
    rewrite = route_of(obs).rewrite
    host_header = next((h.split(":", 1)[1].strip() for h in obs.request.headers if h.lower().startswith("host:")), None)
    actual = (rewrite.authority if rewrite else None) or host_header or urlsplit(obs.request.url).netloc
    return actual.lower() == args["value"].lower(), f"authority {actual}"
