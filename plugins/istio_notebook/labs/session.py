"""One ``lab run``: the chosen labs on the chosen backend, with teardown on failure or Ctrl-C."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from istio_notebook.labs.catalog import Catalog, Lab
from istio_notebook.labs.cluster import ClusterBackend, ClusterSettings
from istio_notebook.labs.kind import KindBackend, KindSettings, client_namespaces
from istio_notebook.labs.offline import OFFLINE_BACKENDS, run_offline
from istio_notebook.labs.results import CheckReport, LabReport
from istio_notebook.labs.runner import Clock, CommandRunner, SubprocessRunner, SystemClock
from istio_notebook.labs.scenario import LabScenario, load_scenario
from istio_notebook.labs.tools import preflight
from istio_notebook.labs.workloads import workload_documents



def scenarios_of(catalog: Catalog, labs: list[Lab]) -> list[LabScenario]:
    return [load_scenario(lab, catalog.fixtures_dir) for lab in labs]


def kind_workloads(catalog: Catalog) -> list[dict]:
    """The workloads ``lab up`` deploys: every fixture any lab uses, plus the clients the checks need."""
    scenarios = scenarios_of(catalog, list(catalog.labs.values()))
    fixtures = {}
    for scenario in scenarios:
        for resource in scenario.fixtures:
            fixtures.setdefault((resource.kind, resource.namespace, resource.name), resource)
    return workload_documents(fixtures.values(), client_namespaces(scenarios))


def kind_backend(catalog: Catalog, root: Path, *, keep: bool, runner: CommandRunner | None = None,
                 clock: Clock | None = None, log: Callable[[str], None] = lambda m: None) -> KindBackend:
    settings = KindSettings(kind_dir=root / "labs" / "kind", keep=keep)
    return KindBackend(runner or SubprocessRunner(), clock or SystemClock(), settings, log=log)


def run_on_cluster(scenarios: list[LabScenario], settings: ClusterSettings, *, runner: CommandRunner | None = None,
                   clock: Clock | None = None, on_check=lambda lab, check: None, log=lambda m: None) -> list[LabReport]:
    """Backend ``cluster`` (labs/cluster.py): plan all (refusals first), preflight once, then each lab."""
    backend = ClusterBackend(runner or SubprocessRunner(), clock or SystemClock(), settings, log=log)
    plans = backend.plan(scenarios)
    backend.preflight(plans)
    reports = []
    for scenario, plan in zip(scenarios, plans):
        report = LabReport(scenario.lab.name, scenario.lab.title, "cluster")
        reports.append(backend.run_planned(scenario, plan, on_check=lambda item, r=report: on_check(r, item)))
    return reports


def run_labs(
    catalog: Catalog,
    labs: list[Lab],
    backend: str,
    *,
    root: Path,
    keep: bool = False,
    runner: CommandRunner | None = None,
    clock: Clock | None = None,
    on_check: Callable[[LabReport, CheckReport], None] = lambda lab, check: None,
    log: Callable[[str], None] = lambda message: None,
    cluster: ClusterSettings | None = None,
) -> list[LabReport]:
    scenarios = scenarios_of(catalog, labs)
    reports: list[LabReport] = []
    if backend in OFFLINE_BACKENDS:
        for scenario in scenarios:
            report = LabReport(scenario.lab.name, scenario.lab.title, backend)
            reports.append(run_offline(scenario, backend, on_check=lambda item, r=report: on_check(r, item)))
        return reports
    if backend == "cluster":
        if cluster is None:
            raise ValueError("backend cluster needs ClusterSettings (a kube context)")
        return run_on_cluster(scenarios, cluster, runner=runner, clock=clock, on_check=on_check, log=log)
    kind = kind_backend(catalog, root, keep=keep, runner=runner, clock=clock, log=log)
    preflight(kind.runner)  # name missing tools before any cluster command fails on them
    created = False
    if not kind.cluster_exists():
        # No cluster yet: set one up for this run, and take it down again afterwards (unless --keep).
        created = kind.up(kind_workloads(catalog))
    try:
        kind.ensure_ours()
        for scenario in scenarios:
            report = LabReport(scenario.lab.name, scenario.lab.title, "kind")
            reports.append(kind.run_lab(scenario, on_check=lambda item, r=report: on_check(r, item)))
    finally:
        if created and not keep:
            log("deleting the cluster this run created (use --keep to keep it)")
            kind.down()
    return reports
