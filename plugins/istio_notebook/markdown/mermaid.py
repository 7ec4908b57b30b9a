"""A Mermaid flowchart per VirtualService: hosts → match blocks → destinations (weights, subsets), labelled in Japanese."""

from __future__ import annotations

from istio_notebook.config import Origin, Resource, load_text
from istio_notebook.diagnostics import Diagnostic
from istio_notebook.examples.model import YamlExample


def _label(*lines: str) -> str:
    # Mermaid label text: quotes and angle brackets as entities so any value is safe; <br/> breaks lines.
    escaped = (t.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") for t in lines)
    return '"' + "<br/>".join(escaped) + '"'


# A StringMatch in words, for a field named ``subject`` (ヘッダー end-user, URI...); ``negated`` for
# withoutHeaders, which matches when the same condition does not hold (istio/api HTTPMatchRequest).
_MATCH_WORDS = {
    "exact": ("{subject} = {value}", "{subject} ≠ {value}"),
    "prefix": ("{subject} が {value} で始まる", "{subject} が {value} で始まらない"),
    "regex": ("{subject} が正規表現 {value} に一致", "{subject} が正規表現 {value} に一致しない"),
}


def _string_match(subject: str, value: object, negated: bool = False) -> str:
    if isinstance(value, dict):
        for key, (holds, fails) in _MATCH_WORDS.items():
            if key in value:
                return (fails if negated else holds).format(subject=subject, value=value[key])
        if not value:  # {}: the header is present (withoutHeaders: absent)
            return f"{subject} がない" if negated else f"{subject} がある"
        return f"{subject} " + ", ".join(f"{k} {v}" for k, v in value.items())
    return f"{subject} {value}"


_FIELDS = (("uri", "URI"), ("scheme", "スキーム"), ("method", "メソッド"), ("authority", "authority"))
_MAPS = (("headers", "ヘッダー", False), ("queryParams", "クエリー", False), ("withoutHeaders", "ヘッダー", True))


def describe_match(match: object) -> str:
    """One HTTPMatchRequest in a few Japanese words: ``URI が /api で始まる、ヘッダー end-user = jason``."""
    if not isinstance(match, dict) or not match:
        return "すべてのリクエスト"
    words = [_string_match(label, match[key]) for key, label in _FIELDS if key in match]
    for key, label, negated in _MAPS:
        for name, value in (match.get(key) or {}).items():
            words.append(_string_match(f"{label} {name}", value, negated))
    if "port" in match:
        words.append(f"ポート {match['port']}")
    if match.get("sourceLabels"):
        words.append("送信元 " + ",".join(f"{k}={v}" for k, v in match["sourceLabels"].items()))
    if match.get("sourceNamespace"):
        words.append(f"送信元の名前空間 {match['sourceNamespace']}")
    if match.get("gateways"):
        words.append("ゲートウェイ " + ",".join(map(str, match["gateways"])))
    if match.get("ignoreUriCase"):
        words.append("URI の大文字小文字を区別しない")
    return "、".join(words) or "すべてのリクエスト"


def _destination(dest: dict) -> str:
    target = dest.get("destination") if isinstance(dest.get("destination"), dict) else {}
    host = str(target.get("host", "?"))
    port = (target.get("port") or {}).get("number") if isinstance(target.get("port"), dict) else None
    words = [host + (f":{port}" if port else "")]
    if target.get("subset"):
        words.append(str(target["subset"]))
    return " ".join(words)


def _actions(rule: dict) -> list[tuple[str, str]]:
    """(edge label, target label) pairs of a rule."""
    routes = rule.get("route")
    if isinstance(routes, list) and routes:
        weighted = len(routes) > 1 or any("weight" in r for r in routes if isinstance(r, dict))
        total = sum(int(r.get("weight", 0) or 0) for r in routes if isinstance(r, dict))
        pairs = []
        for r in routes:
            if not isinstance(r, dict):
                continue
            weight = r.get("weight")
            if weighted and total == 0 and len(routes) == 1:
                weight = 100
            label = f"{weight}%" if weighted and weight is not None else ""
            pairs.append((label, _destination(r)))
        return pairs
    if isinstance(rule.get("redirect"), dict):
        redirect = rule["redirect"]
        target = redirect.get("uri") or redirect.get("authority") or redirect.get("scheme") or ""
        return [("", f"リダイレクト {redirect.get('redirectCode', 301)} {target}".strip())]
    if isinstance(rule.get("directResponse"), dict):
        return [("", f"直接応答 {rule['directResponse'].get('status')}")]
    return [("", "（宛先なし）")]


# How the playground marks the rule a request took and where it went (virtual_service_diagram's chosen=).
CHOSEN_STYLE = "  classDef chosen stroke:#2e7d32,stroke-width:4px"
# An unreachable rule (IST0130) is drawn dead: dashed, faded, said in its label, its edges dotted.
_DEAD_STYLE = "  classDef dead stroke-dasharray:4 4,opacity:0.55"


def virtual_service_diagram(resource, chosen: tuple[int, int | None] | None = None, dead: frozenset[int] = frozenset()) -> str:
    """Mermaid ``flowchart LR`` text for one VirtualService resource; ``chosen`` (http rule index,
    match index or None: a route outcome's route_index and match_index) marks that match block
    and its destinations with the ``chosen`` class; ``dead``: indexes of unreachable http rules."""
    spec = resource.spec
    hosts = ", ".join(map(str, spec.get("hosts") or [])) or "?"
    gateways = spec.get("gateways") or []
    lines = ["flowchart LR"]
    head = [resource.origin, f"ホスト: {hosts}"] + ([f"ゲートウェイ: {', '.join(map(str, gateways))}"] if gateways else [])
    lines.append(f"  vs[{_label(*head)}]")
    # Each rule draws its own destination nodes, even where two rules send to the same place: the
    # graph stays a tree, which Mermaid's layout (dagre) draws in the order it was written, so rule
    # 0, 1, 2 ... read in order (top to bottom; left to right when drawn top-down), as Istio tries
    # them. A destination shared between rules made dagre reorder them (tests/browser/test_diagrams.py).
    destinations: dict[str, str] = {}
    marked: list[str] = []
    dead_nodes: list[str] = []
    for i, rule in enumerate(spec.get("http") or []):
        if not isinstance(rule, dict):
            continue
        matches = rule.get("match") if isinstance(rule.get("match"), list) and rule.get("match") else [None]
        rule_name = f" ({rule['name']})" if rule.get("name") else ""
        targets = []
        for label, target in _actions(rule):
            node = f"d{len(destinations)}"
            destinations[node] = target
            targets.append((label, node, target))
        edge = "-.->" if i in dead else "-->"
        for j, match in enumerate(matches):
            node = f"r{i}m{j}"
            where = f"ルール {i}" + (f"・match {j}" if match is not None else "") + rule_name + ("（到達しない）" if i in dead else "")
            lines.append(f"  vs {edge} {node}{{{{{_label(where + ': ' + describe_match(match))}}}}}")
            for label, target_node, _ in targets:
                lines.append(f"  {node} {edge}{f'|{_label(label)}|' if label else ''} {target_node}")
            if chosen is not None and (i, j) == (chosen[0], chosen[1] or 0):
                marked += [node, *(t for _, t, _ in targets)]
            if i in dead:
                dead_nodes.append(node)
    for node, target in destinations.items():
        lines.append(f"  {node}[{_label(target)}]")
    if marked:
        lines += [CHOSEN_STYLE, f"  class {','.join(marked)} chosen"]
    if dead_nodes:
        lines += [_DEAD_STYLE, f"  class {','.join(dead_nodes)} dead"]
    return "\n".join(lines) + "\n"


def unreachable_rules(resource: Resource, diagnostics: list[Diagnostic]) -> frozenset[int]:
    """Indexes of the http rules of ``resource`` that IST0130 (unreachable_rules.py) reports, found by position."""
    reported = {d.position for d in diagnostics if d.code == "IST0130"}
    rules = resource.spec.get("http") if isinstance(resource.spec.get("http"), list) else []
    return frozenset(i for i in range(len(rules)) if resource.locate("spec", "http", i) in reported)


def diagrams(example: YamlExample, resources: list[Resource] | None = None, diagnostics: list[Diagnostic] | None = None) -> list[str]:
    """Mermaid text for each VirtualService of an example (not for fragments or unchecked blocks).

    ``resources``: the example's resources when the caller has them loaded already;
    ``diagnostics``: what the example produced, so that unreachable rules are drawn dead.
    """
    if example.mode not in ("scenario", "expect"):
        return []
    if resources is None:
        resources = load_text(example.body, Origin(example.file, example.body_line - 1, example.indent)).resources
    return [virtual_service_diagram(r, dead=unreachable_rules(r, diagnostics or [])) for r in resources if r.kind == "VirtualService"]
