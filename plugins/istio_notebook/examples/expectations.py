"""Expectation clauses: ``→ reviews v2``, ``→ 404``, ``→ fault abort 500 100%``...

Each clause has a parser (words → arguments, ``ValueError`` with a reason on bad input) and a
checker that reads the backend's outcome (routing/outcome.py) and says what actually holds,
written in the same clause syntax — so a difference reads "expected reviews v2, got reviews v1"
and ``--update-examples`` can write the actual line back. One registry (``CLAUSES``, here) lists
every clause; the clauses on where a request goes live in clauses_destination.py, those on a
route's details in clauses_details.py, what they read in observed.py.
"""

from __future__ import annotations

from collections.abc import Mapping

from istio_notebook.examples.clauses_destination import (
    check_action,
    check_authority,
    check_destination,
    check_direct_response,
    check_path,
    check_redirect,
    check_status,
    one_argument,
    parse_destination,
    parse_direct_response,
    parse_redirect,
    parse_status,
    parse_word,
)
from istio_notebook.examples.clauses_details import (
    check_cluster,
    check_fault,
    check_header,
    check_lb,
    check_mirror,
    check_retries,
    check_timeout,
    check_tls,
    parse_fault,
    parse_header,
    parse_mirror,
    parse_retries,
    parse_timeout,
)
from istio_notebook.examples.observed import Clause, Observed, Verdict, route_of

__all__ = ["ARROWS", "CLAUSES", "Observed", "Verdict", "clause", "evaluate", "parse_clause", "strip_arrow"]


ARROWS = ("→", "=>")


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
    route = route_of(obs)
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
    found = route_of(obs).route_ref  # a gatewayapi.RouteRef, or its JSON mapping from the Envoy backend
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
    found = route_of(obs).waypoint
    return found == args["waypoint"], f"waypoint {found or 'none'}"


CLAUSES: tuple[Clause, ...] = (
    Clause("status", "status", "→ 404 / → status 503", "設定が決めるステータスコード", parse_status, check_status),
    Clause("redirect", "redirect", "→ redirect 301 https://example.com/new", "リダイレクト（ステータスと Location）", parse_redirect, check_redirect),
    Clause("direct-response", "direct-response", "→ direct-response 503 本文", "直接応答（ステータスと本文）", parse_direct_response, check_direct_response),
    Clause("passthrough", "passthrough", "→ passthrough", "PassthroughCluster へ（メッシュ外へそのまま）", parse_word, check_action("passthrough")),
    Clause("blackhole", "blackhole", "→ blackhole", "BlackHoleCluster へ（REGISTRY_ONLY で遮断）", parse_word, check_action("blackhole")),
    Clause("no-route", "no-route", "→ no-route", "一致するルートがない（404 NR）", parse_word, check_action("no_route")),
    Clause("path", "path", "→ path /v2/reviews", "上流が受け取るパス（書き換え後）", one_argument, check_path),
    Clause("authority", "authority", "→ authority api.internal", "上流が受け取る authority（Host）", one_argument, check_authority),
    Clause("fault", "fault", "→ fault abort 500 100% / → fault delay 7s 100%", "フォールトインジェクション", parse_fault, check_fault),
    Clause("timeout", "timeout", "→ timeout 10s", "ルートのタイムアウト（なしは none）", parse_timeout, check_timeout),
    Clause("retries", "retries", "→ retries 3 2s on=5xx,connect-failure", "リトライ（回数、試行ごとのタイムアウト、条件）", parse_retries, check_retries),
    Clause("mirror", "mirror", "→ mirror reviews v2 100%", "ミラーリング先と割合", parse_mirror, check_mirror),
    Clause("cluster", "cluster", "→ cluster outbound|9080|v2|reviews.default.svc.cluster.local", "Envoy のクラスター名", one_argument, check_cluster),
    Clause("header", "header", "→ header request x-foo: bar / → header response x-bar: baz", "上流へのリクエストヘッダー / 応答ヘッダー", parse_header, check_header),
    Clause("tls", "tls", "→ tls ISTIO_MUTUAL", "宛先に適用される DestinationRule の TLS モード", one_argument, check_tls),
    Clause("lb", "lb", "→ lb LEAST_REQUEST", "宛先に適用される負荷分散方式", one_argument, check_lb),
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
