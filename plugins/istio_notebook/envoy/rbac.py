"""AuthorizationPolicy → Envoy RBAC HTTP filters, as istiod builds them for a workload's inbound side.

Istio (pilot/pkg/security/authz/builder/builder.go, model/permission.go, model/principal.go,
istio.io/latest/docs/reference/config/security/authorization-policy/) emits, in this order:
one RBAC filter with action DENY holding every DENY policy, one with action ALLOW holding every
ALLOW policy (only when some ALLOW policy applies), and one with action LOG for AUDIT. Each rule
of a policy becomes one Envoy policy named ``ns[<ns>]-policy[<name>]-rule[<index>]``; a rule's
``from`` entries become OR-ed principals (each source an AND of its fields), ``to`` entries
OR-ed permissions, and each ``when`` condition is AND-ed onto the principals or the permissions
depending on its key. An ALLOW policy without rules contributes no Envoy policy (so it allows
nothing). CUSTOM (ext_authz) becomes shadow rules that mark the requests the external
authorizer would be asked about; no authorizer runs here (see authz_replay.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from istio_notebook.authz.tcp import tcp_rule
from istio_notebook.authz.unbuildable import built_rule
from istio_notebook.authz.values import service_account_matcher, trust_domain_matcher
from istio_notebook.config import Resource
from istio_notebook.config.matchers import authz_path, authz_value
from istio_notebook.envoy.certs import spiffe_id

RBAC_FILTER = "envoy.filters.http.rbac"
RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC"
NETWORK_RBAC_FILTER = "envoy.filters.network.rbac"
NETWORK_RBAC_TYPE = "type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC"
TCP_STAT_PREFIX = "tcp."  # model.go RBACTCPFilterStatPrefix
EXT_AUTHZ_PREFIX = "istio_ext_authz_"
BAD_CUSTOM_SUFFIX = "-deny-due-to-bad-CUSTOM-action"  # builder/extauthz.go badCustomActionSuffix

# `when` keys that live on the peer (principals) side, the rest on the request (permissions) side.
_PRINCIPAL_KEYS = ("source.ip", "remote.ip", "source.namespace", "source.principal", "source.serviceAccount",
                   "source.trustDomain", "request.auth.principal", "request.auth.audiences", "request.auth.presenter")


class Unsupported(ValueError):
    """A policy field real Envoy cannot be given here (e.g. JWT claims without a JWT issuer)."""


@dataclass
class RbacFilters:
    filters: list[dict]  # Envoy HTTP filters, in Istio's order
    unsupported: list[str] = field(default_factory=list)  # why some rules could not be translated


def policy_id(policy: Resource, rule_index: int) -> str:
    return f"ns[{policy.namespace}]-policy[{policy.name}]-rule[{rule_index}]"


def parse_policy_id(text: str) -> tuple[str, int] | None:
    """``ns[foo]-policy[deny]-rule[0]`` → (``foo/deny``, 0); a bad CUSTOM rule's suffix is dropped."""
    text = text.removesuffix(BAD_CUSTOM_SUFFIX)
    try:
        ns = text.split("ns[", 1)[1].split("]", 1)[0]
        name = text.split("-policy[", 1)[1].split("]-rule[", 1)[0]
        rule = int(text.rsplit("-rule[", 1)[1].rstrip("]"))
    except (IndexError, ValueError):
        return None
    return f"{ns}/{name}", rule


def build_rbac_filters(policies: list[Resource], bad_custom: frozenset[str] = frozenset(), tcp: bool = False) -> RbacFilters:
    """``bad_custom``: keys (``ns/name``) of CUSTOM policies whose provider istiod cannot build
    (authz.providers): their rules become DENY rules named ``<id>-deny-due-to-bad-CUSTOM-action``
    in an RBAC filter of their own, first (builder.go getBadCustomDenyRules).

    ``tcp``: network RBAC filters for a TCP filter chain (builder.go BuildTCP), rules as istiod
    keeps them there (authz/tcp.py); CUSTOM with a working provider is left to ext_authz."""
    if tcp:
        return _tcp_filters(policies, bad_custom)
    by_action: dict[str, dict[str, dict]] = {"BAD_CUSTOM": {}, "CUSTOM": {}, "DENY": {}, "ALLOW": {}, "AUDIT": {}}
    present: set[str] = set()
    unsupported: list[str] = []
    for policy in policies:
        spec = policy.spec
        action = str(spec.get("action") or "ALLOW").upper()
        if action == "CUSTOM" and f"{policy.namespace}/{policy.name}" in bad_custom:
            action = "BAD_CUSTOM"
        if action not in by_action:
            continue
        present.add(action)
        rules = spec.get("rules")
        if not isinstance(rules, list):
            continue  # no rules: matches nothing (ALLOW ⇒ deny all, DENY ⇒ no effect)
        for index, rule in enumerate(rules):
            suffix = BAD_CUSTOM_SUFFIX if action == "BAD_CUSTOM" else ""
            rule = built_rule(action, rule)  # authz/unbuildable.py: values istiod cannot build
            if rule is None:
                continue
            try:
                by_action[action][policy_id(policy, index) + suffix] = _rule(rule if isinstance(rule, dict) else {}, policy.namespace)
            except Unsupported as why:
                unsupported.append(f"{policy.origin} rule {index}: {why}")
    return RbacFilters(_http_filters(by_action, present), unsupported)


