"""authorize() and real Envoy's RBAC (from the envoy helper's translation) decide alike."""

from __future__ import annotations

import pytest
from istio_notebook.authz import Source, authorize
from istio_notebook.routing import Request
from test_authorize import FROM_SLEEP, HTTPBIN, mesh_of, policy

pytestmark = pytest.mark.envoy

CASES = [
    ("  action: ALLOW\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - to: [{operation: {paths: ['/status/*']}}]\n", "GET http://httpbin.foo:8000/status/200?x=1", FROM_SLEEP),
    ("  rules:\n  - to: [{operation: {paths: ['*/json']}}]\n", "GET http://httpbin.foo:8000/anything/json", FROM_SLEEP),
    ("  rules:\n  - to: [{operation: {notPaths: ['/admin*']}}]\n", "GET http://httpbin.foo:8000/admin/x", FROM_SLEEP),
    ("  rules:\n  - to: [{operation: {hosts: [HTTPBIN.FOO:8000]}}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - to: [{operation: {hosts: [httpbin.foo]}}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - from: [{source: {namespaces: [default]}}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - from: [{source: {namespaces: [default]}}]\n", "GET http://httpbin.foo:8000/ip", Source(namespace="default", mtls=False)),
    ("  action: DENY\n  rules:\n  - from: [{source: {notNamespaces: [foo]}}]\n", "GET http://httpbin.foo:8000/", Source(mtls=False)),
    ("  action: DENY\n  rules:\n  - to: [{operation: {methods: [POST]}}]\n", "POST http://httpbin.foo:8000/post", FROM_SLEEP),
    # serviceAccounts / trustDomains become principal_name matchers (generator.go): both engines alike.
    ("  rules:\n  - from: [{source: {serviceAccounts: [default/sleep]}}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - from: [{source: {serviceAccounts: [sleep]}}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - from: [{source: {serviceAccounts: [sleep]}}]\n", "GET http://httpbin.foo:8000/ip",
     Source(principal="cluster.local/ns/foo/sa/sleep")),
    ("  rules:\n  - from: [{source: {serviceAccounts: [default/sleep]}}]\n", "GET http://httpbin.foo:8000/ip",
     Source(principal="cluster.local/ns/default/sa/sleep-v2")),
    ("  action: DENY\n  rules:\n  - from: [{source: {notServiceAccounts: [default/sleep]}}]\n", "GET http://httpbin.foo:8000/ip",
     Source(principal="cluster.local/ns/default/sa/curl")),
    ("  rules:\n  - when: [{key: source.serviceAccount, values: [default/sleep]}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - from: [{source: {trustDomains: [cluster.local]}}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - from: [{source: {trustDomains: ['*.example.com']}}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
    ("  rules:\n  - when: [{key: source.trustDomain, values: [cluster.local]}]\n", "GET http://httpbin.foo:8000/ip", FROM_SLEEP),
]


@pytest.fixture(scope="module")
def replay():
    from istio_notebook.envoy import replay as module

    yield module
    module.close_all()


@pytest.mark.parametrize(("spec", "line", "source"), CASES)
def test_decisions_agree_with_envoy(replay, spec, line, source):
    mesh = mesh_of(policy("p", spec))
    request = Request.parse(line)
    sim = authorize(mesh, request, HTTPBIN, source).to_json()
    envoy = replay.authorize(mesh, request, HTTPBIN, source)
    assert sim["decision"] == envoy["decision"]
    if sim["decision"] == "DENY" and envoy.get("policy"):
        assert sim["policy"] == envoy["policy"]
