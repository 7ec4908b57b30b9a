"""AuthorizationPolicy evaluation for one request at one workload, in Istio's order.

CUSTOM → DENY → ALLOW (istio.io docs/concepts/security/#implicit-enablement and
docs/reference/config/security/authorization-policy/): a matching DENY policy denies; if no
ALLOW policy applies the request is allowed; else some ALLOW rule must match. AUDIT never
decides. `rules` unset matches nothing; `rules: [{}]` matches everything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from istio_notebook.authz.model import REJECTED, AuthzDecision, Source, Workload
from istio_notebook.authz.ports import workload_port
from istio_notebook.authz.providers import check_providers, provider_name
from istio_notebook.authz.remote_ip import SIDECAR, ClientAddressRule, remote_ip
from istio_notebook.authz.scope import (
    is_gateway,
    peer_authentication,
    policies,
    skipped_target_ref,
    target_refs,
)
from istio_notebook.authz.tcp import port_is_tcp, tcp_rule
from istio_notebook.authz.text import AuthzTrace
from istio_notebook.authz.unbuildable import built_rule
from istio_notebook.authz.values import (
    UriMatcher,
    any_matches,
    ip_in,
    peer_uri,
    principal_value,
    service_account_matcher,
    trust_domain_matcher,
)
from istio_notebook.config import Mesh
from istio_notebook.config.gateway_topology import trusted_hops
from istio_notebook.config.matchers import authz_path
from istio_notebook.routing.request import Request
from istio_notebook.config.shape import items
from istio_notebook.routing.wire import codec_refusal


@dataclass
class _Facts:
    """What the proxy knows about the request when RBAC runs."""

    request: Request
    port: int  # the workload's port (the Service's targetPort), which policies compare
    principal: str | None  # peer principal, None without mTLS
    namespace: str | None
    source_ip: str | None
    remote_ip: str | None
    request_principal: str | None
    claims: dict
    tcp: bool = False  # the port is TCP to Istio: network RBAC, HTTP-only attributes unknown
    notes: list = field(default_factory=list)  # (step, policy, rule) seen while matching, for the trace


def _list(value: Any) -> list | None:
    return [str(v) for v in value] if isinstance(value, list) else None


def _fields_match(spec: dict, checks: tuple) -> bool:
    """Every set field must hold, and no `not<Field>` may (fields AND; values within a field OR)."""
    for name, test in checks:
        positive = _list(spec.get(name))
        if positive is not None and not test(positive):
            return False
        negative = _list(spec.get("not" + name[0].upper() + name[1:]))
        if negative is not None and test(negative):
            return False
    return True


def _uri_matches(matchers: list[UriMatcher], f: _Facts) -> bool:
    uri = peer_uri(f.principal)
    return uri is not None and any(m.matches(uri) for m in matchers)


def _source_matches(src: dict, f: _Facts, policy_namespace: str) -> bool:
    return _fields_match(src, (
        ("principals", lambda v: any_matches(v, f.principal)),
        ("serviceAccounts", lambda v: _uri_matches([service_account_matcher(policy_namespace, x) for x in v], f)),
        ("trustDomains", lambda v: _uri_matches([trust_domain_matcher(x) for x in v], f)),
        ("requestPrincipals", lambda v: any_matches(v, f.request_principal)),
        ("namespaces", lambda v: any_matches(v, f.namespace)),
        ("ipBlocks", lambda v: ip_in(v, f.source_ip)),
        ("remoteIpBlocks", lambda v: ip_in(v, f.remote_ip)),
    ))


def _operation_matches(op: dict, f: _Facts) -> bool:
    request = f.request
    # `hosts` compares the Host header as sent, port included (istio/istio#44080): a rule for
    # `example.com` does not match `Host: example.com:8080`.
    return _fields_match(op, (
        ("hosts", lambda v: any_matches(v, request.authority, ignore_case=True)),
        ("ports", lambda v: str(f.port) in v),
        ("methods", lambda v: any_matches(v, request.method)),
        ("paths", lambda v: any(authz_path(p).matches(request.path) for p in v)),
    ))


def _claim(claims: dict, path: list[str]) -> Any:
    value: Any = claims
    for step in path:
        if not isinstance(value, dict) or step not in value:
            return None
        value = value[step]
    return value


def _when_value(key: str, f: _Facts) -> list[str] | None:
    """The attribute values a `when` key names (a list claim gives several)."""
    if key.startswith("request.headers[") and key.endswith("]"):
        v = f.request.header(key[len("request.headers["):-1])
        return None if v is None else [v]
    if key.startswith("request.auth.claims["):
        path = [p.rstrip("]") for p in key[len("request.auth.claims["):].split("[")]
        v = _claim(f.claims, path)
        if v is None:
            return None
        return [str(x) for x in v] if isinstance(v, list) else [str(v)]
    simple = {
        "source.ip": f.source_ip, "remote.ip": f.remote_ip, "source.namespace": f.namespace,
        "source.principal": f.principal, "request.auth.principal": f.request_principal,
        "destination.port": str(f.port), "connection.sni": f.request.host,
        "request.auth.presenter": f.claims.get("azp") if f.request_principal else None,
    }
    if key == "request.auth.audiences":
        aud = f.claims.get("aud") if f.request_principal else None
        return None if aud is None else ([str(a) for a in aud] if isinstance(aud, list) else [str(aud)])
    v = simple.get(key)
    return None if v is None else [str(v)]


def _when_matches(cond: dict, f: _Facts, policy_namespace: str) -> bool:
    key = str(cond.get("key", ""))
    actual = _when_value(key, f) or []
    ip_key = key in ("source.ip", "remote.ip", "destination.ip")
    values, not_values = _list(cond.get("values")), _list(cond.get("notValues"))

    def hit(patterns: list[str]) -> bool:
        # Identity keys are matched on the peer's URI, as istiod builds them (generator.go).
        if key == "source.serviceAccount":
            return _uri_matches([service_account_matcher(policy_namespace, p) for p in patterns], f)
        if key == "source.trustDomain":
            return _uri_matches([trust_domain_matcher(p) for p in patterns], f)
        if ip_key:
            return any(ip_in(patterns, a) for a in actual)
        return any(any_matches(patterns, a) for a in actual)

    if values is not None and not hit(values):
        return False
    if not_values is not None and hit(not_values):
        return False
    return True


def rule_matches(rule: Any, f: _Facts, policy_namespace: str) -> bool:
    """Whether one rule matches; `policy_namespace` completes a bare ``serviceAccounts`` name."""
    if not isinstance(rule, dict):
        return False
    sources = rule.get("from")
    if isinstance(sources, list) and sources:
        if not any(isinstance(s, dict) and isinstance(s.get("source"), dict) and _source_matches(s["source"], f, policy_namespace) for s in sources):
            return False
    operations = rule.get("to")
    if isinstance(operations, list) and operations:
        if not any(isinstance(o, dict) and isinstance(o.get("operation"), dict) and _operation_matches(o["operation"], f) for o in operations):
            return False
    conditions = rule.get("when")
    if isinstance(conditions, list):
        if not all(isinstance(c, dict) and _when_matches(c, f, policy_namespace) for c in conditions):
            return False
    return True


def _first_rule(policy, f: _Facts) -> int | None:
    rules = policy.spec.get("rules")
    if not isinstance(rules, list):
        return None
    action = str(policy.spec.get("action") or "ALLOW").upper()
    for index, rule in enumerate(rules):
        rule = built_rule(action, rule)  # authz/unbuildable.py: values istiod cannot build
        if rule is None:
            f.notes.append(("unbuildable_skipped", f"{policy.namespace}/{policy.name}", index))
            continue
        if f.tcp:
            rule = tcp_rule(action, rule)  # authz/tcp.py: what istiod keeps on a TCP filter chain
            if rule is None:
                f.notes.append(("tcp_skipped", f"{policy.namespace}/{policy.name}", index))
                continue
        if rule_matches(rule, f, policy.namespace):
            return index
    return None


def _request_principal(mesh: Mesh, to: Workload, host: str, source: Source, trace: AuthzTrace) -> tuple[str | None, bool]:
    """(request principal `iss/sub`, token rejected). Claims stand for a JWT the caller sent."""
    if not source.claims:
        return None, False
    issuer = source.claims.get("iss")
    authns = policies(mesh, "RequestAuthentication", to, host)
    issuers = [str(rule.get("issuer")) for ra in authns for rule in items(ra.spec.get("jwtRules")) if isinstance(rule, dict)]
    if not authns:
        trace.add("jwt_unchecked")
        return None, False
    if issuer not in issuers:
        trace.add("jwt_rejected", issuer=issuer, issuers=", ".join(issuers))
        return None, True
    principal = f"{issuer}/{source.claims.get('sub', '')}"
    trace.add("jwt_ok", principal=principal)
    return principal, False


def _client_address_rule(mesh: Mesh, to: Workload, gateway: bool, forwarded: str | None, trace: AuthzTrace) -> ClientAddressRule:
    """A gateway's connection manager: use_remote_address and numTrustedProxies (authz/remote_ip.py)."""
    if not gateway:
        return SIDECAR
    hops = trusted_hops(mesh, to.namespace, to.labels)
    if forwarded or hops.count:
        trace.add("trusted_hops", count=hops.count, source=hops.source or "default")
    return ClientAddressRule(True, hops)