def _http_filters(by_action: dict[str, dict[str, dict]], present: set[str]) -> list[dict]:
    """HTTP RBAC filters in istiod's order: bad CUSTOM, CUSTOM (shadow), DENY, ALLOW, AUDIT (LOG)."""
    filters = []
    if "BAD_CUSTOM" in present:
        filters.append({"name": RBAC_FILTER, "typed_config": {
            "@type": RBAC_TYPE, "rules": {"action": "DENY", "policies": by_action["BAD_CUSTOM"]}}})
    if "CUSTOM" in present:
        # Istio sends a request to the ext_authz provider only when a CUSTOM rule matches: an
        # RBAC filter whose shadow rules say so (builder.go). No provider runs here, so the
        # replay reports such requests as not replayable instead of guessing the answer.
        filters.append({
            "name": RBAC_FILTER,
            "typed_config": {
                "@type": RBAC_TYPE,
                "shadow_rules": {"action": "DENY", "policies": by_action["CUSTOM"]},
                "shadow_rules_stat_prefix": EXT_AUTHZ_PREFIX,
            },
        })
    for action, envoy_action in (("DENY", "DENY"), ("ALLOW", "ALLOW"), ("AUDIT", "LOG")):
        if action in present:
            filters.append({
                "name": RBAC_FILTER,
                "typed_config": {
                    "@type": RBAC_TYPE,
                    "rules": {"action": envoy_action, "policies": by_action[action]},
                    "shadow_rules_stat_prefix": "istio_dry_run_",
                },
            })
    return filters


def _tcp_filters(policies: list[Resource], bad_custom: frozenset[str]) -> RbacFilters:
    """Network RBAC: one filter per action in build()'s order (bad CUSTOM, AUDIT, DENY, ALLOW)."""
    groups: dict[str, dict[str, dict]] = {"BAD_CUSTOM": {}, "AUDIT": {}, "DENY": {}, "ALLOW": {}}
    present: set[str] = set()
    unsupported: list[str] = []
    for policy in policies:
        action = str(policy.spec.get("action") or "ALLOW").upper()
        if action == "CUSTOM":
            if f"{policy.namespace}/{policy.name}" not in bad_custom:
                continue  # a working provider: ext_authz decides, not replayed here
            action, suffix, built_as = "BAD_CUSTOM", BAD_CUSTOM_SUFFIX, "DENY"
        else:
            suffix, built_as = "", action
        if action not in groups:
            continue
        present.add(action)
        for index, rule in enumerate(policy.spec.get("rules") if isinstance(policy.spec.get("rules"), list) else []):
            kept = tcp_rule(built_as, built_rule(built_as, rule))
            if kept is None:
                continue
            try:
                groups[action][policy_id(policy, index) + suffix] = _rule(kept if isinstance(kept, dict) else {}, policy.namespace)
            except Unsupported as why:
                unsupported.append(f"{policy.origin} rule {index}: {why}")
    filters = []
    for action, envoy_action in (("BAD_CUSTOM", "DENY"), ("AUDIT", "LOG"), ("DENY", "DENY"), ("ALLOW", "ALLOW")):
        if action in present:
            filters.append({"name": NETWORK_RBAC_FILTER, "typed_config": {
                "@type": NETWORK_RBAC_TYPE, "stat_prefix": TCP_STAT_PREFIX,
                "rules": {"action": envoy_action, "policies": groups[action]}}})
    return RbacFilters(filters, unsupported)


# -- rules --------------------------------------------------------------------------------------


def _rule(rule: dict, namespace: str) -> dict:
    """One Envoy policy; `namespace` (the policy's) completes a bare ``serviceAccounts`` name."""
    principals = _or_ids([_source(s.get("source") or {}, namespace) for s in rule.get("from") or []], "or_ids")
    permissions = _or_ids([_operation(o.get("operation") or {}) for o in rule.get("to") or []], "or_rules")
    principal_conditions, permission_conditions = [], []
    for condition in rule.get("when") or []:
        key = str(condition.get("key", ""))
        built = _condition(key, condition.get("values") or [], condition.get("notValues") or [], namespace)
        on_principal = key in _PRINCIPAL_KEYS or key.startswith("request.auth.claims[")
        (principal_conditions if on_principal else permission_conditions).append(built)
    if principal_conditions:
        principals = {"and_ids": {"ids": [principals, *principal_conditions]}}
    if permission_conditions:
        permissions = {"and_rules": {"rules": [permissions, *permission_conditions]}}
    return {"permissions": [permissions], "principals": [principals]}


