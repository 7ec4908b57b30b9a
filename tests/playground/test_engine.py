"""The playground's Python side (istio_notebook.playground.engine): the command line on in-memory
files gives exactly what the installed `istio-notebook` prints for the same files and arguments."""

from __future__ import annotations

import json

import yaml
from istio_notebook.config import yaml_reader
from istio_notebook.playground.engine import run, run_json
from playground_cases import BOOKINFO, JASON, JASON_MISSING_GATEWAY, cli


def test_route_json_is_the_command_lines(tmp_path):
    files = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON}
    argv = ["route", "bookinfo.yaml", "vs.yaml", "--request", "GET http://reviews:9080/reviews/1", "-H", "end-user: jason", "--format", "json", "--lang", "ja"]
    expected = cli(tmp_path, argv, files)
    outcome = run(argv, files)
    assert (outcome.exit, outcome.stdout) == (expected.returncode, expected.stdout)
    assert json.loads(outcome.stdout)["destinations"][0]["subset"] == "v2"


def test_check_diagnostics_name_the_given_file_and_line(tmp_path):
    files = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON_MISSING_GATEWAY}
    argv = ["check", "bookinfo.yaml", "vs.yaml", "--format", "json"]
    expected = cli(tmp_path, argv, files)
    outcome = run(argv, files)
    assert (outcome.exit, outcome.stdout) == (expected.returncode, expected.stdout) == (1, expected.stdout)
    first = json.loads(outcome.stdout)["diagnostics"][0]
    assert (first["code"], first["file"], first["line"]) == ("IST0101", "vs.yaml", 7)


def test_unusable_arguments_and_names_exit_2_without_a_traceback():
    assert run(["route", "x.yaml"], {"x.yaml": ""}).exit == 2  # --request missing: argparse's exit 2
    outcome = run(["check", "../x.yaml"], {"../x.yaml": "a: 1"})
    assert outcome.exit == 2 and "Traceback" not in outcome.stderr


def test_run_json_round_trips_strings_only():
    answer = json.loads(run_json(json.dumps({"argv": ["check", "a.yaml", "--format", "json"], "files": {"a.yaml": BOOKINFO}})))
    assert answer == {"exit": 0, "stdout": '{\n  "diagnostics": []\n}\n', "stderr": ""}


def test_the_pure_python_yaml_loader_reads_what_libyaml_reads_and_errs_on_the_same_line(monkeypatch):
    # Pyodide's PyYAML has no libyaml: yaml.SafeLoader must give the same documents and errors.
    broken = JASON + "---\nkind: [unclosed\n"
    with_c = yaml_reader.read_documents(broken, yaml_reader.Origin("x.yaml"))
    monkeypatch.setattr(yaml_reader, "SafeLoader", yaml.SafeLoader)
    pure = yaml_reader.read_documents(broken, yaml_reader.Origin("x.yaml"))
    assert [d.data for d in pure[0]] == [d.data for d in with_c[0]]
    # Same code and line; the wording of a syntax error is each parser's own ("did not find
    # expected ',' or ']'" from libyaml, "expected ',' or ']', but got '<stream end>'" in Python).
    assert [(d.code, d.line) for d in pure[1]] == [(d.code, d.line) for d in with_c[1]] == [("INB1001", 18)]


PRELOAD_PROBE = """
import json, sys
from istio_notebook.playground.engine import preload, run
from playground_cases import BOOKINFO, JASON
preload()
before = {m for m in sys.modules if m.startswith("istio_notebook")}
files = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON}
request = ["--request", "GET http://reviews:9080/reviews/1", "-H", "end-user: jason", "--format", "json", "--lang", "ja"]
for argv in (["route", "bookinfo.yaml", "vs.yaml", *request], ["check", "bookinfo.yaml", "vs.yaml", "--format", "json", "--lang", "ja"],
             ["authz", "bookinfo.yaml", *request, "--to", "default/app=reviews"]):
    assert run(argv, files).exit in (0, 1), argv
print(json.dumps(sorted({m for m in sys.modules if m.startswith("istio_notebook")} - before)))
"""


def test_preload_imports_every_module_the_playgrounds_commands_import_on_first_use():
    """engine.js's time limit starts after the worker's boot (which calls preload): a module that
    route, check or authz would still import on its first run would count against the reader's
    command (compiling it in Pyodide takes time), and could stop a first run that is not stuck.
    The files here hold VirtualServices and Services: their kinds' models are left to the run."""
    import subprocess
    import sys
    from pathlib import Path

    tests = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, "-c", PRELOAD_PROBE], cwd=tests, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    # Except the spec models of the kinds the files hold: config/models/registry.py imports each
    # kind's module when that kind is first read (a few tens of ms each), so that a first run does
    # not build the ~200 models of every kind.
    from istio_notebook.config.models.registry import _SPEC_CLASSES

    per_kind = {f"istio_notebook.config.models.{where.partition(':')[0]}" for where in _SPEC_CLASSES.values()}
    assert set(json.loads(done.stdout)) - per_kind == set()
