"""The playground's diagram of a route outcome (playground/diagram.py): the site's flowchart of the
VirtualService that decided it (markdown/mermaid.py), with the match block the request took and
its destinations marked; none when no VirtualService of the files decided it."""

from __future__ import annotations

import json

from istio_notebook.markdown.mermaid import CHOSEN_STYLE, virtual_service_diagram
from istio_notebook.playground.diagram import outcome_diagram
from istio_notebook.playground.engine import diagram_json, run
from playground_cases import BOOKINFO, JASON

FILES = {"bookinfo.yaml": BOOKINFO, "vs.yaml": JASON}


def _route(header: str) -> dict:
    argv = ["route", *FILES, "--request", "GET http://reviews:9080/reviews/1", "-H", header, "--format", "json"]
    return json.loads(run(argv, FILES).stdout)


def test_the_rule_the_request_took_and_its_destination_are_marked():
    jason = outcome_diagram(FILES, _route("end-user: jason"))
    assert jason.endswith(f"{CHOSEN_STYLE}\n  class r0m0,d0 chosen\n")
    assert 'd0["reviews v2"]' in jason
    other = outcome_diagram(FILES, _route("end-user: alice"))  # the catch-all rule 1, no match block
    assert other.endswith("  class r1m0,d1 chosen\n") and 'd1["reviews v1"]' in other


def test_the_diagram_is_the_sites_own_with_only_the_marks_added():
    from istio_notebook.config import Origin, load_text

    resource = next(r for r in load_text(JASON, Origin("vs.yaml")).resources if r.kind == "VirtualService")
    site = virtual_service_diagram(resource)
    marked = outcome_diagram(FILES, _route("end-user: jason"))
    assert marked.startswith(site) and CHOSEN_STYLE not in site


def test_no_diagram_without_a_deciding_virtual_service():
    assert outcome_diagram({"bookinfo.yaml": BOOKINFO}, _route_without_vs()) is None
    assert outcome_diagram(FILES, {"action": "route", "virtual_service": "default/other", "route_index": 0, "match_index": None}) is None


def _route_without_vs() -> dict:
    argv = ["route", "bookinfo.yaml", "--request", "GET http://reviews:9080/", "--format", "json"]
    outcome = json.loads(run(argv, {"bookinfo.yaml": BOOKINFO}).stdout)
    assert outcome["virtual_service"] is None  # the default route: no VirtualService decided it
    return outcome


def test_diagram_json_round_trips_strings_only():
    answer = json.loads(diagram_json(json.dumps({"files": FILES, "outcome": _route("end-user: jason")})))
    assert "class r0m0,d0 chosen" in answer["diagram"]