def _or_ids(items: list[dict], kind: str) -> dict:
    if not items:
        return {"any": True}
    if len(items) == 1:
        return items[0]
    return {kind: {"ids" if kind == "or_ids" else "rules": items}}


def _and(items: list[dict], kind: str) -> dict:
    items = [i for i in items if i]
    if not items:
        return {"any": True}
    if len(items) == 1:
        return items[0]
    return {kind: {"ids" if kind == "and_ids" else "rules": items}}


def _string_match(value: object, *, ignore_case: bool = False) -> dict:
    """Istio's value forms: exact, ``abc*`` prefix, ``*abc`` suffix, ``*`` any non-empty."""
    return authz_value(value, ignore_case=ignore_case).envoy()


def _negated(values: list, build, kind: str) -> list[dict]:
    if not values:
        return []
    inner = _or_ids([build(v) for v in values], "or_ids" if kind == "ids" else "or_rules")
    return [{"not_id": inner} if kind == "ids" else {"not_rule": inner}]


def _principal(value: str) -> dict:
    if value == "*":
        return {"authenticated": {"principal_name": {"safe_regex": {"regex": ".+"}}}}
    match = _string_match(value)
    if "exact" in match:
        match["exact"] = spiffe_id(match["exact"])
    elif "prefix" in match:
        match["prefix"] = spiffe_id(match["prefix"])
    return {"authenticated": {"principal_name": match}}


def _namespace(value: str) -> dict:
    # Istio matches the namespace inside the SPIFFE URI with a regex: .*/ns/<ns>/.*
    value = str(value)
    if value == "*":
        regex = r".*/ns/[^/]+/.*"
    elif value.endswith("*"):
        regex = r".*/ns/" + _re_escape(value[:-1]) + r"[^/]*/.*"
    elif value.startswith("*"):
        regex = r".*/ns/[^/]*" + _re_escape(value[1:]) + r"/.*"
    else:
        regex = r".*/ns/" + _re_escape(value) + r"/.*"
    return {"authenticated": {"principal_name": {"safe_regex": {"regex": regex}}}}


def _re_escape(text: str) -> str:
    return "".join("\\" + c if c in r".^$*+?()[]{}|\-" else c for c in text)


def _cidr(value: str) -> dict:
    address, _, length = str(value).partition("/")
    if not length:
        length = "128" if ":" in address else "32"
    return {"address_prefix": address, "prefix_len": int(length)}


def _payload(path: list[str], match: dict) -> dict:
    """A principal on the verified JWT payload (jwt.py keeps it in dynamic metadata).

    Matches a string claim, or a list claim holding a matching string."""
    matcher = lambda value: {"metadata": {
        "filter": "envoy.filters.http.jwt_authn",
        "path": [{"key": "payload"}, *({"key": p} for p in path)],
        "value": value,
    }}
    return {"or_ids": {"ids": [matcher({"string_match": match}), matcher({"list_match": {"one_of": {"string_match": match}}})]}}


def _request_principal(value: str) -> dict:
    """``iss/sub`` (Istio's request principal), ``*``, or ``iss/*``."""
    value = str(value)
    if value == "*":
        return _payload(["iss"], {"safe_regex": {"regex": ".+"}})
    issuer, slash, subject = value.rpartition("/")
    if not slash or "*" in issuer:
        raise Unsupported(f"request principal {value!r} is not modelled on Envoy here")
    parts = [_payload(["iss"], {"exact": issuer})]
    if subject != "*":
        parts.append(_payload(["sub"], _string_match(subject)))
    return _and(parts, "and_ids")


def _identity(matcher) -> dict:
    return {"authenticated": {"principal_name": matcher.envoy()}}


