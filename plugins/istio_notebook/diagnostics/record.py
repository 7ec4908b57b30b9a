"""The diagnostic record every part of the project produces."""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from istio_notebook.diagnostics.catalogue import Level, message
from istio_notebook.diagnostics.printable import printable


@dataclass(frozen=True, order=True)
class Position:
    """A place in a file: 1-based line and column."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Diagnostic:
    code: str
    level: Level
    message: str
    position: Position
    origin: str = ""  # "Kind namespace/name" as istioctl prints it; "" when no resource applies
    extra: dict = field(default_factory=dict, compare=False, hash=False)

    @property
    def file(self) -> str:
        return self.position.file

    @property
    def line(self) -> int:
        return self.position.line

    @property
    def column(self) -> int:
        return self.position.column

    def to_json(self) -> dict:
        hint = {"hint": self.extra["hint"]} if self.extra.get("hint") else {}
        return {
            "code": self.code,
            "level": self.level.value,
            "origin": self.origin,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "message": self.message,
        } | hint

    def __str__(self) -> str:
        """One line: every part taken from input is escaped (diagnostics/printable.py)."""
        where = f"{self.origin} {self.position}" if self.origin else str(self.position)
        hint = f" (hint: {self.extra['hint']})" if self.extra.get("hint") else ""
        return printable(f"{self.level.value} [{self.code}] ({where}) {self.message}{hint}")


def report(code: str, position: Position, origin: str = "", **args: object) -> Diagnostic:
    """Build a diagnostic from the catalogue entry ``code`` and its template arguments."""
    msg = message(code)
    return Diagnostic(code=code, level=msg.level, message=msg.render(**args), position=position, origin=origin)


def with_hints(diagnostics: list[Diagnostic], lang: str) -> list[Diagnostic]:
    """``diagnostics`` with the catalogue's fix hint in ``lang`` ("en" or "ja") attached where there is one."""
    out = []
    for d in diagnostics:
        hint = message(d.code).hint(lang)
        out.append(replace(d, extra={**d.extra, "hint": hint}) if hint else d)
    return out


def sort_key(d: Diagnostic) -> tuple:
    return (d.file, d.line, d.column, d.level.rank, d.code, d.message)
