"""Backends ``sim`` and ``envoy``: run a lab's checks through the examples machinery.

Both answer without a cluster: ``sim`` asks the routing simulator, ``envoy`` replays each
request on real Envoy running the translated config (the envoy package). The lab's mesh is
exactly what the lab page shows: its fixtures plus its manifests.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from istio_notebook.examples.model import Check
from istio_notebook.labs.results import CheckReport, LabReport
from istio_notebook.labs.scenario import LabScenario

OFFLINE_BACKENDS = ("sim", "envoy")


def check_report(check: Check, status: str, seconds: float, differences=(), notes=()) -> CheckReport:
    return CheckReport(
        location=str(check),
        title=check.title,
        request=str(check.request) if check.request is not None else "",
        status=status,
        seconds=seconds,
        differences=list(differences),
        notes=list(notes),
    )


def run_offline(
    scenario: LabScenario,
    backend: str,
    *,
    on_check: Callable[[CheckReport], None] = lambda report: None,
    timer: Callable[[], float] = time.perf_counter,
) -> LabReport:
    from istio_notebook.examples.run import run_check  # the examples package owns check semantics

    lab = scenario.lab
    report = LabReport(name=lab.name, title=lab.title, backend=backend)
    started = timer()
    report.errors = [str(d) for d in scenario.errors]
    if report.errors:
        report.seconds = timer() - started
        return report
    mesh = scenario.mesh
    for check in scenario.checks:
        begun = timer()
        try:
            result = run_check(mesh, check, backend=backend)
        except Exception as error:  # noqa: BLE001 - one failing check must not hide the others
            item = check_report(check, "error", timer() - begun, [f"{type(error).__name__}: {error}"])
        else:
            problems = [d.message for d in result.diagnostics if d.code == "INB3021"]
            status = "passed" if result.passed else ("error" if problems else "failed")
            item = check_report(check, status, timer() - begun, result.differences or problems)
        report.checks.append(item)
        on_check(item)
    report.seconds = timer() - started
    return report
