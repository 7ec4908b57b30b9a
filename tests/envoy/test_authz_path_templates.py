"""AuthorizationPolicy path templates on real Envoy's RBAC filter (uri_template) vs the evaluator.

Istio 1.30: a `paths` value holding `{*}` or `{**}` becomes an RBAC uri_template permission
(istio/istio 1.30.3 pilot/pkg/security/authz/model/generator.go pathGenerator,
matcher/template.go: `{*}` → `*`, `{**}` → `**`; istio.io AuthorizationPolicy reference,
Operation.paths). Envoy's uri_template matcher (extensions.path.match.uri_template.v3 docs;
source/extensions/path/uri_template_lib/uri_template_internal.cc) matches the path without its
query: `*` is one non-empty segment, `**` any characters including "/" (so `/files/**` needs the
"/" after `files`). Both engines must agree on every request below; the decisions are Envoy's.
"""

from __future__ import annotations

import pytest
from envoy_testkit import load_mesh, requires_envoy
from istio_notebook.authz import Source, Workload
from istio_notebook.authz import authorize as evaluate
from istio_notebook.authz.ports import workload_port
from istio_notebook.envoy.authz_replay import InboundScenario, peer_mode
from istio_notebook.envoy.rbac import build_rbac_filters
from istio_notebook.routing import Request

HTTPBIN = Workload("foo", {"app": "httpbin"})
PLAIN = Source(mtls=False)


@pytest.fixture(scope="module")
def mesh():
    return load_mesh("authz_path_templates.yaml")


CASES = [
    # (request, decision on Envoy, deciding DENY policy or None)
    ("GET http://httpbin.foo:8000/users/alice", "ALLOW", None),  # {*}: one segment
    ("GET http://httpbin.foo:8000/users/alice?x=1", "ALLOW", None),  # the query is not matched
    ("GET http://httpbin.foo:8000/users/", "DENY", None),  # {*} needs a non-empty segment
    ("GET http://httpbin.foo:8000/users/alice/bob", "DENY", None),  # {*} never spans "/"
    ("GET http://httpbin.foo:8000/users/alice/secret", "DENY", "foo/deny-secrets"),
    ("GET http://httpbin.foo:8000/files/a/b/c.txt", "ALLOW", None),  # {**}: any depth
    ("GET http://httpbin.foo:8000/files/", "ALLOW", None),  # {**} may be empty
    ("GET http://httpbin.foo:8000/files", "DENY", None),  # ... but the "/" before it stays
    ("GET http://httpbin.foo:8000/v1.0/a/b/meta", "ALLOW", None),  # literal "." is literal
    ("GET http://httpbin.foo:8000/v1x0/a/meta", "DENY", None),
    ("POST http://httpbin.foo:8000/upload", "ALLOW", None),
    ("POST http://httpbin.foo:8000/static/app.js", "DENY", None),  # notPaths with {**}
    # What a glob matches inside a segment: pchar with "=" (kLiteral) and, on Envoy 1.40, "*";
    # "^" and "{" arrive percent-encoded by the path normalisation, so "%" matches them; "[" no.
    ("GET http://httpbin.foo:8000/users/a=b", "ALLOW", None),
    ("GET http://httpbin.foo:8000/users/a*b", "ALLOW", None),
    ("GET http://httpbin.foo:8000/users/a^b{c}", "ALLOW", None),
    ("GET http://httpbin.foo:8000/users/a[b]", "DENY", None),
    ("GET http://httpbin.foo:8000/files/x=1/y*2", "ALLOW", None),
]


def test_istiod_writes_a_uri_template_permission(mesh):
    text = str(build_rbac_filters(list(mesh.of_kind("AuthorizationPolicy"))).filters)
    assert "'path_template': '/users/*/secret'" in text and "'path_template': '/files/**'" in text
    assert "envoy.extensions.path.match.uri_template.v3.UriTemplateMatchConfig" in text


@pytest.mark.parametrize("line", [c[0] for c in CASES])
def test_the_evaluator_decides_path_templates_as_envoy_does(mesh, line):
    line, decision, policy = next(c for c in CASES if c[0] == line)
    answer = evaluate(mesh, Request.parse(line), HTTPBIN, PLAIN).to_json()
    assert answer["decision"] == decision, answer
    assert answer["policy"] == policy or decision == "ALLOW"


@pytest.mark.envoy
@requires_envoy
def test_envoy_rbac_decides_path_templates_as_the_evaluator(mesh):
    with InboundScenario(mesh, HTTPBIN, peer_mode(mesh, HTTPBIN, 8000), 8000) as scenario:
        for line, decision, policy in CASES:
            request = Request.parse(line)
            observed = scenario.authorize(request, PLAIN, workload_port(mesh, HTTPBIN, request.host, request.port))
            assert observed["decision"] == decision, (line, observed)
            if policy:
                assert observed["policy"] == policy, (line, observed)
