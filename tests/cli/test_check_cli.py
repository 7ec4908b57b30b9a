"""``istio-notebook check``: output formats, exit codes, --strict, suppression, no tracebacks.

Most cases call the CLI's ``main`` in-process (fast); the no-traceback cases and one exit-code
case run the real console entry (``python -m istio_notebook``) in a subprocess, as a user would.
Exit codes and the text/json shapes are the public contract in DESIGN.md.
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pytest

from istio_notebook.cli import main
from istio_notebook.diagnostics.catalogue import message

VS_MISSING_GATEWAY = """\
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: public, namespace: default}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: default%s
spec:
  hosts: [reviews.example.com]
  gateways:
  - missing
  http: [{route: [{destination: {host: reviews}}]}]
"""

# Only a Warning-level finding (IST0134) and an Info one (IST0118).
WARNING_ONLY = """\
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec:
  hosts: [db.example.com]
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  resolution: DNS
"""

CLEAN = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: default}
spec:
  hosts: [ratings]
  http: [{route: [{destination: {host: ratings}}]}]
"""


def run_check(*args: str | Path) -> SimpleNamespace:
    """``istio-notebook check ARGS`` in-process: returncode, stdout, stderr."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["check", *map(str, args)])
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
    return SimpleNamespace(returncode=code, stdout=out.getvalue(), stderr=err.getvalue())


def run_check_process(*args: str | Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "istio_notebook", "check", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def annotated(value: str) -> str:
    return VS_MISSING_GATEWAY % f"\n  annotations:\n    galley.istio.io/analyze-suppress: \"{value}\""


def test_text_format_is_one_line_per_diagnostic_with_level_code_origin_and_place(tmp_path):
    path = write(tmp_path, "vs.yaml", VS_MISSING_GATEWAY % "")
    result = run_check(path, "--lang", "en")
    assert result.returncode == 1
    # A missing gateway is IST0101 and, as it serves none of the hosts, IST0132 (istioctl reports both);
    # each line ends with the catalogue's fix hint in the chosen language.
    assert result.stdout == (
        f'Error [IST0101] (VirtualService default/reviews {path}:16) Referenced gateway not found: "missing"'
        f' (hint: {message("IST0101").hint("en")})\n'
        f"Warning [IST0132] (VirtualService default/reviews {path}:16) one or more host [reviews.example.com] "
        f'defined in VirtualService default/reviews not found in Gateway default/missing. (hint: {message("IST0132").hint("en")})\n'
    )
    assert result.stderr == ""


def test_json_format_has_exactly_the_contract_keys(tmp_path):
    """The contract's keys, plus ``hint`` (the documented addition: the catalogue's fix hint)."""
    path = write(tmp_path, "vs.yaml", VS_MISSING_GATEWAY % "")
    result = run_check(path, "--format", "json", "--lang", "en")
    assert result.returncode == 1
    assert json.loads(result.stdout) == {
        "diagnostics": [
            {
                "code": "IST0101",
                "level": "Error",
                "origin": "VirtualService default/reviews",
                "file": str(path),
                "line": 16,
                "column": 5,
                "message": 'Referenced gateway not found: "missing"',
                "hint": message("IST0101").hint("en"),
            },
            {
                "code": "IST0132",
                "level": "Warning",
                "origin": "VirtualService default/reviews",
                "file": str(path),
                "line": 16,
                "column": 5,
                "message": "one or more host [reviews.example.com] defined in VirtualService default/reviews not found in Gateway default/missing.",
                "hint": message("IST0132").hint("en"),
            },
        ]
    }


def test_github_format_is_a_workflow_annotation(tmp_path):
    path = write(tmp_path, "vs.yaml", VS_MISSING_GATEWAY % "")
    result = run_check(path, "--format", "github")
    # GitHub escapes ":" and "," in properties (file path has none here besides the tmp dir).
    prop_file = str(path).replace(":", "%3A").replace(",", "%2C")
    assert result.stdout == (
        f"::error file={prop_file},line=16,col=5,title=IST0101 VirtualService default/reviews::"
        'Referenced gateway not found: "missing"\n'
        f"::warning file={prop_file},line=16,col=5,title=IST0132 VirtualService default/reviews::"
        "one or more host [reviews.example.com] defined in VirtualService default/reviews not found in Gateway default/missing.\n"
    )


def test_clean_input_exits_zero_with_no_output(tmp_path):
    result = run_check(write(tmp_path, "ok.yaml", CLEAN))
    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_warnings_exit_zero_unless_strict(tmp_path):
    path = write(tmp_path, "se.yaml", WARNING_ONLY)
    relaxed = run_check(path)
    assert relaxed.returncode == 0 and "Warning [IST0134]" in relaxed.stdout
    assert run_check(path, "--strict").returncode == 1


def test_missing_path_exits_two(tmp_path):
    result = run_check_process(tmp_path / "nope.yaml")
    assert result.returncode == 2
    assert "INB1011" in result.stdout and "Traceback" not in result.stderr


def test_unknown_format_is_a_usage_error(tmp_path):
    result = run_check(write(tmp_path, "ok.yaml", CLEAN), "--format", "xml")
    assert result.returncode == 2 and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("annotation", "suppressed"),
    [("IST0101", True), ("IST0130,IST0101", True), ("*", True), ("IST0130", False), ("IST0130, IST0101", False)],
    ids=["exact code", "code in a list", "star", "other code", "space after comma is not trimmed (as istioctl)"],
)
def test_suppression_annotation_drops_codes_on_that_resource(tmp_path, annotation, suppressed):
    # istioctl: pkg/config/analysis/local/istiod_analyze.go splits the annotation on "," and accepts "*".
    result = run_check(write(tmp_path, "vs.yaml", annotated(annotation)))
    assert ("IST0101" not in result.stdout) is suppressed
    assert result.returncode == (0 if suppressed else 1)


def test_markdown_fences_report_file_lines(tmp_path):
    body = textwrap.indent(VS_MISSING_GATEWAY % "", "    ")
    page = f"# title\n\n!!! note\n\n    ```yaml\n{body}    ```\n"
    path = write(tmp_path, "page.md", page)
    result = run_check(path, "--format", "json")
    [found] = [d for d in json.loads(result.stdout)["diagnostics"] if d["code"] == "IST0101"]
    # The fence body starts on line 6; the gateway reference is its 16th line.
    assert (found["code"], found["line"], found["column"]) == ("IST0101", 21, 9)
    assert page.splitlines()[found["line"] - 1].strip() == "- missing"


BAD_INPUTS = {
    "binary.yaml": b"\x00\x01\x02kind: x",
    "latin1.yaml": "kind: Caf\xe9\n".encode("latin-1"),
    "syntax.yaml": "a: [\n",
    "tabs.yaml": "apiVersion: v1\nkind: Service\n\tmetadata: {}\n",
    "bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n" for i in range(7)),
    "tag.yaml": "apiVersion: v1\nkind: !!python/object:os.system ls\n",
    "scalar.yaml": "just text\n",
    "spec-wrong-types.yaml": "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: x}\n"
    "spec: {hosts: 3, gateways: {a: 1}, http: [1, {route: 2}, {match: x, route: [{destination: 5}]}]}\n",
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_is_reported_not_crashed_on(tmp_path, name):
    result = run_check(write(tmp_path, name, BAD_INPUTS[name]))
    assert "internal error" not in result.stderr and "IST0001" not in result.stdout
    assert result.returncode in (0, 1, 2)


def test_console_entry_prints_no_traceback_for_any_bad_input(tmp_path):
    paths = [write(tmp_path, name, raw) for name, raw in sorted(BAD_INPUTS.items())]
    result = run_check_process(*paths, tmp_path / "missing.yaml")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.returncode == 2  # the missing path makes the input unusable
    # Each malformed file is named in some diagnostic (the well-formed wrong-typed spec may not be).
    for name in set(BAD_INPUTS) - {"spec-wrong-types.yaml"}:
        assert str(tmp_path / name) in result.stdout, name


def test_input_that_cannot_be_read_as_text_is_unusable_input_exit_2(tmp_path, capsys):
    # DESIGN.md: exit 2 for unreadable input — binary and non-UTF-8 files are that, not findings.
    from istio_notebook.cli import main

    for name, raw in (("binary.yaml", b"kind: X\x00"), ("latin1.yaml", "kind: Caf\xe9\n".encode("latin-1"))):
        path = tmp_path / name
        path.write_bytes(raw)
        assert main(["check", str(path)]) == 2
    assert "INB1009" in capsys.readouterr().out


def test_check_lang_attaches_the_catalogue_fix_hint(tmp_path, capsys):
    # issue 16 item 5: where istioctl only says what is wrong, check also says how to fix it.
    path = tmp_path / "wrong.yaml"
    path.write_text("apiVersion: install.istio.io/v1alpha1\nkind: PeerAuthentication\nmetadata: {name: a}\n")
    for lang in ("en", "ja"):
        assert main(["check", str(path), "--format", "json", "--lang", lang]) == 1
        [found] = json.loads(capsys.readouterr().out)["diagnostics"]
        assert (found["code"], found["hint"]) == ("INB1015", message("INB1015").hint(lang))
