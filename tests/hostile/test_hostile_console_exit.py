"""The installed `istio-notebook` command exits as soon as its work is done (issue 13, point 5 of
"Done when": `route --backend envoy` on 5,000 services exits within 1 s of answering; freeing the
mesh object by object took 2.6 s). cli.console flushes the output, runs the atexit hooks that reap
Envoy's process group, then leaves without interpreter teardown; argparse's own exits stay as they
were. These run the console script itself (pyproject.toml [project.scripts])."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from istio_notebook.envoy.binary import envoy_available

MESH = Path(__file__).resolve().parent.parent / "envoy" / "fixtures" / "reviews.yaml"
SCRIPT = shutil.which("istio-notebook", path=str(Path(sys.executable).parent))

pytestmark = pytest.mark.skipif(SCRIPT is None, reason="istio-notebook console script not installed")


def run(*argv: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([SCRIPT, *argv], capture_output=True, text=True, timeout=120, env=env)


def test_help_and_usage_errors_keep_their_exit_codes():
    assert run("--help").returncode == 0
    bad = run("no-such-command")  # argparse's own error and exit
    assert bad.returncode == 2 and "usage:" in bad.stderr
    missing = run("route", str(MESH))  # the CLI's one-line usage error
    assert (missing.returncode, missing.stderr.count("\n")) == (2, 1)


def test_the_whole_output_is_flushed_before_the_fast_exit():
    result = run("route", str(MESH), "--from", "default/app=productpage", "--request", "GET http://reviews:9080/",
                 "--format", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "route"  # complete JSON, not a truncated buffer


def test_output_into_a_closed_pipe_exits_quietly():
    with subprocess.Popen([SCRIPT, "route", str(MESH), "--request", "GET http://reviews:9080/", "--format", "json"],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE) as process:
        assert process.stdout is not None
        process.stdout.close()  # the reader is gone before anything is written
        _, err = process.communicate(timeout=60)
    assert b"Traceback" not in err


@pytest.mark.envoy
@pytest.mark.skipif(not envoy_available(), reason="no Envoy binary")
def test_envoy_is_reaped_and_temp_entries_removed_before_the_fast_exit(tmp_path):
    env = {**os.environ, "TMPDIR": str(tmp_path), "ISTIO_NOTEBOOK_ENVOY_LOGS": ""}
    result = run("route", str(MESH), "--from", "default/app=productpage", "--request", "GET http://reviews:9080/",
                 "--backend", "envoy", "--format", "json", env=env)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["action"] == "route"
    assert list(tmp_path.iterdir()) == []  # Envoy work dir and certificates gone
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if str(tmp_path) in (entry / "cmdline").read_bytes().decode(errors="replace"):
                    alive.append(entry.name)
            except OSError:
                pass
    assert alive == []  # no Envoy of this run left
