"""``check --format sarif``: SARIF 2.1.0 as GitHub code scanning reads it (issue 20, item 4).

Every log is validated against the OASIS schema (tests/cli/data/sarif-schema-2.1.0.json, its
source in data/README.md) with ``jsonschema``; the tests then pin what code scanning uses:
rule ids and indexes, levels, relative URIs against %SRCROOT%, lines and columns.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from istio_notebook.cli import main
from istio_notebook.diagnostics import Diagnostic, Level, Position
from istio_notebook.diagnostics.sarif import as_sarif

SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft4Validator(SCHEMA)  # the schema declares draft-04

# An Error (IST0101 missing gateway), a Warning (IST0134, as WARNING_ONLY in test_check_cli) and an Info (INB1014).
CONFIG = """\
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
  gateways:
  - missing
  http: [{route: [{destination: {host: reviews}}]}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: db, namespace: default}
spec:
  hosts: [db.example.com]
  ports: [{number: 5432, name: tcp, protocol: TCP}]
  resolution: DNS
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: settings}
"""


def validate(log: dict) -> None:
    errors = sorted(VALIDATOR.iter_errors(log), key=lambda e: list(e.path))
    assert not errors, "; ".join(f"{list(e.path)}: {e.message}" for e in errors[:5])


def run(capsys, *argv: str) -> tuple[int, str]:
    code = main(list(argv))
    return code, capsys.readouterr().out


def test_check_sarif_is_valid_and_matches_the_json_diagnostics(tmp_path: Path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "istio").mkdir()
    (tmp_path / "istio" / "mesh config.yaml").write_text(CONFIG)
    code, out = run(capsys, "check", "istio", "--format", "sarif")
    assert code == 1
    log = json.loads(out)
    validate(log)
    _, plain = run(capsys, "check", "istio", "--format", "json")
    expected = json.loads(plain)["diagnostics"]
    [sarif_run] = log["runs"]
    results = sarif_run["results"]
    rules = sarif_run["tool"]["driver"]["rules"]
    assert [r["ruleId"] for r in results] == [d["code"] for d in expected]
    assert {d["level"] for d in expected} == {"Error", "Warning", "Info"}
    for result, diagnostic in zip(results, expected):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == {"Error": "error", "Warning": "warning", "Info": "note"}[diagnostic["level"]]
        assert result["message"]["text"] == diagnostic["message"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        # Relative to the repository root (the working directory), percent-encoded as a URI reference.
        assert physical["artifactLocation"] == {"uri": "istio/mesh%20config.yaml", "uriBaseId": "%SRCROOT%"}
        assert physical["region"] == {"startLine": diagnostic["line"], "startColumn": diagnostic["column"]}
        names = [logical["fullyQualifiedName"] for logical in location.get("logicalLocations", [])]
        assert names == ([diagnostic["origin"]] if diagnostic["origin"] else [])
    assert sarif_run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.as_uri() + "/"
    ist0101 = rules[[r["id"] for r in rules].index("IST0101")]
    assert ist0101["name"] == "ReferencedResourceNotFound"
    assert ist0101["helpUri"] == "https://istio.io/latest/docs/reference/config/analysis/ist0101/"


def test_clean_input_is_a_valid_log_with_no_results(tmp_path: Path, capsys) -> None:
    (tmp_path / "ok.yaml").write_text(CONFIG.split("---\n")[0])
    code, out = run(capsys, "check", str(tmp_path / "ok.yaml"), "--format", "sarif")
    log = json.loads(out)
    validate(log)
    assert code == 0 and log["runs"][0]["results"] == [] and log["version"] == "2.1.0"


def test_files_outside_the_root_and_cluster_objects_get_absolute_uris(tmp_path: Path) -> None:
    outside = Diagnostic("IST0101", Level.ERROR, "m", Position(str(tmp_path / "x.yaml"), 3, 2), "VirtualService a/b")
    live = Diagnostic("INB1007", Level.WARNING, "m", Position("k8s://prod/default/virtualservices.networking.istio.io/b", 1, 1))
    log = json.loads(as_sarif([outside, live], cwd=tmp_path / "repo"))
    validate(log)
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"] for r in log["runs"][0]["results"]]
    assert uris == [{"uri": (tmp_path / "x.yaml").as_uri()}, {"uri": "k8s://prod/default/virtualservices.networking.istio.io/b"}]


@pytest.mark.parametrize("breakage", ["no version", "level not in the enum", "line zero"])
def test_the_schema_check_rejects_broken_logs(tmp_path: Path, breakage: str) -> None:
    # Guards the guard: a validator that accepted anything would make the tests above prove nothing.
    d = Diagnostic("IST0101", Level.ERROR, "m", Position("a.yaml", 3, 2))
    log = json.loads(as_sarif([d], cwd=tmp_path))
    result = log["runs"][0]["results"][0]
    if breakage == "no version":
        del log["version"]
    elif breakage == "level not in the enum":
        result["level"] = "fatal"
    else:
        result["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    assert list(VALIDATOR.iter_errors(log))
