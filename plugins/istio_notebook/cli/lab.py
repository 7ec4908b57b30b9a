"""``istio-notebook lab``: not implemented yet (tracked in its issue)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser("lab", help="(not implemented yet)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from istio_notebook.cli import UsageError

    raise UsageError("this command is not implemented yet")
