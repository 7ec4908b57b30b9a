"""What a lab run produced, per check, in a shape both the terminal and ``--format json`` use."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CheckReport:
    location: str  # "labs/x/checks.markdown:12"
    title: str
    request: str  # the curl line as written
    status: str  # "passed" | "failed" | "skipped" (not observable on this backend) | "error"
    seconds: float
    differences: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. which expectations a backend could not observe

    @property
    def passed(self) -> bool:
        return self.status in ("passed", "skipped")

    def to_json(self) -> dict:
        return {
            "location": self.location,
            "title": self.title,
            "request": self.request,
            "status": self.status,
            "seconds": round(self.seconds, 4),
            "differences": self.differences,
            "notes": self.notes,
        }


@dataclass
class LabReport:
    name: str
    title: str
    backend: str
    checks: list[CheckReport] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # problems that stopped the lab (bad manifests, setup)
    seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return not self.errors and all(c.passed for c in self.checks)

    def to_json(self) -> dict:
        return {
            "name": self.name,
            "title": self.title,
            "backend": self.backend,
            "passed": self.passed,
            "seconds": round(self.seconds, 3),
            "errors": self.errors,
            "checks": [c.to_json() for c in self.checks],
        }
