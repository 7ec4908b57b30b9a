"""Generated reference pages, the coverage report and the VirtualService diagram."""

import re
from html import unescape

import markdown

from istio_notebook.config import Origin, load_text
from istio_notebook.diagnostics.catalogue import CATALOGUE
from istio_notebook.examples.coverage import Coverage, RouteUnit
from istio_notebook.examples.expectations import CLAUSES, parse_clause
from istio_notebook.markdown import reports
from istio_notebook.mkdocs.config import IstioNotebookConfig
from istio_notebook.markdown.mermaid import describe_match, unreachable_rules, virtual_service_diagram


def test_diagnostics_reference_lists_every_catalogue_code_once():
    page = reports.diagnostics_reference()
    for code in CATALOGUE:
        assert page.count(f"`{code}`") == 1, code


def test_check_syntax_reference_lists_every_clause_and_its_examples_parse():
    page = reports.check_syntax_reference()
    for clause in CLAUSES:
        for example in clause.syntax.split(" / "):
            assert example.strip() in page
            text = example.strip().removeprefix("→").strip()
            assert parse_clause(text)[0] == clause.name, example


def test_coverage_report_names_uncovered_match_blocks():
    a = RouteUnit("docs/a.md", 10, "default/reviews", 0, 0)
    b = RouteUnit("docs/a.md", 14, "default/reviews", 1, None)
    page = reports.coverage_report({"docs/a.md": Coverage([a, b], {a})}, minimum=80)
    assert "**50.0%**" in page and "最低ライン: 80%" in page
    assert "| `docs/a.md:14` | `default/reviews` | rule 1 |" in page
    assert "docs/a.md:10" not in page


VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  gateways: [bookinfo-gateway]
  http:
  - name: jason
    match:
    - headers: {end-user: {exact: jason}}
    - uri: {prefix: "/v2"}
    route:
    - destination: {host: reviews, subset: v2}
  - route:
    - destination: {host: reviews, subset: v1}
      weight: 75
    - destination: {host: reviews, subset: v3}
      weight: 25
"""


def test_diagram_shows_hosts_each_match_block_and_weighted_destinations():
    (resource,) = load_text(VS, Origin("vs.yaml")).resources
    diagram = virtual_service_diagram(resource)
    assert diagram.startswith("flowchart LR\n")
    assert '"VirtualService default/reviews<br/>ホスト: reviews<br/>ゲートウェイ: bookinfo-gateway"' in diagram
    assert 'r0m0{{"ルール 0・match 0 (jason): ヘッダー end-user = jason"}}' in diagram
    assert 'r0m1{{"ルール 0・match 1 (jason): URI が /v2 で始まる"}}' in diagram
    assert 'r1m0 -->|"75%"| d1' in diagram and 'r1m0 -->|"25%"| d2' in diagram
    assert 'd0["reviews v2"]' in diagram and 'd2["reviews v3"]' in diagram


UNREACHABLE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews}
spec:
  hosts: [reviews]
  http:
  - route:
    - destination: {host: reviews, subset: v1}
  - match:
    - headers: {end-user: {exact: jason}}
    route:
    - destination: {host: reviews, subset: v2}
"""


def test_a_rule_istioctl_reports_unreachable_is_drawn_dead():
    # A rule after a rule without match is unreachable: IST0130 "route without matches defined
    # before" (istio/istio pkg/config/validation/validation.go analyzeUnreachableHTTPRules).
    from istio_notebook.analysis import analyze
    from istio_notebook.config import Mesh

    (resource,) = load_text(UNREACHABLE, Origin("vs.yaml")).resources
    found = analyze(Mesh([resource]))
    assert unreachable_rules(resource, found) == {1}
    diagram = virtual_service_diagram(resource, dead=unreachable_rules(resource, found))
    assert 'vs -.-> r1m0{{"ルール 1・match 0（到達しない）: ヘッダー end-user = jason"}}' in diagram
    assert "r1m0 -.-> d1" in diagram and "vs --> r0m0" in diagram and "r0m0 --> d0" in diagram
    assert diagram.endswith("  class r1m0 dead\n") and "classDef dead stroke-dasharray" in diagram
    assert "dead" not in virtual_service_diagram(resource)  # nothing reported, nothing dead


