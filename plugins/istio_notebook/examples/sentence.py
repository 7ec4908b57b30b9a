"""A check's outcome as one Japanese sentence: 「end-user: jason なら reviews v2 へ（rule 0）」.

The only place that words outcomes for readers: the check table and its cards on a phone show
this sentence above the clause-syntax result (markdown/render.py). Built from the typed answers,
never from their text: the routing outcome (routing/outcome.py: destinations with subset, port
and share, redirect, direct response, fault, rejected, no_route, passthrough, blackhole, TCP and
TLS connections), the authorization decision (ALLOW / DENY and the deciding policy), and the
request's distinguishing inputs (routing/inputs.py: what the deciding route's match looks at).
Words follow docs/contributing/style.md (一致する, catch-all; a space between Japanese and Latin).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from istio_notebook.config.percent import format_percent, percent_value
from istio_notebook.routing.inputs import RequestInput
from istio_notebook.routing.outcome import Fault, RouteOutcome, Upstream

CLUSTER_SUFFIX = ".svc.cluster.local"
INPUT_WORDS = {"path": "パス", "method": "メソッド", "authority": "Host", "scheme": "スキーム", "port": "ポート",
               "principal": "送信元 principal", "namespace": "送信元の名前空間", "ip": "送信元 IP", "gateway": "ゲートウェイ"}


def check_sentence(route: RouteOutcome | None, authz: Mapping[str, Any] | None, inputs: Sequence[RequestInput] | None = None,
                   client_namespace: str = "default", scheme: str = "http", sni: str | None = None,
                   authz_inputs: Sequence[RequestInput] = ()) -> str:
    """The routing sentence, then the authorization one (a check may ask both); "" when neither answered."""
    parts = []
    if route is not None:
        parts.append(route_sentence(route, inputs, client_namespace, scheme, sni))
    if authz is not None:
        parts.append(authz_sentence(authz, authz_inputs))
    return "。".join(p for p in parts if p)


def route_sentence(route: RouteOutcome, inputs: Sequence[RequestInput] | None = None, client_namespace: str = "default",
                   scheme: str = "http", sni: str | None = None) -> str:
    """``inputs``: what the deciding route looked at; None when the engine cannot say (the Envoy replay)."""
    action = route.action
    if action is None:
        return ""
    if action == "rejected":
        return f"ルーティングの前に Envoy が {route.status} で拒否"
    if action == "no_route":
        status = f" {route.status}" if route.status is not None else ""
        return f"一致するルートがなく{status}（no_route）"
    if action == "passthrough":
        return "メッシュの外へそのまま転送（PassthroughCluster）"
    if action == "blackhole":
        status = f"、{route.status}" if route.status is not None else ""
        return f"BlackHoleCluster で破棄{status}"
    lead = _lead(route, inputs, scheme, sni)
    via = f"waypoint {route.waypoint} を通り、" if route.waypoint else ""
    mirrored = "、".join(short_name(m.host, client_namespace) + (f" {m.subset}" if m.subset else "")
                         + (f" に {format_percent(m.percentage)}" if m.percentage is not None and m.percentage < 100 else "")
                         for m in route.mirrors)
    copies = f"。{mirrored} を複製" if mirrored else ""
    return f"{via}{lead}{_action(route, client_namespace)}{_where(route, scheme)}{copies}"


def _lead(route: RouteOutcome, inputs: Sequence[RequestInput] | None, scheme: str, sni: str | None) -> str:
    """Why this route: the request's values the match looked at, else what kind of route it was."""
    if scheme == "tls":
        return f"SNI {sni} の TLS 接続は " if sni else "TLS 接続は "
    if scheme == "tcp":
        return "TCP 接続は "
    if inputs:
        return _conditions(inputs)
    if route.virtual_service is None:
        return "VirtualService がなく既定のルートで " if route.action == "route" else ""
    return "catch-all のルールで " if inputs is not None else ""


def _conditions(inputs: Sequence[RequestInput]) -> str:
    """「end-user: jason、パス /api なら 」; "" without inputs."""
    said = "、".join(_input_words(i) for i in inputs)
    return "" if not said else said + ("なら " if said.endswith("ない") else " なら ")


