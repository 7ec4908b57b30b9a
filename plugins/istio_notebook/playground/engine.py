"""Run ``istio-notebook`` on in-memory files, exactly as the command line does.

The worker hands over the files (name → text) and the arguments; they are written to a fresh
directory, the command runs there through :func:`istio_notebook.cli.main`, and its exit code,
standard output and standard error come back. Same code path, same JSON as on a terminal: the
file names in diagnostics are the names given here.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path, PurePosixPath

from istio_notebook.cli import EXIT_USAGE, build_parser, main


# What the commands import on first use (cli/check.py, cli/route.py and cli/authz.py import them
# inside their functions, to keep the terminal's start short). The worker imports them while it
# boots, so that engine.js's time limit counts the reader's command, not Pyodide compiling modules.
PRELOAD = (
    "istio_notebook.cli.signals",
    "istio_notebook.analysis",
    "istio_notebook.examples",
    "istio_notebook.labs.checking",
    "istio_notebook.routing",
    "istio_notebook.routing.trace",
    "istio_notebook.gatewayapi",
    "istio_notebook.authz",
    "istio_notebook.playground.diagram",
)


def preload() -> None:
    build_parser()  # imports every command's module
    for name in PRELOAD:
        importlib.import_module(name)


@dataclass(frozen=True)
class Outcome:
    exit: int
    stdout: str
    stderr: str


def _safe_name(name: str) -> PurePosixPath | None:
    """A relative path inside the work directory (no absolute paths, no "..")."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or ".." in path.parts:
        return None
    return path


def run(argv: list[str], files: dict[str, str]) -> Outcome:
    with tempfile.TemporaryDirectory(prefix="istio-notebook-") as work:
        for name, text in files.items():
            relative = _safe_name(name)
            if relative is None:
                return Outcome(EXIT_USAGE, "", f"istio-notebook: error: unusable file name {name!r}\n")
            target = Path(work, relative)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        stdout, stderr = io.StringIO(), io.StringIO()
        here = os.getcwd()
        os.chdir(work)
        try:
            with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
                try:
                    code = main(argv)
                except SystemExit as leaving:  # argparse: --help, or unusable arguments
                    code = leaving.code if isinstance(leaving.code, int) else EXIT_USAGE
        finally:
            os.chdir(here)
        return Outcome(code, stdout.getvalue(), stderr.getvalue())


def run_json(request: str) -> str:
    """``{"argv": [...], "files": {name: text}}`` → ``{"exit", "stdout", "stderr"}`` (JSON both ways,
    so that nothing but strings crosses the JavaScript boundary)."""
    data = json.loads(request)
    return json.dumps(asdict(run(list(data["argv"]), dict(data["files"]))), ensure_ascii=False)


def diagram_json(request: str) -> str:
    """``{"files": {name: text}, "outcome": route JSON}`` → ``{"diagram": Mermaid text | null}``
    (playground/diagram.py: the decisive VirtualService's flowchart, the rule taken marked)."""
    from istio_notebook.playground.diagram import outcome_diagram

    data = json.loads(request)
    return json.dumps({"diagram": outcome_diagram(dict(data["files"]), dict(data["outcome"]))}, ensure_ascii=False)
