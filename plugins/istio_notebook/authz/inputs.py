"""What the deciding rule of an AuthorizationPolicy looks at, with the request's and caller's values.

The check sentence says why a policy decided (「メソッド GET、パス /get なら ALLOW ポリシー foo/viewer
の rule 0 が許可」): the fields the rule names, in the order a reader meets them in the YAML
(``from`` sources, ``to`` operations, ``when`` conditions; istio.io AuthorizationPolicy reference),
each with the value this request or caller had. A field the evaluator does not compare from the
request alone (requestPrincipals, audiences, a destination IP) is left out rather than guessed.
"""

from __future__ import annotations

from istio_notebook.authz.model import Source, Workload
from istio_notebook.authz.ports import workload_port
from istio_notebook.config import Mesh
from istio_notebook.routing.inputs import RequestInput
from istio_notebook.routing.request import Request

_SOURCE_FIELDS = {"principals": "principal", "notPrincipals": "principal", "namespaces": "namespace",
                  "notNamespaces": "namespace", "ipBlocks": "ip", "notIpBlocks": "ip"}
_OPERATION_FIELDS = {"methods": "method", "notMethods": "method", "paths": "path", "notPaths": "path",
                     "hosts": "authority", "notHosts": "authority", "ports": "port", "notPorts": "port"}
_WHEN_KEYS = {"source.ip": "ip", "source.namespace": "namespace", "source.principal": "principal"}


def rule_inputs(mesh: Mesh, policy_key: str, rule_index: int, request: Request, to: Workload, source: Source) -> tuple[RequestInput, ...]:
    """``policy_key``: "ns/name" of the deciding policy; the port is the workload's, as the policy compares it."""
    namespace, _, name = policy_key.partition("/")
    policy = mesh.get("AuthorizationPolicy", namespace, name)
    rules = policy.spec.get("rules") if policy is not None else None
    rule = rules[rule_index] if isinstance(rules, list) and 0 <= rule_index < len(rules) else None
    if not isinstance(rule, dict):
        return ()
    kinds: list[tuple[str, str]] = []
    for part, key, fields in (("from", "source", _SOURCE_FIELDS), ("to", "operation", _OPERATION_FIELDS)):
        for item in rule.get(part) or []:
            spec = item.get(key) if isinstance(item, dict) else None
            kinds += [(fields[f], "") for f in (spec or {}) if f in fields] if isinstance(spec, dict) else []
    for condition in rule.get("when") or []:
        key = str(condition.get("key", "")) if isinstance(condition, dict) else ""
        if key.startswith("request.headers[") and key.endswith("]"):
            kinds.append(("header", key[len("request.headers["):-1].lower()))
        elif key in _WHEN_KEYS:
            kinds.append((_WHEN_KEYS[key], ""))
    port = workload_port(mesh, to, request.host, request.port)
    return tuple(RequestInput(kind, key, _value(kind, key, request, source, port)) for kind, key in dict.fromkeys(kinds))


def _value(kind: str, name: str, request: Request, source: Source, port: int) -> str | None:
    if kind == "header":
        return request.header(name)
    values = {"method": request.method, "path": request.path, "authority": request.authority, "port": str(port),
              "principal": source.principal, "namespace": source.peer_namespace, "ip": source.ip}
    return values.get(kind)
