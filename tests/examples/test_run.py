"""Running pages with the real analyzers and routing simulator: scenarios, expect=, fragments, checks."""

import pytest
from examples_testkit import DR, DR_V1_ONLY, VS

from istio_notebook.examples.find import read_page
from istio_notebook.examples.run import run_page

FRONT = "---\nfixtures: [reviews]\n---\n"


def run(text, store):
    return run_page(read_page(text, "docs/p.md"), store)


def test_a_scenario_is_checked_together_with_fixtures_and_other_blocks(store):
    report = run(FRONT + VS + DR, store)
    assert [r.status for r in report.examples.values()] == ["verified", "verified"]
    assert report.passed


def test_a_missing_subset_fails_at_the_line_that_references_it(store):
    report = run(FRONT + VS + DR_V1_ONLY, store)
    result = report.examples[4]
    assert result.status == "error"
    assert {(d.code, d.line) for d in result.failures} >= {("IST0101", 16)}  # the v2 destination, file line 16


def test_expect_passes_when_exactly_those_codes_appear_and_fails_otherwise(store):
    # scenario="" on an expect block: checked with the default scenario as context, without joining it.
    wrong = VS.replace("```yaml", '```yaml expect="IST0101" scenario=""')
    report = run(FRONT + DR_V1_ONLY + wrong, store)
    assert report.examples[max(report.examples)].status == "expected-error"
    # With the full DestinationRule in context the example is no longer wrong.
    report = run(FRONT + DR + wrong, store)
    result = report.examples[max(report.examples)]
    assert result.status == "error"
    assert [d.code for d in result.failures] == ["INB3005"]
    assert "expected diagnostics IST0101, got none" in result.failures[0].message


def test_an_expect_block_does_not_join_the_default_scenario(store):
    wrong = VS.replace("```yaml", '```yaml expect="IST0101"')
    report = run(FRONT + DR + wrong, store)
    # The VS is not in the scenario: a check there finds no VirtualService rule 0.
    assert report.scenarios[""].mesh.get("VirtualService", "default", "reviews") is None


def test_fragments_are_checked_against_the_schema_at_their_path(store):
    good = '```yaml fragment="VirtualService:spec.http[]"\nroute:\n- destination: {host: reviews}\n```\n'
    bad = '```yaml fragment="DestinationRule:spec.trafficPolicy"\nloadBalancer:\n  simple: FASTEST\n```\n'
    report = run(good + bad, store)
    first, second = report.examples.values()
    assert first.status == "verified"
    assert second.status == "error"
    assert [(d.code, d.line) for d in second.failures] == [("IST0106", 7)]
    assert "loadBalancer.simple" in second.failures[0].message


def test_unchecked_blocks_are_not_loaded(store):
    report = run('```yaml unchecked="kubectl output"\nNAME AGE\n: : :\n```\n', store)
    assert next(iter(report.examples.values())).status == "unchecked"
    assert report.passed


CHECKS = """\
```check
# jason は v2
curl -H 'end-user: jason' http://reviews:9080/reviews/1
→ reviews v2

curl http://reviews:9080/reviews/1
→ reviews v2
```
"""


def test_checks_run_on_the_scenario_and_explain_differences(store):
    report = run(FRONT + VS + DR + CHECKS, store)
    first, second = report.checks.values()
    assert first.passed, first.differences
    assert not second.passed
    assert second.differences == ["expected reviews v2, got reviews v1 (rule 1 of default/reviews)"]
    assert second.diagnostics[0].code == "INB3020" and second.diagnostics[0].line == second.check.line


def test_route_coverage_counts_match_blocks_exercised_by_checks(store):
    only_jason = CHECKS.split("\n\n")[0] + "\n```\n"
    report = run(FRONT + VS + DR + only_jason, store)
    assert [u.what for u in report.coverage.uncovered] == ["rule 1"]
    assert report.coverage.percent == 50.0


def test_unknown_fixture_is_a_page_problem(store):
    report = run("---\nfixtures: [nope]\n---\n" + DR, store)
    assert [d.code for d in report.problems] == ["INB3006"]
    assert "docs/fixtures/nope.yaml" in report.problems[0].message


def test_a_check_with_a_syntax_error_fails_without_running(store):
    report = run(FRONT + "```check\ncurl http://reviews:9080/\n→ fault sometimes\n```\n", store)
    (result,) = report.checks.values()
    assert not result.passed and result.diagnostics[0].code == "INB3012"


@pytest.mark.envoy
def test_the_envoy_backend_answers_the_same_checks_the_same_way(store):
    # backend="envoy" replays the request on real Envoy (istio_notebook.envoy.replay) with the same JSON.
    report = run_page(read_page(FRONT + VS + DR + CHECKS, "docs/p.md"), store, backend="envoy")
    first, second = report.checks.values()
    assert first.passed, first.differences
    assert second.differences == ["expected reviews v2, got reviews v1 (rule 1 of default/reviews)"]


def test_a_delegating_root_rule_is_covered_by_checks_that_reach_its_delegate():
    # istio.io VirtualService reference, Delegate: the root's rule hands matching requests to the delegate.
    from istio_notebook.config import Origin, load_text
    from istio_notebook.examples.coverage import covered_by, route_units

    root = "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: root, namespace: istio-system}\nspec:\n  hosts: [a]\n  http:\n  - match: [{uri: {prefix: /r}}]\n    delegate: {name: reviews, namespace: default}\n  - route: [{destination: {host: b}}]\n"
    units = route_units(load_text(root, Origin("root.yaml")).resources)
    hits = covered_by(units, [{"virtual_service": "default/reviews", "route_index": 0, "match_index": 0}])
    assert [u.what for u in hits] == ["rule 0 match 0"]
