"""Output formats for diagnostics: small functions, one per format (as yamllint's Format)."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence

from istio_notebook.diagnostics.printable import printable
from istio_notebook.diagnostics.record import Diagnostic


def as_text(diagnostics: Sequence[Diagnostic]) -> str:
    return "".join(f"{d}\n" for d in diagnostics)


def as_json(diagnostics: Sequence[Diagnostic]) -> str:
    return json.dumps({"diagnostics": [d.to_json() for d in diagnostics]}, ensure_ascii=False, indent=2) + "\n"


def _escape_github(value: str, *, property_value: bool = False) -> str:
    # Workflow command escaping (actions/toolkit command.ts: escapeData / escapeProperty), after
    # control and bidi characters are made visible, so that no input can end the command early.
    value = printable(value).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def as_github(diagnostics: Sequence[Diagnostic]) -> str:
    """GitHub Actions workflow commands: annotations on the pull request's changed lines."""
    command = {"Error": "error", "Warning": "warning", "Info": "notice"}
    lines = []
    for d in diagnostics:
        title = f"{d.code} {d.origin}".strip()
        props = ",".join(
            f"{k}={_escape_github(str(v), property_value=True)}"
            for k, v in (("file", d.file), ("line", d.line), ("col", d.column), ("title", title))
        )
        lines.append(f"::{command[d.level.value]} {props}::{_escape_github(d.message)}\n")
    return "".join(lines)


def as_sarif(diagnostics: Sequence[Diagnostic]) -> str:
    from istio_notebook.diagnostics.sarif import as_sarif as sarif  # its own module: the SARIF shape is large

    return sarif(diagnostics)


FORMATS: dict[str, Callable[[Sequence[Diagnostic]], str]] = {
    "text": as_text, "json": as_json, "github": as_github, "sarif": as_sarif,
}
