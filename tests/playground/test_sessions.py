"""The "試す" sessions (istio_notebook.playground.sessions): each check of a page, as files and a
command line, gets from `istio-notebook` exactly the outcome the page's own check got (the trace
aside: the playground asks for it in Japanese)."""

from __future__ import annotations

import json

import pytest
from istio_notebook.examples.find import read_page_file
from istio_notebook.examples.fixtures import FixtureStore
from istio_notebook.examples.run import run_page
from istio_notebook.playground.engine import run
from istio_notebook.playground.sessions import page_sessions
from playground_cases import REPO

PAGES = ["contributing/syntax.md", "traffic/fault-injection.md", "traffic/ingress-gateway.md", "security/authorization.md",
         "traffic/tcp-tls.md"]


@pytest.fixture(scope="module")
def store() -> FixtureStore:
    return FixtureStore(REPO / "docs" / "fixtures", display_root=REPO)


def _without_trace(outcome: dict) -> dict:
    return {key: value for key, value in outcome.items() if key != "trace"}


@pytest.mark.parametrize("name", PAGES)
def test_every_check_asked_through_the_command_line_gets_the_pages_outcome(store, name):
    page = read_page_file(REPO / "docs" / name, f"docs/{name}")
    report = run_page(page, store)
    sessions = page_sessions(page, store, name)
    askable = [c for block in page.check_blocks for c in block.checks if not c.diagnostics]
    assert [c.line for c in sessions.checks] == [c.line for c in askable]
    for asked in sessions.checks:
        outcome = run(asked.argv(sessions.scenarios[asked.scenario]), sessions.scenarios[asked.scenario])
        assert outcome.exit == 0, outcome.stderr
        expected = report.checks[asked.line].outcome
        if asked.command == "authz":
            expected = expected.get("authz", expected)
        assert _without_trace(json.loads(outcome.stdout)) == _without_trace(expected), f"{name}:{asked.line}"


def test_the_trace_comes_in_japanese(store):
    page = read_page_file(REPO / "docs" / PAGES[0], f"docs/{PAGES[0]}")
    sessions = page_sessions(page, store, PAGES[0])
    asked = sessions.checks[0]
    trace = json.loads(run(asked.argv(sessions.scenarios[asked.scenario]), sessions.scenarios[asked.scenario]).stdout)["trace"]
    assert any("として評価" in step for step in trace)


def test_examples_are_listed_in_page_order_with_their_scenario(store):
    page = read_page_file(REPO / "docs" / PAGES[0], f"docs/{PAGES[0]}")
    sessions = page_sessions(page, store, PAGES[0])
    assert [e["line"] for e in sessions.examples] == [e.line for e in page.examples]
    modes = {e.line: e.mode for e in page.examples}
    assert all((e["scenario"] is None) == (modes[e["line"]] != "scenario") for e in sessions.examples)


def test_an_empty_file_is_left_out_of_the_command_line():
    from istio_notebook.playground.sessions import TryCheck

    asked = TryCheck(1, "", "", "route", "GET", "http://a/", [], [])
    assert asked.argv({"fixtures.yaml": "  \n", "example.yaml": "kind: X\n"})[:3] == ["route", "example.yaml", "--request"]