def _input_words(item: RequestInput) -> str:
    if item.kind == "header":
        return f"{item.name}: {item.value}" if item.value is not None else f"{item.name} ヘッダーがない"
    if item.kind == "label":
        return f"送信元ラベル {item.name}={item.value}" if item.value is not None else f"送信元ラベル {item.name} がない"
    if item.kind == "query":
        return f"クエリー {item.name}={item.value}" if item.value is not None else f"クエリー {item.name} がない"
    return f"{INPUT_WORDS.get(item.kind, item.kind)} {item.value}"


def _where(route: RouteOutcome, scheme: str) -> str:
    ref = route.route_ref
    data = ref if isinstance(ref, Mapping) or ref is None else ref.to_json()
    if data and data.get("rule_index") is not None:  # a Gateway API rule: named as the reader wrote it
        return f"（{data.get('kind')} {data.get('name')} rule {data['rule_index']}）"
    if route.route_index is None:
        return ""
    section = f"{scheme} " if scheme in ("tcp", "tls") else ""
    return f"（{section}rule {route.route_index}）"


def _action(route: RouteOutcome, client_namespace: str) -> str:
    if route.action == "redirect" and route.redirect is not None:
        return f"{route.redirect.status} で {route.redirect.location} へリダイレクト"
    if route.action == "direct_response" and route.direct_response is not None:
        return f"Envoy が {route.direct_response.status} を返す"
    words = destinations_words(route.destinations, client_namespace)
    rewrite = f"パスを {route.rewrite.uri} に書き換えて " if route.rewrite is not None and route.rewrite.uri else ""
    onward = f"{_delay(route.fault)}{rewrite}{words} へ" if words else f"{_delay(route.fault)}宛先なし"
    abort = route.fault.abort if route.fault is not None else None
    if abort is not None and abort.status is not None:
        if abort.percentage is not None and abort.percentage < 100 and words:  # the others go on
            return f"{format_percent(abort.percentage)} は故障注入で {abort.status}、残りは {onward}"
        return f"故障注入で {abort.status} を返す"
    return onward


def _delay(fault: Fault | None) -> str:
    delay = fault.delay if fault is not None else None
    if delay is None or not delay.fixed_delay:
        return ""
    share = f"{format_percent(delay.percentage)} を " if delay.percentage is not None and delay.percentage < 100 else ""
    return f"{share}{delay.fixed_delay} 遅らせて "


def destinations_words(destinations: Sequence[Upstream], client_namespace: str = "default") -> str:
    """``reviews v2`` for one destination; ``reviews v1 75%、v3 25%`` for a split (a host said once)."""
    live = [d for d in destinations if (percent_value(d.weight, 100.0) or 0) > 0] or list(destinations)
    if not live:
        return ""
    show_port = len({d.port for d in live}) > 1
    words, last_host = [], None
    for dest in live:
        host = short_name(dest.host, client_namespace) + (f":{dest.port}" if show_port and dest.port is not None else "")
        part = [host] if host != last_host else []
        part += [dest.subset] if dest.subset else []
        if len(live) > 1:
            part.append(format_percent(percent_value(dest.weight, 100.0)))
        words.append(" ".join(part))
        last_host = host
    return "、".join(words)


def short_name(host: str, client_namespace: str) -> str:
    """A service host as the client would write it: ``reviews`` in its own namespace, ``reviews.prod`` elsewhere."""
    if not host.endswith(CLUSTER_SUFFIX):
        return host
    name, _, namespace = host.removesuffix(CLUSTER_SUFFIX).partition(".")
    return name if namespace == client_namespace else f"{name}.{namespace}"


def authz_sentence(decision: Mapping[str, Any], inputs: Sequence[RequestInput] = ()) -> str:
    """ALLOW / DENY and the policy that decided it (with its rule), after what that rule looked at
    (authz/inputs.py), or the reason there is none."""
    verdict = decision.get("decision")
    if verdict == "REJECTED":
        return "認可の前に Envoy が応答（REJECTED）"
    if verdict is None:
        return "判定なし（Envoy で再生できない構成）"
    policy, rule = decision.get("policy"), decision.get("rule_index")
    if not policy:
        return "許可（ALLOW）" if verdict == "ALLOW" else "拒否（DENY）"
    rule_words = f" の rule {rule}" if rule is not None else ""
    action = decision.get("action") or verdict
    verb = "許可" if verdict == "ALLOW" else "拒否"
    return f"{_conditions(inputs)}{action} ポリシー {policy}{rule_words} が{verb}（{verdict}）"