def _source(source: dict, namespace: str) -> dict:
    ids: list[dict] = []
    values = source.get("requestPrincipals") or []
    if values:
        ids.append(_or_ids([_request_principal(v) for v in values], "or_ids"))
    ids += _negated(source.get("notRequestPrincipals") or [], _request_principal, "ids")
    identity_fields = (
        ("principals", _principal),
        ("namespaces", _namespace),
        ("serviceAccounts", lambda v: _identity(service_account_matcher(namespace, v))),
        ("trustDomains", lambda v: _identity(trust_domain_matcher(v))),
    )
    for field_name, build in identity_fields:
        values = source.get(field_name) or []
        if values:
            ids.append(_or_ids([build(v) for v in values], "or_ids"))
        ids += _negated(source.get("not" + field_name[0].upper() + field_name[1:]) or [], build, "ids")
    for field_name, envoy_field in (("ipBlocks", "direct_remote_ip"), ("remoteIpBlocks", "remote_ip")):
        values = source.get(field_name) or []
        if values:
            ids.append(_or_ids([{envoy_field: _cidr(v)} for v in values], "or_ids"))
        not_field = "not" + field_name[0].upper() + field_name[1:]
        ids += _negated(source.get(not_field) or [], lambda v, f=envoy_field: {f: _cidr(v)}, "ids")
    return _and(ids, "and_ids")


def _header(name: str, value: str, *, ignore_case: bool = False) -> dict:
    if value == "*":  # Istio: presence (matcher/header.go HeaderMatcher, HostMatcher)
        return {"header": {"name": name, "present_match": True}}
    return {"header": {"name": name, "string_match": _string_match(value, ignore_case=ignore_case)}}


def peer_address_from_proxy_protocol(config: object) -> object:
    """Run form only: ``direct_remote_ip`` → ``source_ip`` throughout an RBAC config.

    Here every caller connects from loopback and states its address in a PROXY protocol line;
    ``direct_remote_ip`` stays the physical peer (127.0.0.1), ``remote_ip`` follows
    X-Forwarded-For on an HTTP chain, and ``source_ip`` (Envoy's connection remote address) is
    the stated address. In a pod the physical peer is the caller itself, so ``source_ip`` is
    what Istio's ``ipBlocks`` (``direct_remote_ip``) sees, whatever X-Forwarded-For says.
    """
    if isinstance(config, dict):
        return {("source_ip" if k == "direct_remote_ip" else k): peer_address_from_proxy_protocol(v)
                for k, v in config.items()}
    if isinstance(config, list):
        return [peer_address_from_proxy_protocol(v) for v in config]
    return config


def _path(value: object) -> dict:
    return authz_path(value).envoy_permission()


def _operation(operation: dict) -> dict:
    rules: list[dict] = []
    builders = {
        "hosts": lambda v: _header(":authority", v, ignore_case=True),
        "ports": lambda v: {"destination_port": int(v)},
        "methods": lambda v: _header(":method", v),
        "paths": _path,
    }
    for field_name, build in builders.items():
        values = operation.get(field_name) or []
        if values:
            rules.append(_or_ids([build(v) for v in values], "or_rules"))
        rules += _negated(operation.get("not" + field_name[0].upper() + field_name[1:]) or [], build, "rules")
    return _and(rules, "and_rules")


def _condition(key: str, values: list, not_values: list, namespace: str) -> dict:
    if key.startswith("request.headers[") and key.endswith("]"):
        name = key[len("request.headers["):-1].lower()
        build = lambda v: _header(name, v)
        kind = "rules"
    elif key in ("source.ip", "remote.ip"):
        envoy_field = "direct_remote_ip" if key == "source.ip" else "remote_ip"
        build = lambda v: {envoy_field: _cidr(v)}
        kind = "ids"
    elif key.startswith("request.auth.claims[") and key.endswith("]"):
        path = [p.rstrip("]") for p in key[len("request.auth.claims["):].split("[")]
        build, kind = (lambda v: _payload(path, _string_match(v))), "ids"
    elif key == "request.auth.principal":
        build, kind = _request_principal, "ids"
    elif key == "request.auth.audiences":
        build, kind = (lambda v: _payload(["aud"], _string_match(v))), "ids"
    elif key == "request.auth.presenter":
        build, kind = (lambda v: _payload(["azp"], _string_match(v))), "ids"
    elif key == "source.namespace":
        build, kind = _namespace, "ids"
    elif key == "source.principal":
        build, kind = _principal, "ids"
    elif key == "source.serviceAccount":
        build, kind = (lambda v: _identity(service_account_matcher(namespace, v))), "ids"
    elif key == "source.trustDomain":
        build, kind = (lambda v: _identity(trust_domain_matcher(v))), "ids"
    elif key == "destination.port":
        build, kind = (lambda v: {"destination_port": int(v)}), "rules"
    elif key == "destination.ip":
        build, kind = (lambda v: {"destination_ip": _cidr(v)}), "rules"
    elif key == "connection.sni":
        build, kind = (lambda v: {"requested_server_name": _string_match(v)}), "rules"
    else:
        raise Unsupported(f"condition key {key!r} is not modelled on Envoy here")
    parts = []
    if values:
        parts.append(_or_ids([build(v) for v in values], "or_ids" if kind == "ids" else "or_rules"))
    parts += _negated(not_values, build, kind)
    return _and(parts, "and_ids" if kind == "ids" else "and_rules")
