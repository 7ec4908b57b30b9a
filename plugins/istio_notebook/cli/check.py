"""``istio-notebook check PATH... [--format text|json|github] [--strict]``.

Loads YAML files, directories and the ```yaml fences of Markdown files, validates and analyzes
them (``istio_notebook.analysis.analyze``) and prints the diagnostics. Exit codes (docs/reference/cli.md):
0 no Error (with --strict: no Warning either), 1 otherwise, 2 when an input cannot be read
(missing, unreadable, too large, binary, not UTF-8).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from istio_notebook.cli.inputs import add_input_arguments, inputs_of, load_inputs, require_input
from istio_notebook.config import Mesh
from istio_notebook.config.loader import MARKDOWN_SUFFIXES, UNREADABLE_CODES
from istio_notebook.diagnostics import Diagnostic, Level, sort_key
from istio_notebook.diagnostics.record import with_hints
from istio_notebook.diagnostics.formats import FORMATS

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate Istio/Kubernetes YAML (files, directories, Markdown examples)",
        description="Validate resources as istioctl validate/analyze would, offline, with file:line.",
    )
    add_input_arguments(parser)
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument("--strict", action="store_true", help="warnings also make the exit code 1")
    parser.add_argument("--lang", choices=("en", "ja"), default=None, help="language of fix hints (default: from the locale)")
    parser.set_defaults(func=run)


def check_paths(paths: Sequence[str | Path], *, args: argparse.Namespace | None = None) -> list[Diagnostic]:
    """Every diagnostic for ``paths``: loader problems, validation and analyzers, sorted.

    Markdown files are checked with the example syntax (``istio_notebook.examples``): unchecked
    fences skipped, ``expect=`` honoured, fragments checked, each page with its own fixtures.
    YAML and JSON inputs are analysed together with the registry folders and the cluster that
    ``args`` name (cli/inputs.py).
    """
    # Imported here, not at the top: every other command would pay for the analysis package (models).
    from istio_notebook.analysis import analyze
    from istio_notebook.examples import check_markdown
    from istio_notebook.labs.checking import check_labs, split_lab_paths  # a lab is its own scenario

    files, labs = split_lab_paths(paths)
    yaml_paths, markdown = _split_markdown(files)
    inputs = inputs_of(args, yaml_paths) if args is not None else load_inputs(yaml_paths)
    found = inputs.reported(inputs.diagnostics + analyze(Mesh(inputs.resources)))
    for page in markdown:
        found.extend(check_markdown(page))
    found.extend(check_labs(labs))
    return sorted(found, key=sort_key)


def _split_markdown(files: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """(YAML inputs, Markdown pages); ``files`` has its directories expanded already."""
    yaml_paths: list[Path] = []
    markdown: list[Path] = []
    for file in files:
        is_markdown = file.suffix.lower() in MARKDOWN_SUFFIXES and file.is_file()
        (markdown if is_markdown else yaml_paths).append(file)
    return yaml_paths, markdown


def exit_code(diagnostics: Sequence[Diagnostic], *, strict: bool = False) -> int:
    if any(d.code in UNREADABLE_CODES for d in diagnostics):
        return 2
    failing = {Level.ERROR, Level.WARNING} if strict else {Level.ERROR}
    return 1 if any(d.level in failing for d in diagnostics) else 0


def run(args: argparse.Namespace) -> int:
    require_input(args)
    from istio_notebook.routing.trace import default_lang

    diagnostics = with_hints(check_paths(args.paths, args=args), args.lang or default_lang())
    sys.stdout.write(FORMATS[args.format](diagnostics))
    return exit_code(diagnostics, strict=args.strict)
