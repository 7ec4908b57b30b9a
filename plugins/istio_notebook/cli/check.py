"""``istio-notebook check PATH... [--format text|json|github] [--strict]``."""

from __future__ import annotations

import argparse
import sys

from istio_notebook.analysis import analyze
from istio_notebook.config import Mesh, load_paths
from istio_notebook.diagnostics import Level, sort_key
from istio_notebook.diagnostics.formats import FORMATS


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "check",
        help="validate Istio/Kubernetes YAML (files, directories, Markdown examples)",
        description="Validate resources as istioctl validate/analyze would, offline, with file:line.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="YAML file, Markdown file or directory")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text")
    parser.add_argument("--strict", action="store_true", help="warnings also make the exit code 1")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    loaded = load_paths(args.paths)
    diagnostics = loaded.diagnostics + analyze(Mesh(loaded.resources))
    diagnostics.sort(key=sort_key)
    sys.stdout.write(FORMATS[args.format](diagnostics))
    unusable = any(d.code in ("INB1011",) for d in diagnostics)
    if unusable:
        return 2
    failing = {Level.ERROR, Level.WARNING} if args.strict else {Level.ERROR}
    return 1 if any(d.level in failing for d in diagnostics) else 0
