"""`istio-notebook authz`: the public command-line contract of DESIGN.md."""

from __future__ import annotations

import json
from pathlib import Path

from istio_notebook.cli import main

POLICY = """apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: deny-post, namespace: foo}
spec:
  action: DENY
  rules:
  - to: [{operation: {methods: [POST]}}]
    from: [{source: {namespaces: [default]}}]
"""


def run(capsys, tmp_path: Path, *argv: str) -> tuple[int, str, str]:
    path = tmp_path / "policy.yaml"
    path.write_text(POLICY)
    code = main(["authz", str(path), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_json_decision_names_the_policy(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path, "--request", "POST http://httpbin.foo:8000/post", "--to", "foo/app=httpbin",
                       "--source-namespace", "default", "--format", "json")
    assert code == 0
    result = json.loads(out)
    assert set(result) == {"decision", "policy", "action", "rule_index", "trace"}
    assert (result["decision"], result["policy"], result["action"], result["rule_index"]) == ("DENY", "foo/deny-post", "DENY", 0)


def test_plaintext_source_has_no_namespace(capsys, tmp_path):
    code, out, _ = run(capsys, tmp_path, "--request", "POST http://httpbin.foo:8000/post", "--to", "foo/app=httpbin",
                       "--source-namespace", "default", "--mtls", "off")
    assert code == 0 and out.startswith("ALLOW")


def test_claims_and_bad_arguments(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, "--request", "GET http://x/", "--to", "foo/app=x", "--claim", "novalue")
    assert code == 2 and "--claim" in err
    code, _, err = run(capsys, tmp_path, "--request", "GET http://x/", "--to", "app=x")
    assert code == 2 and "--to" in err


def test_source_ip_must_be_an_address(capsys, tmp_path):
    code, _, err = run(capsys, tmp_path, "--request", "GET http://x/", "--to", "foo/app=x", "--source-ip", "not-an-ip")
    assert code == 2 and "--source-ip" in err
