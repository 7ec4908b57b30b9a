"""``istio-notebook lab``: list, run, and the kind cluster's up/down; lab pages.

    lab list
    lab run NAME... [--all] [--backend sim|envoy|kind|cluster] [--format text|json] [--keep]
        [--kube-context NAME] [--allow-mesh-config]
    lab up [--keep] / lab down
    lab pages [--write]

Exit codes: 0 every check passed, 1 a check failed, 2 unusable arguments, a broken lab
definition, a failed preflight or a cluster we did not create.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from istio_notebook.cli import EXIT_FINDINGS, EXIT_OK, UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "lab",
        help="run the labs offline (sim, envoy) or on a kind + Istio cluster",
        description="Run the labs under labs/: offline in seconds, or for real on kind.",
    )
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: found from the current directory)")
    actions = parser.add_subparsers(dest="lab_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list the labs")
    listing.add_argument("--format", choices=("text", "json"), default="text")
    listing.set_defaults(func=run_list)

    run = actions.add_parser("run", help="run labs and report each check")
    run.add_argument("names", nargs="*", metavar="NAME")
    run.add_argument("--all", action="store_true", help="run every lab")
    run.add_argument("--backend", choices=("sim", "envoy", "kind", "cluster"), default="sim",
                     help="cluster: an existing cluster with Istio (needs --kube-context)")
    run.add_argument("--format", choices=("text", "json"), default="text")
    run.add_argument("--keep", action="store_true",
                     help="kind: keep the cluster and the applied config on failure; cluster: keep a failed lab's namespace")
    run.add_argument("--kube-context", metavar="NAME", help="cluster: the kubectl context to run in (required)")
    run.add_argument("--allow-mesh-config", action="store_true",
                     help="cluster: allow labs that change istio-system or cluster-wide configuration (deleted afterwards)")
    run.set_defaults(func=run_run)

    up = actions.add_parser("up", help="create the kind cluster, install Istio, deploy the sample workloads")
    up.add_argument("--keep", action="store_true", help="keep a half-built cluster when setup fails")
    up.set_defaults(func=run_up)

    down = actions.add_parser("down", help="delete the kind cluster (only the one `lab up` created)")
    down.set_defaults(func=run_down)

    pages = actions.add_parser("pages", help="check (or --write) the generated lab pages under docs/labs/")
    pages.add_argument("--write", action="store_true")
    pages.set_defaults(func=run_pages)


def find_root(start: Path | None) -> Path:
    candidates = [start] if start else [Path.cwd(), *Path.cwd().parents]
    for candidate in candidates:
        if candidate and (candidate / "labs").is_dir() and (candidate / "docs" / "fixtures").is_dir():
            # Relative to the working directory when possible, so reports name labs/x/checks.md:12.
            relative = Path(os.path.relpath(candidate))
            return relative if not str(relative).startswith("..") else candidate
    where = start or Path.cwd()
    raise UsageError(f"{where}: not inside the istio-notebook repository (no labs/ and docs/fixtures/); use --root")


def _catalog(args: argparse.Namespace):
    from istio_notebook.labs.catalog import Catalog

    root = find_root(args.root)
    catalog = Catalog.load(root)
    if catalog.diagnostics:
        raise UsageError(str(catalog.diagnostics[0]) + (f" (and {len(catalog.diagnostics) - 1} more)" if len(catalog.diagnostics) > 1 else ""))
    return root, catalog


def run_list(args: argparse.Namespace) -> int:
    _, catalog = _catalog(args)
    labs = list(catalog.labs.values())
    if args.format == "json":
        print(json.dumps({"labs": [{"name": l.name, "title": l.title, "description": l.description} for l in labs]}, ensure_ascii=False, indent=2))
        return EXIT_OK
    from rich.table import Table

    from istio_notebook.labs.report import make_console

    table = Table("name", "title", box=None)
    for lab in labs:
        table.add_row(lab.name, lab.title)
    make_console().print(table)
    return EXIT_OK


def _kind_errors():
    from istio_notebook.labs.cluster_plan import LabRefused
    from istio_notebook.labs.kind import RefusedCluster
    from istio_notebook.labs.runner import CommandFailed, WaitTimeout
    from istio_notebook.labs.tools import PreflightError

    return PreflightError, RefusedCluster, CommandFailed, WaitTimeout, LabRefused


def _cluster_settings(args: argparse.Namespace):
    if args.backend != "cluster":
        if args.kube_context or args.allow_mesh_config:
            raise UsageError("--kube-context and --allow-mesh-config are for --backend cluster")
        return None
    if not args.kube_context:
        raise UsageError("--backend cluster needs --kube-context NAME (the current context is never assumed)")
    from istio_notebook.labs.cluster import ClusterSettings

    return ClusterSettings(context=args.kube_context, allow_mesh_config=args.allow_mesh_config, keep=args.keep)


def run_run(args: argparse.Namespace) -> int:
    from istio_notebook.labs.report import TextReporter, to_json
    from istio_notebook.labs.session import run_labs

    root, catalog = _catalog(args)
    if args.all and args.names:
        raise UsageError("give lab names or --all, not both")
    if not args.all and not args.names:
        raise UsageError("name at least one lab (see `istio-notebook lab list`) or use --all")
    labs, unknown = catalog.select(args.names) if args.names else (list(catalog.labs.values()), [])
    if unknown:
        raise UsageError(f"unknown lab {', '.join(unknown)}; known: {', '.join(catalog.labs)}")
    cluster = _cluster_settings(args)
    reporter = TextReporter(quiet=args.format == "json")
    try:
        reports = run_labs(catalog, labs, args.backend, root=root, keep=args.keep,
                           on_check=reporter.check, log=reporter.log, cluster=cluster)
    except _kind_errors() as error:
        raise UsageError(str(error)) from None
    if args.format == "json":
        json.dump(to_json(reports, args.backend), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        reporter.summary(reports)
    return EXIT_OK if all(r.passed for r in reports) else EXIT_FINDINGS


def run_up(args: argparse.Namespace) -> int:
    from istio_notebook.labs.report import TextReporter
    from istio_notebook.labs.session import kind_backend, kind_workloads

    root, catalog = _catalog(args)
    reporter = TextReporter()
    kind = kind_backend(catalog, root, keep=args.keep, log=reporter.log)
    try:
        kind.up(kind_workloads(catalog))
    except _kind_errors() as error:
        raise UsageError(str(error)) from None
    reporter.log(f"ready: context {kind.settings.context}")
    return EXIT_OK


def run_down(args: argparse.Namespace) -> int:
    from istio_notebook.labs.report import TextReporter
    from istio_notebook.labs.session import kind_backend

    root, catalog = _catalog(args)
    reporter = TextReporter()
    kind = kind_backend(catalog, root, keep=False, log=reporter.log)
    try:
        kind.down()
    except _kind_errors() as error:
        raise UsageError(str(error)) from None
    return EXIT_OK


def run_pages(args: argparse.Namespace) -> int:
    from istio_notebook.labs.pages import stale_pages, write_pages

    root, catalog = _catalog(args)
    if args.write:
        for path in write_pages(catalog, root):
            print(f"wrote {path.relative_to(root)}")
        return EXIT_OK
    stale = stale_pages(catalog, root)
    for path in stale:
        print(f"{path.relative_to(root)}: out of date (run `istio-notebook lab pages --write`)")
    return EXIT_FINDINGS if stale else EXIT_OK
