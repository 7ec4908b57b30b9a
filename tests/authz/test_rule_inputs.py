"""What the deciding AuthorizationPolicy rule looks at (authz/inputs.py), for the check sentence:
the fields the rule names (istio.io AuthorizationPolicy reference: from.source, to.operation,
when), with this request's and caller's values; ports as the workload's (istio/api#3075)."""

from __future__ import annotations

from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.authz.inputs import rule_inputs
from istio_notebook.examples.sentence import authz_sentence
from istio_notebook.routing import Request
from istio_notebook.routing.inputs import RequestInput
from test_authorize import mesh_of, policy
from test_workload_port import DEPLOYMENT, SERVICE

HTTPBIN = Workload("foo", {"app": "httpbin"})
SLEEP = Source(principal="cluster.local/ns/default/sa/sleep", ip="10.0.0.5")

RULES = """  selector: {matchLabels: {app: httpbin}}
  action: DENY
  rules:
  - to: [{operation: {methods: [POST]}}]
  - from: [{source: {namespaces: [default]}}]
    to: [{operation: {paths: [/admin*], ports: ["8080"]}}]
    when: [{key: "request.headers[X-Env]", values: [prod]}]"""


def test_the_deciding_rule_names_its_fields_with_the_request_values():
    mesh = mesh_of(SERVICE, DEPLOYMENT, policy("guard", RULES))
    request = Request.parse("GET http://httpbin.foo:8000/admin/users", ["x-env: prod"])
    decision = authorize(mesh, request, HTTPBIN, SLEEP).to_json()
    assert (decision["decision"], decision["policy"], decision["rule_index"]) == ("DENY", "foo/guard", 1)
    inputs = rule_inputs(mesh, "foo/guard", 1, request, HTTPBIN, SLEEP)
    assert inputs == (
        RequestInput("namespace", "", "default"),  # from the mTLS identity, as the evaluator reads it
        RequestInput("path", "", "/admin/users"),
        RequestInput("port", "", "8080"),  # the Service's 8000 reaches the Pod on targetPort 8080
        RequestInput("header", "x-env", "prod"),
    )
    assert authz_sentence(decision, inputs) == (
        "送信元の名前空間 default、パス /admin/users、ポート 8080、x-env: prod なら DENY ポリシー foo/guard の rule 1 が拒否（DENY）")


def test_a_rule_that_is_not_there_gives_no_inputs():
    mesh = mesh_of(SERVICE, DEPLOYMENT, policy("guard", RULES))
    request = Request.parse("GET http://httpbin.foo:8000/")
    assert rule_inputs(mesh, "foo/guard", 7, request, HTTPBIN, SLEEP) == ()
    assert rule_inputs(mesh, "foo/missing", 0, request, HTTPBIN, SLEEP) == ()
