"""`route --request 'tcp://HOST:PORT'` and `'tls://HOST:PORT' --sni NAME` (docs/reference/cli.md)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_route_cli import CONTRACT_KEYS, run

ECHO = """
apiVersion: v1
kind: Service
metadata: {name: tcp-echo, namespace: default}
spec:
  selector: {app: tcp-echo}
  ports: [{name: tcp, port: 9000}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, namespace: default}
spec:
  hosts: [api.example.com]
  ports: [{number: 443, name: tls, protocol: TLS}]
  resolution: DNS
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api, namespace: default}
spec:
  hosts: [api.example.com]
  tls:
  - match: [{sniHosts: [api.example.com]}]
    route: [{destination: {host: api.example.com}}]
"""


@pytest.fixture
def mesh_file(tmp_path: Path) -> Path:
    path = tmp_path / "echo.yaml"
    path.write_text(ECHO)
    return path


def test_a_tcp_connection_answers_in_the_route_contract(capsys, mesh_file):
    code, out, _ = run(capsys, "route", str(mesh_file), "--request", "tcp://tcp-echo:9000", "--format", "json")
    result = json.loads(out)
    assert code == 0 and set(result) == CONTRACT_KEYS
    assert (result["action"], result["status"]) == ("route", None)
    assert [d["cluster"] for d in result["destinations"]] == ["outbound|9000||tcp-echo.default.svc.cluster.local"]


def test_sni_chooses_the_tls_rule(capsys, mesh_file):
    _, matched, _ = run(capsys, "route", str(mesh_file), "--request", "tls://api.example.com:443", "--format", "json")
    _, other, _ = run(capsys, "route", str(mesh_file), "--request", "tls://api.example.com:443", "--sni", "x.example.com",
                      "--format", "json")
    assert json.loads(matched)["virtual_service"] == "default/api"
    assert json.loads(other)["action"] == "passthrough"


@pytest.mark.parametrize("argv", [
    ["--request", "tcp://tcp-echo"],
    ["--request", "tcp://tcp-echo:9000", "--sni", "a.example.com"],
    ["--request", "tls://api.example.com:443", "--sni", "two words"],
])
def test_unusable_connection_arguments_exit_2_with_one_line(capsys, mesh_file, argv):
    code, out, err = run(capsys, "route", str(mesh_file), *argv)
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1 and "error:" in err
