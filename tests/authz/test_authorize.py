"""AuthorizationPolicy, PeerAuthentication and RequestAuthentication evaluation."""

from __future__ import annotations

import pytest
from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.routing import Request

HTTPBIN = Workload("foo", {"app": "httpbin", "version": "v1"})
FROM_SLEEP = Source(principal="cluster.local/ns/default/sa/sleep", ip="10.0.0.5")


def mesh_of(*texts: str) -> Mesh:
    resources = []
    for i, text in enumerate(texts):
        loaded = load_text(text, Origin(f"<{i}>"), first_order=len(resources))
        assert not loaded.diagnostics, loaded.diagnostics
        resources += loaded.resources
    return Mesh(resources)


def mesh_config(body: str) -> str:
    """An IstioOperator whose ``spec.meshConfig`` is ``body`` (indented four spaces), as the input gives MeshConfig."""
    return f"""
apiVersion: install.istio.io/v1alpha1
kind: IstioOperator
metadata: {{name: mesh, namespace: istio-system}}
spec:
  meshConfig:
{body}"""


def policy(name: str, spec: str, namespace: str = "foo") -> str:
    return f"""
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: {name}, namespace: {namespace}}}
spec:
{spec}"""


def decide(mesh: Mesh, line: str = "GET http://httpbin.foo:8000/ip", *headers: str, to: Workload = HTTPBIN,
           source: Source = FROM_SLEEP) -> dict:
    return authorize(mesh, Request.parse(line, list(headers)), to, source, lang="en").to_json()


def test_no_policy_allows():
    # https://istio.io/latest/docs/concepts/security/#implicit-enablement
    assert decide(mesh_of())["decision"] == "ALLOW"


def test_allow_with_no_rules_denies_everything_but_one_empty_rule_allows_everything():
    # https://istio.io/latest/docs/reference/config/security/authorization-policy/ (allow-nothing / allow-all examples)
    nothing = decide(mesh_of(policy("allow-nothing", "  action: ALLOW\n")))
    assert (nothing["decision"], nothing["policy"]) == ("DENY", None)
    everything = decide(mesh_of(policy("allow-all", "  rules:\n  - {}\n")))
    assert (everything["decision"], everything["policy"], everything["rule_index"]) == ("ALLOW", "foo/allow-all", 0)


def test_deny_is_evaluated_before_allow():
    # Evaluation order CUSTOM, DENY, ALLOW (authorization-policy reference, "Policy evaluation").
    mesh = mesh_of(
        policy("allow-all", "  rules:\n  - {}\n"),
        policy("deny-post", "  action: DENY\n  rules:\n  - to: [{operation: {methods: [POST]}}]\n"),
    )
    denied = decide(mesh, "POST http://httpbin.foo:8000/post")
    assert (denied["decision"], denied["policy"], denied["action"], denied["rule_index"]) == ("DENY", "foo/deny-post", "DENY", 0)
    assert decide(mesh, "GET http://httpbin.foo:8000/get")["decision"] == "ALLOW"


def test_audit_never_decides():
    mesh = mesh_of(policy("audit", "  action: AUDIT\n  rules:\n  - {}\n"))
    assert decide(mesh)["decision"] == "ALLOW"


@pytest.mark.parametrize(
    ("pattern", "path", "allowed"),
    [
        ("/ip", "/ip", True),
        ("/ip", "/ip?x=1", True),  # paths are compared without the query string
        ("/ip", "/IP", False),  # paths are case-sensitive
        ("/status/*", "/status/200", True),  # prefix
        ("*/json", "/anything/json", True),  # suffix
        ("*", "/whatever", True),  # any non-empty
        ("/status/*", "/statusx", False),
    ],
)
def test_path_value_forms(pattern, path, allowed):
    # Exact, prefix `abc*`, suffix `*abc` and presence `*` (authorization-policy reference, Rule / Operation).
    mesh = mesh_of(policy("paths", f"  rules:\n  - to: [{{operation: {{paths: ['{pattern}']}}}}]\n"))
    assert decide(mesh, f"GET http://httpbin.foo:8000{path}")["decision"] == ("ALLOW" if allowed else "DENY")


def test_not_paths_excludes():
    mesh = mesh_of(policy("not-admin", "  rules:\n  - to: [{operation: {notPaths: ['/admin*']}}]\n"))
    assert decide(mesh, "GET http://httpbin.foo:8000/ip")["decision"] == "ALLOW"
    assert decide(mesh, "GET http://httpbin.foo:8000/admin/x")["decision"] == "DENY"


