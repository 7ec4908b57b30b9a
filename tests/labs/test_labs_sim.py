"""Every lab passes on the simulator (what CI runs), and every lab is well formed."""

from __future__ import annotations

import pytest

from labs_testkit import REPO
from istio_notebook.labs.catalog import Catalog
from istio_notebook.labs.offline import run_offline
from istio_notebook.labs.pages import stale_pages
from istio_notebook.labs.scenario import load_scenario

CATALOG = Catalog.load(REPO)
REQUIRED = {
    "request-routing", "traffic-shifting", "fault-injection", "timeouts-retries",
    "ingress-gateway", "egress", "mtls-authorization", "mirroring",
}


def test_the_catalogue_holds_the_required_labs_without_problems() -> None:
    assert CATALOG.diagnostics == []
    assert REQUIRED <= set(CATALOG.labs)


@pytest.mark.parametrize("name", sorted(CATALOG.labs))
def test_lab_passes_on_the_simulator(name: str) -> None:
    scenario = load_scenario(CATALOG.labs[name], CATALOG.fixtures_dir)
    assert scenario.checks, "a lab without checks proves nothing"
    report = run_offline(scenario, "sim")
    failures = [f"{c.location}: {c.status} {c.differences}" for c in report.checks if not c.passed]
    assert report.errors == [] and failures == []


def test_lab_pages_are_generated_from_the_lab_folders() -> None:
    stale = stale_pages(CATALOG, REPO)
    assert stale == [], f"run `istio-notebook lab pages --write`: {stale}"
