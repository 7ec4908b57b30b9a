"""`route --gateway NS/NAME` with Gateway API: either kind of Gateway, ambiguity named, route_ref in the JSON."""

from __future__ import annotations

import json
from pathlib import Path

from gwkit import GATEWAY
from istio_notebook.cli import main

ISTIO_GATEWAY = """apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: web, namespace: infra}
spec:
  servers:
  - {port: {number: 80, name: http, protocol: HTTP}, hosts: ['*']}
"""
ROUTE = """apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: shop, namespace: default}
spec:
  parentRefs: [{name: web, namespace: infra}]
  hostnames: [shop.example.com]
  rules:
  - matches: [{path: {value: /a}}, {path: {value: /b}}]
    backendRefs: [{name: shop, port: 80}]
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_gateway_api_gateway_answers_with_route_ref(tmp_path: Path, capsys) -> None:
    path = tmp_path / "gw.yaml"
    path.write_text(GATEWAY + "---\n" + ROUTE)
    code, out, _ = run(capsys, "route", str(path), "--gateway", "infra/web", "--request", "GET http://shop.example.com/b/1", "--format", "json")
    result = json.loads(out)
    assert code == 0 and result["destinations"][0]["host"] == "shop.default.svc.cluster.local"
    assert result["route_ref"] == {"kind": "HTTPRoute", "namespace": "default", "name": "shop", "rule_index": 0, "match_index": 1}
    code, out, _ = run(capsys, "route", str(path), "--gateway", "infra/web", "--request", "GET http://shop.example.com/b/1")
    assert "HTTPRoute default/shop rule 0 match 1" in out


def test_same_name_for_both_kinds_is_a_usage_error_naming_both(tmp_path: Path, capsys) -> None:
    path = tmp_path / "both.yaml"
    path.write_text(GATEWAY + "---\n" + ISTIO_GATEWAY)
    code, out, err = run(capsys, "route", str(path), "--gateway", "infra/web", "--request", "GET http://a.example.com/")
    assert code == 2 and out == ""
    assert "ambiguous" in err and "networking.istio.io/v1 Gateway infra/web" in err and "gateway.networking.k8s.io/v1 Gateway infra/web" in err
    assert f"{path}:1" in err and f"{path}:14" in err


def test_unknown_gateway_is_still_a_usage_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "gw.yaml"
    path.write_text(GATEWAY)
    code, _, err = run(capsys, "route", str(path), "--gateway", "infra/nope", "--request", "GET http://a.example.com/")
    assert code == 2 and "Gateway infra/nope not found" in err
