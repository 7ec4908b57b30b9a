"""AuthorizationPolicy values istiod cannot turn into Envoy RBAC, and what it builds instead.

`check` refuses such values (IST0106), but `route`/`authz` still read the file, and istiod's
builder has its own answer for them (pilot/pkg/security/authz/model at 1.30.3): a port is
``convertToPort`` (util.go: strconv.ParseUint base 10, at most 65535), an address or CIDR is
``AddrStrToCidrRange`` (pilot/pkg/networking/util/util.go: netip.ParseAddr / ParsePrefix). When
a generator fails, model.go ``checkError`` decides:
- ALLOW: the error stands, Generate fails and builder.go skips the whole rule ("skipped rule"):
  the policy allows less;
- DENY, AUDIT (and CUSTOM): the value is ignored and generation goes on, so the field, or the
  `when` condition, loses it: the rule is wider; a field left with no value is gone.
Shared by the evaluator (authz/evaluate.py) and the Envoy translator (envoy/rbac.py), which must
see the same rules; the translator's ``int()`` on a port used to crash on ``ports: ['x']``.
"""

from __future__ import annotations

from typing import Any, Callable

from istio_notebook.config.gonetip import parse_addr_error, parse_prefix_error

PORT_MAX = 65535


def valid_port(value: Any) -> bool:
    text = str(value)
    return text.isascii() and text.isdigit() and int(text) <= PORT_MAX


def valid_address(value: Any) -> bool:
    """AddrStrToPrefix accepts it: netip.ParsePrefix with a slash, else netip.ParseAddr (config/gonetip.py)."""
    text = str(value)
    if not text:
        return False
    return (parse_prefix_error(text) if "/" in text else parse_addr_error(text)) is None


_SOURCE_FIELDS: dict[str, Callable[[Any], bool]] = {
    "ipBlocks": valid_address, "notIpBlocks": valid_address,
    "remoteIpBlocks": valid_address, "notRemoteIpBlocks": valid_address,
}
_OPERATION_FIELDS: dict[str, Callable[[Any], bool]] = {"ports": valid_port, "notPorts": valid_port}
_WHEN_KEYS: dict[str, Callable[[Any], bool]] = {
    "destination.port": valid_port, "source.ip": valid_address,
    "remote.ip": valid_address, "destination.ip": valid_address,
}


def _bad_values(spec: dict, fields: dict[str, Callable[[Any], bool]]) -> bool:
    return any(isinstance(spec.get(name), list) and not all(ok(v) for v in spec[name]) for name, ok in fields.items())


def _pruned(spec: dict, fields: dict[str, Callable[[Any], bool]]) -> dict:
    out = dict(spec)
    for name, ok in fields.items():
        if isinstance(spec.get(name), list):
            kept = [v for v in spec[name] if ok(v)]
            if kept:
                out[name] = kept
            else:
                out.pop(name)  # every value ignored: no matcher for the field at all
    return out


def _entries(rule: dict, key: str, wrapper: str) -> list[dict]:
    return [e[wrapper] for e in rule.get(key) or [] if isinstance(e, dict) and isinstance(e.get(wrapper), dict)]


def _condition_check(condition: Any) -> Callable[[Any], bool] | None:
    return _WHEN_KEYS.get(str(condition.get("key", ""))) if isinstance(condition, dict) else None


def has_unbuildable(rule: Any) -> bool:
    if not isinstance(rule, dict):
        return False
    if any(_bad_values(s, _SOURCE_FIELDS) for s in _entries(rule, "from", "source")):
        return True
    if any(_bad_values(o, _OPERATION_FIELDS) for o in _entries(rule, "to", "operation")):
        return True
    for condition in rule.get("when") or []:
        check = _condition_check(condition)
        if check and _bad_values(condition, {"values": check, "notValues": check}):
            return True
    return False


def _wrapped(entries: Any, wrapper: str, fields: dict[str, Callable[[Any], bool]]) -> Any:
    if not isinstance(entries, list):
        return entries
    return [{**e, wrapper: _pruned(e[wrapper], fields)} if isinstance(e, dict) and isinstance(e.get(wrapper), dict) else e
            for e in entries]


def _when(conditions: Any) -> Any:
    if not isinstance(conditions, list):
        return conditions
    out = []
    for condition in conditions:
        check = _condition_check(condition)
        if check is None:
            out.append(condition)
            continue
        pruned = _pruned(condition, {"values": check, "notValues": check})
        if "values" in pruned or "notValues" in pruned:
            out.append(pruned)  # a condition left with no value adds no matcher: dropped
    return out


def built_rule(action: str, rule: Any) -> Any | None:
    """The rule as istiod builds it; None when it is skipped (ALLOW with a value it cannot build)."""
    if not has_unbuildable(rule):
        return rule
    if action == "ALLOW":
        return None
    out = dict(rule)
    for key, wrapper, fields in (("from", "source", _SOURCE_FIELDS), ("to", "operation", _OPERATION_FIELDS)):
        if key in rule:
            out[key] = _wrapped(rule[key], wrapper, fields)
    if "when" in rule:
        out["when"] = _when(rule["when"])
    return out
