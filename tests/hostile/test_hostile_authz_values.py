"""AuthorizationPolicy values istiod cannot build (issue 13): no crash, istiod's own answer.

`ports: ['x']` crashed the Envoy translation (exit 3: an ``int()`` on the port string). istiod
(pilot/pkg/security/authz/model at 1.30.3) converts ports with convertToPort (util.go:
ParseUint base 10, ≤ 65535) and addresses with AddrStrToCidrRange; on failure model.go
checkError skips the whole rule of an ALLOW policy and only the value of a DENY/AUDIT policy
(the rule gets wider; a field with no value left matches anything). `check` reports such
values as IST0106 first; `route`/`authz` still answer for the file as istiod would.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from istio_notebook.authz import Source, Workload, authorize
from istio_notebook.authz.unbuildable import built_rule, valid_address, valid_port
from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.envoy.binary import envoy_available
from istio_notebook.routing import Request

SERVICE = """apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: default}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
"""
REVIEWS = Workload("default", {"app": "reviews"})
CALLER = Source(principal="cluster.local/ns/default/sa/productpage", ip="10.0.0.5")
REQUEST = "GET http://reviews.default:9080/"


def policy(action: str, rule: str) -> str:
    return f"""---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {{name: p, namespace: default}}
spec:
  selector: {{matchLabels: {{app: reviews}}}}
  action: {action}
  rules:
  - {rule}
"""


def mesh_of(text: str) -> Mesh:
    return Mesh(load_text(text, Origin("<test>")).resources)


def decide(text: str) -> dict:
    return authorize(mesh_of(text), Request.parse(REQUEST), REVIEWS, CALLER, lang="en").to_json()


@pytest.mark.parametrize(("value", "ok"), [
    ("9080", True), ("0", True), ("65535", True), ("00080", True),
    ("65536", False), ("x", False), ("-1", False), ("+80", False), (" 80", False), ("٨٠", False),
])
def test_ports_are_what_convertToPort_accepts(value, ok):
    assert valid_port(value) is ok


@pytest.mark.parametrize(("value", "ok"), [
    ("10.0.0.1", True), ("10.0.0.0/8", True), ("10.0.0.1/8", True), ("::1/128", True),
    ("10.0.0.0/33", False), ("10.0.0.0/x", False), ("10.0.0.0/255.0.0.0", False), ("nowhere", False),
    # netip (pilot/pkg/networking/util/util.go AddrStrToPrefix at 1.30.3): no leading zero in the
    # prefix length, no zone in a prefix, a zone on an address; Python's ipaddress differs on each.
    ("10.0.0.0/08", False), ("fe80::1%eth0/64", False), ("fe80::1%eth0", True), ("", False),
])
def test_addresses_are_what_AddrStrToCidrRange_accepts(value, ok):
    assert valid_address(value) is ok


def test_an_allow_rule_with_a_bad_port_is_skipped_whole():
    rule = {"to": [{"operation": {"ports": ["x", "9080"], "methods": ["GET"]}}]}
    assert built_rule("ALLOW", rule) is None


def test_a_deny_rule_loses_only_the_bad_value_and_an_emptied_field():
    rule = {"to": [{"operation": {"ports": ["x", "9080"], "notPorts": ["y"], "methods": ["GET"]}}],
            "when": [{"key": "destination.port", "values": ["z"]}, {"key": "source.ip", "values": ["10.0.0.0/8", "bad"]}]}
    assert built_rule("DENY", rule) == {
        "to": [{"operation": {"ports": ["9080"], "methods": ["GET"]}}],
        "when": [{"key": "source.ip", "values": ["10.0.0.0/8"]}],
    }


def test_evaluator_allow_with_only_a_bad_port_allows_nothing():
    decision = decide(SERVICE + policy("ALLOW", "to: [{operation: {ports: ['x', '9080']}}]"))
    assert decision["decision"] == "DENY"
    assert "ALLOW policy default/p rule 0 has a port or address istiod cannot build: it skips the rule" in decision["trace"]


def test_evaluator_deny_with_only_a_bad_port_denies_every_port():
    # The port field has no value left, so the rule matches on any port (checkError, DENY).
    decision = decide(SERVICE + policy("DENY", "to: [{operation: {ports: ['x']}}]"))
    assert (decision["decision"], decision["policy"], decision["rule_index"]) == ("DENY", "default/p", 0)


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
@pytest.mark.parametrize(("action", "rule", "expected"), [
    ("ALLOW", "to: [{operation: {ports: ['x']}}]", "DENY"),  # the only rule skipped: nothing allowed
    ("ALLOW", "to: [{operation: {ports: ['x', '9080']}}]", "DENY"),  # skipped whole, 9080 included
    ("ALLOW", "from: [{source: {ipBlocks: ['10.0.0.0/x']}}]", "DENY"),
    ("DENY", "to: [{operation: {ports: ['x']}}]", "DENY"),  # no port left: every port denied
    ("DENY", "to: [{operation: {ports: ['x', '1234']}}]", "ALLOW"),  # 1234 kept: 9080 not denied
    ("DENY", "from: [{source: {ipBlocks: ['10.0.0.0/x']}}]", "DENY"),
    ("DENY", "when: [{key: destination.port, values: ['99999']}]", "DENY"),
])
def test_the_envoy_backend_answers_as_the_evaluator(tmp_path, action, rule, expected):
    path = tmp_path / "mesh.yaml"
    path.write_text(SERVICE + policy(action, rule))
    answers = {}
    for backend in ("sim", "envoy"):
        result = subprocess.run(
            [sys.executable, "-m", "istio_notebook", "authz", str(path), "--request", REQUEST,
             "--to", "default/app=reviews", "--source-principal", CALLER.principal, "--source-ip", CALLER.ip,
             "--backend", backend, "--format", "json"],
            capture_output=True, text=True, timeout=120,
        )
        assert result.returncode == 0, result.stderr  # was exit 3 on the Envoy backend
        answers[backend] = json.loads(result.stdout)["decision"]
    assert answers == {"sim": expected, "envoy": expected}