def test_methods_are_case_sensitive_and_hosts_are_not():
    mesh = mesh_of(policy("host", "  rules:\n  - to: [{operation: {hosts: [HTTPBIN.FOO:8000], methods: [GET]}}]\n"))
    assert decide(mesh, "GET http://httpbin.foo:8000/ip")["decision"] == "ALLOW"
    assert decide(mesh, "get http://httpbin.foo:8000/ip")["decision"] == "ALLOW"  # the request parser upper-cases methods
    # The Host header is compared as sent, port included (istio/istio#44080; checked on real Envoy).
    no_port = mesh_of(policy("host", "  rules:\n  - to: [{operation: {hosts: [httpbin.foo]}}]\n"))
    assert decide(no_port, "GET http://httpbin.foo:8000/ip")["decision"] == "DENY"
    assert decide(no_port, "GET http://httpbin.foo/ip")["decision"] == "ALLOW"
    post = mesh_of(policy("post", "  rules:\n  - to: [{operation: {methods: [post]}}]\n"))
    assert decide(post, "POST http://httpbin.foo:8000/ip")["decision"] == "DENY"


def test_namespaces_come_from_the_mtls_identity():
    # Source.namespaces / principals need mTLS (authorization-policy reference, Source).
    mesh = mesh_of(policy("from-default", "  rules:\n  - from: [{source: {namespaces: [default]}}]\n"))
    assert decide(mesh)["decision"] == "ALLOW"
    plaintext = Source(principal="cluster.local/ns/default/sa/sleep", mtls=False)
    out = decide(mesh, source=plaintext)
    assert out["decision"] == "DENY"
    assert any("no mTLS" in step for step in out["trace"])


def test_principals_and_not_namespaces():
    mesh = mesh_of(policy("sleep-only", "  rules:\n  - from: [{source: {principals: ['cluster.local/ns/default/sa/sleep'], notNamespaces: [bar]}}]\n"))
    assert decide(mesh)["decision"] == "ALLOW"
    assert decide(mesh, source=Source(principal="cluster.local/ns/default/sa/other"))["decision"] == "DENY"


def test_when_conditions_all_must_hold():
    mesh = mesh_of(policy("when", """  rules:
  - when:
    - key: request.headers[version]
      values: ["v1", "v2"]
    - key: source.ip
      notValues: ["10.0.0.0/24"]
"""))
    assert decide(mesh, "GET http://httpbin.foo:8000/", "version: v1", source=Source(ip="10.1.0.1"))["decision"] == "ALLOW"
    assert decide(mesh, "GET http://httpbin.foo:8000/", "version: v1", source=Source(ip="10.0.0.9"))["decision"] == "DENY"
    assert decide(mesh, "GET http://httpbin.foo:8000/", "version: v3", source=Source(ip="10.1.0.1"))["decision"] == "DENY"


def test_ip_blocks():
    mesh = mesh_of(policy("ips", "  rules:\n  - from: [{source: {ipBlocks: ['10.0.0.0/16']}}]\n"))
    assert decide(mesh, source=Source(ip="10.0.3.4"))["decision"] == "ALLOW"
    assert decide(mesh, source=Source(ip="192.168.0.1"))["decision"] == "DENY"


def test_selector_narrows_and_root_namespace_is_mesh_wide():
    other = Workload("foo", {"app": "other"})
    mesh = mesh_of(policy("httpbin-only", "  selector: {matchLabels: {app: httpbin}}\n  action: DENY\n  rules:\n  - {}\n"))
    assert decide(mesh)["decision"] == "DENY"
    assert decide(mesh, to=other)["decision"] == "ALLOW"
    mesh_wide = mesh_of(policy("deny-all", "  action: DENY\n  rules:\n  - {}\n", namespace="istio-system"))
    assert decide(mesh_wide, to=Workload("bar", {"app": "x"}))["policy"] == "istio-system/deny-all"
    other_ns = mesh_of(policy("deny-all", "  action: DENY\n  rules:\n  - {}\n", namespace="bar"))
    assert decide(other_ns)["decision"] == "ALLOW"


PEER = """
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {{name: {name}, namespace: {namespace}}}
spec:
{spec}"""


def test_strict_mtls_rejects_plaintext_and_workload_level_overrides_namespace():
    # https://istio.io/latest/docs/reference/config/security/peer_authentication/
    strict_ns = PEER.format(name="default", namespace="foo", spec="  mtls: {mode: STRICT}")
    plaintext = Source(mtls=False)
    assert decide(mesh_of(strict_ns), source=plaintext)["decision"] == "DENY"
    permissive_workload = PEER.format(name="httpbin", namespace="foo",
                                      spec="  selector: {matchLabels: {app: httpbin}}\n  mtls: {mode: PERMISSIVE}")
    assert decide(mesh_of(strict_ns, permissive_workload), source=plaintext)["decision"] == "ALLOW"
    port_level = PEER.format(name="httpbin", namespace="foo",
                             spec="  selector: {matchLabels: {app: httpbin}}\n  mtls: {mode: STRICT}\n  portLevelMtls:\n    8000: {mode: DISABLE}")
    assert decide(mesh_of(port_level), source=plaintext)["decision"] == "ALLOW"


JWT = """
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: jwt, namespace: foo}
spec:
  selector: {matchLabels: {app: httpbin}}
  jwtRules:
  - issuer: testing@secure.istio.io
"""


