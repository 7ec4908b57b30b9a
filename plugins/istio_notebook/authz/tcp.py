"""AuthorizationPolicy rules on a port Istio treats as TCP: what istiod keeps of them.

On a TCP filter chain istiod builds the network RBAC filter (builder.go BuildTCP, Generate with
forTCP=true). The generators of HTTP-only attributes fail there (model/generator.go: "... is HTTP
only": hosts, methods, paths, requestPrincipals, `request.headers[...]`, `request.auth.*`), and
model.go checkError turns the failure into:
- ALLOW: the whole rule is skipped ("skipped rule ... on TCP filter chain"), so the policy allows
  less; a policy whose rules are all skipped still applies and allows nothing;
- DENY, AUDIT (and CUSTOM, built with action DENY): only the HTTP-only attribute is left out, so
  the rule is wider; a rule left with nothing matches every connection.
Shared by the evaluator and the Envoy translator (envoy/rbac.py), which must see the same rules.
"""

from __future__ import annotations

from typing import Any

from istio_notebook.authz.model import Workload
from istio_notebook.authz.ports import service_port_entry
from istio_notebook.config import Mesh
from istio_notebook.config import protocol as protocols

HTTP_ONLY_SOURCE = ("requestPrincipals", "notRequestPrincipals")
HTTP_ONLY_OPERATION = ("hosts", "notHosts", "methods", "notMethods", "paths", "notPaths")
HTTP_ONLY_WHEN_PREFIXES = ("request.headers", "request.auth.")


def port_is_tcp(mesh: Mesh, workload: Workload, host: str, port: int) -> protocols.Selection | None:
    """The Selection of the Service port in front of `workload` when Istio treats it as TCP (an
    opaque TCP filter chain inbound), else None (HTTP, or sniffed: HTTP traffic stays HTTP)."""
    entry = service_port_entry(mesh, workload, host, port)
    if entry is None:
        return None
    selection = protocols.kubernetes_port(port, str(entry.get("name") or ""), entry.get("protocol"), entry.get("appProtocol"))
    return None if selection.routes_http else selection


def _http_only_when(condition: Any) -> bool:
    key = str(condition.get("key", "")) if isinstance(condition, dict) else ""
    return key.startswith(HTTP_ONLY_WHEN_PREFIXES)


def has_http_only(rule: dict) -> bool:
    sources = [s.get("source") for s in rule.get("from") or [] if isinstance(s, dict)]
    operations = [o.get("operation") for o in rule.get("to") or [] if isinstance(o, dict)]
    return (
        any(isinstance(s, dict) and any(k in s for k in HTTP_ONLY_SOURCE) for s in sources)
        or any(isinstance(o, dict) and any(k in o for k in HTTP_ONLY_OPERATION) for o in operations)
        or any(_http_only_when(c) for c in rule.get("when") or [])
    )


def _without(entry: Any, wrapper: str, fields: tuple[str, ...]) -> Any:
    if not isinstance(entry, dict) or not isinstance(entry.get(wrapper), dict):
        return entry
    return {**entry, wrapper: {k: v for k, v in entry[wrapper].items() if k not in fields}}


def tcp_rule(action: str, rule: Any) -> Any | None:
    """The rule as istiod builds it for a TCP filter chain; None when it is skipped (ALLOW)."""
    if not isinstance(rule, dict) or not has_http_only(rule):
        return rule
    if action == "ALLOW":
        return None
    out = dict(rule)
    if isinstance(rule.get("from"), list):
        out["from"] = [_without(s, "source", HTTP_ONLY_SOURCE) for s in rule["from"]]
    if isinstance(rule.get("to"), list):
        out["to"] = [_without(o, "operation", HTTP_ONLY_OPERATION) for o in rule["to"]]
    if isinstance(rule.get("when"), list):
        out["when"] = [c for c in rule["when"] if not _http_only_when(c)]
    return out
