"""``analyze()``: validation + analyzers, suppression, de-duplication, order, and failures."""

from __future__ import annotations

from types import SimpleNamespace

from istio_notebook.analysis import Metadata, analyze, run_analyzers
from istio_notebook.config import Mesh, Origin, load_text
from istio_notebook.diagnostics import report


def mesh_of(text: str) -> Mesh:
    return Mesh(load_text(text, Origin("in.yaml")).resources)


CATCH_ALL_FIRST = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: r
  namespace: default%s
spec:
  hosts: [r]
  http:
  - route: [{destination: {host: r}}]
  - match: [{uri: {prefix: /a}}, {uri: {prefix: /b}}]
    route: [{destination: {host: r}}]
"""


def test_the_same_finding_twice_is_reported_once():
    # istioctl reports "route without matches defined before" once per match of the rule; both
    # land on the same rule with the same text, so the user sees one line.
    found = [d for d in analyze(mesh_of(CATCH_ALL_FIRST % ""), validate=lambda r: []) if d.code == "IST0130"]
    assert [(d.line, d.message) for d in found] == [(10, "VirtualService rule #1 not used (route without matches defined before).")]


def test_suppression_also_applies_to_validation_findings():
    annotated = CATCH_ALL_FIRST % '\n  annotations: {galley.istio.io/analyze-suppress: "IST0106,IST0130"}'
    mesh = mesh_of(annotated)

    def validate(r):
        return [report("IST0106", r.locate("spec", "hosts"), r.origin, detail="invented for the test")]

    assert analyze(mesh, validate=validate) == []
    assert [d.code for d in analyze(mesh_of(CATCH_ALL_FIRST % ""), validate=validate)] == ["IST0106", "IST0130"]


def test_results_are_sorted_by_file_line_column():
    two = CATCH_ALL_FIRST % "" + "---\n" + (CATCH_ALL_FIRST % "").replace("name: r", "name: s")
    found = analyze(mesh_of(two), validate=lambda r: [])
    assert [d.line for d in found] == sorted(d.line for d in found)


def test_a_failing_analyzer_becomes_an_internal_error_diagnostic_not_an_exception():
    def broken(ctx):
        raise ValueError("boom")
        yield  # pragma: no cover

    analyzer = SimpleNamespace(METADATA=Metadata("test.Broken", "always fails", ("VirtualService",)), analyze=broken)
    [found] = run_analyzers(mesh_of(CATCH_ALL_FIRST % ""), [analyzer])
    assert found.code == "IST0001" and "test.Broken: ValueError: boom" in found.message


def test_a_failing_validator_becomes_an_internal_error_diagnostic():
    def validate(r):
        raise KeyError("spec")

    found = analyze(mesh_of(CATCH_ALL_FIRST % ""), validate=validate)
    assert [d.code for d in found if d.code == "IST0001"] == ["IST0001"]
