"""`istio-notebook envoy-config`: the DESIGN.md contract (output, exit codes, never a traceback)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml
from envoy_testkit import FIXTURES, requires_envoy


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "istio_notebook", "envoy-config", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def test_json_for_a_sidecar_names_istio_objects():
    result = _run(str(FIXTURES / "reviews.yaml"), "--from", "default/app=productpage")
    assert result.returncode == 0, result.stderr
    config = json.loads(result.stdout)
    listeners = {l["name"] for l in config["static_resources"]["listeners"]}
    assert {"0.0.0.0_9080", "virtualOutbound"} <= listeners


def test_yaml_for_a_gateway():
    result = _run(str(FIXTURES / "gateway.yaml"), str(FIXTURES / "reviews.yaml"), "--gateway", "default/web", "--format", "yaml")
    assert result.returncode == 0, result.stderr
    config = yaml.safe_load(result.stdout)
    assert config["static_resources"]["listeners"][0]["name"] == "0.0.0.0_8080"


@pytest.mark.envoy
@requires_envoy
def test_validate_runs_envoy_and_reports_ok():
    result = _run(str(FIXTURES), "--gateway", "default/web", "--validate")
    assert result.returncode == 0 and "envoy --mode validate: OK" in result.stderr


BAD_REGEX = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews]
  http:
  - match:
    - uri: {regex: "/a(b"}
    route:
    - destination: {host: reviews}
"""


@requires_envoy
def test_a_rejection_names_the_offending_value_line_and_envoy_reason_in_one_line(tmp_path):
    # Envoy names the bad regex but not the resource: the value is looked up in the input (envoy/blame.py).
    path = tmp_path / "bad-regex.yaml"
    path.write_text(BAD_REGEX, encoding="utf-8")
    result = _run(str(path), "--from", "default", "--validate")
    assert result.returncode == 1
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith(f"Error [INB5001] ({path}:8) Envoy ")
    assert line.endswith("rejected the configuration for sidecar default: error initializing configuration: missing ): /a(b")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args", [
    ["--gateway", "default/missing"],
    ["--from", "default/novalue"],
])
def test_unusable_arguments_exit_2_in_one_line(args):
    result = _run(str(FIXTURES / "gateway.yaml"), *args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_unreadable_path_exits_2(tmp_path):
    result = _run(str(tmp_path / "nope.yaml"), "--from", "default")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_only_prints_what_one_resource_became():
    result = _run(str(FIXTURES / "reviews.yaml"), "--from", "default", "--only", "DestinationRule/default/reviews")
    assert result.returncode == 0, result.stderr
    clusters = json.loads(result.stdout)["clusters"]
    assert all(c["name"].endswith("|reviews.default.svc.cluster.local") for c in clusters) and clusters
    missing = _run(str(FIXTURES / "reviews.yaml"), "--from", "default", "--only", "DestinationRule/default/nope")
    assert missing.returncode == 2 and "Traceback" not in missing.stderr
