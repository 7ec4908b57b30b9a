"""Terminal and JSON output of a lab run: per check pass/fail, time and what differed."""

from __future__ import annotations

import sys
from typing import TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from istio_notebook.labs.results import CheckReport, LabReport

_MARKS = {"passed": "[green]✓ PASS[/]", "failed": "[red]✗ FAIL[/]", "skipped": "[yellow]- SKIP[/]", "error": "[red]! ERROR[/]"}


# Width for output that is not a terminal: wide enough that rich never truncates or wraps a line.
PLAIN_WIDTH = 10_000


def make_console(file: TextIO | None = None) -> Console:
    """Rich on a terminal (colour unless NO_COLOR is set, which rich honours); plain text otherwise.

    Piped or redirected, rich would fall back to 80 columns and cut table cells with "…"
    (`lab list | cat`): there, lines are as long as their content and carry no escape codes.
    """
    file = file or sys.stdout
    if file.isatty():
        return Console(file=file, highlight=False)
    return Console(file=file, highlight=False, width=PLAIN_WIDTH, color_system=None, no_color=True)


class TextReporter:
    """Progress as checks finish (stderr when the result goes to stdout as JSON)."""

    def __init__(self, quiet: bool = False, console: Console | None = None):
        self.console = console or make_console(sys.stderr if quiet else sys.stdout)
        self._current: str | None = None

    def log(self, message: str) -> None:
        self.console.print(f"[dim]==> {escape(message)}[/]")

    def check(self, lab: LabReport, item: CheckReport) -> None:
        if lab.name != self._current:
            self._current = lab.name
            self.console.print(f"[bold]{escape(lab.name)}[/] {escape(lab.title)} [dim]({lab.backend})[/]")
        title = f" {escape(item.title)}" if item.title else ""
        self.console.print(f"  {_MARKS[item.status]} {item.seconds * 1000:7.1f} ms  {escape(item.location)}{title}")
        for difference in item.differences:
            self.console.print(f"      [red]{escape(difference)}[/]")
        for note in item.notes:
            self.console.print(f"      [dim]{escape(note)}[/]")

    def summary(self, reports: list[LabReport]) -> None:
        table = Table("lab", "passed", "failed", "skipped", "time", box=None)
        for report in reports:
            counts = {s: sum(1 for c in report.checks if c.status == s) for s in ("passed", "failed", "skipped", "error")}
            failed = counts["failed"] + counts["error"]
            table.add_row(report.name, str(counts["passed"]), f"[red]{failed}[/]" if failed else "0",
                          str(counts["skipped"]), f"{report.seconds:.2f}s")
            for error in report.errors:
                self.console.print(f"[red]{escape(report.name)}: {escape(error)}[/]")
        self.console.print(table)
        total = sum(r.seconds for r in reports)
        verdict = "[green]all labs passed[/]" if all(r.passed for r in reports) else "[red]some checks failed[/]"
        self.console.print(f"{verdict} ({len(reports)} labs, {sum(len(r.checks) for r in reports)} checks, {total:.2f}s)")


def to_json(reports: list[LabReport], backend: str) -> dict:
    return {
        "backend": backend,
        "passed": all(r.passed for r in reports),
        "labs": [r.to_json() for r in reports],
    }
