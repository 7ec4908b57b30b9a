"""SARIF 2.1.0 output (``check --format sarif``), the format GitHub code scanning reads.

One run, one rule per code that occurs (its catalogue name and description), one result per
diagnostic. Files under the working directory are relative URIs against ``%SRCROOT%`` (what
code scanning maps onto the repository); other files are absolute ``file:`` URIs, and cluster
objects keep their ``k8s://`` name. Columns count Unicode code points, as our positions do.
Validated against the OASIS schema in tests/diagnostics/test_sarif.py.
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from istio_notebook import __version__
from istio_notebook.diagnostics.catalogue import CATALOGUE, Level
from istio_notebook.diagnostics.record import Diagnostic

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://github.com/istio-notebook/istio-notebook"
ISTIO_ANALYSIS_DOCS = "https://istio.io/latest/docs/reference/config/analysis/{code}/"
_LEVELS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}
SRCROOT = "%SRCROOT%"


def _rule(code: str) -> dict:
    entry = CATALOGUE.get(code)
    rule: dict = {"id": code}
    if entry is None:
        return rule
    rule.update(name=entry.name, shortDescription={"text": entry.description},
                defaultConfiguration={"level": _LEVELS[entry.level]})
    if entry.source == "istioctl":
        rule["helpUri"] = ISTIO_ANALYSIS_DOCS.format(code=code.lower())
    return rule


def artifact_location(file: str, cwd: Path) -> dict:
    if "://" in file:
        return {"uri": file}
    path = Path(file)
    absolute = path if path.is_absolute() else cwd / path
    try:
        relative = Path(os.path.relpath(absolute, cwd))
    except ValueError:  # another drive (Windows)
        relative = Path("..")
    if relative.parts[:1] == ("..",):
        return {"uri": absolute.as_uri()}
    return {"uri": quote(relative.as_posix()), "uriBaseId": SRCROOT}


def _result(d: Diagnostic, rule_index: int, cwd: Path) -> dict:
    location: dict = {
        "physicalLocation": {
            "artifactLocation": artifact_location(d.file, cwd),
            "region": {"startLine": max(d.line, 1), "startColumn": max(d.column, 1)},
        }
    }
    if d.origin:
        location["logicalLocations"] = [{"fullyQualifiedName": d.origin, "kind": "resource"}]
    return {"ruleId": d.code, "ruleIndex": rule_index, "level": _LEVELS[d.level],
            "message": {"text": d.message}, "locations": [location]}


def as_sarif(diagnostics: Sequence[Diagnostic], cwd: Path | None = None) -> str:
    cwd = cwd or Path.cwd()
    codes = list(dict.fromkeys(d.code for d in diagnostics))
    index = {code: i for i, code in enumerate(codes)}
    run = {
        "tool": {"driver": {"name": "istio-notebook", "version": __version__, "informationUri": INFORMATION_URI,
                            "rules": [_rule(code) for code in codes]}},
        "originalUriBaseIds": {SRCROOT: {"uri": cwd.as_uri() + "/"}},
        "columnKind": "unicodeCodePoints",
        "results": [_result(d, index[d.code], cwd) for d in diagnostics],
    }
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, ensure_ascii=False, indent=2) + "\n"