def _custom(mesh: Mesh, customs: list, facts: _Facts, trace: AuthzTrace) -> AuthzDecision | None:
    """CUSTOM policies run first. A working provider decides outside the mesh (assumed to allow);
    one istiod cannot build makes the CUSTOM rules DENY rules (builder.go getBadCustomDenyRules)."""
    checks = check_providers(mesh, customs)
    for p in customs:
        index = _first_rule(p, facts)
        if index is None:
            continue
        key, provider = f"{p.namespace}/{p.name}", provider_name(p)
        check = checks[provider or ""]
        if not check.usable:
            trace.add("custom_bad", policy=key, rule=index, problem=check.problem)
            return AuthzDecision("DENY", key, "CUSTOM", index, trace.lines)
        trace.add("custom", policy=key, rule=index, provider=provider)
    return None


def authorize(mesh: Mesh, request: Request, to: Workload, source: Source, lang: str | None = "en") -> AuthzDecision:
    """Whether `to`'s policies let `source` send `request`. `lang` as in routing.route (None: locale)."""
    trace = AuthzTrace(lang)
    trace.add("target", workload=f"{to.namespace}/" + ",".join(f"{k}={v}" for k, v in sorted(to.labels.items())))
    port = workload_port(mesh, to, request.host, request.port)
    if port != request.port:
        trace.add("workload_port", service_port=request.port, port=port)
    mode, pa = peer_authentication(mesh, to, port)
    gateway = is_gateway(mesh, to)
    if gateway:
        trace.add("gateway_mtls")
    else:
        trace.add("mtls", mode=mode, source=f"PeerAuthentication {pa.namespace}/{pa.name}" if pa else "default")
    if mode == "STRICT" and not source.mtls:
        trace.add("strict_plaintext")
        return AuthzDecision("DENY", None, None, None, trace.lines)
    mtls = source.mtls and mode != "DISABLE"
    if not mtls and (source.principal or source.namespace):
        trace.add("no_peer_identity")
    tcp = port_is_tcp(mesh, to, request.host, request.port)
    if tcp is not None:
        trace.add("tcp_port", port=request.port, protocol=tcp.protocol.value)
        request_principal, rejected = None, False  # no HTTP filters: no JWT, no headers
    else:
        refusal = codec_refusal(request)
        if refusal is not None:  # answered before any HTTP filter, RBAC included (routing/wire.py)
            trace.add("codec_refused", status=refusal.status, details=refusal.details)
            return AuthzDecision(REJECTED, None, None, None, trace.lines)
        request_principal, rejected = _request_principal(mesh, to, request.host, source, trace)
    if rejected:
        return AuthzDecision("DENY", None, None, None, trace.lines)
    forwarded = request.header("x-forwarded-for") if tcp is None else None
    facts = _Facts(
        request=request,
        port=port,
        principal=principal_value(source.principal) if mtls else None,
        namespace=source.peer_namespace if mtls else None,
        source_ip=source.ip,
        remote_ip=remote_ip(forwarded, source.ip, _client_address_rule(mesh, to, gateway, forwarded, trace)),
        request_principal=request_principal,
        claims=dict(source.claims) if request_principal else {},
        tcp=tcp is not None,
    )
    decision = _decide(mesh, to, facts, trace)
    if facts.tcp and decision.decision == "DENY":
        trace.add("tcp_denied")
    decision.trace = trace.lines
    return decision