def test_request_principals_and_claims_need_a_request_authentication():
    # https://istio.io/latest/docs/tasks/security/authorization/authz-jwt/
    require = policy("require-jwt", """  rules:
  - from: [{source: {requestPrincipals: ['testing@secure.istio.io/testing@secure.istio.io']}}]
    when:
    - key: request.auth.claims[groups]
      values: [group1]
""")
    claims = {"iss": "testing@secure.istio.io", "sub": "testing@secure.istio.io", "groups": ["group1", "group2"]}
    mesh = mesh_of(JWT, require)
    assert decide(mesh, source=Source(claims=claims))["decision"] == "ALLOW"
    assert decide(mesh, source=Source(claims={**claims, "groups": ["group2"]}))["decision"] == "DENY"
    assert decide(mesh, source=Source())["decision"] == "DENY"  # no token
    assert decide(mesh_of(require), source=Source(claims=claims))["decision"] == "DENY"  # token not validated
    assert decide(mesh, source=Source(claims={**claims, "iss": "evil"}))["decision"] == "DENY"


def test_trace_speaks_japanese():
    out = authorize(mesh_of(), Request.parse("GET http://x/"), HTTPBIN, FROM_SLEEP, lang="ja").to_json()
    assert any("許可" in step for step in out["trace"])


# serviceAccounts / trustDomains and the matching `when` keys. istiod turns them into matchers on
# the peer's SPIFFE URI (istio/istio 1.30 pilot/pkg/security/authz/model/generator.go
# serviceAccountRegex, srcTrustDomainGenerator; builder testdata http/allow-full-rule-{in,out}.yaml:
# `sa-only` in policy namespace foo becomes spiffe://.+/ns/foo/(.+/|)sa/sa-only(/.+)?).
@pytest.mark.parametrize(
    ("accounts", "principal", "allowed"),
    [
        ("[sleep]", "cluster.local/ns/foo/sa/sleep", True),  # bare name: the policy's namespace
        ("[sleep]", "cluster.local/ns/default/sa/sleep", False),
        ("[default/sleep]", "cluster.local/ns/default/sa/sleep", True),
        ("[default/sleep]", "cluster.local/ns/default/sa/sleep-v2", False),  # no longer name
        ("[default/sleep]", "cluster.local/ns/default/x/y/sa/sleep", True),  # extra k/v segments
        ("[default/sleep]", "cluster.local/ns/default/sa/sleep/k/v", True),
        ("['default/sl*']", "cluster.local/ns/default/sa/sleep", False),  # no wildcards: quoted
        ("['default/sl*']", "cluster.local/ns/default/sa/sl*", True),
        ("[default/sleep]", "other.domain/ns/default/sa/sleep", True),  # any trust domain
    ],
)
def test_service_accounts_match_as_istiods_regex(accounts, principal, allowed):
    mesh = mesh_of(policy("sa", f"  rules:\n  - from: [{{source: {{serviceAccounts: {accounts}}}}}]\n"))
    decision = decide(mesh, source=Source(principal=principal))["decision"]
    assert decision == ("ALLOW" if allowed else "DENY")


def test_service_accounts_need_a_peer_identity():
    mesh = mesh_of(policy("sa", "  rules:\n  - from: [{source: {serviceAccounts: [default/sleep]}}]\n"))
    assert decide(mesh, source=Source(namespace="default", mtls=False))["decision"] == "DENY"


def test_not_service_accounts_and_the_when_key():
    deny = policy("deny", "  action: DENY\n  rules:\n  - from: [{source: {notServiceAccounts: [default/sleep]}}]\n")
    assert decide(mesh_of(deny))["decision"] == "ALLOW"
    assert decide(mesh_of(deny), source=Source(principal="cluster.local/ns/default/sa/curl"))["decision"] == "DENY"
    when = policy("when", "  rules:\n  - when: [{key: source.serviceAccount, values: [default/sleep]}]\n")
    assert decide(mesh_of(when))["decision"] == "ALLOW"
    assert decide(mesh_of(when), source=Source(principal="cluster.local/ns/foo/sa/sleep"))["decision"] == "DENY"


@pytest.mark.parametrize(
    ("domain", "principal", "allowed"),
    [
        ("cluster.local", "cluster.local/ns/default/sa/sleep", True),  # exact: prefix spiffe://<td>/
        ("cluster.local", "cluster.localx/ns/default/sa/sleep", False),
        ("'*'", "any.domain/ns/default/sa/sleep", True),
        ("'*.example.com'", "east.example.com/ns/default/sa/sleep", True),  # first * is [^/]*
        ("'*.example.com'", "cluster.local/ns/default/sa/sleep", False),
    ],
)
def test_trust_domains_match_the_uri_prefix(domain, principal, allowed):
    mesh = mesh_of(policy("td", f"  rules:\n  - from: [{{source: {{trustDomains: [{domain}]}}}}]\n"))
    assert decide(mesh, source=Source(principal=principal))["decision"] == ("ALLOW" if allowed else "DENY")
    when = mesh_of(policy("td", f"  rules:\n  - when: [{{key: source.trustDomain, values: [{domain}]}}]\n"))
    assert decide(when, source=Source(principal=principal))["decision"] == ("ALLOW" if allowed else "DENY")
