"""The ``istio-notebook`` command: thin argument handling over the library packages.

Each sub-command lives in its own module exposing ``register(subparsers)``; the module sets
``func`` on its parser. Exit codes: 0 ok, 1 findings/failed checks, 2 unusable arguments or
input, 3 internal error. Never a traceback (set ISTIO_NOTEBOOK_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import atexit
import importlib
import os
import sys
from collections.abc import Sequence

from istio_notebook import __version__

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# Sub-command modules, in the order `--help` lists them.
COMMANDS = ("check", "route", "authz", "envoy_config", "lab")


class UsageError(Exception):
    """Unusable arguments or input: reported in one line, exit code 2."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="istio-notebook",
        description="Check Istio examples, simulate requests, replay them on real Envoy, run labs.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        module = importlib.import_module(f"istio_notebook.cli.{name}")
        module.register(subparsers)
    return parser


def console() -> None:
    """The ``istio-notebook`` console script and ``python -m istio_notebook``: :func:`main`, then
    exit without tearing the interpreter down (argparse's own exits, --help and usage errors, stay
    ordinary SystemExits). Freeing a large mesh's objects one by one took longer than the
    answer's own cleanup (5,000 services: 2.6 s after the answer; benchmarks/envoy_scale.py).
    Output is flushed and the atexit hooks (which reap Envoy process groups) run first."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (BrokenPipeError, ValueError):  # reader gone, or stream closed
            pass
    atexit._run_exitfuncs()
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    from istio_notebook.cli.signals import Interrupted, signals_unwind

    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        with signals_unwind():
            return int(args.func(args))
    except UsageError as error:
        print(f"istio-notebook {args.command}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt as error:
        name = f" ({error.args[0]})" if isinstance(error, Interrupted) else ""
        print(f"istio-notebook: interrupted{name}", file=sys.stderr)
        return error.exit_code if isinstance(error, Interrupted) else 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the contract is "never a traceback"
        if os.environ.get("ISTIO_NOTEBOOK_DEBUG"):
            raise
        print(
            f"istio-notebook {args.command}: internal error: {type(error).__name__}: {error} "
            "(please report it; ISTIO_NOTEBOOK_DEBUG=1 shows the traceback)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
