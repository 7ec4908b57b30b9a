"""Expectation clauses: ``→ reviews v2``, ``→ 404``, ``→ fault abort 500 100%``...

Each clause has a parser (words → arguments, ``ValueError`` with a reason on bad input) and a
checker that reads the backend's outcome (routing/outcome.py) and says what actually holds,
written in the same clause syntax — so a difference reads "expected reviews v2, got reviews v1"
and ``--update-examples`` can write the actual line back. One registry lists every clause.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from istio_notebook.config.durations import format_human
from istio_notebook.config.percent import format_percent, parse_percent, percent_value
from istio_notebook.examples.model import Request
from istio_notebook.examples.values import duration_seconds, host_matches, short_host
from istio_notebook.routing.outcome import Abort, Delay, Fault, MirrorTo, RouteOutcome, Upstream

ARROWS = ("→", "=>")


@dataclass(frozen=True)
class Observed:
    """What a check can look at: the routing outcome, the authz decision, the request itself."""

    route: RouteOutcome | None
    authz: dict | None
    request: Request


Verdict = tuple[bool, str]  # (holds, what actually holds in clause syntax)


@dataclass(frozen=True)
class Clause:
    name: str
    keyword: str | None  # first word that selects it; None for the destination fallback
    syntax: str  # for the reference page
    meaning: str  # Japanese, for the reference page
    parse: Callable[[list[str], str], dict]
    check: Callable[[dict, Observed], Verdict]
    needs: str = "route"  # "route" or "authz": which outcome the clause reads


# ---------------------------------------------------------------- helpers


_NOTHING = RouteOutcome(None)


def _route(obs: Observed) -> RouteOutcome:
    return obs.route or _NOTHING


def _live_destinations(route: RouteOutcome) -> list[Upstream]:
    dests = route.destinations
    return [d for d in dests if (percent_value(d.weight, 100.0) or 0) > 0] or list(dests)


def _action_word(route: RouteOutcome) -> str:
    action = route.action
    if action == "route":
        return _describe_destinations(route, [("", "", None)], False) if route.destinations else "route"
    if action == "redirect":
        redirect = route.redirect
        return f"redirect {redirect.status} {redirect.location}" if redirect else "redirect None None"
    if action == "direct_response":
        direct = route.direct_response
        body = direct.body if direct else None
        return f"direct-response {direct.status if direct else None}" + (f" {body}" if body else "")
    return {"no_route": "no-route"}.get(str(action), str(action))


def _describe_destinations(route: RouteOutcome, expected: list[tuple[str, str, float | None]], weighted: bool) -> str:
    dests = _live_destinations(route)
    if route.action != "route" or not dests:
        return _action_word(route) if route.action != "route" else "no destination"
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


def _suffix_words(words: list[str]) -> dict[str, str]:
    """``on=5xx,connect-failure`` style key=value words at the end of a clause."""
    return dict(w.split("=", 1) for w in words if "=" in w)


# ---------------------------------------------------------------- destination

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


def _destination_matches(target: tuple[str, str, float | None], dest: Upstream | MirrorTo) -> bool:
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
    route = _route(obs)
    targets = args["targets"]
    weighted = any(t[2] is not None for t in targets)
    actual = _describe_destinations(route, targets, weighted)
    if route.action != "route":
        return False, actual
    dests = _live_destinations(route)
    if len(dests) != len(targets):
        return False, actual
    unmatched = list(dests)
    for target in targets:
        found = next((d for d in unmatched if _destination_matches(target, d)), None)
        if found is None:
            return False, actual
        unmatched.remove(found)
    return True, actual


# ---------------------------------------------------------------- status and actions


def parse_status(words: list[str], text: str) -> dict:
    code = words[1] if words[0] == "status" and len(words) == 2 else words[0] if len(words) == 1 else ""
    if not code.isdigit():
        raise ValueError("write a status as '404' or 'status 503'")
    return {"status": int(code)}


def check_status(args: dict, obs: Observed) -> Verdict:
    status = _route(obs).status
    return status == args["status"], f"status {status}" if status is not None else f"no status ({_action_word(_route(obs))})"


def parse_redirect(words: list[str], text: str) -> dict:
    if len(words) != 3 or not words[1].isdigit():
        raise ValueError("write 'redirect STATUS LOCATION', e.g. redirect 301 https://example.com/new")
    return {"status": int(words[1]), "location": words[2]}


def check_redirect(args: dict, obs: Observed) -> Verdict:
    route = _route(obs)
    redirect = route.redirect
    ok = route.action == "redirect" and redirect is not None and redirect.status == args["status"] and redirect.location == args["location"]
    return ok, _action_word(route)


def parse_direct_response(words: list[str], text: str) -> dict:
    if len(words) < 2 or not words[1].isdigit():
        raise ValueError("write 'direct-response STATUS [BODY]'")
    body = text.split(None, 2)[2] if len(words) > 2 else None
    return {"status": int(words[1]), "body": body}


def check_direct_response(args: dict, obs: Observed) -> Verdict:
    route = _route(obs)
    direct = route.direct_response
    ok = route.action == "direct_response" and direct is not None and direct.status == args["status"]
    if args["body"] is not None:
        ok = ok and ((direct.body if direct else None) or "").strip() == args["body"]
    return ok, _action_word(route)


def _parse_word(words: list[str], text: str) -> dict:
    if len(words) != 1:
        raise ValueError(f"'{words[0]}' takes no arguments")
    return {}


def _check_action(action: str) -> Callable[[dict, Observed], Verdict]:
    def check(args: dict, obs: Observed) -> Verdict:
        return _route(obs).action == action, _action_word(_route(obs))

    return check


# ---------------------------------------------------------------- rewrites


def _one_argument(words: list[str], text: str) -> dict:
    if len(words) != 2:
        raise ValueError(f"write '{words[0]} VALUE'")
    return {"value": words[1]}


def check_path(args: dict, obs: Observed) -> Verdict:
    rewrite = _route(obs).rewrite
    url = urlsplit(obs.request.url)
    actual = (rewrite.uri if rewrite else None) or (url.path or "/") + (f"?{url.query}" if url.query else "")
    if "?" not in args["value"]:
        actual = actual.split("?", 1)[0]
    return actual == args["value"], f"path {actual}"


def check_authority(args: dict, obs: Observed) -> Verdict:
    rewrite = _route(obs).rewrite
    host_header = next((h.split(":", 1)[1].strip() for h in obs.request.headers if h.lower().startswith("host:")), None)
    actual = (rewrite.authority if rewrite else None) or host_header or urlsplit(obs.request.url).netloc
    return actual.lower() == args["value"].lower(), f"authority {actual}"


# ---------------------------------------------------------------- fault, timeout, retries, mirror


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
    part = _fault_part(_route(obs).fault, args["type"])
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
    actual = duration_seconds(_route(obs).timeout) or None
    return actual == args["seconds"], f"timeout {format_human(actual)}"


def parse_retries(words: list[str], text: str) -> dict:
    plain = [w for w in words[1:] if "=" not in w]
    extra = _suffix_words(words[1:])
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
    retries = _route(obs).retries
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
    mirrors = _route(obs).mirrors
    host, subset, weight = args["target"]
    target = (host, subset, weight if weight is not None else None)
    ok = any(_destination_matches(target, m) for m in mirrors)
    if not mirrors:
        return ok, "no mirror"
    described = []
    for m in mirrors:
        words = [short_host(str(m.host), host.split(":")[0])] + ([m.subset] if m.subset else [])
        described.append("mirror " + " ".join(words + [format_percent(percent_value(m.percentage, 100.0))]))
    return ok, " | ".join(described)


def check_cluster(args: dict, obs: Observed) -> Verdict:
    clusters = [d.cluster for d in _live_destinations(_route(obs))]
    return args["value"] in clusters, "cluster " + (" | ".join(str(c) for c in clusters) if clusters else "none")


# ---------------------------------------------------------------- headers and policy


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
    values = _header_values(_route(obs), args["side"])
    name = args["name"]
    if name not in values:
        return False, f"no header {args['side']} {name}"
    ok = args["value"] is None or values[name] == args["value"]
    return ok, f"header {args['side']} {name}: {values[name]}"


def check_tls(args: dict, obs: Observed) -> Verdict:
    policy = _route(obs).policy
    mode = policy.tls.mode if policy is not None else None
    return (mode or "").upper() == args["value"].upper(), f"tls {mode or 'none'}"


def check_lb(args: dict, obs: Observed) -> Verdict:
    policy = _route(obs).policy
    simple = policy.load_balancer_simple if policy is not None else None
    return (simple or "").upper() == args["value"].upper(), f"lb {simple or 'default'}"


# ---------------------------------------------------------------- authz and matched rule


def parse_authz(words: list[str], text: str) -> dict:
    if len(words) == 1:
        return {"decision": words[0], "policy": None}
    if len(words) == 3 and words[1] == "by" and "/" in words[2]:
        return {"decision": words[0], "policy": words[2]}
    raise ValueError("write 'ALLOW', 'DENY' or 'DENY by NAMESPACE/POLICY'")


def check_authz(args: dict, obs: Observed) -> Verdict:
    authz = obs.authz or {}
    decision, policy = authz.get("decision"), authz.get("policy")
    ok = decision == args["decision"] and (args["policy"] is None or policy == args["policy"])
    return ok, f"{decision} by {policy}" if policy else str(decision)


def parse_virtual_service(words: list[str], text: str) -> dict:
    if len(words) == 2 and "/" in words[1]:
        return {"name": words[1], "rule": None}
    if len(words) == 4 and "/" in words[1] and words[2] == "rule" and words[3].isdigit():
        return {"name": words[1], "rule": int(words[3])}
    raise ValueError("write 'virtual-service NAMESPACE/NAME [rule N]'")


def check_virtual_service(args: dict, obs: Observed) -> Verdict:
    route = _route(obs)
    name, index = route.virtual_service, route.route_index
    actual = f"virtual-service {name} rule {index}" if name else "no virtual service"
    ok = name == args["name"] and (args["rule"] is None or index == args["rule"])
    return ok, actual


def parse_route_ref(words: list[str], text: str) -> dict:
    if len(words) in (3, 5) and "/" in words[2] and (len(words) == 3 or (words[3] == "rule" and words[4].isdigit())):
        return {"kind": words[1], "name": words[2], "rule": int(words[4]) if len(words) == 5 else None}
    raise ValueError("write 'route KIND NAMESPACE/NAME [rule N]' (KIND: HTTPRoute or GRPCRoute)")


def check_route_ref(args: dict, obs: Observed) -> Verdict:
    """The Gateway API rule a request matched (the outcome's route_ref), as the reader wrote it."""
    found = _route(obs).route_ref  # a gatewayapi.RouteRef, or its JSON mapping from the Envoy backend
    ref = dict(found) if isinstance(found, Mapping) else found.to_json() if found is not None else {}
    if not ref:
        return False, "no Gateway API route"
    name, index = f"{ref.get('namespace')}/{ref.get('name')}", ref.get("rule_index")
    ok = (ref.get("kind"), name) == (args["kind"], args["name"]) and args["rule"] in (None, index)
    return ok, f"route {ref.get('kind')} {name} rule {index}"


def parse_waypoint(words: list[str], text: str) -> dict:
    if len(words) == 2 and ("/" in words[1] or words[1] == "none"):
        return {"waypoint": None if words[1] == "none" else words[1]}
    raise ValueError("write 'waypoint NAMESPACE/NAME' or 'waypoint none'")


def check_waypoint(args: dict, obs: Observed) -> Verdict:
    """The waypoint an ambient client's request went through (routing/ambient.py), or none."""
    found = _route(obs).waypoint
    return found == args["waypoint"], f"waypoint {found or 'none'}"


# ---------------------------------------------------------------- registry

CLAUSES: tuple[Clause, ...] = (
    Clause("status", "status", "→ 404 / → status 503", "設定が決めるステータスコード", parse_status, check_status),
    Clause("redirect", "redirect", "→ redirect 301 https://example.com/new", "リダイレクト（ステータスと Location）", parse_redirect, check_redirect),
    Clause("direct-response", "direct-response", "→ direct-response 503 本文", "直接応答（ステータスと本文）", parse_direct_response, check_direct_response),
    Clause("passthrough", "passthrough", "→ passthrough", "PassthroughCluster へ（メッシュ外へそのまま）", _parse_word, _check_action("passthrough")),
    Clause("blackhole", "blackhole", "→ blackhole", "BlackHoleCluster へ（REGISTRY_ONLY で遮断）", _parse_word, _check_action("blackhole")),
    Clause("no-route", "no-route", "→ no-route", "一致するルートがない（404 NR）", _parse_word, _check_action("no_route")),
    Clause("path", "path", "→ path /v2/reviews", "上流が受け取るパス（書き換え後）", _one_argument, check_path),
    Clause("authority", "authority", "→ authority api.internal", "上流が受け取る authority（Host）", _one_argument, check_authority),
    Clause("fault", "fault", "→ fault abort 500 100% / → fault delay 7s 100%", "フォールトインジェクション", parse_fault, check_fault),
    Clause("timeout", "timeout", "→ timeout 10s", "ルートのタイムアウト（なしは none）", parse_timeout, check_timeout),
    Clause("retries", "retries", "→ retries 3 2s on=5xx,connect-failure", "リトライ（回数、試行ごとのタイムアウト、条件）", parse_retries, check_retries),
    Clause("mirror", "mirror", "→ mirror reviews v2 100%", "ミラーリング先と割合", parse_mirror, check_mirror),
    Clause("cluster", "cluster", "→ cluster outbound|9080|v2|reviews.default.svc.cluster.local", "Envoy のクラスター名", _one_argument, check_cluster),
    Clause("header", "header", "→ header request x-foo: bar / → header response x-bar: baz", "上流へのリクエストヘッダー / 応答ヘッダー", parse_header, check_header),
    Clause("tls", "tls", "→ tls ISTIO_MUTUAL", "宛先に適用される DestinationRule の TLS モード", _one_argument, check_tls),
    Clause("lb", "lb", "→ lb LEAST_REQUEST", "宛先に適用される負荷分散方式", _one_argument, check_lb),
    Clause("authz", "ALLOW", "→ ALLOW", "認可で許可される", parse_authz, check_authz, needs="authz"),
    Clause("authz", "DENY", "→ DENY / → DENY by foo/deny-policy", "認可で拒否される（判定したポリシー）", parse_authz, check_authz, needs="authz"),
    Clause("virtual-service", "virtual-service", "→ virtual-service default/reviews rule 1", "一致した VirtualService とルール番号（0 始まり）", parse_virtual_service, check_virtual_service),
    Clause("route", "route", "→ route HTTPRoute default/reviews rule 1", "一致した Gateway API のルート（HTTPRoute / GRPCRoute）とルール番号（0 始まり）", parse_route_ref, check_route_ref),
    Clause("waypoint", "waypoint", "→ waypoint shop/waypoint / → waypoint none", "アンビエントのクライアントのリクエストが通った waypoint（なければ none）", parse_waypoint, check_waypoint),
    Clause("destination", None, "→ reviews v2 / → reviews v1 75% | reviews v3 25%", "宛先（ホスト[:ポート] [subset] [重み]）", parse_destination, check_destination),
)

_BY_KEYWORD = {c.keyword: c for c in CLAUSES if c.keyword}
_BY_NAME = {c.name: c for c in CLAUSES}


def strip_arrow(line: str) -> str | None:
    """The clause text of an expectation line, or None when the line is not one."""
    stripped = line.strip()
    for arrow in ARROWS:
        if stripped.startswith(arrow):
            return stripped[len(arrow):].strip()
    return None


def parse_clause(text: str) -> tuple[str, dict]:
    """Clause text → (clause name, arguments). ``ValueError`` says what is wrong."""
    words = text.split()
    if not words:
        raise ValueError("empty expectation")
    if words[0].isdigit():
        clause = _BY_KEYWORD["status"]
    else:
        clause = _BY_KEYWORD.get(words[0], _BY_NAME["destination"])
    return clause.name, clause.parse(words, text)


def clause(name: str) -> Clause:
    return _BY_NAME[name]


def evaluate(name: str, args: dict, observed: Observed) -> Verdict:
    return _BY_NAME[name].check(args, observed)