def test_match_descriptions_are_japanese_and_cover_common_fields():
    assert describe_match(None) == "すべてのリクエスト"
    assert describe_match({"method": {"exact": "GET"}, "queryParams": {"a": {"regex": "b.*"}}}) == "メソッド = GET、クエリー a が正規表現 b.* に一致"
    # withoutHeaders matches when the same condition does not hold; {} means "present"
    # (istio/api networking/v1alpha3/virtual_service.proto, HTTPMatchRequest.without_headers).
    assert describe_match({"headers": {"x-debug": {}}, "withoutHeaders": {"x-canary": {}, "end-user": {"prefix": "test-"}}}) == (
        "ヘッダー x-debug がある、ヘッダー x-canary がない、ヘッダー end-user が test- で始まらない"
    )
    assert describe_match({"port": 9080, "sourceNamespace": "foo", "ignoreUriCase": True}) == "ポート 9080、送信元の名前空間 foo、URI の大文字小文字を区別しない"


def test_plugin_config_defaults_and_validation():
    config = IstioNotebookConfig()
    config.load_dict({})
    errors, _ = config.validate()
    assert not errors
    assert (config.enabled, config.coverage_minimum, config.coverage_page) == (True, 0, "reports/coverage.md")
    bad = IstioNotebookConfig()
    bad.load_dict({"coverage_minimum": "most"})
    errors, _ = bad.validate()
    assert errors and errors[0][0] == "coverage_minimum"


def test_diagnostics_reference_shows_every_pinned_istioctl_code_with_its_status():
    from istio_notebook.diagnostics.coverage import ISTIOCTL_CODES

    page = reports.diagnostics_reference()
    for entry in ISTIOCTL_CODES:
        [row] = [line for line in page.splitlines() if line.startswith(("| " + entry.code, f"| [{entry.code}]"))]
        assert entry.name in row and (entry.reason.replace("|", "\\|") in row if entry.reason else entry.modules[0] in row)


def test_diagnostics_reference_shows_every_fix_hint_as_written_in_both_languages():
    """The rendered reference shows each code's hints character for character: placeholders such
    as <revision>, wildcards such as *.example.com and YAML such as [{group: ...}] are not read as
    HTML tags, emphasis or table cells."""
    html = markdown.markdown(reports.diagnostics_reference(), extensions=["tables"])
    text = unescape(re.sub(r"<[^>]+>", "", html))
    for m in CATALOGUE.values():
        assert m.hint("ja") in text and m.hint("en") in text, m.code
    assert "istio.io/rev=<revision>" in text  # IST0123's placeholder, once lost as an unknown HTML tag


SHARED_DESTINATION = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings}
spec:
  hosts: [ratings]
  http:
  - match: [{uri: {prefix: /a}}]
    route: [{destination: {host: ratings}}]
  - match: [{uri: {prefix: /b}}]
    directResponse: {status: 503}
  - route: [{destination: {host: ratings}}]
"""


def test_rules_sending_to_the_same_place_get_a_node_each_so_the_drawing_keeps_their_order():
    # A destination node shared by rules 0 and 2 let Mermaid's layout draw rule 2 between 0 and 1
    # (tests/browser/test_diagrams.py reads the drawn order); each rule's own nodes keep a tree.
    (resource,) = load_text(SHARED_DESTINATION, Origin("vs.yaml")).resources
    diagram = virtual_service_diagram(resource)
    assert "r0m0 --> d0" in diagram and "r1m0 --> d1" in diagram and "r2m0 --> d2" in diagram
    assert 'd0["ratings"]' in diagram and 'd2["ratings"]' in diagram
    edges = [line.split()[-1] for line in diagram.splitlines() if line.startswith("  r")]
    assert len(edges) == len(set(edges))  # no destination node has two rules pointing at it