def _decide(mesh: Mesh, to: Workload, facts: _Facts, trace: AuthzTrace) -> AuthzDecision:
    """CUSTOM → DENY → ALLOW over the policies that apply to `to` (the module docstring)."""
    matcher, skipped = skipped_target_ref(mesh, to, facts.request.host)
    for policy in skipped:
        step = "target_ref" if matcher.gateway_name is None else "target_ref_other"
        trace.add(step, policy=f"{policy.namespace}/{policy.name}", gateway=matcher.gateway_name)
    applicable = policies(mesh, "AuthorizationPolicy", to, facts.request.host)
    for policy in applicable:
        if target_refs(policy):
            trace.add("target_ref_applied", policy=f"{policy.namespace}/{policy.name}", gateway=matcher.gateway_name)
    by_action: dict[str, list] = {"CUSTOM": [], "DENY": [], "ALLOW": [], "AUDIT": []}
    for p in applicable:
        action = str(p.spec.get("action") or "ALLOW").upper()
        by_action.setdefault(action, []).append(p)
    for p in by_action["AUDIT"]:
        if _first_rule(p, facts) is not None:
            trace.add("audit", policy=f"{p.namespace}/{p.name}")
    custom = _custom(mesh, by_action["CUSTOM"], facts, trace)
    if custom is not None:
        return custom
    for p in by_action["DENY"]:
        index = _first_rule(p, facts)
        key = f"{p.namespace}/{p.name}"
        if index is not None:
            trace.add("deny_match", policy=key, rule=index)
            return AuthzDecision("DENY", key, "DENY", index, trace.lines)
        trace.add("deny_no_match", policy=key)
    if not by_action["ALLOW"]:
        trace.add("no_allow_policies")
        return AuthzDecision("ALLOW", None, None, None, trace.lines)
    for p in by_action["ALLOW"]:
        index = _first_rule(p, facts)
        key = f"{p.namespace}/{p.name}"
        for step, policy, rule in facts.notes:
            trace.add(step, policy=policy, rule=rule)
        facts.notes.clear()
        if index is not None:
            trace.add("allow_match", policy=key, rule=index)
            return AuthzDecision("ALLOW", key, "ALLOW", index, trace.lines)
        trace.add("allow_no_match" if isinstance(p.spec.get("rules"), list) else "allow_no_rules", policy=key)
    trace.add("default_deny")
    return AuthzDecision("DENY", None, None, None, trace.lines)
