"""A Mermaid flowchart per VirtualService: hosts → match blocks → destinations (weights, subsets)."""

from __future__ import annotations

from istio_notebook.config import Origin, Resource, load_text
from istio_notebook.config.matchers import from_istio
from istio_notebook.examples.model import YamlExample


def _label(*lines: str) -> str:
    # Mermaid label text: quotes and angle brackets as entities so any value is safe; <br/> breaks lines.
    escaped = (t.replace("&", "#amp;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;") for t in lines)
    return '"' + "<br/>".join(escaped) + '"'


def _string_match(value: object) -> str:
    matcher = from_istio(value)
    if matcher is not None:
        return matcher.describe()
    return ", ".join(f"{k} {v}" for k, v in value.items()) if isinstance(value, dict) else str(value)


def describe_match(match: object) -> str:
    """One HTTPMatchRequest in a few words: ``uri prefix /api, header end-user exact jason``."""
    if not isinstance(match, dict) or not match:
        return "すべてのリクエスト"
    words = []
    for key in ("uri", "scheme", "method", "authority"):
        if key in match:
            words.append(f"{key} {_string_match(match[key])}")
    for key, label in (("headers", "header"), ("queryParams", "query"), ("withoutHeaders", "without header")):
        for name, value in (match.get(key) or {}).items():
            words.append(f"{label} {name} {_string_match(value)}")
    if "port" in match:
        words.append(f"port {match['port']}")
    if match.get("sourceLabels"):
        words.append("from " + ",".join(f"{k}={v}" for k, v in match["sourceLabels"].items()))
    if match.get("sourceNamespace"):
        words.append(f"from ns {match['sourceNamespace']}")
    if match.get("gateways"):
        words.append("gateways " + ",".join(map(str, match["gateways"])))
    if match.get("ignoreUriCase"):
        words.append("ignoreUriCase")
    return ", ".join(words) or "すべてのリクエスト"


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
        return [("", f"redirect {redirect.get('redirectCode', 301)} {target}".strip())]
    if isinstance(rule.get("directResponse"), dict):
        return [("", f"direct response {rule['directResponse'].get('status')}")]
    return [("", "（宛先なし）")]


def virtual_service_diagram(resource) -> str:
    """Mermaid ``flowchart LR`` text for one VirtualService resource."""
    spec = resource.spec
    hosts = ", ".join(map(str, spec.get("hosts") or [])) or "?"
    gateways = spec.get("gateways") or []
    lines = ["flowchart LR"]
    head = [resource.origin, f"hosts: {hosts}"] + ([f"gateways: {', '.join(map(str, gateways))}"] if gateways else [])
    lines.append(f"  vs[{_label(*head)}]")
    destinations: dict[str, str] = {}
    for i, rule in enumerate(spec.get("http") or []):
        if not isinstance(rule, dict):
            continue
        matches = rule.get("match") if isinstance(rule.get("match"), list) and rule.get("match") else [None]
        rule_name = f" ({rule['name']})" if rule.get("name") else ""
        targets = []
        for label, target in _actions(rule):
            node = destinations.setdefault(target, f"d{len(destinations)}")
            targets.append((label, node, target))
        for j, match in enumerate(matches):
            node = f"r{i}m{j}"
            where = f"rule {i}" + (f" match {j}" if match is not None else "") + rule_name
            lines.append(f"  vs --> {node}{{{{{_label(where + ': ' + describe_match(match))}}}}}")
            for label, target_node, _ in targets:
                arrow = f"-->|{_label(label)}|" if label else "-->"
                lines.append(f"  {node} {arrow} {target_node}")
    for target, node in destinations.items():
        lines.append(f"  {node}[{_label(target)}]")
    return "\n".join(lines) + "\n"


def diagrams(example: YamlExample, resources: list[Resource] | None = None) -> list[str]:
    """Mermaid text for each VirtualService of an example (not for fragments or unchecked blocks).

    ``resources``: the example's resources when the caller has them loaded already.
    """
    if example.mode not in ("scenario", "expect"):
        return []
    if resources is None:
        resources = load_text(example.body, Origin(example.file, example.body_line - 1, example.indent)).resources
    return [virtual_service_diagram(r) for r in resources if r.kind == "VirtualService"]
